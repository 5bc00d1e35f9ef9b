"""Where and how the sensor sits on the lower back: its rotation in the trunk frame, lever arm."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy.spatial costs ~1 s of CPU at start-up: only where a rotation is made
    from scipy.spatial.transform import Rotation


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


@dataclass(frozen=True, slots=True)
class Mounting:
    """Sensor frame in the trunk frame (``R_bs``, a scalar-last quaternion) and its position.

    ``lever_arm_m`` is the sensor's position from the trunk's rotation centre (the hips), in
    trunk axes (x cranial, y left, z posterior): the sensor rides on an arc when the trunk pitches.
    The identity rotation means sensor x cranial, y left, z out of the back.
    """

    quat_bs: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    lever_arm_m: tuple[float, float, float] = (0.2, 0.0, 0.08)
    description: str = field(default="aligned", compare=False)

    @property
    def rotation(self) -> Rotation:
        from scipy.spatial.transform import Rotation

        return Rotation.from_quat(self.quat_bs)

    @classmethod
    def random(
        cls,
        rng: np.random.Generator,
        max_tilt_deg: float = 20.0,
        upside_down_prob: float = 0.25,
    ) -> Mounting:
        """Any turn about the skin normal, a tilt of up to ``max_tilt_deg`` off the skin plane,
        sometimes upside down (face to the skin); 0.1-0.3 m cranial of the hips."""
        from scipy.spatial.transform import Rotation

        turn = rng.uniform(-180.0, 180.0)
        tilt = rng.uniform(0.0, max_tilt_deg)
        tilt_axis = rng.uniform(0.0, 2 * np.pi)
        upside_down = bool(rng.random() < upside_down_prob)
        axis = np.array([np.cos(tilt_axis), np.sin(tilt_axis), 0.0])
        rot = Rotation.from_rotvec(np.radians(tilt) * axis)
        rot = rot * Rotation.from_euler("z", turn, degrees=True)
        if upside_down:
            rot = rot * Rotation.from_euler("x", 180.0, degrees=True)
        arm = (rng.uniform(0.1, 0.3), rng.normal(0.0, 0.02), rng.uniform(0.05, 0.12))
        desc = f"turned {turn:.0f}°, tilted {tilt:.0f}°" + (", upside down" if upside_down else "")
        return cls(_quat(rot), arm, desc)

    def remounted(self, rng: np.random.Generator, max_deg: float = 15.0) -> Mounting:
        """The sensor taken off and stuck back a little differently: a rotation of up to
        ``max_deg`` about a random axis and up to 3 cm elsewhere along the back."""
        from scipy.spatial.transform import Rotation

        angle = rng.uniform(0.0, max_deg)
        delta = Rotation.from_rotvec(np.radians(angle) * _unit(rng.normal(size=3)))
        arm = np.asarray(self.lever_arm_m) + rng.uniform(-0.03, 0.03, 3) * (1.0, 0.5, 0.2)
        return Mounting(
            _quat(delta * self.rotation),
            (float(arm[0]), float(arm[1]), float(arm[2])),
            f"{self.description}; re-mounted {angle:.1f}°",
        )


def _quat(rot: Rotation) -> tuple[float, float, float, float]:
    q = rot.as_quat()
    return (float(q[0]), float(q[1]), float(q[2]), float(q[3]))
