"""The person: their stage angles, breathing and sway, and the trunk pose of each posture.

Angles are those of the trunk segment that carries the sensor (lower back), relative to lying flat
prone; see the `trajectory` module docstring for the exact definition. Anchors (signal.md §D.1):
no published IMU values exist for the stage angles relative to prone lying; fluoroscopy and MRI
(Bo & Park 2012; Berry et al. 2019) show lordosis growing from prone lying to on-elbows to the
press-up, with large between-person spread (recumbent T12–S1 lordosis 36.8° ± 13.2°). A single
sensor measures segment inclination, so the random person draws, per person:

* stage 2 (forearms): normal(17°, 4°) clipped to [9°, 27°];
* stage 3 (hands): stage 2 + normal(15°, 4.5°), at least 7° above stage 2, clipped to [22°, 48°];
* standing: normal(91°, 4°) clipped to [80°, 100°] (trunk near vertical);
* hands and knees: uniform(-8°, 6°) (trunk near horizontal, but moving: stage 0);
* sitting on the floor: standing + uniform(0°, 15°) (leaning back a little); lying on one side:
  about 0° with a roll of ±90° (both stage 0);
* per-occurrence scatter of a stage angle (each time the posture is taken): normal(0, 0.4°) for
  prone lying, normal(0, `repeat_sd_deg` 0.8–2°) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorhold.motion.script import Posture

#: Pose channels, in the order a pose vector holds them.
THETA, ROLL, YAW, PX, PY, PZ, SWAY_GAIN, BREATH_GAIN = range(8)
N_CHANNELS = 8

#: Micro-sway and breathing gains by posture (relative to lying prone).
_GAINS: dict[Posture, tuple[float, float]] = {
    "standing": (4.0, 0.3),
    "sitting": (2.0, 0.5),
    "side": (1.5, 0.8),
    "quadruped": (2.5, 0.6),
    "prone": (1.0, 1.0),
    "forearms": (1.5, 1.0),
    "hands": (2.5, 0.8),
}
_PRONE_PIVOT = np.array([0.5, 0.0, 0.11])


@dataclass(frozen=True, slots=True)
class Person:
    """One person's posture angles (deg, relative to prone lying), breathing and sway."""

    stage2_deg: float = 18.0
    stage3_deg: float = 32.0
    standing_deg: float = 91.0
    quadruped_deg: float = -2.0
    sitting_deg: float = 97.0
    repeat_sd_deg: float = 1.0
    hip_height_m: float = 0.92
    breath_hz: float = 0.25
    breath_deg: float = 0.35
    breath_mm: float = 2.0
    sway_deg: float = 0.12

    @classmethod
    def random(cls, rng: np.random.Generator) -> Person:
        """A person drawn from the distributions in the module docstring."""
        s2 = float(np.clip(rng.normal(17.0, 4.0), 9.0, 27.0))
        s3 = float(np.clip(s2 + max(7.0, rng.normal(15.0, 4.5)), 22.0, 48.0))
        standing = float(np.clip(rng.normal(91.0, 4.0), 80.0, 100.0))
        return cls(
            stage2_deg=s2,
            stage3_deg=max(s3, s2 + 7.0),
            standing_deg=standing,
            quadruped_deg=float(rng.uniform(-8.0, 6.0)),
            sitting_deg=float(standing + rng.uniform(0.0, 15.0)),
            repeat_sd_deg=float(rng.uniform(0.8, 2.0)),
            hip_height_m=float(rng.uniform(0.8, 1.05)),
            breath_hz=float(rng.uniform(0.2, 0.3)),
            breath_deg=float(rng.uniform(0.15, 0.6)),
            breath_mm=float(rng.uniform(1.0, 4.0)),
            sway_deg=float(rng.uniform(0.05, 0.3)),
        )

    def pose(self, posture: Posture, rng: np.random.Generator) -> np.ndarray:
        """One occurrence of ``posture``: the pose vector (channels above) with its scatter."""
        p = np.zeros(N_CHANNELS)
        sd = self.repeat_sd_deg
        if posture == "standing":
            p[THETA] = self.standing_deg + rng.normal(0.0, 2.0)
            p[ROLL], p[YAW] = rng.normal(0.0, 2.0), rng.normal(0.0, 20.0)
            p[PX:PZ + 1] = (0.0, 0.0, self.hip_height_m)
        elif posture == "sitting":
            p[THETA] = self.sitting_deg + rng.normal(0.0, 2.0)
            p[ROLL], p[YAW] = rng.normal(0.0, 2.0), rng.normal(0.0, 10.0)
            p[PX:PZ + 1] = (0.0, 0.0, 0.12)
        elif posture == "side":
            p[THETA] = rng.normal(0.0, 3.0)
            p[ROLL], p[YAW] = rng.choice([-90.0, 90.0]) + rng.normal(0.0, 5.0), rng.normal(0.0, 5.0)
            p[PX:PZ + 1] = (0.3, 0.0, 0.17)
        elif posture == "quadruped":
            p[THETA] = self.quadruped_deg + rng.normal(0.0, 2.0)
            p[ROLL], p[YAW] = rng.normal(0.0, 1.5), rng.normal(0.0, 5.0)
            p[PX:PZ + 1] = (0.1, 0.0, 0.55 * self.hip_height_m)
        else:
            nominal = {"prone": 0.0, "forearms": self.stage2_deg, "hands": self.stage3_deg}
            p[THETA] = nominal[posture] + rng.normal(0.0, 0.4 if posture == "prone" else sd)
            p[ROLL] = rng.normal(0.0, {"prone": 0.5, "forearms": 1.0, "hands": 1.5}[posture])
            p[YAW] = rng.normal(0.0, 3.0)
            p[PX:PZ + 1] = _PRONE_PIVOT + rng.normal(0.0, 0.005, 3)
        p[SWAY_GAIN], p[BREATH_GAIN] = _GAINS[posture]
        return p
