"""Hip height: how far the pelvis rose or fell over each movement, judged where it ends.

Each run of samples not at rest (quiet, i.e. rate and jolt within the person's resting level,
for ``rest_s``, so a quiet flicker mid-move does not cut it, and with the vertical velocity
integrated since the last rest near zero, so a pause in rotation mid-push does not either) starts
and, once the person is quiet again, ends at zero velocity (quiet rather than still, which lags
the start of a wobble by up to a second), so the vertical acceleration (accelerometer along the
estimated up, minus 1 g) is integrated twice over the run and corrected with that zero-velocity
update: the velocity left at the end is bias, and removing it as a linear drift cancels any
constant error (accelerometer bias and scale along up) exactly. Sway and wobbles come back to
where they started, so they read near zero.

The net rise is judged only where the person first reads quiet or still again after a run, and
only while the trunk turned less than ``max_turn_deg`` over the run (bias and scale errors depend
on the orientation, which the update cannot cancel), the run lasted at most ``max_run_s`` and no
data were lost in it for longer than ``max_bridge_s``. The trapezoid integral bridges gaps up to
``max_gap_s``, over which a move's acceleration is near linear, but not the unseen half-swings
of a wobble (one across a lost-packet burst read as a 0.4 m rise). A longer gap starts a run
(the person may have moved unseen) and the run is judged across it from what is known on
either side: the velocity before it, and after it the velocity that the zero-velocity update
at the run's end implies; velocity is taken as linear across the gap. That spends the update
on the gap, so the accelerometer's offset along up is taken from the last rest instead (its
low-passed level there). Packets lost as a push to hands and knees began hid the lift that ends
the prone hold (hold ends 3-4 s late). It needs no angle, so the extension-angle
layer can use it (a lowering onto a lie tells it the person was on hands and knees before) as
well as the pelvis-lift flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorhold.signal.lowpass import alpha, hold_last, lowpass
from sensorhold.signal.vectors import dot3, dot_rows

G = 9.80665


@dataclass(frozen=True, slots=True)
class HeightParams:
    rest_s: float = 0.5
    rest_v: float = 0.1
    long_rest_s: float = 1.0
    max_run_s: float = 6.0
    max_turn_deg: float = 15.0
    max_gap_s: float = 0.25
    max_bridge_s: float = 1.0
    rest_tau_s: float = 1.0
    lift_m: float = 0.15


@dataclass(slots=True)
class HeightState:
    """The open run's velocity, height, start time and up-vector at its start; the last sample
    time and vertical acceleration; when the quiet run began; quiet or still at the last sample;
    the last sample after a data gap, the velocities before and after it and its length; the
    last sample after a gap too long to bridge; the offset along up at the last rest and its
    low-pass."""

    v: float = 0.0
    z: float = 0.0
    av: float = np.nan
    prev_t: float = np.nan
    run_t: float = np.nan
    run_up: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 1.0]))
    quiet_t: float = np.nan
    settling: bool = False
    gap_t: float = np.nan
    gap_v: tuple[float, float, float] = (0.0, 0.0, 0.0)
    lost_t: float = np.nan
    rest_av: float = np.nan
    rest_lp: float | None = None
    resting: bool = False


def _since_last(cs: np.ndarray, reset: np.ndarray, carry: float) -> np.ndarray:
    """Running sums restarting after each ``reset`` sample (``carry``: the sum before)."""
    base = hold_last(cs, reset, np.nan)
    return np.where(np.isnan(base), cs + carry, cs - base)


def _rests(
    params: HeightParams, state: HeightState, t: np.ndarray, dt: np.ndarray, quiet_t: np.ndarray,
    cand: np.ndarray, raw: np.ndarray, lp: np.ndarray, up: np.ndarray,
) -> np.ndarray:
    """Rest: quiet for ``rest_s`` (``cand``) from the first sample where the vertical velocity
    integrated since the last rest is under ``rest_v``, the quiet has lasted ``long_rest_s``
    (drift, or a data gap that hid part of the move), the trunk turned by ``max_turn_deg`` since
    (the offset along up changed with it: 0.2 m/s of drift from standing to hands and knees,
    which then missed its rest) or the run outlasted ``max_run_s`` (not judged: its velocity is
    drift, 1.7 m/s after 36 s on the feet). A push that pauses its rotation mid-way reads quiet for
    0.5 s while still rising at 0.25 m/s; taken as a rest it split the lift in two."""
    cos_turn = np.cos(np.radians(params.max_turn_deg))
    moving = not (state.resting or np.isnan(state.run_t))
    up0 = state.run_up if moving else up[0]
    t0 = state.run_t if moving else t[0]
    off = 0.0 if np.isnan(state.rest_av) else state.rest_av
    prev = raw[0] if np.isnan(state.av) else state.av + off
    w = np.add.accumulate(0.5 * (raw + np.concatenate(([prev], raw[:-1]))) * G * dt)
    tc = np.add.accumulate(dt)
    v0, w0, tc0 = state.v, 0.0, 0.0
    rest = np.zeros(t.size, bool)
    padded = np.concatenate(([False], cand, [False]))
    edges = (padded[1:] != padded[:-1]).nonzero()[0]
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if a == 0 and state.resting:
            p = 0
        else:
            v = v0 + w[a:b] - w0 - off * G * (tc[a:b] - tc0)
            ok = (np.abs(v) <= params.rest_v) | (t[a:b] - quiet_t[a:b] >= params.long_rest_s)
            ok |= (dot_rows(up[a:b], up0) <= cos_turn) | (t[a:b] - t0 > params.max_run_s)
            hits = np.flatnonzero(ok)
            if hits.size == 0:
                continue
            p = a + int(hits[0])
        rest[p:b] = True
        v0, w0, tc0, off = 0.0, w[b - 1], tc[b - 1], lp[b - 1]
        up0, t0 = up[min(b, t.size - 1)], t[min(b, t.size - 1)]
    return rest


def step(
    params: HeightParams, state: HeightState, ts: float, t: np.ndarray, acc: np.ndarray,
    up: np.ndarray, quiet: np.ndarray, still: np.ndarray,
) -> tuple[HeightState, np.ndarray, np.ndarray]:
    """Per sample of a chunk at step ``ts`` (``acc`` g, ``up`` unit vectors, sensor axes):
    where a movement judged to end there lowered or lifted the hips by more than ``lift_m``
    (module docstring)."""
    n = t.size
    if n == 0:
        return state, np.zeros(0, bool), np.zeros(0, bool)
    dt = t - np.concatenate(([t[0] if np.isnan(state.prev_t) else state.prev_t], t[:-1]))
    gap = dt > params.max_gap_s
    quiet_start = quiet & (gap | ~np.concatenate(([not np.isnan(state.quiet_t)], quiet[:-1])))
    quiet_t = hold_last(t, quiet_start, state.quiet_t)
    raw = dot_rows(acc, up) - 1.0
    lp = lowpass(raw, alpha(ts, params.rest_tau_s), state.rest_lp)
    rest = _rests(
        params, state, t, dt, quiet_t, quiet & (t - quiet_t >= params.rest_s), raw, lp, up
    )
    settling = quiet | still
    back = settling & ~np.concatenate(([state.settling], settling[:-1]))
    moving = ~rest
    rest_av = hold_last(lp, rest, state.rest_av)
    av = raw - np.where(np.isnan(rest_av), 0.0, rest_av)
    mid = 0.5 * (av + np.concatenate(([av[0] if np.isnan(state.av) else state.av], av[:-1])))
    v = _since_last(np.add.accumulate(np.where(moving, mid * G * dt, 0.0)), rest, state.v)
    z = _since_last(np.add.accumulate(np.where(moving, v * dt, 0.0)), rest, state.z)
    start = moving & np.concatenate(([np.isnan(state.run_t)], rest[:-1]))
    run_t = hold_last(t, start, state.run_t)
    first = np.maximum.accumulate(np.where(start, np.arange(n), -1))
    gap_t = hold_last(t, gap, state.gap_t)
    v0 = np.concatenate(([state.v], v[:-1]))
    v1, v2, g = [hold_last(x, gap, x0) for x, x0 in zip((v0, v, dt), state.gap_v, strict=True)]
    lost_t = hold_last(t, dt > params.max_bridge_s, state.lost_t)
    # A rise is judged only where the person settles back (few samples, none in most streamed
    # chunks): taken there alone.
    moved = np.zeros(n)
    k = back.nonzero()[0]
    if k.size:
        first_k = first[k]
        up0 = np.take(up.T, np.maximum(first_k, 0), axis=1)
        up0[:, first_k < 0] = state.run_up[:, None]
        level = dot3(up.T[:, k], up0) > np.cos(np.radians(params.max_turn_deg))
        t_k, run_k, gap_k, v_k, z_k, g_k = t[k], run_t[k], gap_t[k], v[k], z[k], g[k]
        span = t_k - run_k
        across = gap_k >= run_k
        rise = np.where(
            across,  # the velocity after the gap off by v at the end, linear across the gap
            z_k - v2[k] * g_k + 0.5 * (v1[k] + v2[k] - v_k) * g_k - v_k * (t_k - gap_k),
            z_k - 0.5 * v_k * span,  # zero-velocity update: v at the end is drift
        )
        judged = level & (span <= params.max_run_s) & ~(lost_t[k] >= run_k) & ~(
            across & np.isnan(rest_av[k])
        )
        # Mid-wobble, quiet can return while the body still moves: the update then takes the
        # wobble's velocity for drift. Without the update (offset from the last rest) a rise
        # or fall reads as one too: the smaller of the two counts, none if they disagree. A
        # lowering across a gap is not judged (a wobble across one read as a 0.18 m fall).
        agree = np.where(
            np.isnan(rest_av[k]), rise,
            np.where(rise * z_k > 0, np.sign(rise) * np.minimum(np.abs(rise), np.abs(z_k)), 0.0),
        )
        judged &= ~(across & (agree < 0))
        moved[k] = np.where(judged, agree, 0.0)
    state.v, state.z = (float(v[-1]), float(z[-1])) if moving[-1] else (0.0, 0.0)
    state.prev_t, state.av = float(t[-1]), float(av[-1])
    state.run_t = float(run_t[-1]) if moving[-1] else np.nan
    state.run_up = (state.run_up if first[-1] < 0 else up[first[-1]]).copy()
    state.quiet_t = float(quiet_t[-1]) if quiet[-1] else np.nan
    state.settling = bool(settling[-1])
    state.gap_t = float(gap_t[-1])
    state.gap_v = (float(v1[-1]), float(v2[-1]), float(g[-1]))
    state.lost_t = float(lost_t[-1])
    state.rest_av, state.rest_lp = float(rest_av[-1]), float(lp[-1])
    state.resting = bool(rest[-1])
    return state, moved < -params.lift_m, moved > params.lift_m
