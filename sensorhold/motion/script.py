"""Exercise scripts: what the person does, as a sequence of holds and the moves between them.

A script is posture-level and person-free: the angles come from a `Person` when it is compiled
into a trajectory (`trajectory.py`). Times are seconds from the start of the script.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

Posture = Literal["standing", "sitting", "side", "quadruped", "prone", "forearms", "hands"]

#: Exercise stage of each posture (0 = not an exercise posture).
STAGE_OF_POSTURE: dict[Posture, int] = {
    "standing": 0,
    "sitting": 0,  # on the floor, trunk upright
    "side": 0,  # lying on one side
    "quadruped": 0,
    "prone": 1,
    "forearms": 2,
    "hands": 3,
}


@dataclass(frozen=True, slots=True)
class Wobble:
    """A few seconds of sway inside a hold: unstable time, but still part of the hold."""

    start_s: float
    duration_s: float
    amplitude_deg: float = 2.5


@dataclass(frozen=True, slots=True)
class Lean:
    """A side lean inside a hold: roll about the trunk's long axis, eased in and out."""

    start_s: float
    duration_s: float
    roll_deg: float


@dataclass(frozen=True, slots=True)
class Hold:
    """Staying in one posture; ``sag_deg`` is the slow drift of the extension angle over it.

    ``walking`` (standing only) adds a gait-like bounce: moving about during a break.
    """

    posture: Posture
    duration_s: float
    wobbles: tuple[Wobble, ...] = ()
    leans: tuple[Lean, ...] = ()
    sag_deg: float = 0.0
    walking: bool = False

    @property
    def stage(self) -> int:
        return STAGE_OF_POSTURE[self.posture]

    @property
    def unstable_s(self) -> float:
        """Seconds of wobble inside the hold (overlaps counted once)."""
        spans = sorted(
            (max(0.0, w.start_s), min(self.duration_s, w.start_s + w.duration_s))
            for w in self.wobbles
        )
        total, reach = 0.0, 0.0
        for a, b in spans:
            a = max(a, reach)
            if b > a:
                total += b - a
                reach = b
        return total


@dataclass(frozen=True, slots=True)
class Move:
    """A smooth (minimum-jerk) transition from the previous hold's posture to the next one's."""

    duration_s: float


Segment = Hold | Move


@dataclass(frozen=True, slots=True)
class Script:
    """Holds with a `Move` between any two of them; starts and ends with a `Hold`."""

    name: str
    segments: tuple[Segment, ...]

    def __post_init__(self) -> None:
        segs = self.segments
        if not segs or not isinstance(segs[0], Hold) or not isinstance(segs[-1], Hold):
            raise ValueError(f"script {self.name!r} must start and end with a Hold")
        for a, b in pairwise(segs):
            if isinstance(a, Move) == isinstance(b, Move):
                raise ValueError(f"script {self.name!r}: holds and moves must alternate")
        if any(s.duration_s <= 0 for s in segs):
            raise ValueError(f"script {self.name!r}: durations must be positive")

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.segments)


def get_down(kneel_s: float = 3.0, pause_s: float = 1.0, lie_s: float = 2.5) -> tuple[Segment, ...]:
    """Standing -> hands and knees -> (the caller's next Hold, normally prone)."""
    return (Move(kneel_s), Hold("quadruped", pause_s), Move(lie_s))


def get_down_via_side(
    sit_s: float = 3.0, pause_s: float = 1.0, side_s: float = 2.0, roll_s: float = 2.0
) -> tuple[Segment, ...]:
    """Standing -> sitting on the floor -> lying on one side -> rolling onto the front."""
    sit, side = Hold("sitting", pause_s), Hold("side", pause_s)
    return (Move(sit_s), sit, Move(side_s), side, Move(roll_s))


def stand_up(push_s: float = 2.5, pause_s: float = 1.0, rise_s: float = 3.0) -> tuple[Segment, ...]:
    """Lying -> hands and knees -> (the caller's next Hold, normally standing)."""
    return (Move(push_s), Hold("quadruped", pause_s), Move(rise_s))
