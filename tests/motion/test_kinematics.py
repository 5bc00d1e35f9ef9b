"""The simulated readings obey rigid-body physics: gravity when still, gyro = d(orientation)/dt,
lever-arm acceleration, mounting invariance."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensorhold.motion.body import Person
from sensorhold.motion.exercise_scripts import demo_script
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.script import Hold, Move, Posture, Script, get_down_via_side
from sensorhold.motion.sensor_errors import SensorSpec
from sensorhold.motion.session import simulate_session

STILL = Person(breath_deg=0.0, breath_mm=0.0, sway_deg=0.0, repeat_sd_deg=0.0)


@pytest.mark.parametrize(
    ("posture", "angle"),
    [("prone", 0.0), ("forearms", STILL.stage2_deg), ("hands", STILL.stage3_deg)],
)
def test_still_posture_reads_one_g_up_in_trunk_axes(posture: Posture, angle: float) -> None:
    # Aligned mounting: sensor x cranial, z out of the back. Up in trunk axes is
    # (sin a, cos a sin roll, cos a cos roll); roll scatter is ~1°, so y stays small.
    script = Script("still", (Hold("standing", 3.0), Move(3.0), Hold(posture, 10.0)))
    s = simulate_session(script, STILL, SensorSpec.ideal(), Mounting(), rate_hz=50.0, seed=3)
    idx = np.flatnonzero(s.t > s.t[-1] - 5.0)
    acc = s.acc[idx]
    np.testing.assert_allclose(np.linalg.norm(acc, axis=1), 1.0, atol=1e-6)
    truth = s.angle_deg[idx]
    np.testing.assert_allclose(truth, angle, atol=1.5)  # prone lying scatters by ~0.4°
    np.testing.assert_allclose(acc[:, 0], np.sin(np.radians(truth)), atol=1e-9)
    assert np.all(np.abs(acc[:, 1]) < 0.05)
    np.testing.assert_allclose(np.degrees(np.arctan2(acc[:, 0], acc[:, 2])), truth, atol=0.2)
    np.testing.assert_allclose(s.gyr[idx], 0.0, atol=1e-6)


def test_standing_reads_gravity_along_the_spine() -> None:
    s = simulate_session(Script("stand", (Hold("standing", 5.0),)), STILL, SensorSpec.ideal())
    assert np.all(s.acc[:, 0] > 0.98)  # sensor x (cranial) points up within ~10°
    assert np.all((s.stage == 0) & (s.angle_deg > 80) & (s.angle_deg < 100))


def test_gyro_integrates_to_the_true_orientation() -> None:
    """Integrate the gyro (trapezoid, scipy rotations) over the whole demo and compare."""
    s = simulate_session(
        demo_script(), Person(), SensorSpec.ideal(), Mounting.random(np.random.default_rng(5)),
        rate_hz=100.0, seed=4,
    )
    truth = Rotation.from_quat(s.quat_ws)
    mid = np.radians(0.5 * (s.gyr[1:] + s.gyr[:-1])) * np.diff(s.t)[:, None]
    r = truth[0]
    err = []
    for k, step in enumerate(Rotation.from_rotvec(mid)):
        r = r * step
        if k % 50 == 0:
            err.append((r.inv() * truth[k + 1]).magnitude())
    assert np.degrees(max(err)) < 0.01


def test_gyro_white_noise_integrates_to_the_expected_random_walk() -> None:
    """White gyro noise only: the integrated orientation error grows like density·sqrt(T/2)
    per axis (0.08° here), not more, not zero."""
    spec = SensorSpec(gyro_density_dps=0.01, gyro_bias_dps=0.0, gyro_bias_walk_dps=0.0,
                      acc_density_g=0.0, acc_bias_g=0.0, scale_sd=0.0, cross_axis_sd=0.0)
    s = simulate_session(demo_script(), Person(), spec, Mounting(), rate_hz=50.0, seed=6)
    truth = Rotation.from_quat(s.quat_ws)
    r = truth[0] * _integrate(s.gyr, s.t)
    drift = np.degrees((r.inv() * truth[-1]).magnitude())
    expected = 0.01 * np.sqrt(s.duration_s / 2)
    assert 0.1 * expected < drift < 4 * expected


def _integrate(gyr: np.ndarray, t: np.ndarray) -> Rotation:
    """Body-frame gyro integration, trapezoidal rate, composed with scipy rotations."""
    r = Rotation.identity()
    for step in Rotation.from_rotvec(np.radians(0.5 * (gyr[1:] + gyr[:-1])) * np.diff(t)[:, None]):
        r = r * step
    return r


def test_acceleration_is_gravity_plus_lever_arm_terms() -> None:
    """During a press-up the sensor rides an arc about the still hips: f - g = α×r + ω×(ω×r),
    with ω from the gyro and α its numerical derivative (independent of the simulator's
    finite differences of position)."""
    mount = Mounting(lever_arm_m=(0.3, 0.0, 0.1))
    script = Script("press", (Hold("prone", 2.0), Move(1.5), Hold("hands", 2.0)))
    s = simulate_session(script, STILL, SensorSpec.ideal(), mount, rate_hz=200.0, seed=1)
    w = np.radians(s.gyr)
    alpha = np.gradient(w, s.t, axis=0)
    r = np.asarray(mount.lever_arm_m)
    up = Rotation.from_quat(s.quat_ws).inv().apply([0.0, 0.0, 1.0])
    predicted = (np.cross(alpha, r) + np.cross(w, np.cross(w, r))) / 9.80665
    measured = s.acc - up
    moving = slice(int(2.2 * 200), int(3.3 * 200))
    scale = np.abs(predicted[moving]).max()
    assert scale > 0.01  # the effect is real: > 0.01 g
    # the hips shift by a few mm between postures: allow that, not the lever-arm effect
    np.testing.assert_allclose(measured[moving], predicted[moving], atol=0.1 * scale)


def test_mounting_rotation_leaves_the_magnitudes_unchanged() -> None:
    arm = (0.2, 0.01, 0.08)
    rng = np.random.default_rng(9)
    a = Mounting(lever_arm_m=arm)
    b = Mounting(Mounting.random(rng).quat_bs, arm)
    sa, sb = (
        simulate_session(demo_script(), Person(), SensorSpec.ideal(), m, rate_hz=50.0, seed=2)
        for m in (a, b)
    )
    np.testing.assert_allclose(np.linalg.norm(sa.acc, axis=1), np.linalg.norm(sb.acc, axis=1))
    np.testing.assert_allclose(np.linalg.norm(sa.gyr, axis=1), np.linalg.norm(sb.gyr, axis=1))
    assert not np.allclose(sa.acc, sb.acc, atol=0.1)
    np.testing.assert_allclose(sa.angle_deg, sb.angle_deg)


def test_lying_on_the_side_puts_gravity_across_the_trunk() -> None:
    script = Script("side", (Hold("standing", 2.0), *get_down_via_side(), Hold("prone", 3.0)))
    s = simulate_session(script, STILL, SensorSpec.ideal(), Mounting(), rate_hz=50.0, seed=2)
    side_start = 2.0 + 3.0 + 1.0 + 2.0
    on_side = (s.t > side_start + 0.2) & (s.t < side_start + 0.8)
    assert np.all(np.abs(s.acc[on_side, 1]) > 0.9)  # up is the trunk's left or right
    assert np.all(np.abs(s.angle_deg[on_side]) < 10.0)
    assert np.all(s.stage[s.t < side_start + 3.0] == 0)
