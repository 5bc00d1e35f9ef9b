"""The first-order recursive low-pass ``y[n] = y[n-1] + a * (x[n] - y[n-1])`` in numpy.

scipy.signal's ``lfilter`` computes the same, but importing scipy.signal costs seconds of CPU at
start-up (it loads scipy.stats and more). With ``c = 1 - a``, the output from a start ``s`` is
``y[j] = c^j (S[j] + c s)`` with ``S[j] = sum_{i <= j} a c^-i x[i]``: a cumulative sum of the
weighted input, rescaled. The signal is cut into blocks short enough that ``c^-j`` stays within
``e^EXP_SPAN`` (no overflow), at most ``MAX_BLOCK``; the start of each block is the end of the
one before, a loop over the few blocks. The sum is dominated by its latest terms, so its
rounding stays relative to the output (~1e-14 from the sequential form on unit-scale signals, as
the blocked matrix product used before), and it costs a few passes over the data where that
product cost 64 multiply-adds a sample.
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import accumulate

import numpy as np

EXP_SPAN = 300.0
MAX_BLOCK = 32768


@lru_cache(maxsize=16)
def _weights(a: float) -> tuple[np.ndarray, np.ndarray]:
    """``a c^-j`` and ``c^j`` for ``j`` up to the longest block at ``a`` (kept per ``a``: every
    call with the same filter slices the same arrays)."""
    c = 1.0 - a
    j = np.arange(min(MAX_BLOCK, max(1, int(EXP_SPAN / -math.log(c)))))
    grow, decay = a * c**-j, c**j
    grow.flags.writeable = decay.flags.writeable = False
    return grow, decay


def first_order_lowpass(x: np.ndarray, a: float, y_prev: np.ndarray | float) -> np.ndarray:
    """Filter ``x`` ((n,) or (n, k)) along axis 0, starting from the output ``y_prev``; a 2-D
    result is column-major (each column contiguous)."""
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    a = float(a)
    c = 1.0 - a
    if n == 0 or c <= 0.0:
        return x.copy()
    grow, decay = _weights(a)
    if x.ndim == 1 and n <= grow.size and isinstance(y_prev, float):  # a streamed 1-D chunk
        y = np.multiply(x, grow[:n])
        np.add.accumulate(y, out=y)
        y += c * float(y_prev)
        y *= decay[:n]
        return y
    cols = x.reshape(n, -1).T
    start = np.asarray(y_prev, dtype=float).reshape(-1, 1)
    if n <= grow.size:  # one block: few calls, as a streamed chunk needs
        y = np.multiply(cols, grow[:n], order="C")
        np.add.accumulate(y, axis=1, out=y)
        y += c * start
        y *= decay[:n]
        return y.T.reshape(x.shape)
    k = cols.shape[0]
    block = grow.size
    nb = -(-n // block)
    y = np.empty((k, nb * block))
    full = n - n % block
    np.multiply(cols[:, :full].reshape(k, -1, block), grow, out=y[:, :full].reshape(k, -1, block))
    np.multiply(cols[:, full:], grow[: n - full], out=y[:, full:n])
    y[:, n:] = 0.0
    y = y.reshape(k, nb, block)
    np.add.accumulate(y, axis=2, out=y)
    # Each block starts where the one before ended: its zero-start end plus c^block times its
    # start.
    starts = np.empty((k, nb))
    starts[:, 0] = start[:, 0]
    ends = y[:, :-1, -1] * decay[-1]
    c_block = c**block
    for b in range(1, nb):
        starts[:, b] = ends[:, b - 1] + c_block * starts[:, b - 1]
    y += c * starts[:, :, None]
    y *= decay
    return y.reshape(k, nb * block)[:, :n].T.reshape(x.shape)


def sequential_lowpass(x: np.ndarray, a: float, y_prev: float) -> np.ndarray:
    """The same filter on a 1-D signal, one sample after another, so its output is bit-identical
    however the signal is cut into chunks (what a batch form that must equal its streaming form
    needs); about 0.1 µs a sample."""
    c = 1.0 - a
    steps = accumulate((a * np.asarray(x, dtype=float)).tolist(), lambda y, v: v + c * y,
                       initial=float(y_prev))
    return np.fromiter(steps, dtype=float, count=len(x) + 1)[1:]
