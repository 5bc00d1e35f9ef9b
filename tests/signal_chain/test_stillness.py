"""Stillness: the jolt (band-passed linear acceleration) and its two gravity references."""

from __future__ import annotations

import numpy as np
import pytest

from sensorhold.signal import stillness

RATE_HZ = 100.0
TS = 1.0 / RATE_HZ


def _still(seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """A sensor lying still: acc is gravity (+z) and the gyro reads zero."""
    n = int(seconds * RATE_HZ)
    return np.tile([0.0, 0.0, 1.0], (n, 1)), np.zeros((n, 3))


def _tilted_up(n: int, deg_per_s: float) -> np.ndarray:
    """An up-vector turning about x at ``deg_per_s`` from +z (a filter correcting its tilt)."""
    ang = np.radians(deg_per_s * TS * np.arange(n))
    return np.stack((np.zeros(n), -np.sin(ang), np.cos(ang)), axis=1)


def _jolt(up: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None) -> np.ndarray:
    rate = np.zeros(len(acc)) if gyr is None else np.linalg.norm(gyr, axis=1)
    _, out = stillness.step(
        stillness.StillnessParams(), stillness.StillnessState(), TS, up, rate, acc, gyr
    )
    return out.jolt_g


def test_filter_tilt_correction_is_not_linear_acceleration() -> None:
    """After a roll the filter pulls its tilt back at ~2°/s while the body lies still: the gyro
    reference sees no jolt, where the filter's up alone reads it as motion."""
    acc, gyr = _still(4.0)
    up = _tilted_up(len(acc), 2.0)
    on = stillness.StillnessParams().jolt_on_g
    settled = slice(int(1.5 * RATE_HZ), None)
    assert _jolt(up, acc, None)[settled].min() > on
    assert _jolt(up, acc, gyr)[settled].max() < on / 4


def test_unestimated_gyro_bias_is_not_linear_acceleration() -> None:
    """Early in a recording the filter has not estimated a 1.5°/s gyro bias yet: the filter's
    up (steady) still sees the body as calm."""
    acc, gyr = _still(4.0)
    gyr[:, 1] = 1.5
    up = np.tile([0.0, 0.0, 1.0], (len(acc), 1))
    on = stillness.StillnessParams().jolt_on_g
    settled = slice(int(1.5 * RATE_HZ), None)
    assert _jolt(up, acc, gyr)[settled].max() < on / 4


def test_real_linear_acceleration_shows_on_both_references() -> None:
    """A 0.05 g push along the body without rotation (lowering from hands and knees) is a jolt."""
    acc, gyr = _still(3.0)
    push = (np.arange(len(acc)) >= RATE_HZ) & (np.arange(len(acc)) < 1.5 * RATE_HZ)
    acc[push, 0] += 0.05 * np.sin(np.pi * np.linspace(0.0, 1.0, int(push.sum())))
    up = np.tile([0.0, 0.0, 1.0], (len(acc), 1))
    assert _jolt(up, acc, gyr).max() > stillness.StillnessParams().jolt_off_g


def _run(up: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> stillness.StillnessOut:
    rate = np.linalg.norm(gyr, axis=1)
    return stillness.step(
        stillness.StillnessParams(), stillness.StillnessState(), TS, up, rate, acc, gyr
    )[1]


def test_rest_tilt_correction_is_not_spread() -> None:
    """Right after a get-down the filter's up can be 5-10° off (an unestimated gyro bias, a fast
    roll); lying still, the rest correction pulls it onto gravity within a second. That is the
    estimate settling, not the body moving: the body reads still throughout (the correction read
    as 3-4° of spread and held off the first hold of a session for 2-6 s)."""
    acc, gyr = _still(4.0)
    off = np.radians(8.0)
    up = np.tile([0.0, -np.sin(off), np.cos(off)], (len(acc), 1))
    out = _run(up, acc, gyr)
    assert out.still[int(0.2 * RATE_HZ):].all()
    assert np.degrees(np.arccos(out.up[-1] @ [0.0, 0.0, 1.0])) < 0.5


def test_filter_tilt_drift_is_not_spread() -> None:
    """The filter pulling its own tilt error out at 3°/s (its accelerometer correction) while
    the body lies still: the rest-corrected up stays on gravity, so the body reads still."""
    acc, gyr = _still(4.0)
    out = _run(_tilted_up(len(acc), 3.0), acc, gyr)
    assert out.still[int(1.5 * RATE_HZ):].all()


def test_slow_drift_is_spread() -> None:
    """A slow turn of the body (3°/s, under the rate threshold, no linear acceleration) shows in
    the accelerometer and the filter alike: it is not still."""
    n = int(4.0 * RATE_HZ)
    up = _tilted_up(n, 3.0)
    gyr = np.tile([3.0, 0.0, 0.0], (n, 1))
    out = _run(up, up.copy(), gyr)
    assert not out.still[int(2.0 * RATE_HZ):].any()


def _restart_case(settle_deg: float) -> tuple[np.ndarray, ...]:
    """A body lying still; the filter's up is 6° off until it restarts at 3 s, jumps onto
    gravity and settles by another ``settle_deg`` over 0.2 s (its first accelerometer samples)."""
    acc, gyr = _still(6.0)
    jump = int(3.0 * RATE_HZ)
    tilt = np.full(len(acc), 6.0)
    tilt[jump:] = settle_deg * np.clip((np.arange(len(acc) - jump) - 20) / -20.0, 0.0, 1.0)
    off = np.radians(tilt)
    up = np.stack((np.zeros(len(acc)), -np.sin(off), np.cos(off)), axis=1)
    restart = np.zeros(len(acc), bool)
    restart[jump] = True
    return up, np.zeros(len(acc)), acc, gyr, restart


@pytest.mark.parametrize("settle_deg", [0.0, 3.0])
def test_filter_restart_is_not_spread(settle_deg: float) -> None:
    """After a long packet loss the orientation filter restarts from the accelerometer: its
    up-vector jumps onto gravity (the tilt error it had) and settles over its first samples
    while the body lies still. That is no movement: the body reads still throughout, in any
    chunking (kept, the running means and the rest correction read the jump as spread and held
    off a hold start by 1.3 s)."""
    up, rate, acc, gyr, restart = _restart_case(settle_deg)
    params = stillness.StillnessParams()
    _, whole = stillness.step(
        params, stillness.StillnessState(), TS, up, rate, acc, gyr, restart
    )
    assert whole.still[int(0.2 * RATE_HZ):].all()
    state, parts = stillness.StillnessState(), []
    for lo in range(0, len(acc), 7):
        hi = lo + 7
        state, out = stillness.step(
            params, state, TS, up[lo:hi], rate[lo:hi], acc[lo:hi], gyr[lo:hi], restart[lo:hi]
        )
        parts.append(out.spread_deg)
    np.testing.assert_allclose(np.concatenate(parts), whole.spread_deg, atol=1e-9)


def test_a_move_right_after_a_restart_still_shows() -> None:
    """The means follow the restarted filter for half a second only: a 6° move 1 s later, lying
    calm otherwise, is spread as before."""
    up, rate, acc, gyr, restart = _restart_case(0.0)
    k = np.arange(len(acc)) - int(4.0 * RATE_HZ)
    turn = np.radians(6.0) * np.clip(k / 100.0, 0.0, 1.0)
    up = np.stack((np.zeros(len(acc)), -np.sin(turn), np.cos(turn)), axis=1)
    acc = up.copy()
    _, out = stillness.step(
        stillness.StillnessParams(), stillness.StillnessState(), TS, up, rate, acc, gyr, restart
    )
    assert out.spread_deg[k > 0].max() > stillness.StillnessParams().spread_off_deg


def test_unestimated_gyro_bias_fades_from_the_gyro_reference() -> None:
    """A 2.5°/s gyro bias the filter cannot estimate (above its clip) while the filter corrects
    its tilt at 1.5°/s: both references read ~15 mg of false jolt. Lying still, the gyro
    reference learns what the angular velocity averages to at rest and reads calm within a few
    seconds (it held the first hold of a session off by 2-4 s)."""
    acc, gyr = _still(8.0)
    gyr[:, 0] = 2.5
    up = _tilted_up(len(acc), 1.5)
    jolt = _jolt(up, acc, gyr)
    on = stillness.StillnessParams().jolt_on_g
    assert jolt[int(1.0 * RATE_HZ):int(1.5 * RATE_HZ)].min() > on
    assert jolt[int(5.0 * RATE_HZ):].max() < on / 2


def _gap_case() -> tuple[np.ndarray, ...]:
    """Moving (20°/s turning, linear acceleration rising to 0.02 g) up to a 1 s packet loss, lying
    still after it: the times, up, rate, acc and gyro of the samples kept."""
    t = np.arange(0.0, 4.0, TS)
    keep = (t < 2.0) | (t >= 3.0)
    acc, gyr = _still(4.0)
    moving = t < 2.0
    gyr[moving, 0] = 20.0
    acc[moving, 1] = 0.01 * t[moving]
    up = np.tile([0.0, 0.0, 1.0], (len(t), 1))
    rate = np.linalg.norm(gyr, axis=1)
    return t[keep], up[keep], rate[keep], acc[keep], gyr[keep]


def test_filters_decay_over_lost_time() -> None:
    """The rate and jolt filters advance over a 1 s packet loss as over the time that passed:
    someone who stopped in it reads at rest from the first samples after it, in any chunking.
    Stepped by sample, the rate kept the move's 19°/s after it, and the change of acceleration
    across it, read as one sample's jerk, built the jolt up after it (hold starts after a loss
    dated 1.1-1.7 s late); now the jolt fades from the gap's end, as after that change spread
    over the gap."""
    t, up, rate, acc, gyr = _gap_case()
    params = stillness.StillnessParams()
    after = t >= 3.0
    _, whole = stillness.step(
        params, stillness.StillnessState(), TS, up, rate, acc, gyr, t=t
    )
    assert whole.rate_dps[after].max() < 1.0
    assert whole.jolt_g[t >= 3.5].max() < params.jolt_on_g / 2
    assert whole.still[after][int(0.1 * RATE_HZ):].all()
    state, parts = stillness.StillnessState(), []
    for lo in range(0, len(t), 13):
        hi = lo + 13
        state, out = stillness.step(
            params, state, TS, up[lo:hi], rate[lo:hi], acc[lo:hi], gyr[lo:hi], t=t[lo:hi]
        )
        parts.append(np.column_stack((out.rate_dps, out.jolt_g)))
    np.testing.assert_allclose(
        np.concatenate(parts), np.column_stack((whole.rate_dps, whole.jolt_g)), atol=1e-9
    )


def test_jitter_and_a_single_lost_sample_change_nothing() -> None:
    """Samples 0.4 steps off their clock, and one lost sample, are one step each as without
    their times (no per-gap work in a stream for a jittery clock)."""
    t, up, rate, acc, gyr = _gap_case()
    t = (np.arange(t.size) + 0.4 * np.sin(np.arange(t.size))) * TS
    t[50:] += TS
    params = stillness.StillnessParams()
    _, a = stillness.step(params, stillness.StillnessState(), TS, up, rate, acc, gyr)
    _, b = stillness.step(params, stillness.StillnessState(), TS, up, rate, acc, gyr, t=t)
    np.testing.assert_array_equal(a.rate_dps, b.rate_dps)
    np.testing.assert_array_equal(a.jolt_g, b.jolt_g)
