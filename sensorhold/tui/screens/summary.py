"""The session summary: the whole session's angle with holds shaded, the holds, and this
user's progression over earlier sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from sensorhold import texts
from sensorhold.tui.coaching import clock
from sensorhold.tui.widgets.angle_plot import AnglePlot, PlotData


def best_cell(best: dict[Any, Any], stage: int) -> str:
    """A best-hold cell; earlier summaries may key stages by int or by str."""
    value = best.get(str(stage), best.get(stage))
    return "—" if value is None else clock(float(value))


class SummaryScreen(Screen[None]):
    """Shown once the session has ended; ``q`` leaves the app with the summary."""

    def __init__(
        self,
        summary: dict[str, Any],
        trace: tuple[np.ndarray, np.ndarray],
        stage_angles: dict[int, float],
        history: Sequence[dict[str, Any]],
    ) -> None:
        super().__init__()
        self._summary = summary
        self._trace = trace
        self._stage_angles = stage_angles
        self._history = history

    def compose(self) -> ComposeResult:
        s = self._summary
        yield Header()
        yield Static(texts.NOTICE, id="notice")
        yield Static(
            texts.SUMMARY_TITLE.format(
                duration=clock(s["duration_s"]), holds=texts.holds_count(len(s["holds"]))
            ),
            id="summary-title",
        )
        yield AnglePlot(id="summary-plot")
        with Horizontal(id="summary-tables"):
            with Vertical():
                yield Static(texts.SUMMARY_HOLDS, classes="panel-title")
                yield DataTable(id="holds-table", cursor_type="none", zebra_stripes=True)
            with Vertical():
                yield Static(texts.SUMMARY_PROGRESS, classes="panel-title")
                yield DataTable(id="progress-table", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        s = self._summary
        t, angle = self._trace
        self.query_one(AnglePlot).show(
            PlotData(
                t=t,
                angle=angle,
                t_range=(0.0, max(float(s["duration_s"]), float(t[-1]) if t.size else 0.0, 1.0)),
                stage_angles=self._stage_angles,
                shaded=[(h["start_s"], h["end_s"]) for h in s["holds"]],
                x_labels=("0:00", clock(s["duration_s"])),
            )
        )
        holds = self.query_one("#holds-table", DataTable)
        holds.add_columns(*texts.SUMMARY_HOLD_COLUMNS)
        for i, h in enumerate(s["holds"], 1):
            holds.add_row(
                str(i),
                str(h["stage"]),
                clock(h["start_s"]),
                clock(h["duration_s"]),
                f"{h['stability_pct']:.0f}%",
                h["leg"] or "—",
                h["back"] or "—",
            )
        progress = self.query_one("#progress-table", DataTable)
        progress.add_columns(*texts.SUMMARY_PROGRESS_COLUMNS)
        for earlier in self._history:
            best = earlier.get("best_hold_s", {})
            progress.add_row(
                str(earlier.get("date", "?")), *(best_cell(best, k) for k in (1, 2, 3))
            )
        progress.add_row(texts.SUMMARY_TODAY, *(best_cell(s["best_hold_s"], k) for k in (1, 2, 3)))
