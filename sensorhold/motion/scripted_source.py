"""`ImuSource` for the emulated sensor: a script played by a person through a mounted sensor."""

from __future__ import annotations

import numpy as np

from sensorhold.motion.body import Person
from sensorhold.motion.kinematics import IdealImu, ideal_imu
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.script import Script
from sensorhold.motion.sensor_errors import SensorErrors, SensorSpec
from sensorhold.motion.trajectory import Trajectory


class ScriptedImu:
    """Readings at increasing times, chunk by chunk; the same seed and times give the same
    readings however the times are chunked (`simulate_session` is this, called once).

    Time 0 is the start of the script. With ``loop`` the script repeats (closed by a short move
    back to its first pose); without, the last pose is held after it ends.
    """

    def __init__(
        self,
        script: Script,
        person: Person | None = None,
        sensor: SensorSpec | None = None,
        mounting: Mounting | None = None,
        *,
        rate_hz: float = 100.0,
        seed: int | np.random.SeedSequence = 0,
        loop: bool = False,
    ) -> None:
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        motion_seed, sensor_seed = ss.spawn(2)
        self.person = person or Person()
        self.mounting = mounting or Mounting()
        self.trajectory = Trajectory(
            script, self.person, np.random.default_rng(motion_seed), loop=loop
        )
        self.errors = SensorErrors(sensor or SensorSpec.clean(), rate_hz, sensor_seed)

    def sample(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Accelerometer (g) and gyroscope (deg/s) readings in sensor axes at times ``t``."""
        acc, gyr, _ = self.sample_with_truth(t)
        return acc, gyr

    def sample_with_truth(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, IdealImu]:
        """`sample`, plus the exact kinematics and the true angle at the same times."""
        t = np.asarray(t, dtype=float)
        truth = ideal_imu(self.trajectory, self.mounting, t)
        acc, gyr = self.errors.apply(t, truth.acc_g, truth.gyr_dps)
        return acc, gyr, truth
