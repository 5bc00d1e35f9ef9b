"""Body-motion model: exercise scripts -> what an IMU on the lower back measures (with truth).

    script.py            Script = holds and moves (postures, wobbles, leans, sag)
    exercise_scripts.py  the demo, calibration recordings, random exercise sessions
    body.py              Person: stage angles, breathing, sway; the pose of each posture
    trajectory.py        a script compiled for a person: pose(t), true angle, stage, holds
    mounting.py          the sensor's rotation on the skin and its lever arm
    kinematics.py        pose -> exact specific force and angular rate in sensor axes
    sensor_errors.py     noise, bias, scale, quantisation
    scripted_source.py   ScriptedImu: the streaming ImuSource
    session.py           simulate_session -> SimSession (arrays + truth), to_csv
    demo.py              the built-in demo's person, mounting, source and calibration
"""

from sensorhold.motion.body import Person
from sensorhold.motion.exercise_scripts import (
    calibration_script,
    demo_script,
    random_exercise_script,
)
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.script import Hold, Lean, Move, Script, Wobble
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.motion.sensor_errors import SensorSpec
from sensorhold.motion.session import Loss, SimSession, simulate_session, to_csv
from sensorhold.motion.trajectory import TrueHold

__all__ = [
    "Hold",
    "Lean",
    "Loss",
    "Mounting",
    "Move",
    "Person",
    "Script",
    "ScriptedImu",
    "SensorSpec",
    "SimSession",
    "TrueHold",
    "Wobble",
    "calibration_script",
    "demo_script",
    "random_exercise_script",
    "simulate_session",
    "to_csv",
]
