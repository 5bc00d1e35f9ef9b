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
        ons, offs = on.tolist(), off.tolist()
        if True not in ons and True not in offs:  # nothing set: prev throughout
            return _full(n, bool(prev), np.dtype(bool))
        state, out = bool(prev), []
        for set_on, set_off in zip(ons, offs, strict=True):
            state = False if set_off else state or set_on
            out.append(state)
        return np.array(out, dtype=bool)
    # Each sample takes the state set at the last ``on`` or ``off`` so far (``prev`` before).
    return hold_last(np.greater(on, off), on | off, prev)


def hold_last(values: np.ndarray, defined: np.ndarray, prev: int | float) -> np.ndarray:
    """Each sample takes the last defined value so far (``prev`` before the first)."""
    n = values.size
    kind = np.result_type(values, prev)
    if n <= SMALL:
        known = defined.tolist()
        if True not in known:  # none defined: prev throughout
            return _full(n, prev, kind)
        if False not in known:  # all defined: the values themselves
            return values.astype(kind)
        last, out = prev, []
        for value, set_here in zip(values.tolist(), known, strict=True):
            if set_here:
                last = value
            out.append(last)
        return np.array(out, dtype=kind)
    count = np.count_nonzero(defined)
    if not count:  # none defined (most calls: rare events like gaps and hip moves)
        return _full(n, prev, kind)
    if count == n:  # all defined (a latch or a rest held throughout)
        return values.astype(kind)
    return _last_set(values, defined, prev)


def _full(n: int, value: int | float, kind: np.dtype) -> np.ndarray:
    """``np.full`` without its per-call overhead."""
    out = np.empty(n, kind)
    out.fill(value)
    return out


@lru_cache(maxsize=16)
def _index(n: int) -> np.ndarray:
    """0 .. n-1 (read-only: shared by every call of that length)."""
    idx = np.arange(n)
    idx.flags.writeable = False
    return idx


def _last_set(values: np.ndarray, defined: np.ndarray, prev: int | float | bool) -> np.ndarray:
    """``hold_last`` vectorised: where each sample's last defined index so far is -1 (none
    yet), which is a prefix, ``prev``."""
    last = np.where(defined, _index(values.size), -1)
    np.maximum.accumulate(last, out=last)
    held = values.take(last).astype(np.result_type(values, prev), copy=False)
    held[: int(np.searchsorted(last, 0))] = prev
    return held
