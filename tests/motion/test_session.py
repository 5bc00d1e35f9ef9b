"""Batch sessions: truth lines up with the script, loss leaves gaps, streaming equals batch."""

import csv

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorhold.motion.body import Person
from sensorhold.motion.exercise_scripts import calibration_script, demo_script
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.script import Hold
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.motion.sensor_errors import SensorSpec
from sensorhold.motion.session import Loss, simulate_session, to_csv

PERSON = Person(stage2_deg=15.0, stage3_deg=35.0, repeat_sd_deg=1.0)


def test_truth_holds_line_up_with_the_script() -> None:
    script = demo_script()
    s = simulate_session(script, PERSON, rate_hz=50.0, seed=1, t0_s=1000.0)
    expected, t = [], 1000.0
    for seg in script.segments:
        if isinstance(seg, Hold) and seg.stage:
            expected.append((seg.stage, t, t + seg.duration_s, seg.unstable_s))
        t += seg.duration_s
    got = [(h.stage, h.start_s, h.end_s, h.unstable_s) for h in s.holds]
    np.testing.assert_allclose(np.array(got), np.array(expected))
    assert [h.stage for h in s.holds] == [1, 2, 3, 1]
    assert s.holds[1].unstable_s == 3.0
    for h in s.holds:
        inside = (s.t >= h.start_s) & (s.t < h.end_s)
        assert np.all(s.stage[inside] == h.stage)
        nominal = {1: 0.0, 2: PERSON.stage2_deg, 3: PERSON.stage3_deg}[h.stage]
        assert abs(np.median(s.angle_deg[inside]) - nominal) < 4.0
    outside = ~np.any([(s.t >= h.start_s) & (s.t < h.end_s) for h in s.holds], axis=0)
    assert np.all(s.stage[outside] == 0)


def test_sag_changes_the_true_angle_over_the_hold() -> None:
    s = simulate_session(demo_script(), PERSON, SensorSpec.ideal(), seed=2)
    fore = s.holds[1]  # the demo's forearm hold sags by 1.5°
    head = (s.t > fore.start_s) & (s.t < fore.start_s + 3)
    tail = (s.t > fore.end_s - 3) & (s.t < fore.end_s)
    assert np.mean(s.angle_deg[head]) - np.mean(s.angle_deg[tail]) > 0.7


def test_loss_removes_bursts_and_leaves_gaps() -> None:
    full = simulate_session(demo_script(), rate_hz=100.0, seed=3)
    lossy = simulate_session(demo_script(), rate_hz=100.0, seed=3, loss=Loss(6.0, 0.3, 2.0))
    assert lossy.lost_samples > 0
    assert len(lossy) == len(full) - lossy.lost_samples
    gaps = np.diff(lossy.t)
    assert np.sum(gaps > 1.5 / 100.0) >= 3
    assert gaps.max() <= 2.0 + 0.02
    kept = np.isin(full.t, lossy.t)
    np.testing.assert_array_equal(lossy.acc, full.acc[kept])
    np.testing.assert_array_equal(lossy.angle_deg, full.angle_deg[kept])
    assert len(lossy.stage) == len(lossy.quat_ws) == len(lossy)
    assert lossy.holds == full.holds


def test_jitter_keeps_time_increasing() -> None:
    s = simulate_session(demo_script(), rate_hz=200.0, seed=4, jitter_s=0.01)
    dt = np.diff(s.t)
    assert np.all(dt > 0)
    assert dt.std() > 1e-4


@settings(max_examples=15, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=1200), max_size=12),
    rate=st.sampled_from([50.0, 100.0, 200.0]),
    seed=st.integers(0, 2**16),
)
def test_streaming_equals_batch(cuts: list[int], rate: float, seed: int) -> None:
    script = calibration_script(stage3=True)
    sensor = SensorSpec.noisy()
    mount = Mounting.random(np.random.default_rng(seed))
    batch = simulate_session(script, PERSON, sensor, mount, rate_hz=rate, seed=seed)
    t = batch.t[:1200]
    src = ScriptedImu(script, PERSON, sensor, mount, rate_hz=rate, seed=seed)
    parts = [src.sample(chunk) for chunk in np.split(t, sorted(cuts))]  # some chunks empty
    acc = np.concatenate([p[0] for p in parts])
    gyr = np.concatenate([p[1] for p in parts])
    np.testing.assert_allclose(acc, batch.acc[:1200], atol=1e-12)
    np.testing.assert_allclose(gyr, batch.gyr[:1200], atol=1e-12)


def test_loop_repeats_the_script_smoothly() -> None:
    src = ScriptedImu(demo_script(), PERSON, SensorSpec.ideal(), loop=True, rate_hz=100.0)
    period = src.trajectory.period_s
    t = np.arange(0.0, 2.5 * period, 0.01)
    acc, gyr = src.sample(t)
    # Breathing keeps going; the script's motion restarts: same stages one period later.
    stage = src.trajectory.stage(t)
    first = slice(0, t.size // 3)
    np.testing.assert_array_equal(stage[first], src.trajectory.stage(t[first] + period))
    assert np.abs(np.diff(acc, axis=0)).max() < 0.05  # no jump at the wrap (10 ms steps)
    assert np.abs(gyr).max() < 120.0
    holds = src.trajectory.holds_between(0.0, 2.5 * period)
    assert [h.stage for h in holds][:8] == [1, 2, 3, 1] * 2


def test_after_the_script_the_last_pose_is_held() -> None:
    script = demo_script()
    s = simulate_session(script, PERSON, SensorSpec.ideal(), rate_hz=50.0, duration_s=200.0)
    assert s.t[-1] == 200.0
    after = s.t > script.duration_s + 1
    assert np.all(s.stage[after] == 0)
    assert np.ptp(s.angle_deg[after]) < 5.0  # standing, only sway left


def test_noise_grows_with_the_rate_as_a_density() -> None:
    spec = SensorSpec(gyro_density_dps=0.02, gyro_bias_walk_dps=0.0)
    still = calibration_script(stage3=False)
    sd = {}
    for rate in (50.0, 200.0):
        noisy = simulate_session(still, PERSON, spec, rate_hz=rate, seed=5)
        exact = simulate_session(still, PERSON, SensorSpec.ideal(), rate_hz=rate, seed=5)
        sd[rate] = np.std(noisy.gyr - exact.gyr - np.mean(noisy.gyr - exact.gyr, axis=0))
    np.testing.assert_allclose(sd[200.0] / sd[50.0], 2.0, rtol=0.1)
    np.testing.assert_allclose(sd[50.0], 0.02 * np.sqrt(25.0), rtol=0.1)


def test_csv_follows_the_cli_contract(tmp_path) -> None:
    s = simulate_session(calibration_script(stage3=False), rate_hz=50.0, seed=6, t0_s=123.4,
                         loss=Loss(4.0, 0.2, 1.0))
    path = tmp_path / "cal.csv"
    to_csv(s, path)
    with path.open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["t", "ax", "ay", "az", "gx", "gy", "gz"]
    data = np.array(rows[1:], dtype=float)
    assert data.shape == (len(s), 7)
    assert data[0, 0] == 123.4
    np.testing.assert_allclose(data[:, 1:4], s.acc, atol=1e-6)
    np.testing.assert_allclose(data[:, 4:], s.gyr, atol=1e-5)
