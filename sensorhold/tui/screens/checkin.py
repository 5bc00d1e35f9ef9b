"""The symptom check-in: leg symptoms, then back symptoms, one key each."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from sensorhold import texts
from sensorhold.tui.coaching import Answer, Checkin

ANSWERS: dict[str, Answer] = {"1": "better", "2": "same", "3": "worse"}


class CheckinScreen(ModalScreen[tuple[Answer, Answer] | None]):
    """Dismisses with (leg, back), or None when skipped."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "answer('1')", "better"),
        Binding("2", "answer('2')", "same"),
        Binding("3", "answer('3')", "worse"),
        Binding("escape", "skip", "skip"),
        # Quitting works here too (a modal screen hides the app's own q): the check-in is skipped.
        Binding("q", "app.end_session", "quit", show=False),
    ]

    def __init__(self, checkin: Checkin) -> None:
        super().__init__()
        self.checkin = checkin
        self._leg: Answer | None = None

    def _title(self) -> str:
        reason = (
            texts.CHECKIN_AFTER_HOLD
            if self.checkin.reason == "hold_end"
            else texts.CHECKIN_NEW_STAGE
        )
        return reason.format(stage=self.checkin.stage)

    def compose(self) -> ComposeResult:
        with Vertical(id="checkin"):
            yield Static(self._title(), id="checkin-title")
            yield Static(texts.CHECKIN_LEG, id="checkin-leg", classes="-asking")
            yield Static(texts.CHECKIN_BACK, id="checkin-back")
            yield Static(texts.CHECKIN_KEYS, id="checkin-keys")

    def follow_stage(self, stage: int, t: float) -> None:
        """A check-in on arriving in a stage follows the person on to the next one while it is
        open (reaching it at ``t``): the answers are about how they feel there."""
        if self.checkin.reason != "stage" or stage < 1 or stage == self.checkin.stage:
            return
        self.checkin = replace(self.checkin, stage=stage, t=t)
        self.query_one("#checkin-title", Static).update(self._title())

    def action_answer(self, key: str) -> None:
        answer = ANSWERS[key]
        if self._leg is None:
            self._leg = answer
            leg = self.query_one("#checkin-leg", Static)
            leg.update(f"{texts.CHECKIN_LEG}  {answer}")
            leg.remove_class("-asking")
            self.query_one("#checkin-back", Static).add_class("-asking")
        else:
            self.dismiss((self._leg, answer))

    def action_skip(self) -> None:
        self.dismiss(None)
