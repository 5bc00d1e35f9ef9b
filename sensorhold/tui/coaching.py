"""Coaching decisions for the prone extension progression: what to do next, when to alert and
when to ask about symptoms. Pure (no Textual), so the rules are unit-tested on their own.

The coach reads the session's status at the UI's cadence plus the events that arrived since the
last tick, and answers with one line of advice, gentle alerts and symptom check-ins that are due.
Events it reads: ``disconnected``/``reconnected`` (data unused), ``hold_end`` (``stage``,
``duration_s``), ``stage`` (``stage``) and ``alert`` (``message``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sensorhold import texts
from sensorhold.session.state import SessionEvent, Status

Severity = Literal["information", "warning", "error"]
Answer = Literal["better", "same", "worse"]
PAUSED_LINKS = frozenset({"lost", "reconnecting"})


@dataclass(frozen=True, slots=True)
class HoldTargets:
    """Hold targets per stage, in seconds: the one place they live.

    Stage 1 may continue up to ``stage1_max_s`` while symptoms keep easing."""

    stage1_s: float = 60.0
    stage1_max_s: float = 180.0
    stage2_s: float = 60.0
    stage3_s: float = 60.0

    def target(self, stage: int) -> float:
        return {1: self.stage1_s, 2: self.stage2_s, 3: self.stage3_s}.get(stage, 0.0)

    def ceiling(self, stage: int) -> float:
        """The longest hold the protocol suggests for this stage."""
        return self.stage1_max_s if stage == 1 else self.target(stage)


@dataclass(frozen=True, slots=True)
class CoachParams:
    """Thresholds for alerts and check-ins."""

    checkin_min_hold_s: float = 10.0
    checkin_gap_s: float = 30.0
    wobble_alert_gap_s: float = 10.0
    worse_legs_to_stop: int = 2


@dataclass(frozen=True, slots=True)
class Alert:
    """A gentle alert: a notification and a bell."""

    kind: str
    message: str
    severity: Severity = "warning"


@dataclass(frozen=True, slots=True)
class Checkin:
    """A symptom check-in that is due: at a hold's end or on moving to another stage."""

    reason: Literal["hold_end", "stage"]
    stage: int
    t: float


@dataclass(frozen=True, slots=True)
class Advice:
    """What the coach says after one tick."""

    phase: str
    line: str
    alerts: tuple[Alert, ...] = ()
    checkins: tuple[Checkin, ...] = ()


def clock(seconds: float) -> str:
    """Seconds as m:ss."""
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


@dataclass
class Coach:
    """Follows one session, tick by tick."""

    targets: HoldTargets = field(default_factory=HoldTargets)
    params: CoachParams = field(default_factory=CoachParams)
    _stable: bool = False
    _completed_stage: int = 0
    _held_any: bool = False
    _last_exercise_stage: int = 0
    _last_checkin_t: float = float("-inf")
    _last_wobble_t: float = float("-inf")
    _worse_legs: int = 0
    _advice_stage: int = 0

    def observe(self, status: Status, events: Sequence[SessionEvent] = ()) -> Advice:
        alerts: list[Alert] = []
        checkins: list[Checkin] = []
        for ev in events:
            self._on_event(ev, alerts, checkins)
        paused = status.link in PAUSED_LINKS
        holding = status.stage >= 1 and status.hold_s > 0 and not paused
        if holding:
            self._held_any = True
            wobble_gap = status.t - self._last_wobble_t
            if self._stable and not status.stable and wobble_gap >= self.params.wobble_alert_gap_s:
                alerts.append(Alert("unstable", texts.COACH_WOBBLE))
                self._last_wobble_t = status.t
            target = self.targets.target(status.stage)
            if status.hold_s >= target and self._completed_stage != status.stage:
                self._completed_stage = status.stage
                alerts.append(
                    Alert(
                        "complete",
                        texts.COACH_ALERT_COMPLETE.format(stage=status.stage, time=clock(target)),
                        "information",
                    )
                )
        elif status.stage == 0:
            self._completed_stage = 0
        self._stable = status.stable and holding
        phase, line = self._line(status, paused)
        return Advice(phase, line, tuple(alerts), tuple(checkins))

    def answer(self, stage: int, leg: Answer, back: Answer) -> list[Alert]:
        """Record one check-in's answers and return the advice it calls for."""
        self._worse_legs = self._worse_legs + 1 if leg == "worse" else 0
        self._advice_stage = stage
        if self._worse_legs >= self.params.worse_legs_to_stop:
            return [Alert("stop", texts.COACH_STOP, "error")]
        if self._worse_legs:
            return [Alert("come_down", self._come_down_text(stage))]
        return []

    def _on_event(self, ev: SessionEvent, alerts: list[Alert], checkins: list[Checkin]) -> None:
        if ev.event == "disconnected":
            alerts.append(Alert("lost", texts.COACH_ALERT_LOST, "error"))
        elif ev.event == "reconnected":
            alerts.append(Alert("back", texts.COACH_ALERT_BACK, "information"))
        elif ev.event == "alert" and ev.data.get("message"):
            alerts.append(Alert("stream", str(ev.data["message"])))
        elif ev.event == "hold_end":
            self._held_any = True
            stage = int(ev.data.get("stage", 0))
            duration = float(ev.data.get("duration_s", 0.0))
            target = self.targets.target(stage)
            if stage >= 1 and duration < target:
                alerts.append(
                    Alert(
                        "dropped",
                        texts.COACH_ALERT_DROPPED.format(
                            stage=stage, time=clock(duration), target=clock(target)
                        ),
                    )
                )
            if stage >= 1 and duration >= self.params.checkin_min_hold_s:
                self._ask(Checkin("hold_end", stage, ev.t), checkins)
        elif ev.event == "stage":
            stage = int(ev.data.get("stage", 0))
            if stage < 1:
                return
            moved = self._last_exercise_stage not in (0, stage)
            self._last_exercise_stage = stage
            if moved and ev.t - self._last_checkin_t >= self.params.checkin_gap_s:
                self._ask(Checkin("stage", stage, ev.t), checkins)

    def _ask(self, checkin: Checkin, checkins: list[Checkin]) -> None:
        self._last_checkin_t = checkin.t
        checkins.append(checkin)

    def _come_down_text(self, stage: int) -> str:
        if stage <= 1:
            return texts.COACH_WORSE_REST
        return texts.COACH_WORSE_DOWN.format(stage=stage, lower=stage - 1)

    def _line(self, status: Status, paused: bool) -> tuple[str, str]:
        if paused:
            return "paused", texts.COACH_PAUSED.format(time=clock(status.hold_s))
        if status.link == "connecting":
            return "connecting", texts.COACH_CONNECTING
        if status.link == "stopped":
            return "ended", texts.COACH_ENDED
        if self._worse_legs >= self.params.worse_legs_to_stop:
            return "stop", texts.COACH_STOP
        if self._worse_legs:
            return "come_down", self._come_down_text(self._advice_stage)
        stage = status.stage
        if stage < 1:
            return "rest", texts.COACH_BETWEEN if self._held_any else texts.COACH_START
        name = texts.STAGE_NAMES.get(stage, str(stage))
        if status.hold_s <= 0 or not status.stable:
            return "settle", texts.COACH_SETTLE.format(stage=stage, name=name)
        target, ceiling = self.targets.target(stage), self.targets.ceiling(stage)
        if status.hold_s < target:
            return "hold", texts.COACH_HOLD.format(stage=stage, left=clock(target - status.hold_s))
        if status.hold_s < ceiling:
            return "complete", texts.COACH_COMPLETE_CONTINUE.format(ceiling=clock(ceiling))
        return "done", texts.COACH_COMPLETE_DOWN
