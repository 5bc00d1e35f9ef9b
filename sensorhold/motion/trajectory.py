"""A script compiled for one person: the trunk pose as a smooth function of time, with truth.

The trunk (body) frame: x cranial (towards the head), y to the person's left, z posterior (out of
the back). World frame: z up, x the direction the head points when lying prone. Lying flat prone
the two coincide. The trunk orientation is ``R_wb = Rz(yaw) · Ry(-angle) · Rx(roll)``, so:

* **the ground-truth extension angle** is the pitch of that yaw-pitch-roll decomposition: the
  angle, in the sagittal plane, between the trunk's cranio-caudal axis now and in flat prone
  lying, positive = extension (head end up). For |angle| <= 90° it is the elevation of the
  cranio-caudal axis above the horizontal. Side lean (roll about that axis) and heading (yaw)
  do not change it. It includes every real rotation: breathing, sway, wobble, sag.
* the trunk rotates about a pivot (the hips when lying, `body.PX..PZ`) that moves only when
  getting down or up; the sensor sits on a lever arm from it (`mounting.Mounting`).

The base pose goes from key pose to key pose along minimum-jerk curves; breathing and micro-sway
(always on), wobbles, leans and walking are added on top. Everything is a closed-form function of
time, so the streaming and the batch forms evaluate exactly the same motion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sensorhold.motion.body import (
    BREATH_GAIN,
    N_CHANNELS,
    PX,
    PY,
    PZ,
    ROLL,
    SWAY_GAIN,
    THETA,
    YAW,
    Person,
)
from sensorhold.motion.script import Hold, Script

#: Seconds of the move that closes a looping trajectory (back to the first pose).
LOOP_CLOSE_S = 3.0


@dataclass(frozen=True, slots=True)
class TrueHold:
    """A true hold: from settling into the stage to starting to leave it (times in seconds)."""

    stage: int
    start_s: float
    end_s: float
    unstable_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class _Oscillation:
    """Sum of sinusoids on some channels, tapered in and out over [start, start + duration]."""

    start_s: float
    duration_s: float
    ramp_s: float
    freqs_hz: np.ndarray  # (m,)
    phases: np.ndarray  # (m,)
    amps: np.ndarray  # (m, N_CHANNELS): amplitude of each sinusoid on each channel

    def add_to(self, pose: np.ndarray, tau: np.ndarray) -> None:
        inside = (tau > self.start_s) & (tau < self.start_s + self.duration_s)
        if not inside.any():
            return
        u = tau[inside] - self.start_s
        env = _plateau(u, self.duration_s, self.ramp_s)
        pose[inside] += env[:, None] * (sines(u, self.freqs_hz, self.phases) @ self.amps)


@dataclass(frozen=True, slots=True)
class _Lean:
    start_s: float
    duration_s: float
    roll_deg: float

    def add_to(self, pose: np.ndarray, tau: np.ndarray) -> None:
        inside = (tau > self.start_s) & (tau < self.start_s + self.duration_s)
        u = tau[inside] - self.start_s
        ramp = min(1.5, self.duration_s / 3)
        pose[inside, ROLL] += self.roll_deg * _plateau(u, self.duration_s, ramp, minjerk=True)


def sines(t: np.ndarray, freqs_hz: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """(n, m) sin(2π f t + phase), accurate to ~1e-7: the whole cycles are dropped in float64,
    the sine is taken in float32 (SIMD; the float64 sine of large arguments is 5x slower)."""
    cycles = t[:, None] * freqs_hz
    cycles -= np.floor(cycles)
    return np.sin((2 * np.pi * cycles + phases).astype(np.float32)).astype(float)


def on_spline_grid(
    signal: Callable[[np.ndarray], np.ndarray], t: np.ndarray, dt: float = 0.1
) -> np.ndarray:
    """``signal`` (a smooth function of absolute time, (k,) -> (k, c)) sampled every ``dt`` and
    read at ``t`` through a uniform cubic B-spline: twice continuously differentiable, the same
    at a given t however the times are chunked, and ~30x cheaper than evaluating ``signal``
    at every sample and both difference offsets (attenuates 1 Hz by 6 % at dt = 0.1 s)."""
    u = t / dt
    j = np.floor(u).astype(np.int64)
    s = (u - j)[:, None]
    k0 = int(j.min()) - 1 if t.size else 0
    coef = signal(np.arange(k0, (int(j.max()) if t.size else 0) + 3) * dt)
    i = j - k0
    return (
        (1 - s) ** 3 * coef[i - 1]
        + (3 * s**3 - 6 * s**2 + 4) * coef[i]
        + (-3 * s**3 + 3 * s**2 + 3 * s + 1) * coef[i + 1]
        + s**3 * coef[i + 2]
    ) / 6.0


def minimum_jerk(s: np.ndarray) -> np.ndarray:
    """The minimum-jerk profile 10s³ - 15s⁴ + 6s⁵ on s in [0, 1]."""
    return s**3 * (10.0 - 15.0 * s + 6.0 * s**2)


def _plateau(u: np.ndarray, duration: float, ramp: float, minjerk: bool = False) -> np.ndarray:
    """0 -> 1 over ``ramp``, 1, then 1 -> 0 over the last ``ramp`` of ``duration``."""
    s = np.clip(np.minimum(u, duration - u) / ramp, 0.0, 1.0)
    return minimum_jerk(s) if minjerk else np.sin(0.5 * np.pi * s) ** 2


class Trajectory:
    """A script compiled for one person (random details drawn from ``rng``).

    ``loop=True`` closes the script with a `LOOP_CLOSE_S` move back to its first pose and repeats
    it with period `period_s`; otherwise the final pose is held after the script ends.
    """

    def __init__(
        self, script: Script, person: Person, rng: np.random.Generator, loop: bool = False
    ) -> None:
        self.script, self.person, self.loop = script, person, loop
        knots_t: list[float] = []
        knots_p: list[np.ndarray] = []
        self._episodes: list[_Oscillation | _Lean] = []
        holds: list[TrueHold] = []
        t = 0.0
        for seg in script.segments:
            if isinstance(seg, Hold):
                start = person.pose(seg.posture, rng)
                end = start.copy()
                end[THETA] += seg.sag_deg
                knots_t += [t, t + seg.duration_s]
                knots_p += [start, end]
                self._add_hold_episodes(seg, t, rng)
                if seg.stage:
                    holds.append(TrueHold(seg.stage, t, t + seg.duration_s, seg.unstable_s))
            t += seg.duration_s
        if loop:
            knots_t.append(t + LOOP_CLOSE_S)
            knots_p.append(knots_p[0])
            t += LOOP_CLOSE_S
        self.period_s = t
        self.holds = tuple(holds)
        self._knots_t = np.asarray(knots_t)
        self._knots_p = np.asarray(knots_p)
        self._breath = self._breathing(rng)
        self._sway = self._micro_sway(rng)

    def _add_hold_episodes(self, hold: Hold, t0: float, rng: np.random.Generator) -> None:
        for w in hold.wobbles:
            m = 3
            amps = np.zeros((m, N_CHANNELS))
            mix = rng.dirichlet(np.ones(m))
            amps[:, THETA] = w.amplitude_deg * mix * rng.choice([-1, 1], m)
            amps[:, ROLL] = 0.8 * w.amplitude_deg * rng.dirichlet(np.ones(m))
            amps[:, YAW] = 0.4 * w.amplitude_deg * rng.dirichlet(np.ones(m))
            amps[:, PX:PZ + 1] = 0.004 * w.amplitude_deg * rng.dirichlet(np.ones(m), 3).T
            self._episodes.append(
                _Oscillation(
                    t0 + w.start_s, w.duration_s, min(0.6, w.duration_s / 4),
                    rng.uniform(0.4, 1.8, m), rng.uniform(0, 2 * np.pi, m), amps,
                )
            )
        self._episodes += [_Lean(t0 + le.start_s, le.duration_s, le.roll_deg) for le in hold.leans]
        if hold.walking:
            step = rng.uniform(1.6, 2.0)
            amps = np.zeros((2, N_CHANNELS))
            amps[0, [THETA, PZ]] = 2.0, 0.025  # twice per stride: bounce and pitch
            amps[1, [ROLL, YAW, PY]] = 3.0, 6.0, 0.02  # once per stride: side to side
            self._episodes.append(
                _Oscillation(
                    t0, hold.duration_s, min(1.0, hold.duration_s / 4),
                    np.array([step, step / 2]), rng.uniform(0, 2 * np.pi, 2), amps,
                )
            )

    def _breathing(self, rng: np.random.Generator) -> tuple[float, ...]:
        f = self.person.breath_hz
        return (
            f, 0.1 * f, rng.uniform(0.01, 0.03), rng.uniform(0, 2 * np.pi),  # frequency wander
            rng.uniform(0.0, 0.3), rng.uniform(0, 2 * np.pi),  # second harmonic
            rng.uniform(0.005, 0.02), rng.uniform(0, 2 * np.pi),  # depth wander
        )

    def _micro_sway(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frequencies, phases and amplitudes (3, m) of the sway of angle, roll and yaw:
        1/sqrt(f) amplitudes over 0.05-0.8 Hz, scaled to ``sway_deg`` rms (yaw half)."""
        m = 4
        freqs = np.exp(rng.uniform(np.log(0.05), np.log(0.8), (3, m)))
        amps = freqs**-0.5
        amps *= np.array([[1.0], [1.0], [0.5]]) / np.sqrt(0.5 * np.sum(amps**2, axis=1))[:, None]
        return freqs, rng.uniform(0, 2 * np.pi, (3, m)), self.person.sway_deg * amps

    @property
    def duration_s(self) -> float:
        return self.period_s

    def script_time(self, t: np.ndarray) -> np.ndarray:
        """Time within the script: wrapped by the period when looping."""
        t = np.asarray(t, dtype=float)
        return np.mod(t, self.period_s) if self.loop else t

    def pose(self, t: np.ndarray) -> np.ndarray:
        """(n, 6): extension angle, roll, yaw (deg) and pivot x, y, z (m) at times ``t``."""
        t = np.asarray(t, dtype=float)
        tau = self.script_time(t)
        kt, kp = self._knots_t, self._knots_p
        i = np.clip(np.searchsorted(kt, tau, side="right") - 1, 0, kt.size - 2)
        s = np.clip((tau - kt[i]) / (kt[i + 1] - kt[i]), 0.0, 1.0)
        pose = kp[i] + (kp[i + 1] - kp[i]) * minimum_jerk(s)[:, None]
        for ep in self._episodes:
            ep.add_to(pose, tau)
        slow = on_spline_grid(self._sway_and_breathing, t)
        sway = slow[:, :3] * pose[:, [SWAY_GAIN]]
        pose[:, [THETA, ROLL, YAW]] += sway
        # the hips shift with the sway: 1 mm per degree (rms) of pitch and roll
        pose[:, [PX, PY, PZ]] += 1e-3 * sway[:, [0, 1, 0]]
        breath = slow[:, 3] * pose[:, BREATH_GAIN]
        pose[:, THETA] += self.person.breath_deg * breath
        pose[:, PZ] += 1e-3 * self.person.breath_mm * breath
        return pose[:, :6]

    def _sway_and_breathing(self, t: np.ndarray) -> np.ndarray:
        """(n, 4): sway of angle, roll, yaw (deg, before the posture's gain) and breathing."""
        freqs, phases, amps = self._sway
        waves = sines(t, freqs.ravel(), phases.ravel()).reshape(-1, *amps.shape)
        return np.column_stack((np.einsum("nkm,km->nk", waves, amps), self.breathing(t)))

    def breathing(self, t: np.ndarray) -> np.ndarray:
        """The breathing waveform (about -1..1), a function of absolute time."""
        f, df, fm, pm, h2, p2, fa, pa = self._breath
        phase = 2 * np.pi * f * t + (df / fm) * np.sin(2 * np.pi * fm * t + pm)
        depth = 1.0 + 0.25 * np.sin(2 * np.pi * fa * t + pa)
        return depth * (np.sin(phase) + h2 * np.sin(2 * phase + p2)) / (1.0 + h2)

    def stage(self, t: np.ndarray) -> np.ndarray:
        """Ground-truth stage (int8): the hold's stage inside a true hold, 0 elsewhere."""
        tau = self.script_time(t)
        out = np.zeros(tau.shape, dtype=np.int8)
        for h in self.holds:
            out[(tau >= h.start_s) & (tau < h.end_s)] = h.stage
        return out

    def holds_between(self, t_start: float, t_end: float) -> list[TrueHold]:
        """The true holds overlapping [t_start, t_end] (repeated when looping), clipped to it."""
        periods = range(int(np.floor(t_start / self.period_s)), int(t_end // self.period_s) + 1)
        shifts = [k * self.period_s for k in periods] if self.loop else [0.0]
        out = []
        for shift in shifts:
            for h in self.holds:
                a, b = max(h.start_s + shift, t_start), min(h.end_s + shift, t_end)
                if b > a:
                    unstable = h.unstable_s * (b - a) / h.duration_s
                    out.append(TrueHold(h.stage, a, b, unstable))
        return out
