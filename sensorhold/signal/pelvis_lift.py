"""Pelvis lift: is the person up on hands and knees rather than lying?

Hands and knees keeps the trunk horizontal, so its inclination sits in the stage-1 band; what
tells it apart is height: the hips are 0.3-0.5 m above the floor. Within each run of samples
not at rest (still for ``rest_s``, so a still flicker mid-move does not cut it) the vertical
linear acceleration (accelerometer along the estimated up, minus its mean over the rest
before) is integrated twice to the vertical displacement since the run began. A rise of
``lift_m`` in a stage band means the pelvis lifted, a fall of ``lift_m`` that the person lay
down; both only count while the trunk has turned less than ``max_turn_deg`` since the run began
(rotating into a higher stage also lifts the sensor, and the accelerometer's bias and scale
errors only cancel against the rest before at nearly the same orientation) and within
``max_run_s`` (double integration drifts). Being upright also counts as raised, lying on one
side as lowered. A raised flag still in a band for ``release_s`` is released, so a missed fall
cannot block holds for long; the hold timer dates such a hold back to where it settled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorhold.signal.lowpass import alpha, hold_last, latch, lowpass

G = 9.80665


@dataclass(frozen=True, slots=True)
class LiftParams:
    rest_s: float = 0.5
    tau_base_s: float = 1.0
    lift_m: float = 0.15
    max_run_s: float = 4.0
    max_turn_deg: float = 15.0
    upright_deg: float = 45.0
    side_roll_deg: float = 60.0
    release_s: float = 4.0


@dataclass(slots=True)
class LiftState:
    """Running baseline (g); the open run's velocity, height, start time and up-vector at its
    start; when the still run began; the flag."""

    base: float | None = None
    v: float = 0.0
    z: float = 0.0
    prev_t: float = np.nan
    run_t: float = np.nan
    run_up: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 1.0]))
    still_t: float = np.nan
    raised: bool = False


def _since_last(cs: np.ndarray, reset: np.ndarray, carry: float) -> np.ndarray:
    """Running sums restarting after each ``reset`` sample (``carry``: the sum before)."""
    base = hold_last(cs, reset, np.nan)
    return np.where(np.isnan(base), cs + carry, cs - base)


def step(
    params: LiftParams, state: LiftState, ts: float, t: np.ndarray, acc: np.ndarray,
    up: np.ndarray, still: np.ndarray, band: np.ndarray, angle_deg: np.ndarray,
    roll_deg: np.ndarray,
) -> tuple[LiftState, np.ndarray]:
    """Raised flag per sample for a chunk (``acc`` g, ``up`` unit vectors, sensor axes)."""
    n = t.size
    if n == 0:
        return state, np.zeros(0, bool)
    still_start = still & np.concatenate(([np.isnan(state.still_t)], ~still[:-1]))
    still_t = hold_last(t, still_start, state.still_t)
    rest = still & (t - still_t >= params.rest_s)
    moving = ~rest
    av = np.einsum("ij,ij->i", acc, up)
    sv = av[rest]
    base_s = lowpass(sv, alpha(ts, params.tau_base_s), state.base) if sv.size else sv
    base_full = np.full(n, np.nan)
    base_full[rest] = base_s
    base = hold_last(base_full, rest, np.nan if state.base is None else state.base)
    base = np.where(np.isnan(base), av, base)
    dt = np.diff(t, prepend=t[0] if np.isnan(state.prev_t) else state.prev_t)
    dt = np.minimum(dt, 3.0 * ts)
    acc_lin = np.where(moving, (av - base) * G, 0.0)
    v = _since_last(np.cumsum(acc_lin * dt), rest, state.v)
    z = _since_last(np.cumsum(np.where(moving, v * dt, 0.0)), rest, state.z)
    start = moving & np.concatenate(([np.isnan(state.run_t)], rest[:-1]))
    run_t = hold_last(t, start, state.run_t)
    idx = np.where(start, np.arange(n), -1)
    first = np.maximum.accumulate(idx)
    up0 = np.where(first[:, None] >= 0, up[np.maximum(first, 0)], state.run_up)
    level = np.einsum("ij,ij->i", up, up0) > np.cos(np.radians(params.max_turn_deg))
    fresh = moving & level & (t - run_t <= params.max_run_s)
    up_lift = fresh & (z > params.lift_m) & (band > 0)
    fall = fresh & (z < -params.lift_m)
    upright = angle_deg > params.upright_deg
    side = np.abs(roll_deg) > params.side_roll_deg
    settled = still & (band > 0) & (t - still_t >= params.release_s)
    raised = latch(up_lift | upright, fall | side | settled, state.raised)
    state.base = float(base[-1])
    state.v, state.z = (float(v[-1]), float(z[-1])) if moving[-1] else (0.0, 0.0)
    state.prev_t = float(t[-1])
    state.run_t = float(run_t[-1]) if moving[-1] else np.nan
    state.run_up = up0[-1].copy()
    state.still_t = float(still_t[-1]) if still[-1] else np.nan
    state.raised = bool(raised[-1])
    return state, raised
