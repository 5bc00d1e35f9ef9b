"""The cross-check simulator's options draw the sessions they say they draw."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from benchmarks.crosscheck import Extras, make_case


def test_stand_break_gets_up_and_down_between_two_holds_of_different_stages() -> None:
    """A standing break leaves no two true holds of one stage back to back (one hold to a user:
    the break once sat between the forearms and a move from prone to prone)."""
    for seed in range(6):
        case = make_case(seed, 1.0, 1.5, 0, 1.0, Extras(stand_break_s=20.0))
        stages = [h.stage for h in case.motion.holds]
        assert all(a != b for a, b in pairwise(stages)), stages
        gaps = [b.start_s - a.end_s for a, b in pairwise(case.motion.holds)]
        assert max(gaps) > 20.0
        assert np.max(case.motion.pitch) > 70.0


def test_fixed_rate_and_hold_durations() -> None:
    case = make_case(3, 1.0, 1.5, 0, 1.0, Extras(rate=200.0, hold_s=(5.0, 10.0)))
    assert abs(np.median(np.diff(case.t)) - 0.005) < 1e-9
    assert all(5.0 <= h.end_s - h.start_s <= 10.01 for h in case.motion.holds)
