"""The built-in demo: its source loops the demo script; its calibration matches its mounting."""

import numpy as np

from sensorhold.motion.demo import DEMO_MOUNTING, demo_calibration, demo_source


def test_demo_source_loops_and_streams_plausible_readings() -> None:
    src = demo_source(rate_hz=50.0)
    period = src.trajectory.period_s
    assert 120.0 <= period <= 180.0
    t = np.arange(0.0, 2 * period, 0.02)
    acc, gyr = src.sample(t)
    assert acc.shape == gyr.shape == (t.size, 3)
    np.testing.assert_allclose(np.linalg.norm(acc, axis=1), 1.0, atol=0.15)
    holds = src.trajectory.holds_between(0.0, 2 * period)
    assert [h.stage for h in holds] == [1, 2, 3, 1] * 2


def test_demo_calibration_uses_the_demo_mounting() -> None:
    cal = demo_calibration(rate_hz=50.0)
    assert [h.stage for h in cal.holds] == [1, 2, 3]
    prone = (cal.t >= cal.holds[0].start_s) & (cal.t < cal.holds[0].end_s)
    # Lying prone, up is the trunk's z: in sensor axes, the mounting's inverse of z.
    up = DEMO_MOUNTING.rotation.inv().apply([0.0, 0.0, 1.0])
    np.testing.assert_allclose(cal.acc[prone].mean(axis=0), up, atol=0.03)
