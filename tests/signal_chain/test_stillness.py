"""Stillness: the jolt (band-passed linear acceleration) and its two gravity references."""

from __future__ import annotations

import numpy as np

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
