"""Per-sample products of 3-vectors, written out component by component: ``dot3``/``cross3`` on
component-major arrays (3, m), ``*_rows`` on rows (n, 3).

numpy's ``einsum``, ``cross``, ``linalg.norm`` and ``@`` on (n, 3) rows cost several times more
than these on the column-major arrays the orientation layer produces (each component contiguous);
on row-major input they cost about the same as those.
"""

from __future__ import annotations

import numpy as np


def dot3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot products of component-major vectors: ``a``, ``b`` (3, m), either may be (3,)."""
    out = a[0] * b[0]
    if out.ndim == 0:
        return out + a[1] * b[1] + a[2] * b[2]
    part = a[1] * b[1]
    out += part
    np.multiply(a[2], b[2], out=part)
    out += part
    return out


def cross3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross products of component-major vectors (3, m), as (3, m)."""
    shape = a.shape if a.shape == b.shape else (3, *np.broadcast_shapes(a.shape[1:], b.shape[1:]))
    out = np.empty(shape)
    for k, (i, j) in enumerate(((1, 2), (2, 0), (0, 1))):
        row = out[k, ...]
        np.multiply(a[i], b[j], out=row)
        row -= a[j] * b[i]
    return out


def dot_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot product of each row of ``a`` with the same row of ``b`` (or with ``b`` (3,))."""
    return dot3(a.T, b.T)


def norm_rows(v: np.ndarray) -> np.ndarray:
    """Euclidean norm of each row of ``v`` (n, 3)."""
    return np.sqrt(dot3(v.T, v.T))


def cross_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of each row of ``a`` with the same row of ``b``, column-major (n, 3)."""
    return cross3(a.T, b.T).T
