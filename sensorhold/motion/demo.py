"""The built-in demo: one person, one mounting, the demo script looping, and its calibration.

The demo profile must come from `demo_calibration` (same person, same mounting), so that
`sensorhold demo` works without a calibration of its own.
"""

from __future__ import annotations

from sensorhold.motion.body import Person
from sensorhold.motion.exercise_scripts import calibration_script, demo_script
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.motion.sensor_errors import SensorSpec
from sensorhold.motion.session import SimSession, simulate_session

#: Stage 2 at 18°, stage 3 at 32° above prone lying.
DEMO_PERSON = Person()
#: Sensor turned 90° on the skin (its x to the person's left) and tilted 8° about the spine.
DEMO_MOUNTING = Mounting(
    quat_bs=(0.049325, -0.049325, 0.705384, 0.705384),
    lever_arm_m=(0.18, 0.01, 0.08),
    description="turned 90°, tilted 8°",
)


def demo_source(rate_hz: float = 50.0, seed: int = 0) -> ScriptedImu:
    """The demo sensor: `demo_script` played in a loop (period ≈ 127.5 s), time 0 = start."""
    return ScriptedImu(
        demo_script(), DEMO_PERSON, SensorSpec.clean(), DEMO_MOUNTING,
        rate_hz=rate_hz, seed=seed, loop=True,
    )


def demo_calibration(rate_hz: float = 50.0, stage3: bool = True, seed: int = 1) -> SimSession:
    """A calibration recording of the demo person with the demo mounting (for the demo profile)."""
    return simulate_session(
        calibration_script(stage3), DEMO_PERSON, SensorSpec.clean(), DEMO_MOUNTING,
        rate_hz=rate_hz, seed=seed,
    )
