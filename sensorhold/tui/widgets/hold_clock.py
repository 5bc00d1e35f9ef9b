"""The big hold clock (m:ss) with the stage's target, paused while the sensor is lost."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from sensorhold import texts
from sensorhold.tui.coaching import HoldTargets, clock


class HoldClock(Vertical):
    """Hold time in large digits, the target under it and a paused flag."""

    def __init__(self, targets: HoldTargets, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._targets = targets

    def compose(self) -> ComposeResult:
        yield Static(texts.LIVE_HOLD_TITLE, classes="panel-title")
        yield Digits("0:00", id="hold-digits")
        yield Static("", id="hold-target")

    def show(self, hold_s: float, stage: int, *, paused: bool) -> None:
        digits, text = self.query_one("#hold-digits", Digits), clock(hold_s)
        if digits.value != text:  # an update repaints (and may relayout) even if unchanged
            digits.update(text)
        target, ceiling = self._targets.target(stage), self._targets.ceiling(stage)
        if paused:
            caption = texts.LIVE_HOLD_PAUSED
        elif stage < 1:
            caption = texts.LIVE_HOLD_NONE
        elif ceiling > target:
            caption = texts.LIVE_HOLD_TARGET_EXT.format(
                target=clock(target), ceiling=clock(ceiling)
            )
        else:
            caption = texts.LIVE_HOLD_TARGET.format(target=clock(target))
        target_line = self.query_one("#hold-target", Static)
        if target_line.content != caption:
            target_line.update(caption)
        self.set_class(paused, "-paused")
        self.set_class(stage >= 1 and hold_s >= target and not paused, "-complete")
