"""What a running session shows: the latest status, a short history and discrete events.

The stream side (live BLE or replay) writes here on every chunk; the UI and the headless printer
read it at their own cadence. Nothing here does I/O.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

LinkState = Literal["connecting", "streaming", "lost", "reconnecting", "stopped", "replay"]


@dataclass(slots=True)
class Status:
    """The latest values, as the status line and the live screen show them."""

    t: float = 0.0
    start_s: float = 0.0
    """Session time when the data began (the first packet or sample)."""
    angle_deg: float | None = None
    stage: int = 0
    hold_s: float = 0.0
    stable: bool = False
    connected: bool = False
    link: LinkState = "connecting"
    sensor: str = ""
    battery_pct: int | None = None
    packets: int = 0
    malformed: int = 0
    gaps: int = 0
    lost_samples: int = 0
    reconnects: int = 0
    recording: str | None = None

    @property
    def duration_s(self) -> float:
        """Seconds of data, from the first packet or sample to now (live) or the last (a replay),
        as ``analyze`` counts them: scanning and connecting are not in it; 0 without data."""
        return max(0.0, self.t - self.start_s) if self.packets else 0.0


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """A discrete happening: connected, disconnected, reconnected, stage, hold_start, hold_end,
    alert, symptom, marker. ``t`` is seconds since the session started."""

    t: float
    event: str
    data: dict[str, Any] = field(default_factory=dict)


class History:
    """A fixed-size ring of (t, angle, stage) for the live plot."""

    def __init__(self, capacity: int = 24_000) -> None:
        self._t = np.full(capacity, np.nan)
        self._angle = np.full(capacity, np.nan)
        self._stage = np.zeros(capacity, dtype=np.int8)
        self._n = 0

    @property
    def capacity(self) -> int:
        return int(self._t.size)

    def extend(self, t: np.ndarray, angle: np.ndarray, stage: np.ndarray) -> None:
        cap = self._t.size
        t, angle, stage = t[-cap:], angle[-cap:], stage[-cap:]
        idx = (self._n + np.arange(t.size)) % cap
        self._t[idx], self._angle[idx], self._stage[idx] = t, angle, stage
        self._n += t.size

    def last(self, seconds: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The samples of the last ``seconds``, oldest first."""
        cap = self._t.size
        n = min(self._n, cap)
        order = (self._n - n + np.arange(n)) % cap
        t, angle, stage = self._t[order], self._angle[order], self._stage[order]
        if n:
            keep = t >= t[-1] - seconds
            t, angle, stage = t[keep], angle[keep], stage[keep]
        return t, angle, stage


@dataclass
class SessionState:
    """Shared by the stream (writer) and the UI or headless printer (readers)."""

    status: Status = field(default_factory=Status)
    history: History = field(default_factory=History)
    events: deque[SessionEvent] = field(default_factory=lambda: deque(maxlen=1000))
    stage_angles: dict[int, float] = field(default_factory=dict)
    stage3_allowed: bool = False
    holds: list[dict[str, Any]] = field(default_factory=list)
    listeners: list[Callable[[SessionEvent], None]] = field(default_factory=list)
    """Called with every event as it happens (the recorder, the headless printer)."""
    pending: Callable[[], None] | None = None
    """Processes samples the stream holds back for a fuller chunk (set by the processor)."""

    def catch_up(self) -> None:
        """Before a reader looks: bring the state up to the last sample received."""
        if self.pending is not None:
            self.pending()

    def reset(self) -> None:
        """Back to an empty session (a replay seeking back), keeping listeners and labels."""
        status = Status(sensor=self.status.sensor, recording=self.status.recording)
        self.status, self.history = status, History(self.history.capacity)
        self.events.clear()
        self.holds.clear()

    def emit(self, event: str, **data: Any) -> SessionEvent:
        ev = SessionEvent(self.status.t, event, data)
        self.events.append(ev)
        for listener in self.listeners:
            listener(ev)
        return ev
