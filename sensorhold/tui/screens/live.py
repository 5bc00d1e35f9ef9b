"""The live screen: hold clock, angle, stage ladder, coaching line, 90 s plot, status bar; in a
replay, a replay bar and its keys too."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from sensorhold import texts
from sensorhold.runner.replay_control import SEEK_STEP_S, ReplayControl
from sensorhold.session.state import SessionState
from sensorhold.tui.coaching import PAUSED_LINKS, Advice, HoldTargets
from sensorhold.tui.widgets.angle_plot import AnglePlot, PlotData
from sensorhold.tui.widgets.angle_readout import AngleReadout
from sensorhold.tui.widgets.hold_clock import HoldClock
from sensorhold.tui.widgets.link_status import LinkStatus
from sensorhold.tui.widgets.replay_bar import ReplayBar
from sensorhold.tui.widgets.stage_ladder import StageLadder

PLOT_WINDOW_S = 90.0
PLOT_REDRAW_S = 0.25
"""The plot moves at most this often (90 s across ~100 columns: under a column a second); the
numbers above it follow every frame."""


def stage_bands(state: SessionState) -> dict[int, float]:
    """The stage angles to draw: stage 3 only when it is prescribed."""
    return {k: a for k, a in state.stage_angles.items() if k < 3 or state.stage3_allowed}


class LiveScreen(Screen[None]):
    """Shows one pulled frame of the session; holds no session logic itself."""

    def __init__(self, targets: HoldTargets) -> None:
        super().__init__()
        self._targets = targets
        self._plotted: tuple[float, int] = (-np.inf, -1)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(texts.NOTICE, id="notice")
        with Horizontal(id="top"):
            yield HoldClock(self._targets, id="hold-clock")
            yield AngleReadout(id="angle-readout")
            yield StageLadder(id="stage-ladder")
        yield Static("", id="coach")
        yield AnglePlot(id="live-plot")
        yield LinkStatus(id="link-status")
        yield Footer()

    def show(self, state: SessionState, advice: Advice, t: np.ndarray, angle: np.ndarray) -> None:
        s = state.status
        paused = s.link in PAUSED_LINKS
        self.query_one(HoldClock).show(s.hold_s, s.stage, paused=paused)
        self.query_one(AngleReadout).show(
            None if paused else s.angle_deg, in_stage=s.stage >= 1, stable=s.stable
        )
        self.query_one(StageLadder).show(s.stage, stage3_allowed=state.stage3_allowed)
        coach = self.query_one("#coach", Static)
        if coach.content != advice.line:  # sized by the stylesheet: no relayout needed
            coach.update(advice.line, layout=False)
        for phase in ("paused", "complete", "done", "come_down", "stop"):
            coach.set_class(advice.phase == phase, f"-{phase}")
        end = max(s.t, float(t[-1]) if t.size else 0.0)
        if self._plot_due(end, s.stage):
            self.query_one(AnglePlot).show(
                PlotData(
                    t=t,
                    angle=angle,
                    t_range=(end - PLOT_WINDOW_S, end),
                    stage_angles=stage_bands(state),
                    current_stage=s.stage,
                    x_labels=(
                        texts.LIVE_PLOT_START.format(seconds=PLOT_WINDOW_S), texts.LIVE_PLOT_END
                    ),
                )
            )
        self.query_one(LinkStatus).show(s)

    def _plot_due(self, end: float, stage: int) -> bool:
        """Whether the plot should move: a new stage, or ``PLOT_REDRAW_S`` of session since."""
        last_end, last_stage = self._plotted
        if 0.0 <= end - last_end < PLOT_REDRAW_S and stage == last_stage:
            return False
        self._plotted = (end, stage)
        return True


class ReplayScreen(LiveScreen):
    """The live screen of a replay, with a replay bar and keys to pause, change speed and seek."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_pause", "pause"),
        Binding("minus", "slower", "slower"),
        Binding("plus,equals_sign", "faster", "faster"),
        Binding("left", "seek(-1)", f"−{SEEK_STEP_S:g} s"),
        Binding("right", "seek(1)", f"+{SEEK_STEP_S:g} s"),
    ]

    def __init__(self, targets: HoldTargets, control: ReplayControl) -> None:
        super().__init__(targets)
        self.control = control

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield ReplayBar(self.control, id="replay-bar")

    def show(self, state: SessionState, advice: Advice, t: np.ndarray, angle: np.ndarray) -> None:
        super().show(state, advice, t, angle)
        self.show_bar()

    def show_bar(self) -> None:
        self.query_one(ReplayBar).refresh()

    def action_toggle_pause(self) -> None:
        self.control.toggle_pause()
        self.show_bar()

    def action_slower(self) -> None:
        self.control.slower()
        self.show_bar()

    def action_faster(self) -> None:
        self.control.faster()
        self.show_bar()

    def action_seek(self, direction: int) -> None:
        """Ask the stream to seek; the app shows the new state once it is there."""
        self.control.seek(direction * SEEK_STEP_S)
