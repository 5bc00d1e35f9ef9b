"""Hip height: how far the pelvis rose or fell over each movement, judged where it ends.

Each run of samples not at rest (quiet, i.e. rate and jolt near rest, for ``rest_s``, so a
quiet flicker mid-move does not cut it) starts and, once the person is quiet again, ends at zero
velocity (quiet rather than still, which lags the start of a wobble by up to a second), so the
vertical acceleration (accelerometer along the estimated up, minus 1 g) is integrated twice over
the run and corrected with that zero-velocity update: the velocity left at the end is bias, and
removing it as a linear drift cancels any constant error (accelerometer bias and scale along up)
exactly. Sway and wobbles come back to where they started, so they read near zero.

The net rise is judged only where the person first reads quiet or still again after a run, and
only while the trunk turned less than ``max_turn_deg`` over the run (bias and scale errors depend
on the orientation, which the update cannot cancel), the run lasted at most ``max_run_s`` and no
data were lost in it for longer than ``max_gap_s`` (the trapezoid integral bridges shorter gaps,
over which a move's acceleration is near linear, but not the unseen half-swings of a wobble: one
across a lost-packet burst read as a 0.4 m rise). It needs no angle, so the extension-angle
layer can use it (a lowering onto a lie tells it the person was on hands and knees before) as
well as the pelvis-lift flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorhold.signal.lowpass import hold_last
from sensorhold.signal.vectors import dot_rows

G = 9.80665


@dataclass(frozen=True, slots=True)
class HeightParams:
    rest_s: float = 0.5
    max_run_s: float = 6.0
    max_turn_deg: float = 15.0
    max_gap_s: float = 0.25


@dataclass(slots=True)
class HeightState:
    """The open run's velocity, height, start time and up-vector at its start; the last sample
    time and vertical acceleration; when the quiet run began; quiet or still at the last sample;
    the last sample after a data gap."""

    v: float = 0.0
    z: float = 0.0
    av: float = np.nan
    prev_t: float = np.nan
    run_t: float = np.nan
    run_up: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 1.0]))
    quiet_t: float = np.nan
    settling: bool = False
    gap_t: float = np.nan


def _since_last(cs: np.ndarray, reset: np.ndarray, carry: float) -> np.ndarray:
    """Running sums restarting after each ``reset`` sample (``carry``: the sum before)."""
    base = hold_last(cs, reset, np.nan)
    return np.where(np.isnan(base), cs + carry, cs - base)


def step(
    params: HeightParams, state: HeightState, t: np.ndarray, acc: np.ndarray, up: np.ndarray,
    quiet: np.ndarray, still: np.ndarray,
) -> tuple[HeightState, np.ndarray]:
    """Per sample of a chunk (``acc`` g, ``up`` unit vectors, sensor axes): the net rise (m) of
    the movement judged to end there, nan where none is (see the module docstring)."""
    n = t.size
    if n == 0:
        return state, np.zeros(0)
    quiet_start = quiet & ~np.concatenate(([not np.isnan(state.quiet_t)], quiet[:-1]))
    quiet_t = hold_last(t, quiet_start, state.quiet_t)
    rest = quiet & (t - quiet_t >= params.rest_s)
    settling = quiet | still
    back = settling & ~np.concatenate(([state.settling], settling[:-1]))
    moving = ~rest
    av = dot_rows(acc, up) - 1.0
    dt = np.diff(t, prepend=t[0] if np.isnan(state.prev_t) else state.prev_t)
    mid = 0.5 * (av + np.concatenate(([av[0] if np.isnan(state.av) else state.av], av[:-1])))
    v = _since_last(np.cumsum(np.where(moving, mid * G * dt, 0.0)), rest, state.v)
    z = _since_last(np.cumsum(np.where(moving, v * dt, 0.0)), rest, state.z)
    start = moving & np.concatenate(([np.isnan(state.run_t)], rest[:-1]))
    run_t = hold_last(t, start, state.run_t)
    idx = np.where(start, np.arange(n), -1)
    first = np.maximum.accumulate(idx)
    up0 = np.where(first[:, None] >= 0, up[np.maximum(first, 0)], state.run_up)
    level = dot_rows(up, up0) > np.cos(np.radians(params.max_turn_deg))
    span = t - run_t
    rise = z - 0.5 * v * span  # zero-velocity update: v at the end is drift
    gap_t = hold_last(t, dt > params.max_gap_s, state.gap_t)
    judged = back & level & (span <= params.max_run_s) & ~(gap_t >= run_t)
    state.v, state.z = (float(v[-1]), float(z[-1])) if moving[-1] else (0.0, 0.0)
    state.prev_t, state.av = float(t[-1]), float(av[-1])
    state.run_t = float(run_t[-1]) if moving[-1] else np.nan
    state.run_up = up0[-1].copy()
    state.quiet_t = float(quiet_t[-1]) if quiet[-1] else np.nan
    state.settling = bool(settling[-1])
    state.gap_t = float(gap_t[-1])
    return state, np.where(judged, rise, np.nan)
