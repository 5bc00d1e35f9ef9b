"""Synthetic IMU arrays for signal tests: a rigid trunk pitching through stage plateaus."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensorhold.calibration.profile import Profile

Plan = list[tuple[float, float]]  # (angle_deg, seconds): hold at an angle, ramps between


def synth(
    plan: Plan, rate_hz: float = 100.0, ramp_s: float = 2.0, mount: Rotation | None = None,
    noise: float = 0.0, seed: int = 0, breath_deg: float = 0.0,
    wobble: tuple[float, float, float] | None = None,
    lean: tuple[float, float, float] | list[tuple[float, float, float]] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """t, acc (g), gyr (deg/s), true angle for a trunk at the planned angles (sensor aligned
    x cranial, y left, z out of the back, then turned by ``mount``); ``wobble`` (start s,
    seconds, amplitude deg) adds a 1 Hz sway; ``lean`` (from s, to s, deg) a side lean about
    the trunk's long axis, ramped in over the second after ``from`` and out after ``to`` (or a
    list of them)."""
    knots_t, knots_a = [0.0], [plan[0][0]]
    for k, (ang, dur) in enumerate(plan):
        if k:
            knots_t.append(knots_t[-1] + ramp_s)
            knots_a.append(ang)
        knots_t.append(knots_t[-1] + dur)
        knots_a.append(ang)
    t = np.arange(0.0, knots_t[-1], 1.0 / rate_hz)
    seg = np.clip(np.searchsorted(knots_t, t, side="right") - 1, 0, len(knots_t) - 2)
    t0, t1 = np.array(knots_t)[seg], np.array(knots_t)[seg + 1]
    a0, a1 = np.array(knots_a)[seg], np.array(knots_a)[seg + 1]
    x = np.clip((t - t0) / (t1 - t0), 0, 1)
    ang = a0 + (a1 - a0) * _minjerk(x) + breath_deg * np.sin(2 * np.pi * 0.25 * t)
    if wobble is not None:
        w0, wd, wa = wobble
        ang = ang + np.where((t > w0) & (t < w0 + wd), wa * np.sin(2 * np.pi * (t - w0)), 0.0)
    roll = np.zeros_like(t)
    for l0, l1, deg in [lean] if isinstance(lean, tuple) else lean or []:
        up_ramp, down_ramp = np.clip(t - l0, 0, 1), np.clip(t - l1, 0, 1)
        roll = roll + deg * (_minjerk(up_ramp) - _minjerk(down_ramp))
    # trunk->world: pitch up by the angle about the left axis (world y), then lean about the
    # world's long axis (x); sensor = trunk * mount.
    trunk = Rotation.from_euler("yx", np.column_stack((-ang, roll)), degrees=True)
    sensor = trunk * mount if mount is not None else trunk
    acc = sensor.inv().apply(np.array([0.0, 0.0, 1.0]))
    rv = (sensor[:-1].inv() * sensor[1:]).as_rotvec() * rate_hz
    gyr = np.degrees(np.vstack((rv[:1], rv)))
    rng = np.random.default_rng(seed)
    acc = acc + rng.normal(0, 0.01 * noise, acc.shape)
    gyr = gyr + rng.normal(0, 0.5 * noise, gyr.shape)
    return t, acc, gyr, ang


def _minjerk(x: np.ndarray) -> np.ndarray:
    return 10 * x**3 - 15 * x**4 + 6 * x**5


def aligned_profile(angles: tuple[float, ...] = (0.0, 20.0, 35.0)) -> Profile:
    return Profile(
        user="test", sensor_model="synthetic", created_utc="2024-01-01T00:00:00Z",
        stage3_allowed=len(angles) == 3, up_prone=(0.0, 0.0, 1.0), axis=(0.0, 1.0, 0.0),
        stage_angles={k + 1: a for k, a in enumerate(angles)},
    )


@pytest.fixture
def make_imu() -> Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    return synth


@pytest.fixture
def profile() -> Profile:
    return aligned_profile()
