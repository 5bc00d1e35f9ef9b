"""Every profile calibration writes loads; the limits on load are no stricter than the fit's."""

from __future__ import annotations

import pytest

from benchmarks.scenarios import make_scenarios
from sensorhold.calibration import profile as profiles
from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.calibration.fit import FitParams, fit_profile
from sensorhold.calibration.profile import Profile


def test_the_load_limits_admit_whatever_the_fit_admits() -> None:
    """Frame angles are at most the 3-D angles the fit bounds; the forearms' lower bound is
    below the fit's, as a three-stage plane can take a little of the forearms' step."""
    p = FitParams()
    assert p.min_forearms_deg > profiles.MIN_FOREARMS_DEG
    assert p.max_forearms_deg <= profiles.MAX_FOREARMS_DEG
    assert p.min_step_deg > profiles.MIN_STEP_DEG
    assert p.max_top_deg <= profiles.MAX_TOP_DEG


@pytest.mark.parametrize("kind", ["clean", "hard"])
def test_fitted_profiles_load(kind: str) -> None:
    fitted = [
        fit_profile(sc.calibration.t, sc.calibration.acc, sc.calibration.gyr, user="u",
                    sensor_model="witmotion", stage3=sc.stage3)
        for sc in make_scenarios(4, seed=3, kind=kind)  # type: ignore[arg-type]
    ]
    assert any(p.stage3_allowed for p in fitted)
    for p in [*fitted, demo_profile()]:
        Profile.from_json(p.to_json())
