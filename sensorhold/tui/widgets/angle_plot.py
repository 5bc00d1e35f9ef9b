"""A braille line plot of the extension angle over time, with stage bands and shaded holds.

``braille_grid`` is the pure raster (numpy), ``AnglePlot`` the widget that styles it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

# Braille dot bit for (row, column) inside a 2-wide, 4-high cell.
_DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int32)
GUTTER = 5
BAND_HALF_DEG = 3.0


def braille_grid(
    t: np.ndarray,
    y: np.ndarray,
    *,
    t_range: tuple[float, float],
    y_range: tuple[float, float],
    width: int,
    height: int,
    max_gap_s: float = 1.0,
) -> list[str]:
    """A line through (t, y) drawn on ``height`` rows of ``width`` braille cells.

    The line breaks where valid samples are more than ``max_gap_s`` apart (lost samples)."""
    pw, ph = 2 * width, 4 * height
    grid = np.zeros((ph, pw), dtype=bool)
    ok = np.isfinite(t) & np.isfinite(y)
    tv, yv = t[ok], y[ok]
    (t0, t1), (y0, y1) = t_range, y_range
    if tv.size and pw and ph and t1 > t0 and y1 > y0:

        def row_of(v: np.ndarray) -> np.ndarray:
            r = np.rint((y1 - v) / (y1 - y0) * (ph - 1))
            return np.clip(r, 0, ph - 1).astype(np.int64)

        dt = (t1 - t0) / pw
        centers = t0 + (np.arange(pw) + 0.5) * dt
        right = np.clip(np.searchsorted(tv, centers), 1, max(tv.size - 1, 1))
        left = right - 1
        near = (centers >= tv[0] - dt) & (centers <= tv[-1] + dt)
        if tv.size > 1:
            near &= tv[right] - tv[left] <= max(max_gap_s, dt)
        rows = row_of(np.interp(centers, tv, yv))
        lo = np.where(near, rows, ph)
        hi = np.where(near, rows, -1)
        inside = (tv >= t0) & (tv < t1)
        cols = ((tv[inside] - t0) / dt).astype(np.int64).clip(0, pw - 1)
        sample_rows = row_of(yv[inside])
        np.minimum.at(lo, cols, sample_rows)
        np.maximum.at(hi, cols, sample_rows)
        joined = near[1:] & near[:-1]
        lo[1:] = np.where(joined, np.minimum(lo[1:], rows[:-1]), lo[1:])
        hi[1:] = np.where(joined, np.maximum(hi[1:], rows[:-1]), hi[1:])
        r = np.arange(ph)[:, None]
        grid = (r >= lo[None, :]) & (r <= hi[None, :])
    cells = grid.reshape(height, 4, width, 2) * _DOT_BITS[None, :, None, :]
    codes = (cells.sum(axis=(1, 3)) + 0x2800).astype("<u4")
    return [row.tobytes().decode("utf-32-le") for row in codes]


@dataclass(frozen=True, slots=True)
class PlotData:
    """What one frame of the plot shows."""

    t: np.ndarray
    angle: np.ndarray
    t_range: tuple[float, float]
    stage_angles: dict[int, float]
    current_stage: int = 0
    shaded: Sequence[tuple[float, float]] = ()
    x_labels: tuple[str, str] = ("", "")


def y_range_for(angle: np.ndarray, stage_angles: dict[int, float]) -> tuple[float, float]:
    """A stable vertical range: the stage bands plus the data, rounded out to 5°."""
    finite = angle[np.isfinite(angle)]
    marks = [*stage_angles.values(), 0.0]
    lo = min([*marks, float(finite.min()) if finite.size else 0.0]) - 5.0
    hi = max([*marks, float(finite.max()) if finite.size else 0.0, 20.0]) + 5.0
    return 5.0 * np.floor(lo / 5.0), 5.0 * np.ceil(hi / 5.0)


class StyledRows:
    """Lines of styled segments, handed to Textual as they are: a multi-line ``Text`` with a
    span per band and shaded run costs Textual several times the drawing itself to split."""

    def __init__(self, lines: list[list[Segment]]) -> None:
        self.lines = lines

    def __rich_console__(self, _console: Console, _options: ConsoleOptions) -> Iterator[Segment]:
        for i, line in enumerate(self.lines):
            if i:
                yield Segment.line()
            yield from line


class AnglePlot(Widget):
    """Angle (°) against time; stage bands across, shaded spans (holds) down."""

    DEFAULT_CSS = """
    AnglePlot { height: 1fr; min-height: 6; }
    """
    LINE = Style(color="#7fd1ff", bold=True)
    BAND = Style(bgcolor="#1d3327")
    BAND_CURRENT = Style(bgcolor="#2f5a3c")
    SHADE = Style(bgcolor="#2b2d4f")
    AXIS = Style(color="#8a8f98")

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._data: PlotData | None = None

    def show(self, data: PlotData) -> None:
        self._data = data
        self.refresh()

    def render(self) -> Text | StyledRows:
        width, height = self.size.width - 2 * GUTTER, self.size.height - 1
        d = self._data
        if d is None or width < 4 or height < 2:
            return Text("")
        y0, y1 = y_range_for(d.angle, d.stage_angles)
        rows = braille_grid(
            d.t, d.angle, t_range=d.t_range, y_range=(y0, y1), width=width, height=height
        )
        row_mid = y1 - (np.arange(height) + 0.5) * (y1 - y0) / height
        row_stage: list[int] = [0] * height
        for stage, a in d.stage_angles.items():
            for i in np.flatnonzero(np.abs(row_mid - a) <= max(BAND_HALF_DEG, (y1 - y0) / height)):
                row_stage[int(i)] = stage
        col_t = d.t_range[0] + (np.arange(width) + 0.5) * (d.t_range[1] - d.t_range[0]) / width
        shaded = np.zeros(width, dtype=bool)
        for a, b in d.shaded:
            shaded |= (col_t >= a) & (col_t <= b)
        runs = [(s, len(list(run))) for s, run in groupby(shaded.tolist())]
        lines: list[list[Segment]] = []
        for i, row in enumerate(rows):
            label = f"{y1:>3.0f}° " if i == 0 else f"{y0:>3.0f}° " if i == height - 1 else ""
            line = [Segment(f"{label:<{GUTTER}}", self.AXIS)]
            stage = row_stage[i]
            band = self.BAND_CURRENT if stage and stage == d.current_stage else self.BAND
            j = 0
            for s, n in runs:
                bg = self.SHADE if s else band if stage else None
                line.append(Segment(row[j : j + n], self.LINE + bg if bg else self.LINE))
                j += n
            line.append(Segment(f" {'S' + str(stage) if stage else '':<{GUTTER - 1}}", self.AXIS))
            lines.append(line)
        left, right = d.x_labels
        lines.append([Segment(" " * GUTTER + left + right.rjust(width - len(left)), self.AXIS)])
        return StyledRows(lines)
