"""Stage ladder: band edges with hysteresis."""

from __future__ import annotations

import numpy as np

from sensorhold.signal import stage_ladder


def _stages(angle: np.ndarray, angles: tuple[float, ...] = (0.0, 10.0)) -> np.ndarray:
    params = stage_ladder.StageParams(stage_angles=angles)
    _, stage = stage_ladder.step(params, stage_ladder.StageState(), angle, np.zeros(angle.size))
    return stage


def test_a_sagging_forearms_hold_enters_its_band() -> None:
    """Forearms calibrated at 10° (edge with prone at 5°), held 1.5° above the edge: stage 2."""
    angle = np.concatenate((np.zeros(100), np.linspace(0.0, 6.5, 100), np.full(300, 6.5)))
    assert _stages(angle)[-1] == 2


def test_breathing_at_an_edge_does_not_flicker() -> None:
    """±0.5° of breathing around the stage-1/2 edge (5°) keeps the stage it came from."""
    t = np.arange(0.0, 20.0, 0.01)
    angle = np.concatenate((np.zeros(100), 5.0 + 0.5 * np.sin(2 * np.pi * 0.25 * t)))
    stage = _stages(angle)
    assert set(stage.tolist()) == {1}


def test_hands_and_knees_rounded_below_prone_is_stage0() -> None:
    angle = np.concatenate((np.zeros(100), np.linspace(0.0, -9.0, 100), np.full(100, -9.0)))
    stage = _stages(angle)
    assert stage[50] == 1 and stage[-1] == 0
