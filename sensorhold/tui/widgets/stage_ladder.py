"""The stage ladder: 3 at the top, 1 at the bottom, the current stage lit, 3 locked unless
prescribed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from sensorhold import texts


class StageLadder(Vertical):
    """One rung per stage."""

    def compose(self) -> ComposeResult:
        yield Static(texts.LIVE_STAGE_TITLE, classes="panel-title")
        for stage in (3, 2, 1):
            yield Static("", id=f"rung-{stage}", classes="rung")

    def show(self, stage: int, *, stage3_allowed: bool) -> None:
        for k in (3, 2, 1):
            rung = self.query_one(f"#rung-{k}", Static)
            locked = k == 3 and not stage3_allowed
            name = texts.STAGE_NAMES[k]
            text = f" {k}  {name}" + (f"  {texts.LIVE_LOCKED}" if locked else "")
            if rung.content != text:  # an update relayouts the screen even if unchanged
                rung.update(text)
            rung.set_class(k == stage, "-current")
            rung.set_class(locked, "-locked")
