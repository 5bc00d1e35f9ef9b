"""The causal signal chain used by live, replay and analyze: orientation -> stillness ->
extension angle -> stage ladder -> hold timer.

``Pipeline.step`` takes any chunk of samples and returns per-sample outputs and hold events;
``run`` is the batch form (the recording in large blocks), so both share one source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from sensorhold.calibration.profile import DEFAULT_RATE_ON_DPS, DEFAULT_SPREAD_ON_DEG, Profile
from sensorhold.signal import (
    extension_angle,
    hip_height,
    hold_timer,
    orientation,
    pelvis_lift,
    stage_ladder,
    stillness,
)
from sensorhold.signal.hold_timer import HoldEvent, HoldParams
from sensorhold.signal.lowpass import alpha, lowpass

BATCH_BLOCK = 1 << 16


@dataclass(frozen=True, slots=True)
class PipelineParams:
    """Per-layer parameters; stillness thresholds and stage bands come from the profile."""

    orientation: orientation.OrientationParams = field(
        default_factory=orientation.OrientationParams
    )
    stillness: stillness.StillnessParams = field(default_factory=stillness.StillnessParams)
    angle: extension_angle.AngleParams = field(default_factory=extension_angle.AngleParams)
    stage: stage_ladder.StageParams = field(default_factory=stage_ladder.StageParams)
    height: hip_height.HeightParams = field(default_factory=hip_height.HeightParams)
    lift: pelvis_lift.LiftParams = field(default_factory=pelvis_lift.LiftParams)
    hold: HoldParams = field(default_factory=HoldParams)
    moving_dps: float = 10.0
    noise_factor: float = 3.0
    jolt_factor: float = 1.5
    off_factor: float = 1.5
    ease_tau_s: float = 0.1
    rest_factor: float = 1.0
    upright_margin_deg: float = 15.0
    gravity_tau_s: float = 0.2

    def for_profile(self, profile: Profile) -> PipelineParams:
        """Fit the thresholds to the person: stillness above their breathing level, stage bands
        around their stage angles."""
        rate_on = max(DEFAULT_RATE_ON_DPS, self.noise_factor * profile.rate_noise_dps)
        spread_on = max(DEFAULT_SPREAD_ON_DEG, self.noise_factor * profile.spread_noise_deg)
        jolt_on = max(self.stillness.jolt_on_g, self.jolt_factor * profile.jolt_noise_g)
        still = replace(
            self.stillness,
            rate_on_dps=rate_on,
            rate_off_dps=self.off_factor * rate_on,
            spread_on_deg=spread_on,
            spread_off_deg=self.off_factor * spread_on,
            jolt_on_g=jolt_on,
            jolt_off_g=self.off_factor * jolt_on,
        )
        angles = profile.stage_angle_tuple()
        # Upright (standing, kneeling up) lies far above any exercise angle; a press-up of 45°
        # or more (a supple person on straight arms) is not upright.
        upright = max(self.lift.upright_deg, angles[-1] + self.upright_margin_deg)
        return replace(
            self,
            stillness=still,
            stage=replace(self.stage, stage_angles=angles),
            angle=replace(self.angle, forearms_deg=angles[1] - angles[0]),
            lift=replace(self.lift, upright_deg=upright),
        )


@dataclass(frozen=True, slots=True)
class PipelineOutput:
    """Per sample: ``t``, ``angle_deg``, ``stage`` (0-3), ``stable`` (still), ``hold_s`` (running
    hold time, back-dated; 0 outside holds); ``events`` are hold starts and ends in this chunk."""

    t: np.ndarray
    angle_deg: np.ndarray
    stage: np.ndarray
    stable: np.ndarray
    hold_s: np.ndarray
    events: list[HoldEvent]

    @staticmethod
    def concat(parts: list[PipelineOutput]) -> PipelineOutput:
        return PipelineOutput(
            np.concatenate([p.t for p in parts]),
            np.concatenate([p.angle_deg for p in parts]),
            np.concatenate([p.stage for p in parts]),
            np.concatenate([p.stable for p in parts]),
            np.concatenate([p.hold_s for p in parts]),
            [e for p in parts for e in p.events],
        )


class Pipeline:
    """The streaming signal chain for one session with one profile."""

    def __init__(self, profile: Profile, params: PipelineParams | None = None) -> None:
        self.profile = profile
        self.params = (params or PipelineParams()).for_profile(profile)
        self._orient = orientation.OrientationState()
        self._still = stillness.StillnessState()
        self._angle = extension_angle.AngleState(
            np.array(profile.up_prone), np.array(profile.axis)
        )
        self._stage = stage_ladder.StageState()
        self._height = hip_height.HeightState()
        self._lift = pelvis_lift.LiftState()
        self._hold = hold_timer.HoldState()
        self._jolt: float | None = None
        self._gravity: np.ndarray | None = None
        # A hold end is dated at the last sample at rest before the person left: at a rate
        # within their own resting level (its calibrated 95th percentile). The fixed quiet rate
        # is below that for someone breathing hard on their hands, and a sag late in such a
        # hold dated its end 1-2.6 s early.
        self._rest_dps = max(
            self.params.stillness.quiet_dps, self.params.rest_factor * profile.rate_noise_dps
        )

    def step(self, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> PipelineOutput:
        """A chunk: ``t`` (n,) s, ``acc`` (n, 3) g, ``gyr`` (n, 3) deg/s, sensor axes."""
        p = self.params
        t = np.asarray(t, dtype=float)
        acc = np.asarray(acc, dtype=float).reshape(-1, 3)
        gyr = np.asarray(gyr, dtype=float).reshape(-1, 3)
        # VQF takes the samples as given (row-major: it needs that), the layers after column-major,
        # as they compute per component (see signal/vectors.py).
        self._orient, o = orientation.step(p.orientation, self._orient, t, acc, gyr)
        acc = np.asfortranarray(acc)
        ts = self._orient.ts or (1.0 / 100.0)
        self._still, s = stillness.step(
            p.stillness, self._still, ts, o.up, o.rate_dps, acc, o.gyr_dps, o.restart, t
        )
        # At the person's own rest level: someone resting above the fixed quiet rate only
        # flickered quiet in a pause on hands and knees, and its lowering went unjudged.
        resting = (s.rate_dps < self._rest_dps) & (s.jolt_g < p.stillness.jolt_on_g)
        self._height, lowered, lifted = hip_height.step(
            p.height, self._height, ts, t, acc, s.up, resting, s.still
        )
        self._angle, a = extension_angle.step(
            p.angle, self._angle, t, s.up, s.still, lowered, lifted
        )
        self._stage, band = stage_ladder.step(
            p.stage, self._stage, a.angle_deg, a.roll_deg, s.still
        )
        band = np.where(a.prone_pending, 1, band).astype(np.int8)
        self._lift, raised, fell = pelvis_lift.step(
            p.lift, self._lift, t, lowered, lifted, s.still, band, a.angle_deg, a.roll_deg
        )
        # Easing: rate quiet and the jolt under its own 0.1 s trend, i.e. only decaying (a
        # stopped body's jolt is the band-pass filter's memory fading, not motion).
        trend = lowpass(s.jolt_g, alpha(ts, p.ease_tau_s), self._jolt)
        easing = (s.rate_dps < p.stillness.quiet_dps) & (s.jolt_g <= trend)
        self._jolt = float(trend[-1]) if t.size else self._jolt
        # Gravity's direction, which a gyro bias does not move: a start is re-judged against it.
        gravity = lowpass(acc, alpha(ts, p.gravity_tau_s), self._gravity)
        self._gravity = gravity[-1].copy() if t.size else self._gravity
        self._hold, h = hold_timer.step(
            p.hold, self._hold, t, band, s.still, s.quiet, a.angle_deg, raised, fell, easing,
            resting, s.rate_dps, gravity,
        )
        idle = s.rate_dps >= p.moving_dps
        # Still in another band: the person is there, though the hold being left only ends
        # after ``dip_s`` (it could have been a wobble); no hold time until the new one starts.
        arrived = s.still & (band > 0) & ~raised & (band != h.stage)
        held = np.where(arrived, 0, h.stage)
        stage = np.where(held > 0, held, np.where(idle, 0, band)).astype(np.int8)
        hold_s = np.where(arrived, 0.0, h.hold_s)
        return PipelineOutput(t, a.angle_deg, stage, s.still, hold_s, h.events)

    def close(self) -> HoldEvent | None:
        """End of data: the hold still open, ended at its last settled sample."""
        return hold_timer.close(self.params.hold, self._hold)

    @property
    def gaps(self) -> int:
        return self._orient.gaps

    @property
    def resets(self) -> int:
        return self._orient.resets


def run(
    profile: Profile, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray,
    params: PipelineParams | None = None,
) -> PipelineOutput:
    """Batch form: the whole recording, plus the hold left open at the end. It goes through in
    blocks of ``BATCH_BLOCK`` samples (the streaming form's equal, tested), so the working arrays
    of an hour's analysis stay those of ten minutes: only the output grows with the length."""
    pipe = Pipeline(profile, params)
    n = len(t)
    out = PipelineOutput(
        np.asarray(t, dtype=float), np.empty(n), np.empty(n, np.int8), np.empty(n, bool),
        np.empty(n), [],
    )
    for lo in range(0, n, BATCH_BLOCK):
        hi = min(n, lo + BATCH_BLOCK)
        part = pipe.step(t[lo:hi], acc[lo:hi], gyr[lo:hi])
        out.angle_deg[lo:hi], out.stage[lo:hi] = part.angle_deg, part.stage
        out.stable[lo:hi], out.hold_s[lo:hi] = part.stable, part.hold_s
        out.events.extend(part.events)
    last = pipe.close()
    return replace(out, events=[*out.events, last]) if last else out
