"""Headless analysis of IMU arrays: the result ``sensorhold analyze --json`` prints (CLI.md).

The arrays go through the same causal pipeline as live and replay, in one chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sensorhold.calibration.profile import Profile
from sensorhold.signal.orientation import estimate_ts
from sensorhold.signal.pipeline import PipelineOutput, PipelineParams, run

SAMPLE_COLUMNS = ("t", "angle_deg", "stage", "stable", "hold_s")


@dataclass(frozen=True, slots=True)
class Analysis:
    """The JSON result and the per-sample outputs behind it."""

    result: dict[str, Any]
    samples: PipelineOutput

    def sample_rows(self) -> np.ndarray:
        """(n, 5) float array in ``SAMPLE_COLUMNS`` order, for ``--samples`` CSV."""
        s = self.samples
        return np.column_stack((s.t, s.angle_deg, s.stage, s.stable, s.hold_s))


def _gaps(t: np.ndarray, ts: float) -> list[dict[str, float]]:
    dt = np.diff(t)
    idx = np.flatnonzero(dt > 1.5 * ts)
    return [
        {"start_s": round(float(t[i]), 3), "end_s": round(float(t[i + 1]), 3),
         "missing_samples": round(dt[i] / ts) - 1}
        for i in idx
    ]


def analyze(
    t: np.ndarray, acc: np.ndarray, gyr: np.ndarray, profile: Profile,
    params: PipelineParams | None = None,
) -> Analysis:
    """Holds and per-sample outputs for one recording (t s, acc g, gyr deg/s, sensor axes)."""
    t = np.asarray(t, dtype=float)
    n = int(t.size)
    if n < 2:
        raise ValueError("need at least two samples to analyse")
    out = run(profile, t, acc, gyr, params)
    holds = [e.as_hold() for e in out.events if e.kind == "hold_end"]
    ts = estimate_ts(t)
    gaps = _gaps(t, ts)
    per_stage = {
        str(k): round(sum(h["duration_s"] for h in holds if h["stage"] == k), 3)
        for k in (1, 2, 3)
    }
    result: dict[str, Any] = {
        "holds": holds,
        "samples": n,
        "duration_s": round(float(t[-1] - t[0]), 3),
        "start_s": round(float(t[0]), 3),
        "rate_hz": round(1.0 / ts, 3),
        "hold_s_by_stage": per_stage,
        "gaps": len(gaps),
        "missing_samples": sum(g["missing_samples"] for g in gaps),
        "gap_list": gaps,
        "stage3_allowed": profile.stage3_allowed,
        "profile_user": profile.user,
    }
    return Analysis(result, out)


def analyze_arrays(
    t: np.ndarray, acc: np.ndarray, gyr: np.ndarray, profile: Profile,
    params: PipelineParams | None = None,
) -> dict[str, Any]:
    """Just the ``analyze --json`` object."""
    return analyze(t, acc, gyr, profile, params).result
