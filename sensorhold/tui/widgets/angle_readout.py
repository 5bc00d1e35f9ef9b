"""The current extension angle, big, and whether the body is steady or wobbling."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from sensorhold import texts


class AngleReadout(Vertical):
    """Angle in degrees ("—" when unknown) and a steady/wobbling indicator."""

    def compose(self) -> ComposeResult:
        yield Static(texts.LIVE_ANGLE_TITLE, classes="panel-title")
        yield Digits("—", id="angle-digits")
        yield Static("", id="stability")

    def show(self, angle_deg: float | None, *, in_stage: bool, stable: bool) -> None:
        text = "—" if angle_deg is None else f"{angle_deg:+.0f}°"
        digits = self.query_one("#angle-digits", Digits)
        if digits.value != text:  # an update repaints (and may relayout) even if unchanged
            digits.update(text)
        if not in_stage or angle_deg is None:
            label = ""
        else:
            label = texts.LIVE_STEADY if stable else texts.LIVE_WOBBLING
        stability = self.query_one("#stability", Static)
        if stability.content != label:
            stability.update(label)
        stability.set_class(in_stage and stable, "-steady")
        stability.set_class(in_stage and not stable, "-wobbling")
