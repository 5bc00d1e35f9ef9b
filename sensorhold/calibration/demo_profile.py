"""The built-in profile for ``sensorhold demo``: the emulator's default person and mounting.

The emulated sensor sits aligned on the lower back (``motion.mounting.Mounting()``: x cranial,
y left, z out of the back) on the default ``motion.body.Person()`` (forearms 18°, hands 32°),
and the demo script uses stage 3. A test fits a profile on the simulated calibration of that
person and checks it agrees with this one, so the two cannot drift apart silently.
"""

from __future__ import annotations

from sensorhold.calibration.profile import Profile


def demo_profile(sensor_model: str = "witmotion") -> Profile:
    """For the emulated ``sensor_model`` (a model name as ``demo --list-sensors`` prints it): the
    emulator mounts every model alike, so only the name differs."""
    return Profile(
        user="demo",
        sensor_model=sensor_model,
        created_utc="2024-01-01T00:00:00Z",
        stage3_allowed=True,
        up_prone=(0.0, 0.0, 1.0),
        axis=(0.0, 1.0, 0.0),
        stage_angles={1: 0.0, 2: 18.0, 3: 32.0},
        rate_noise_dps=1.0,
        spread_noise_deg=0.3,
    )
