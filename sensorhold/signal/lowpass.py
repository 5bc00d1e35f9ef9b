"""First-order low-pass filters and a latch: vectorised, with state so chunks chain exactly.

``latch`` and ``hold_last`` take a plain Python loop for chunks of up to ``SMALL`` samples (as
streamed live): their outputs are exact either way, and there a loop costs less than the numpy
calls of the vectorised form.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sensorhold.first_order import first_order_lowpass

SMALL = 32


@lru_cache(maxsize=64)
def alpha(ts: float, tau: float) -> float:
    """Smoothing factor of y += alpha * (x - y) at step ``ts`` for time constant ``tau``."""
    return float(1.0 - np.exp(-ts / tau))


def lowpass(x: np.ndarray, a: float, y_prev: np.ndarray | None) -> np.ndarray:
    """Filter ``x`` (n,) or (n, k) along axis 0 from ``y_prev`` (None: start at x[0])."""
    if x.shape[0] == 0:
        return x.copy()
    if y_prev is None:
        y_prev = x[0]
    return first_order_lowpass(x, a, y_prev)


def latch(on: np.ndarray, off: np.ndarray, prev: bool) -> np.ndarray:
    """True from each ``on`` sample until the next ``off`` sample (``off`` wins ties)."""
    n = on.size
    if n <= SMALL:
        state, out = bool(prev), []
        for set_on, set_off in zip(on.tolist(), off.tolist(), strict=True):
            state = False if set_off else state or set_on
            out.append(state)
        return np.array(out, dtype=bool)
    # Each sample takes the state set at the last ``on`` or ``off`` so far (``prev`` before).
    state = np.empty(n + 1, bool)
    state[0] = prev
    np.greater(on, off, out=state[1:])
    last = np.where(on | off, np.arange(1, n + 1), 0)
    return state.take(np.maximum.accumulate(last, out=last))


def hold_last(values: np.ndarray, defined: np.ndarray, prev: int | float) -> np.ndarray:
    """Each sample takes the last defined value so far (``prev`` before the first)."""
    n = values.size
    if n <= SMALL:
        last, out = prev, []
        for value, known in zip(values.tolist(), defined.tolist(), strict=True):
            if known:
                last = value
            out.append(last)
        return np.array(out, dtype=np.result_type(values, prev))
    held = np.empty(n + 1, np.result_type(values, prev))
    held[0] = prev
    held[1:] = values
    last = np.where(defined, np.arange(1, n + 1), 0)
    return held.take(np.maximum.accumulate(last, out=last))
