"""Scripts: the demo and calibration shapes, random sessions, validation."""

import numpy as np
import pytest

from sensorhold.motion.exercise_scripts import (
    calibration_script,
    demo_script,
    random_exercise_script,
)
from sensorhold.motion.script import Hold, Move, Script, Wobble


def _stages(script: Script) -> list[int]:
    return [s.stage for s in script.segments if isinstance(s, Hold) and s.stage]


def test_demo_is_two_to_three_minutes_of_the_whole_progression() -> None:
    demo = demo_script()
    assert 120.0 <= demo.duration_s <= 180.0
    assert _stages(demo) == [1, 2, 3, 1]
    holds = [s for s in demo.segments if isinstance(s, Hold)]
    assert holds[0].posture == holds[-1].posture == "standing"
    assert any(h.wobbles for h in holds if h.stage == 2)


@pytest.mark.parametrize("stage3", [False, True])
@pytest.mark.parametrize("imperfect", [False, True])
def test_calibration_is_plateaus_in_order(stage3: bool, imperfect: bool) -> None:
    script = calibration_script(stage3, imperfect=imperfect)
    assert _stages(script) == ([1, 2, 3] if stage3 else [1, 2])
    plateaus = [s for s in script.segments if isinstance(s, Hold)]
    assert all(8.0 <= p.duration_s <= 10.0 for p in plateaus)
    assert any(p.wobbles or p.leans or p.sag_deg for p in plateaus) == imperfect
    lead = calibration_script(stage3, lead_in=True)
    assert lead.segments[0] == Hold("standing", 4.0)
    assert _stages(lead) == _stages(script)


@pytest.mark.parametrize("hard", [False, True])
def test_random_sessions_are_valid_and_respect_the_prescription(hard: bool) -> None:
    rng = np.random.default_rng(11)
    for k in range(20):
        stage3 = k % 2 == 0
        script = random_exercise_script(rng, stage3, hard)
        assert (3 in _stages(script)) == stage3
        assert _stages(script)[0] == 1
        holds = [s for s in script.segments if isinstance(s, Hold)]
        assert holds[0].posture == holds[-1].posture == "standing"
        for h in holds:
            for w in h.wobbles:
                assert w.start_s > 0.0 and w.start_s + w.duration_s < h.duration_s
            for le in h.leans:
                assert le.start_s > 0.0 and le.start_s + le.duration_s < h.duration_s
        moves = [s.duration_s for s in script.segments if isinstance(s, Move)]
        assert min(moves) >= 0.5
        if hard:
            assert any(h.walking for h in holds)


def test_scripts_must_alternate_holds_and_moves() -> None:
    with pytest.raises(ValueError, match="alternate"):
        Script("bad", (Hold("prone", 5.0), Hold("forearms", 5.0)))
    with pytest.raises(ValueError, match="start and end"):
        Script("bad", (Move(2.0), Hold("prone", 5.0)))
    with pytest.raises(ValueError, match="positive"):
        Script("bad", (Hold("prone", 0.0),))


def test_unstable_time_counts_overlapping_wobbles_once() -> None:
    hold = Hold("forearms", 20.0, wobbles=(Wobble(2.0, 4.0), Wobble(5.0, 3.0), Wobble(18.0, 5.0)))
    assert hold.unstable_s == pytest.approx(6.0 + 2.0)
