"""Stillness: is the trunk still (holding) or moving/wobbling, from rate and up-vector spread.

``rate`` is the bias-free gyro magnitude low-passed over ~0.15 s; *calm* latches on below
``rate_on`` and off above ``rate_off``. ``spread`` is the distance of the up-vector from its
running mean, which follows quickly while not calm and averages over ~1 s while calm, so a stop
after a move reads as still at once while a slow drift inside a calm stretch does not. Still
needs calm and the spread latch; thresholds come from the person's calibrated noise level.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sensorhold.signal.lowpass import alpha, latch, lowpass

RAD = 180.0 / np.pi


@dataclass(frozen=True, slots=True)
class StillnessParams:
    tau_rate_s: float = 0.15
    tau_mean_s: float = 1.0
    tau_follow_s: float = 0.05
    rate_on_dps: float = 4.0
    rate_off_dps: float = 6.0
    spread_on_deg: float = 1.5
    spread_off_deg: float = 2.5
    quiet_dps: float = 2.0


@dataclass(slots=True)
class StillnessState:
    rate_lp: float | None = None
    up_mean: np.ndarray | None = None
    calm: bool = False
    steady: bool = False


@dataclass(frozen=True, slots=True)
class StillnessOut:
    """Per sample: still flag, low-passed rate (deg/s), up-vector spread (deg)."""

    still: np.ndarray
    rate_dps: np.ndarray
    spread_deg: np.ndarray


def step(
    params: StillnessParams, state: StillnessState, ts: float, up: np.ndarray,
    rate_dps: np.ndarray,
) -> tuple[StillnessState, StillnessOut]:
    """One chunk of up-vectors (n, 3) and rates (n,) at nominal step ``ts``."""
    n = rate_dps.size
    if n == 0:
        return state, StillnessOut(np.zeros(0, bool), np.zeros(0), np.zeros(0))
    rate = lowpass(rate_dps, alpha(ts, params.tau_rate_s), state.rate_lp)
    calm = latch(rate < params.rate_on_dps, rate > params.rate_off_dps, state.calm)
    slow, fast = alpha(ts, params.tau_mean_s), alpha(ts, params.tau_follow_s)
    mean = np.empty_like(up)
    prev = state.up_mean
    cuts = np.concatenate(([0], np.flatnonzero(calm[1:] != calm[:-1]) + 1, [n]))
    for lo, hi in itertools.pairwise(cuts):
        mean[lo:hi] = lowpass(up[lo:hi], slow if calm[lo] else fast, prev)
        prev = mean[hi - 1]
    spread = np.linalg.norm(up - mean, axis=1) * RAD
    steady = latch(spread < params.spread_on_deg, spread > params.spread_off_deg, state.steady)
    still = calm & steady
    new = StillnessState(float(rate[-1]), mean[-1].copy(), bool(calm[-1]), bool(steady[-1]))
    return new, StillnessOut(still, rate, spread)
