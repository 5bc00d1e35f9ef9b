"""Headless analysis of IMU arrays: the result ``sensorhold analyze --json`` prints (CLI.md).

The arrays go through the same causal pipeline as live and replay, in one chunk. Live, the stage
shown at a sample is what was known then: a hold is confirmed a second after the person settled,
and a stage is left only once they have been out of it for a moment. Afterwards the holds are
known with their back-dated starts and ends, so the per-sample ``stage`` written by
``--samples`` agrees with them; the live reading is kept as ``live_stage``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sensorhold.calibration.profile import Profile
from sensorhold.signal.orientation import estimate_ts
from sensorhold.signal.pipeline import PipelineOutput, PipelineParams, run

SAMPLE_COLUMNS = ("t", "angle_deg", "stage", "stable", "hold_s", "live_stage")


@dataclass(frozen=True, slots=True)
class Analysis:
    """The JSON result and the per-sample outputs behind it."""

    result: dict[str, Any]
    samples: PipelineOutput
    live_stage: np.ndarray

    def sample_rows(self) -> np.ndarray:
        """(n, 6) float array in ``SAMPLE_COLUMNS`` order, for ``--samples`` CSV."""
        s = self.samples
        return np.column_stack((s.t, s.angle_deg, s.stage, s.stable, s.hold_s, self.live_stage))


def settled_stage(out: PipelineOutput) -> np.ndarray:
    """The per-sample stage in hindsight: each hold's stage from its back-dated start to its end;
    0 where a hold had ended but was not yet known to (the live reading still showed it)."""
    stage = out.stage.copy()
    t = out.t
    ordered = bool(np.all(t[1:] > t[:-1]))  # as every input is: then slices, not masks
    for e in out.events:
        if e.kind != "hold_end" or e.end_s is None:
            continue
        if ordered:
            start, end, known = np.searchsorted(t, (e.start_s, e.end_s, e.t))
            stage[start:end] = e.stage
            stale = stage[end:known]
            stale[out.stage[end:known] == e.stage] = 0
        else:
            stage[(t >= e.start_s) & (t < e.end_s)] = e.stage
            stage[(t >= e.end_s) & (t < e.t) & (out.stage == e.stage)] = 0
    return stage


def _gaps(
    t: np.ndarray, ts: float, clock_gaps: Sequence[tuple[int, int]] | None
) -> list[dict[str, float]]:
    """The gaps the sample clock found (as live and replay count them), or for samples with
    their own times (CSV), steps longer than 1.5 sample periods."""
    if clock_gaps is None:
        dt = np.diff(t)
        idx = np.flatnonzero(dt > 1.5 * ts)
        clock_gaps = [(int(i) + 1, round(dt[i] / ts) - 1) for i in idx]
    return [
        {"start_s": round(float(t[k - 1]), 3), "end_s": round(float(t[k]), 3),
         "missing_samples": lost}
        for k, lost in clock_gaps
    ]


def analyze(
    t: np.ndarray, acc: np.ndarray, gyr: np.ndarray, profile: Profile,
    params: PipelineParams | None = None, clock_gaps: Sequence[tuple[int, int]] | None = None,
) -> Analysis:
    """Holds and per-sample outputs for one recording (t s, acc g, gyr deg/s, sensor axes);
    ``clock_gaps``: a recording's gaps as its sample clock found them (``InputMeta.gap_list``)."""
    t = np.asarray(t, dtype=float)
    n = int(t.size)
    if n < 2:
        raise ValueError("need at least two samples to analyse")
    out = run(profile, t, acc, gyr, params)
    holds = [e.as_hold() for e in out.events if e.kind == "hold_end"]
    ts = estimate_ts(t)
    gaps = _gaps(t, ts, clock_gaps)
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
    return Analysis(result, replace(out, stage=settled_stage(out)), out.stage)
