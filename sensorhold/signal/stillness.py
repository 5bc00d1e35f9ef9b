"""Stillness: is the trunk still (holding) or moving/wobbling.

``rate`` is the bias-free gyro magnitude low-passed over ~0.15 s; ``jolt`` the band-passed
linear acceleration (fast minus slow low-pass, in g), which sees moves that barely rotate the
trunk (lowering from hands and knees). It is formed from the jerk, band-passed as
``(τ_slow - τ_fast) · lowpass_fast(lowpass_slow(jerk))`` (the same filter as fast minus slow),
against two gravity references with independent errors, keeping the smaller: the orientation
filter's up-vector, and (given the angular velocity) the gyro alone, ``d acc/dt + ω × acc``. After
a quick roll the filter corrects a few degrees of tilt at ~1-2°/s, which reads as 10-15 mg of
false linear acceleration on its own and kept a still person "moving" for seconds; a gyro bias
the filter has not yet estimated (early in a recording) reads the same on the gyro reference.
A real linear acceleration shows on both. So the gyro reference takes the angular velocity less
what it averages to at rest (over ``tau_bias_s``, where the rate has been below its "on"
threshold for ``bias_after_s``, not in the slow tail of a move; held otherwise): a bias above
the filter's clip (2°/s an axis), which it never estimates, read as 15-20 mg on both references
with the filter still pulling its tilt, and held the first hold off by 2-4 s.
*Calm* latches on when both are below their "on" thresholds and off when either passes its
"off" threshold. ``spread`` is the distance of the up-vector from its running mean, which
follows quickly while not calm and averages over ~1 s while calm, so a stop after a move reads
as still at once while a slow drift inside a calm stretch does not. Still needs calm and the
spread latch; thresholds come from the person's calibrated noise level. Like the jolt, spread is
the smaller of two estimates': the filter's up and the rest-corrected up (below). A body drifting
turns both; each one's own correction moves only that one. The rest correction pulls out the
filter's tilt error (5-10° right after a get-down with an unestimated gyro bias) within a second,
which read as 3-4° of spread and held off the first hold for 2-6 s; the filter's slower pull of
the same error later reads as spread on its up alone.

While calm the accelerometer measures gravity alone, so the up-vector is pulled towards its
direction over ``tau_rest_s`` (and the pull fades over the same time once moving): the tilt of
a hold settles within a second of a move instead of over the orientation filter's slower
``tauAcc``, which stays for motion, where linear acceleration would leak into the tilt.

Where the orientation filter restarted from the accelerometer (after a long packet loss, given
as ``restart``) its up-vector jumps by the tilt error it had, without the body moving: the
rest correction (made for the old filter's error) starts again from zero, and each reference's
running mean moves by that reference's jump. Kept, the means read the jump as 3-4° of spread
after a 0.56 s loss right after settling and held a hold start off by 1.3 s. The new filter
starts from one noisy accelerometer sample and settles by another 1-2° over its first samples,
so for ``restart_settle_s`` the means follow closely as when moving (restarting the means from
the first sample after the gap read that settling as spread). The jolt needs nothing: its gyro
reference does not see the jump (zeroing the jerk across the gap dropped a real change of
acceleration there and doubled the jolt for a second).

Given the sample times, the rate and jolt filters also advance over lost time (two samples or
more lost), not by one step: the rate decays towards the first sample after the gap, and the jolt's
filters are fed, for the time lost, the jerk of the gap's change of acceleration spread over it.
Stepped by sample, someone who stopped in a 0.5-1 s loss still read the move's rate after it,
and the change read as one sample's jerk built the jolt up after it: hold starts 1.1-1.7 s late.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sensorhold.signal.lowpass import alpha, latch, lowpass
from sensorhold.signal.vectors import cross_rows, norm_rows

RAD = 180.0 / np.pi


@dataclass(frozen=True, slots=True)
class StillnessParams:
    tau_rate_s: float = 0.15
    tau_mean_s: float = 1.0
    tau_follow_s: float = 0.05
    tau_rest_s: float = 0.5
    rate_on_dps: float = 4.0
    rate_off_dps: float = 6.0
    spread_on_deg: float = 1.5
    spread_off_deg: float = 2.5
    quiet_dps: float = 2.0
    tau_jolt_fast_s: float = 0.1
    tau_jolt_slow_s: float = 0.5
    jolt_on_g: float = 0.008
    jolt_off_g: float = 0.012
    restart_settle_s: float = 0.5
    tau_bias_s: float = 2.0
    bias_after_s: float = 0.5


@dataclass(slots=True)
class StillnessState:
    rate_lp: float | None = None
    jerk_ref: np.ndarray | None = None
    jerk_slow: np.ndarray | None = None
    jerk_fast: np.ndarray | None = None
    up_mean: np.ndarray | None = None
    calm: bool = False
    steady: bool = False
    tilt_fix: np.ndarray | None = None
    refs_last: np.ndarray | None = None
    since_restart: int = 1 << 30
    gyr_rest: np.ndarray | None = None
    low_run: int = 0
    last_t: float = np.nan


@dataclass(frozen=True, slots=True)
class StillnessOut:
    """Per sample: still flag, low-passed rate (deg/s), up-vector spread (deg), quiet (rate and
    jolt near rest: where a person starting to leave a hold last was), the rest-corrected unit
    up-vector (n, 3) and the jolt (g)."""

    still: np.ndarray
    rate_dps: np.ndarray
    spread_deg: np.ndarray
    quiet: np.ndarray
    up: np.ndarray
    jolt_g: np.ndarray


def jerk(
    ts: float, acc: np.ndarray, up: np.ndarray, gyr_dps: np.ndarray | None,
    prev: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Rates of change of linear acceleration (g/s, sensor axes), (n, 3) per gravity reference
    side by side, and the last sample's references (to chain chunks).

    On the filter's up-vector: ``d (acc - up)/dt``. With the angular velocity also on the gyro
    alone: ``d acc/dt + ω × acc``, as a fixed gravity vector turns by ``-ω × g`` in axes turning
    at ``ω``.
    """
    x = np.empty((acc.shape[0], 3 if gyr_dps is None else 6), order="F")
    np.subtract(acc, up, out=x[:, :3])
    if gyr_dps is not None:
        x[:, 3:] = acc
    j = np.empty_like(x)
    j[0] = x[0] - (x[0] if prev is None else prev)
    np.subtract(x[1:], x[:-1], out=j[1:])
    j /= ts
    if gyr_dps is not None:
        j[:, 3:] += cross_rows(gyr_dps / RAD, acc)
    return j, x[-1].copy()


def _lost_time(ts: float, t: np.ndarray | None, last_t: float) -> tuple[np.ndarray, np.ndarray]:
    """Samples after a data gap (two samples or more lost: jitter and a single lost sample are
    one step, as before, and cost no per-gap work in a stream) and the time lost before each."""
    if t is None:
        return np.zeros(0, np.int64), np.zeros(0)
    dt = np.empty(t.size)
    dt[0] = ts if np.isnan(last_t) else t[0] - last_t
    np.subtract(t[1:], t[:-1], out=dt[1:])
    gaps = (dt > 2.5 * ts).nonzero()[0]
    return gaps, dt[gaps] - ts


def _lowpass_gaps(
    x: np.ndarray, ts: float, tau: float, prev: np.ndarray | float | None, gaps: np.ndarray,
    lost: np.ndarray,
) -> np.ndarray:
    """``lowpass`` that also decays over lost time, towards the sample after the gap."""
    a = alpha(ts, tau)
    if not gaps.size:
        return lowpass(x, a, prev)
    out = np.empty_like(x)
    for lo, hi, k in zip(
        np.concatenate(([0], gaps)), np.concatenate((gaps, [x.shape[0]])),
        range(-1, gaps.size), strict=True,
    ):
        if k >= 0 and prev is not None:
            prev = x[lo] + (prev - x[lo]) * np.exp(-lost[k] / tau)
        if hi > lo:
            out[lo:hi] = lowpass(x[lo:hi], a, prev)
            prev = out[hi - 1]
    return out


def _bandpass_gaps(
    j: np.ndarray, ts: float, params: StillnessParams, slow: np.ndarray | None,
    fast: np.ndarray | None, gaps: np.ndarray, lost: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The jolt's two cascaded low-passes of the jerk, advanced over lost time with the jerk
    that the gap's change implies (its sample's jerk, taken over the time that passed)."""
    a_s, a_f = alpha(ts, params.tau_jolt_slow_s), alpha(ts, params.tau_jolt_fast_s)
    if not gaps.size:
        js = lowpass(j, a_s, slow)
        return js, lowpass(js, a_f, fast)
    j[gaps] *= (ts / (ts + lost))[:, None]
    t_s, t_f = params.tau_jolt_slow_s, params.tau_jolt_fast_s
    js, jf = np.empty_like(j), np.empty_like(j)
    for lo, hi, k in zip(
        np.concatenate(([0], gaps)), np.concatenate((gaps, [j.shape[0]])),
        range(-1, gaps.size), strict=True,
    ):
        if k >= 0 and slow is not None and fast is not None:
            # Both filters fed the constant jerk ``j[lo]`` for the lost time (exact solution).
            e_s, e_f = np.exp(-lost[k] / t_s), np.exp(-lost[k] / t_f)
            inp = j[lo]
            fast = inp + (fast - inp) * e_f + (slow - inp) * t_s / (t_s - t_f) * (e_s - e_f)
            slow = inp + (slow - inp) * e_s
        if hi > lo:
            js[lo:hi] = lowpass(j[lo:hi], a_s, slow)
            jf[lo:hi] = lowpass(js[lo:hi], a_f, fast)
            slow, fast = js[hi - 1], jf[hi - 1]
    return js, jf


def step(
    params: StillnessParams, state: StillnessState, ts: float, up: np.ndarray,
    rate_dps: np.ndarray, acc: np.ndarray, gyr_dps: np.ndarray | None = None,
    restart: np.ndarray | None = None, t: np.ndarray | None = None,
) -> tuple[StillnessState, StillnessOut]:
    """One chunk of up-vectors (n, 3), rates (n,), accelerations (n, 3) and optional bias-free
    angular velocities (n, 3) deg/s at step ``ts``; ``restart`` (n,): where the orientation
    filter restarted; ``t`` (n,): the sample times, so the filters also decay over lost time."""
    n = rate_dps.size
    if n == 0:
        empty = np.zeros(0)
        return state, StillnessOut(
            np.zeros(0, bool), empty, empty, np.zeros(0, bool), np.zeros((0, 3)), empty
        )
    gaps, lost = _lost_time(ts, t, state.last_t)
    rate = _lowpass_gaps(rate_dps, ts, params.tau_rate_s, state.rate_lp, gaps, lost)
    starts = np.zeros(0, np.int64) if restart is None else restart.nonzero()[0]
    if state.refs_last is None:
        starts = starts[starts > 0]
    # The gyro reference uses the angular velocity less what it averages to at rest (a bias
    # the orientation filter has not estimated): averaged while the rate is low, held otherwise.
    gyr_rest = state.gyr_rest
    if gyr_dps is not None:
        # Low for ``bias_after_s`` already: not the slow tail of a move.
        below = rate < params.rate_on_dps
        idx = np.arange(n)
        run = state.low_run + 1 + idx
        if not below.all():
            last_high = np.maximum.accumulate(np.where(below, -1, idx))
            run = np.where(last_high >= 0, idx - last_high, run)
        low = run * ts > params.bias_after_s
        low_run = min(int(run[-1]), 1 << 30)
        rest = np.empty_like(gyr_dps)
        a_bias = alpha(ts, params.tau_bias_s)
        cuts = (low[1:] != low[:-1]).nonzero()[0] + 1
        for lo, hi in itertools.pairwise([0, *cuts.tolist(), n]):
            if low[lo]:
                rest[lo:hi] = lowpass(
                    gyr_dps[lo:hi], a_bias, np.zeros(3) if gyr_rest is None else gyr_rest
                )
            else:
                rest[lo:hi] = np.zeros(3) if gyr_rest is None else gyr_rest
            gyr_rest = rest[hi - 1].copy()
        gyr_dps = gyr_dps - rest
    j, x_last = jerk(ts, acc, up, gyr_dps, state.jerk_ref)
    jerk_slow, jerk_fast = _bandpass_gaps(
        j, ts, params, state.jerk_slow, state.jerk_fast, gaps, lost
    )
    norms = norm_rows(jerk_fast[:, :3])
    if jerk_fast.shape[1] > 3:
        norms = np.minimum(norms, norm_rows(jerk_fast[:, 3:]))
    jolt = (params.tau_jolt_slow_s - params.tau_jolt_fast_s) * norms
    calm = latch(
        (rate < params.rate_on_dps) & (jolt < params.jolt_on_g),
        (rate > params.rate_off_dps) | (jolt > params.jolt_off_g),
        state.calm,
    )
    norm = norm_rows(acc)[:, None]
    pull = acc / np.where(norm > 0, norm, 1.0)  # gravity's direction
    pull -= up
    pull[~calm] = 0.0
    a_rest = alpha(ts, params.tau_rest_s)
    prev = np.zeros(3) if state.tilt_fix is None else state.tilt_fix
    if not starts.size:  # the usual chunk: one run
        fix = lowpass(pull, a_rest, prev)
    else:
        fix = np.empty_like(pull)
        restarted = set(starts.tolist())
        for lo, hi in itertools.pairwise([0, *starts[starts > 0].tolist(), n]):
            # The correction was made for the old filter's error: the new one starts from gravity.
            fix[lo:hi] = lowpass(pull[lo:hi], a_rest, np.zeros(3) if lo in restarted else prev)
            prev = fix[hi - 1]
    both = np.empty((n, 6), order="F")  # both references side by side, column-major
    both[:, :3] = up
    fixed = both[:, 3:]
    np.add(up, fix, out=fixed)
    size = norm_rows(fixed)[:, None]
    fixed /= np.where(size > 0, size, 1.0)  # 0 only where the accelerometer read nothing
    # Each reference's jump at each restart, by which its mean moves too.
    restarts: dict[int, np.ndarray] = {}
    if starts.size:
        jump = both[starts] - both[np.maximum(starts - 1, 0)]
        if state.refs_last is not None:
            jump[starts == 0] = both[0] - state.refs_last
        restarts = {k: jump[i] for i, k in enumerate(starts.tolist())}
    a_slow, a_follow = alpha(ts, params.tau_mean_s), alpha(ts, params.tau_follow_s)
    mean = np.empty_like(both)
    prev = state.up_mean
    # Samples since the last restart; the means follow closely while the new filter settles.
    idx = np.arange(n)
    since = state.since_restart + 1 + idx
    if starts.size:
        last = np.maximum.accumulate(np.where(restart, idx, -1))
        since = np.where(last >= 0, idx - last, since)
    slow = calm & (since * ts >= params.restart_settle_s)
    # Where ``slow`` changes or a restart is (not ``np.union1d``: it imports numpy.ma, ~0.15 s).
    cut = np.zeros(n + 1, bool)
    np.not_equal(slow[1:], slow[:-1], out=cut[1:n])
    cut[starts] = cut[0] = cut[n] = True
    for lo, hi in itertools.pairwise(cut.nonzero()[0].tolist()):
        if lo in restarts and prev is not None:  # the reference moved by its jump alone
            prev = prev + restarts[lo]
        mean[lo:hi] = lowpass(both[lo:hi], a_slow if slow[lo] else a_follow, prev)
        prev = mean[hi - 1]
    mean_last = mean[-1].copy()
    off = np.subtract(both, mean, out=mean)
    spread = np.minimum(norm_rows(off[:, :3]), norm_rows(off[:, 3:])) * RAD
    up = fixed
    steady = latch(spread < params.spread_on_deg, spread > params.spread_off_deg, state.steady)
    still = calm & steady
    new = StillnessState(
        float(rate[-1]), x_last, jerk_slow[-1].copy(), jerk_fast[-1].copy(),
        mean_last, bool(calm[-1]), bool(steady[-1]), fix[-1].copy(),
        both[-1].copy(), min(int(since[-1]), 1 << 30), gyr_rest,
        low_run if gyr_dps is not None else state.low_run,
        state.last_t if t is None else float(t[-1]),
    )
    quiet = (rate < params.quiet_dps) & (jolt < params.jolt_on_g)
    return new, StillnessOut(still, rate, spread, quiet, up, jolt)
