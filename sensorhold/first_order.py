"""The first-order recursive low-pass ``y[n] = y[n-1] + a * (x[n] - y[n-1])`` in numpy.

scipy.signal's ``lfilter`` computes the same, but importing scipy.signal costs seconds of CPU at
start-up (it loads scipy.stats and more). Here the signal is cut into blocks of ``BLOCK``
samples: one batched matrix product filters every block from a zero start, and the true start
of each block follows from a first-order recursion over the blocks' ends, which is this same
filter on a ``BLOCK`` times shorter signal.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import accumulate

import numpy as np

BLOCK = 64


@lru_cache(maxsize=64)
def _kernel(a: float) -> tuple[np.ndarray, np.ndarray]:
    """``(M.T, d)`` with ``M[i, j] = a (1-a)^(i-j)`` for j <= i and ``d[i] = (1-a)^(i+1)``, for
    ``BLOCK`` samples; a shorter block uses their leading parts."""
    i = np.arange(BLOCK)
    lag = i[:, None] - i[None, :]
    with np.errstate(under="ignore"):
        m = np.where(lag >= 0, a * (1.0 - a) ** np.maximum(lag, 0), 0.0)
        d = (1.0 - a) ** (i + 1.0)
    return np.ascontiguousarray(m.T), d


def first_order_lowpass(x: np.ndarray, a: float, y_prev: np.ndarray | float) -> np.ndarray:
    """Filter ``x`` ((n,) or (n, k)) along axis 0, starting from the output ``y_prev``."""
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    if n == 0:
        return x.copy()
    cols = x.reshape(n, -1)
    k = cols.shape[1]
    prev = np.broadcast_to(np.asarray(y_prev, dtype=float), (k,))
    block = min(BLOCK, n)
    nb = -(-n // block)
    # Each column as contiguous rows of blocks, so one matrix product filters every block from
    # a zero start: (k * nb, block) @ (block, block).
    rows = np.zeros((k, nb * block))
    rows[:, :n] = cols.T
    mt, d = _kernel(float(a))
    y = (rows.reshape(k * nb, block) @ mt[:block, :block]).reshape(k, nb, block)
    starts = np.empty((k, nb))
    starts[:, 0] = prev
    if nb > 1:
        gain = 1.0 - d[block - 1]  # the recursion over blocks: s[b] = (1 - gain) s[b-1] + end[b-1]
        starts[:, 1:] = (
            first_order_lowpass(y[:, :-1, -1].T / gain, gain, prev).T
            if gain > 0.0 else prev[:, None]
        )
    y += starts[:, :, None] * d[:block]
    return y.reshape(k, nb * block)[:, :n].T.reshape(x.shape)


def sequential_lowpass(x: np.ndarray, a: float, y_prev: float) -> np.ndarray:
    """The same filter on a 1-D signal, one sample after another, so its output is bit-identical
    however the signal is cut into chunks (what a batch form that must equal its streaming form
    needs); about 0.1 µs a sample."""
    c = 1.0 - a
    steps = accumulate((a * np.asarray(x, dtype=float)).tolist(), lambda y, v: v + c * y,
                       initial=float(y_prev))
    return np.fromiter(steps, dtype=float, count=len(x) + 1)[1:]
