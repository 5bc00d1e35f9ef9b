"""``--headless``: JSON lines on stdout (CLI.md): status at least once a second, events as they
happen, a summary at the end."""

from __future__ import annotations

import json
import math
import sys
from typing import Any, TextIO

from sensorhold.session.state import SessionEvent, SessionState

STATUS_EVENTS = (
    "connected", "disconnected", "reconnected", "stage", "hold_start", "hold_end", "alert",
    "malformed", "symptom", "gap",
)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class JsonLines:
    """Writes the headless stream; install with ``state.listeners.append(printer.event)``."""

    def __init__(self, state: SessionState, out: TextIO | None = None) -> None:
        self.state, self.out = state, out or sys.stdout  # stdout as it is now, not at import

    def _write(self, record: dict[str, Any]) -> None:
        self.out.write(json.dumps(_clean(record), separators=(",", ":")) + "\n")
        self.out.flush()

    def event(self, ev: SessionEvent) -> None:
        if ev.event in STATUS_EVENTS:
            self._write({"type": "event", "t": ev.t, "event": ev.event, **ev.data})

    def status(self) -> None:
        self.state.catch_up()
        s = self.state.status
        self._write({
            "type": "status", "t": s.t, "angle_deg": s.angle_deg, "stage": s.stage,
            "hold_s": s.hold_s, "stable": s.stable, "connected": s.connected, "link": s.link,
            "battery_pct": s.battery_pct, "packets": s.packets, "malformed": s.malformed,
            "gaps": s.gaps, "lost_samples": s.lost_samples, "reconnects": s.reconnects,
        })

    def summary(self, extra: dict[str, Any]) -> None:
        s = self.state.status
        self._write({
            "type": "summary", "holds": self.state.holds, "duration_s": s.duration_s,
            "packets": s.packets, "malformed": s.malformed, "gaps": s.gaps,
            "lost_samples": s.lost_samples, "reconnects": s.reconnects,
            "recording": s.recording, **extra,
        })
