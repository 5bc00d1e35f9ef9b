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


def _wobble_above_the_edge() -> tuple[np.ndarray, np.ndarray]:
    """Settled in stage 2 0.25° under its edge to stage 3 (stage angles 16.6° and 20.6°, edge
    18.6°), a wobble reaching 19.9°, then settled again where they were (hard-10-000)."""
    angle = np.concatenate((
        np.full(200, 16.6), np.linspace(16.6, 18.35, 100), np.full(300, 18.35),
        18.35 + 1.5 * np.sin(np.linspace(0.0, 3 * np.pi, 150)), np.full(300, 18.45),
    ))
    still = np.ones(angle.size, bool)
    still[200:300] = still[600:750] = False
    still[660:663] = True  # a still flicker mid-wobble, at the top
    return angle, still


def _ladder(angle: np.ndarray, still: np.ndarray | None, chunk: int = 0) -> np.ndarray:
    params = stage_ladder.StageParams(stage_angles=(0.0, 16.6, 20.6))
    state, parts = stage_ladder.StageState(), []
    step = chunk or angle.size
    for i in range(0, angle.size, step):
        sl = slice(i, i + step)
        state, part = stage_ladder.step(
            params, state, angle[sl], np.zeros(angle[sl].size), None if still is None else still[sl]
        )
        parts.append(part)
    return np.concatenate(parts)


def test_back_from_a_wobble_the_settled_band_holds() -> None:
    angle, still = _wobble_above_the_edge()
    assert _ladder(angle, None)[-1] == 3  # without stillness, the wobble's band sticks
    stage = _ladder(angle, still)
    assert stage[599] == 2 and stage[-1] == 2
    assert np.array_equal(_ladder(angle, still, chunk=37), stage)


def test_a_move_to_the_next_band_settles_there() -> None:
    """From stage 2 at 16.6° up to stage 3 at 20.6°, and to 19.8° (past the edge's reach): 3."""
    for top in (20.6, 19.8):
        angle = np.concatenate((np.full(200, 16.6), np.linspace(16.6, top, 150), np.full(300, top)))
        still = np.ones(angle.size, bool)
        still[200:350] = False
        assert _ladder(angle, still)[-1] == 3


def test_a_move_within_the_reach_of_the_band_left_is_not_a_return() -> None:
    """Forearms at 20.2° (stage angles 19.9° and 28.8°, edge 24.35°), then a press-up settling at
    25.0°: inside the forearms band's reach, but 4.8° from where the person was still: stage 3
    from the settling on (clean-5-008 read stage 2 for 5 s)."""
    params = stage_ladder.StageParams(stage_angles=(0.0, 19.9, 28.8))
    angle = np.concatenate((np.full(200, 20.2), np.linspace(20.2, 25.0, 150), np.full(300, 25.0)))
    still = np.ones(angle.size, bool)
    still[200:350] = False
    for chunk in (angle.size, 7, 1):
        state, parts = stage_ladder.StageState(), []
        for i in range(0, angle.size, chunk):
            sl = slice(i, i + chunk)
            roll = np.zeros(angle[sl].size)
            state, part = stage_ladder.step(params, state, angle[sl], roll, still[sl])
            parts.append(part)
        stage = np.concatenate(parts)
        assert stage[199] == 2 and set(stage[350:].tolist()) == {3}
