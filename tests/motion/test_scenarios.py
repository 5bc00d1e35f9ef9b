"""The benchmark's scenario generator: seeded, varied, same person in both recordings."""

import numpy as np
import pytest

from benchmarks.scenarios import Kind, make_scenario, make_scenarios


def test_same_seed_same_scenarios_different_index_different() -> None:
    a, b = make_scenario(2, seed=7, kind="hard"), make_scenario(2, seed=7, kind="hard")
    np.testing.assert_array_equal(a.session.acc, b.session.acc)
    assert a.description == b.description
    c = make_scenario(3, seed=7, kind="hard")
    assert c.person != a.person


@pytest.mark.parametrize("kind", ["clean", "hard"])
def test_scenarios_pair_a_calibration_with_a_session(kind: Kind) -> None:
    x_axes = []
    for sc in make_scenarios(4, seed=1, kind=kind):
        x_axes.append(sc.session_mounting.rotation.apply([1.0, 0.0, 0.0]))
        cal_stages = [h.stage for h in sc.calibration.holds]
        assert cal_stages == ([1, 2, 3] if sc.stage3 else [1, 2])
        ses_stages = {h.stage for h in sc.session.holds}
        assert ses_stages == ({1, 2, 3} if sc.stage3 else {1, 2})
        assert 50.0 <= sc.session.rate_hz <= 200.0
        assert sc.session.rate_hz == sc.calibration.rate_hz
        assert sc.session.t[0] > 0 and sc.calibration.t[0] > 0
        for h in sc.session.holds:
            inside = (sc.session.t >= h.start_s) & (sc.session.t < h.end_s)
            nominal = {1: 0.0, 2: sc.person.stage2_deg, 3: sc.person.stage3_deg}[h.stage]
            assert abs(np.median(sc.session.angle_deg[inside]) - nominal) < 8.0
        turn = (sc.session_mounting.rotation * sc.calibration_mounting.rotation.inv()).magnitude()
        if kind == "clean":
            assert turn == 0.0
        else:
            assert 0.0 < np.degrees(turn) <= 15.0
            assert sc.session.lost_samples > 0
    # The sensor is turned on the skin differently each time: its x points different ways.
    assert np.ptp(np.array(x_axes), axis=0).max() > 0.5

