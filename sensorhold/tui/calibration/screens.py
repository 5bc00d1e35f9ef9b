"""The calibration screen (steps, instruction, hold progress, feedback, result) and the dialog
that asks before replacing an unusable profile file."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, ProgressBar, Static

from sensorhold import texts
from sensorhold.calibration.profile import Profile
from sensorhold.calibration_flow import FlowView
from sensorhold.session.state import Status


def feedback(view: FlowView) -> tuple[str, str]:
    """The feedback line for ``view`` and its style class."""
    if view.stage is None:
        return texts.CAL_FITTING, "-holding"
    if view.phase == "same":
        return texts.CAL_SAME.format(instruction=texts.CAL_SAME_NEXT[view.stage]), "-warn"
    if view.phase == "holding":
        return texts.CAL_HOLDING.format(left=max(0.0, view.hold_s - view.held_s)), "-holding"
    if view.moved:
        return texts.CAL_MOVED, "-warn"
    return texts.CAL_WAITING, ""


class CalibrateScreen(Screen[None]):
    """Shows one pulled frame of the flow; holds no calibration logic itself."""

    def __init__(self, stages: tuple[int, ...], hold_s: float) -> None:
        super().__init__()
        self._stages = stages
        self._hold_s = hold_s

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(texts.NOTICE, id="notice")
        with Vertical(id="cal-panel"):
            yield Static(texts.CAL_TITLE.format(hold=self._hold_s), id="cal-title")
            for k in self._stages:
                yield Static(
                    f"   {k}  {texts.CAL_STEP_NAMES[k]}", id=f"cal-step-{k}", classes="cal-step"
                )
            yield Static("", id="cal-instruction")
            yield ProgressBar(total=self._hold_s, show_eta=False, id="cal-progress")
            yield Static("", id="cal-feedback")
            yield Static("", id="cal-change")
            yield Static("", id="cal-result")
        yield Static("", id="cal-link")
        yield Footer()

    def show(self, view: FlowView, status: Status) -> None:
        for k in self._stages:
            step = self.query_one(f"#cal-step-{k}", Static)
            done, now = k in view.accepted, k == view.stage
            mark = texts.CAL_STEP_DONE if done else texts.CAL_STEP_NOW if now else " "
            step.update(f" {mark} {k}  {texts.CAL_STEP_NAMES[k]}")
            step.set_class(done, "-done")
            step.set_class(now, "-current")
        instruction = "" if view.stage is None else texts.CAL_INSTRUCTIONS[view.stage]
        self.query_one("#cal-instruction", Static).update(instruction)
        self.query_one(ProgressBar).update(
            progress=view.hold_s if view.stage is None else min(view.held_s, view.hold_s)
        )
        line, cls = feedback(view)
        fb = self.query_one("#cal-feedback", Static)
        fb.update(line)
        fb.set_class(cls == "-warn", "-warn")
        fb.set_class(cls == "-holding", "-holding")
        change = "" if view.change_deg is None else texts.CAL_CHANGE.format(deg=view.change_deg)
        self.query_one("#cal-change", Static).update(change)
        self.query_one("#cal-link", Static).update(
            texts.CAL_LINK.format(link=status.link, packets=status.packets)
        )

    def show_outcome(self, text: str, *, ok: bool) -> None:
        """The fitted angles and where they went, or why the fit failed."""
        result = self.query_one("#cal-result", Static)
        result.update(text)
        result.set_class(ok, "-ok")
        result.set_class(not ok, "-failed")


def angles_line(profile: Profile) -> str:
    return texts.CAL_RESULT.format(
        angles=", ".join(
            f"stage {k} {texts.STAGE_NAMES[k]} {a:.1f}°"
            for k, a in sorted(profile.stage_angles.items())
        )
    )


class ReplaceProfileScreen(ModalScreen[bool]):
    """Dismisses with True to replace the unusable file, False to keep it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "dismiss(True)", "replace"),
        Binding("n", "dismiss(False)", "keep"),
        Binding("escape", "dismiss(False)", "keep"),
    ]

    def __init__(self, problem: str) -> None:
        super().__init__()
        self._problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="cal-confirm"):
            yield Static(texts.CAL_CONFIRM.format(problem=self._problem), id="cal-confirm-text")
            yield Static(texts.CAL_CONFIRM_KEYS, id="cal-confirm-keys")
