"""Pause, speed and seek for a paced replay: the UI asks, the replay stream obeys. Pure (no I/O).

Positions are seconds from the replay's first packet. The playhead moves at ``speed`` from an
anchor (a wall time and a position), set afresh whenever the pace changes, so changing speed,
pausing or resuming never makes it jump.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
SEEK_STEP_S = 10.0


@dataclass
class ReplayControl:
    """What the user asked of the replay, and how far the stream has got."""

    speed: float = 1.0
    paused: bool = False
    clock: Callable[[], float] = time.monotonic
    duration_s: float = 0.0
    end_s: float | None = None
    """Where to stop (``--duration``), if before the end."""
    position_s: float = 0.0
    """The position of the last packet the stream fed."""
    seeking_to: float | None = None
    """The target of the seek under way (the stream is fast-forwarding), else None."""
    seeks: int = 0
    """Seeks completed: the state now is what live would have had at the target."""
    rewinds: int = 0
    """Restarts from the beginning (seeks back): the session state was made afresh."""
    _asked: float | None = field(default=None, repr=False)
    _anchor_wall: float = field(default=0.0, repr=False)
    _anchor_pos: float = field(default=0.0, repr=False)

    def start(self, duration_s: float) -> None:
        """The stream begins at position 0 of ``duration_s`` (cut at ``end_s``)."""
        self.duration_s = duration_s if self.end_s is None else min(duration_s, self.end_s)
        self._anchor(0.0)

    @property
    def busy(self) -> bool:
        """A seek is asked for or under way."""
        return self._asked is not None or self.seeking_to is not None

    def playhead(self) -> float:
        """Where the replay is now, on its own clock; while seeking, how far the seek has got."""
        if self.seeking_to is not None:
            return self.position_s
        if self.paused:
            return self._anchor_pos
        moved = (self.clock() - self._anchor_wall) * self.speed
        return min(self.duration_s, self._anchor_pos + moved)

    def toggle_pause(self) -> None:
        self._anchor(self.playhead())
        self.paused = not self.paused

    def faster(self) -> None:
        self._set_speed(min((s for s in SPEEDS if s > self.speed), default=self.speed))

    def slower(self) -> None:
        self._set_speed(max((s for s in SPEEDS if s < self.speed), default=self.speed))

    def seek(self, delta_s: float) -> None:
        """Ask to move by ``delta_s`` from the latest target asked for, else from the playhead."""
        base = next(
            (p for p in (self._asked, self.seeking_to) if p is not None), self.playhead()
        )
        self._asked = min(self.duration_s, max(0.0, base + delta_s))

    def take_seek(self) -> float | None:
        """For the stream: the target asked for since the last call, now under way."""
        target, self._asked = self._asked, None
        if target is not None:
            self.seeking_to = target
        return target

    def rewound(self) -> None:
        """For the stream: the session restarted from the beginning."""
        self.rewinds += 1
        self.position_s = 0.0

    def arrived(self) -> None:
        """For the stream: every packet up to the seek target is processed; play on from it."""
        assert self.seeking_to is not None
        self._anchor(self.seeking_to)
        self.seeking_to = None
        self.seeks += 1

    def due_in(self, position_s: float) -> float | None:
        """Seconds until the packet at ``position_s`` is due (<= 0: now), None while paused."""
        if self.paused:
            return None
        return self._anchor_wall + (position_s - self._anchor_pos) / self.speed - self.clock()

    def _set_speed(self, speed: float) -> None:
        self._anchor(self.playhead())
        self.speed = speed

    def _anchor(self, position_s: float) -> None:
        self._anchor_wall, self._anchor_pos = self.clock(), position_s
