"""Whole recorded sessions as arrays, with ground truth per sample and the true hold list."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sensorhold.motion.body import Person
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.script import Script
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.motion.sensor_errors import SensorSpec
from sensorhold.motion.trajectory import TrueHold

CSV_HEADER = "t,ax,ay,az,gx,gy,gz"


@dataclass(frozen=True, slots=True)
class Loss:
    """Packet loss: bursts at random times (Poisson), exponentially long, at least one sample."""

    bursts_per_min: float = 2.0
    mean_burst_s: float = 0.2
    max_burst_s: float = 3.0


@dataclass(frozen=True, slots=True)
class SimSession:
    """A simulated recording and its truth, all per kept sample (lost samples are gone).

    ``t`` (n,) s on the recording's clock; ``acc`` (n, 3) g; ``gyr`` (n, 3) deg/s, sensor axes.
    Truth: ``angle_deg`` the extension angle relative to prone lying (pitch in the sagittal plane,
    side lean excluded; `trajectory` module docstring), ``stage`` 0-3 (0 moving or not in an
    exercise posture), ``quat_ws`` (n, 4) the sensor's orientation in the world (scalar-last,
    z up, heading arbitrary) and ``holds``, on the same clock as ``t``.
    """

    t: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray
    angle_deg: np.ndarray
    stage: np.ndarray
    quat_ws: np.ndarray
    holds: tuple[TrueHold, ...]
    rate_hz: float
    lost_samples: int
    description: str

    def __len__(self) -> int:
        return int(self.t.size)

    @property
    def duration_s(self) -> float:
        return float(self.t[-1] - self.t[0]) if self.t.size else 0.0

    def truth_summary(self) -> dict[str, Any]:
        """The truth in the shape of ``sensorhold analyze --json`` (CLI.md)."""
        holds = []
        for h in self.holds:
            inside = (self.t >= h.start_s) & (self.t < h.end_s)
            mean = float(self.angle_deg[inside].mean()) if inside.any() else float("nan")
            holds.append({
                "stage": h.stage,
                "start_s": round(h.start_s, 3),
                "end_s": round(h.end_s, 3),
                "duration_s": round(h.duration_s, 3),
                "mean_angle_deg": round(mean, 3),
                "unstable_s": round(h.unstable_s, 3),
            })
        return {"holds": holds, "samples": len(self), "duration_s": round(self.duration_s, 3)}


def simulate_session(
    script: Script,
    person: Person | None = None,
    sensor: SensorSpec | None = None,
    mounting: Mounting | None = None,
    *,
    rate_hz: float = 100.0,
    seed: int = 0,
    loss: Loss | None = None,
    duration_s: float | None = None,
    t0_s: float = 0.0,
    jitter_s: float = 0.0,
    loop: bool = False,
) -> SimSession:
    """Record ``script`` (the whole of it unless ``duration_s``; past its end the last pose is
    held, or the script repeats with ``loop``) at ``rate_hz``; the clock starts at ``t0_s``.

    ``jitter_s``: timestamp jitter (sd, clipped to 0.4 sample periods; the samples are still taken
    on time). ``loss``: bursts of samples removed, leaving time gaps. The readings equal those of
    ``ScriptedImu(script, person, sensor, mounting, rate_hz=rate_hz, seed=seed, loop=loop)``
    sampled at the same (unjittered) times.
    """
    source = ScriptedImu(
        script, person, sensor, mounting, rate_hz=rate_hz, seed=seed, loop=loop
    )
    traj = source.trajectory
    total = traj.duration_s if duration_s is None else duration_s
    t = np.arange(int(np.floor(total * rate_hz)) + 1) / rate_hz
    acc, gyr, truth = source.sample_with_truth(t)
    rng = np.random.default_rng([seed, 0x5E551])
    stamp = t.copy()
    if jitter_s > 0:
        stamp += np.clip(rng.normal(0.0, jitter_s, t.size), -0.4 / rate_hz, 0.4 / rate_hz)
    keep = _kept(t, rate_hz, loss, rng) if loss else np.ones(t.size, dtype=bool)
    holds = tuple(
        TrueHold(h.stage, h.start_s + t0_s, h.end_s + t0_s, h.unstable_s)
        for h in traj.holds_between(0.0, float(t[-1]))
    )
    return SimSession(
        t=stamp[keep] + t0_s,
        acc=acc[keep],
        gyr=gyr[keep],
        angle_deg=truth.angle_deg[keep],
        stage=traj.stage(t)[keep],
        quat_ws=truth.quat_ws[keep],
        holds=holds,
        rate_hz=rate_hz,
        lost_samples=int(t.size - keep.sum()),
        description=script.name,
    )


def _kept(t: np.ndarray, rate_hz: float, loss: Loss, rng: np.random.Generator) -> np.ndarray:
    """Mask of samples that survive the loss bursts (the first and last always do)."""
    keep = np.ones(t.size, dtype=bool)
    n_bursts = rng.poisson(loss.bursts_per_min * t[-1] / 60.0)
    starts = rng.uniform(t[0], t[-1], n_bursts)
    lengths = np.clip(rng.exponential(loss.mean_burst_s, n_bursts), 1.0 / rate_hz, loss.max_burst_s)
    first = np.searchsorted(t, starts)
    last = np.searchsorted(t, starts + lengths)
    cover = np.zeros(t.size + 1, dtype=int)
    np.add.at(cover, first, 1)
    np.add.at(cover, np.maximum(last, first + 1), -1)
    keep[np.cumsum(cover[:-1]) > 0] = False
    keep[[0, -1]] = True
    return keep


def to_csv(session: SimSession, path: str | Path) -> None:
    """Write the readings as the CLI.md CSV: ``t,ax,ay,az,gx,gy,gz`` (s, g, deg/s)."""
    data = np.column_stack((session.t, session.acc, session.gyr))
    np.savetxt(
        path, data, delimiter=",", header=CSV_HEADER, comments="",
        fmt=["%.6f"] + ["%.6f"] * 3 + ["%.5f"] * 3,
    )
