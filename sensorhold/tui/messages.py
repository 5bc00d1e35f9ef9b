"""App-level messages: what the pull loop found that the user must be told or asked."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from sensorhold.tui.coaching import Alert, Checkin


@dataclass
class CoachAlerted(Message):
    """A gentle alert to show and ring."""

    alert: Alert


@dataclass
class CheckinDue(Message):
    """Time to ask about leg and back symptoms."""

    checkin: Checkin


@dataclass
class StreamEnded(Message):
    """The live or replay stream returned (or failed with ``error``)."""

    error: str | None = None
