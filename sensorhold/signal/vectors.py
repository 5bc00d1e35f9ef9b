"""Per-sample products of 3-vectors stored as rows (n, 3), written out component by component.

numpy's ``einsum``, ``cross``, ``linalg.norm`` and ``@`` on (n, 3) rows cost several times more
than these on the column-major arrays the orientation layer produces (each component contiguous);
on row-major input they cost about the same as those.
"""

from __future__ import annotations

import numpy as np


def dot_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot product of each row of ``a`` with the same row of ``b`` (or with ``b`` (3,))."""
    ax, ay, az = a.T
    bx, by, bz = b.T
    return ax * bx + ay * by + az * bz


def norm_rows(v: np.ndarray) -> np.ndarray:
    """Euclidean norm of each row of ``v`` (n, 3)."""
    x, y, z = v.T
    return np.sqrt(x * x + y * y + z * z)


def cross_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of each row of ``a`` with the same row of ``b``, column-major (n, 3)."""
    ax, ay, az = a.T
    bx, by, bz = b.T
    return np.stack((ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx)).T
