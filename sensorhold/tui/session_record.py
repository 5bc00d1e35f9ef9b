"""What the app keeps about a session while it runs: new events since the last tick, a thinned
angle trace of the whole session, and the summary it returns. Pure (numpy only)."""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

from sensorhold.session.state import SessionEvent, Status

AT_TOLERANCE_S = 1.0


class EventCursor:
    """Reads the events appended to a bounded deque since the previous read."""

    def __init__(self) -> None:
        self._last: SessionEvent | None = None

    def take(self, events: deque[SessionEvent]) -> list[SessionEvent]:
        new: list[SessionEvent] = []
        for ev in reversed(events):
            if ev is self._last:
                break
            new.append(ev)
        if events:
            self._last = events[-1]
        return new[::-1]


class SessionTrace:
    """The whole session's angle, one mean point per ``step_s`` (the live ring keeps ~2 min)."""

    def __init__(self, step_s: float = 0.5) -> None:
        self._step = step_s
        self._t: list[float] = []
        self._angle: list[float] = []
        self._seen_t = -np.inf

    def add(self, t: np.ndarray, angle: np.ndarray) -> None:
        """Add samples; those at or before the latest seen time are skipped."""
        new = t > self._seen_t
        t, angle = t[new], angle[new]
        if not t.size:
            return
        self._seen_t = float(t[-1])
        bins = np.floor(t / self._step)
        edges = np.flatnonzero(np.diff(bins)) + 1
        for tb, ab in zip(np.split(t, edges), np.split(angle, edges), strict=True):
            finite = ab[np.isfinite(ab)]
            self._t.append(float(tb.mean()))
            self._angle.append(float(finite.mean()) if finite.size else np.nan)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self._t, dtype=float), np.asarray(self._angle, dtype=float)


def build_summary(
    status: Status, holds: Sequence[dict[str, Any]], events: Sequence[SessionEvent]
) -> dict[str, Any]:
    """The session summary the app returns: holds with stability and symptoms, best holds."""
    symptoms = [dict(ev.data, t=ev.t) for ev in events if ev.event == "symptom"]
    ends = [float(hold.get("end_s", 0.0)) for hold in holds]
    answers: dict[int, dict[str, Any]] = {}
    for s in symptoms:  # an answer at a hold's end (its own, and the later one) comes first
        if s.get("reason") == "hold_end":
            i = bisect_right(ends, float(s.get("at_s", s["t"])) + AT_TOLERANCE_S) - 1
            if i >= 0:
                answers.setdefault(i, s)
    for s in symptoms:  # else one asked on arriving in the hold's stage, during that hold
        if s.get("reason") == "stage":
            at = float(s.get("at_s", s["t"]))
            for i, hold in enumerate(holds):
                start = float(hold.get("start_s", ends[i]))
                inside = start - AT_TOLERANCE_S <= at <= ends[i]
                if inside and int(hold.get("stage", 0)) == s.get("stage", hold.get("stage")):
                    answers.setdefault(i, s)
                    break
    rows: list[dict[str, Any]] = []
    for i, hold in enumerate(holds):
        end = ends[i]
        answer = answers.get(i, {})
        duration = float(hold.get("duration_s", 0.0))
        unstable = float(hold.get("unstable_s", 0.0))
        stability = 100.0 * (1.0 - unstable / duration) if duration > 0 else 0.0
        rows.append(
            {
                "stage": int(hold.get("stage", 0)),
                "start_s": float(hold.get("start_s", end - duration)),
                "end_s": end,
                "duration_s": duration,
                "stability_pct": round(max(0.0, stability), 1),
                "leg": answer.get("leg"),
                "back": answer.get("back"),
            }
        )
    best: dict[str, float] = {}
    for row in rows:
        key = str(row["stage"])
        best[key] = max(best.get(key, 0.0), row["duration_s"])
    return {
        "duration_s": status.duration_s,
        "holds": rows,
        "best_hold_s": best,
        "symptoms": symptoms,
        "packets": status.packets,
        "malformed": status.malformed,
        "gaps": status.gaps,
        "lost_samples": status.lost_samples,
        "recording": status.recording,
    }
