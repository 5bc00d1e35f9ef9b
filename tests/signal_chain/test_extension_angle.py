"""The angle layer's axis fit: skipping the least squares where it cannot matter."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.scenarios import make_scenario
from sensorhold.calibration.fit import fit_profile
from sensorhold.signal import extension_angle
from sensorhold.signal.extension_angle import _scatter_deg
from sensorhold.signal.pipeline import run


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**31), rows=st.integers(2, 40), cols=st.sampled_from([1, 2]),
    scale=st.floats(1e-6, 1.0),
)
def test_scatter_from_the_normal_equations_is_the_least_squares_one(
    seed: int, rows: int, cols: int, scale: float
) -> None:
    """No less than the best fit's (so under ``lean_sd`` the best is too), and as good."""
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(rows, cols)) * [1.0, 0.05][:cols]
    x = rng.normal(size=rows) * scale - m @ rng.normal(size=cols)
    dof = rows - cols
    if dof <= 0:
        return
    free = np.linalg.lstsq(m, -x, rcond=None)[0]
    best = float(np.degrees(np.sqrt(np.sum((x + m @ free) ** 2) / dof)))
    assert best * (1.0 - 1e-9) <= _scatter_deg(m, x, dof) <= best * (1.0 + 1e-6) + 1e-9


@pytest.mark.parametrize(("i", "seed", "kind"), [(0, 4, "hard"), (4, 3, "hard")])
def test_axis_fit_without_the_least_squares_equals_it(
    monkeypatch: pytest.MonkeyPatch, i: int, seed: int, kind: str
) -> None:
    """Where the leans scatter under ``lean_sd`` the least squares is skipped: the same outputs,
    bit for bit, as with it at every vote."""
    sc = make_scenario(i, seed, kind)
    cal, ses = sc.calibration, sc.session
    prof = fit_profile(cal.t, cal.acc, cal.gyr, user="u", sensor_model="m", stage3=sc.stage3)
    skipped = run(prof, ses.t, ses.acc, ses.gyr)
    monkeypatch.setattr(extension_angle, "_scatter_deg", lambda *args: np.inf)
    full = run(prof, ses.t, ses.acc, ses.gyr)
    for name in ("angle_deg", "stage", "stable", "hold_s"):
        assert np.array_equal(getattr(skipped, name), getattr(full, name)), name
    assert skipped.events == full.events
