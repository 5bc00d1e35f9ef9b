"""The braille raster behind the angle plot."""

from __future__ import annotations

import numpy as np

from sensorhold.tui.widgets.angle_plot import braille_grid, y_range_for


def test_flat_line_sits_on_one_dot_row() -> None:
    t = np.linspace(0, 10, 200)
    rows = braille_grid(t, np.zeros_like(t), t_range=(0, 10), y_range=(-1, 1), width=5, height=2)
    # y=0 is dot row round(0.5 * 7) = 4: the top dot row of the second cell row.
    assert rows == ["\u2800" * 5, "\u2809" * 5]


def test_rising_line_goes_from_bottom_left_to_top_right() -> None:
    t = np.linspace(0, 1, 500)
    rows = braille_grid(t, t, t_range=(0, 1), y_range=(0, 1), width=4, height=2)
    assert rows[0][0] == "\u2800" and rows[1][-1] == "\u2800"
    assert rows[1][0] != "\u2800" and rows[0][-1] != "\u2800"


def test_gap_in_samples_breaks_the_line() -> None:
    t = np.concatenate([np.linspace(0, 3.9, 100), np.linspace(6, 10, 100)])
    rows = braille_grid(
        t, np.zeros_like(t), t_range=(0, 10), y_range=(-1, 1), width=10, height=1, max_gap_s=1.0
    )
    assert rows[0][4:6] == "\u2800\u2800"
    assert "\u2800" not in rows[0][:4] + rows[0][6:]


def test_nan_and_empty_input_draw_nothing() -> None:
    t = np.linspace(0, 1, 10)
    for y in (np.full(10, np.nan), np.array([])):
        tt = t if y.size else np.array([])
        rows = braille_grid(tt, y, t_range=(0, 1), y_range=(0, 1), width=3, height=2)
        assert rows == ["\u2800" * 3] * 2


def test_y_range_covers_bands_and_data_in_5_degree_steps() -> None:
    assert y_range_for(np.array([1.0, 47.0]), {1: 0.0, 2: 22.0}) == (-5.0, 55.0)
    assert y_range_for(np.array([np.nan]), {1: 0.0, 2: 22.0, 3: 38.0}) == (-5.0, 45.0)
