"""Hip height on synthetic vertical accelerations (sensor z up, so up is fixed)."""

from __future__ import annotations

import numpy as np

from sensorhold.signal.hip_height import G, HeightParams, HeightState, step


def _push_with_a_coast(coast_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rest 2 s, rise at 0.25 m/s/s for 1 s, coast quiet (no rotation, no jolt) for ``coast_s``
    at 0.25 m/s, brake for 1 s, rest 2 s: 0.25 m + the coast up."""
    ts = 0.01
    t = np.arange(0.0, 6.0 + coast_s, ts)
    a = np.where((t >= 2.0) & (t < 3.0), 0.25, 0.0)
    a = np.where((t >= 3.0 + coast_s) & (t < 4.0 + coast_s), -0.25, a)
    acc = np.zeros((t.size, 3))
    acc[:, 2] = 1.0 + a / G
    quiet = (t < 2.0) | ((t >= 3.0) & (t < 3.0 + coast_s)) | (t >= 4.0 + coast_s)
    return t, acc, quiet


def test_a_quiet_coast_mid_push_does_not_split_the_lift() -> None:
    """hard-12-003: quiet read for 0.51 s in the middle of a push to hands and knees, rising at
    0.25 m/s; taken as a rest, it split the lift into two halves each read as ~0 m."""
    t, acc, quiet = _push_with_a_coast(0.6)
    up = np.tile([0.0, 0.0, 1.0], (t.size, 1))
    _, lowered, lifted = step(HeightParams(), HeightState(), 0.01, t, acc, up, quiet, quiet)
    assert not lowered.any()
    assert np.flatnonzero(lifted).tolist() == [np.searchsorted(t, 4.6 - 1e-9)]


def test_a_long_quiet_stretch_is_a_rest_whatever_the_velocity() -> None:
    """Quiet past ``long_rest_s`` ends the run even if the integrated velocity (drift) is high:
    here each half reads near zero, no lift."""
    t, acc, quiet = _push_with_a_coast(1.5)
    up = np.tile([0.0, 0.0, 1.0], (t.size, 1))
    _, lowered, lifted = step(HeightParams(), HeightState(), 0.01, t, acc, up, quiet, quiet)
    assert not lowered.any() and not lifted.any()


def test_the_velocity_test_gives_the_same_lift_in_chunks() -> None:
    t, acc, quiet = _push_with_a_coast(0.6)
    up = np.tile([0.0, 0.0, 1.0], (t.size, 1))
    state, lifts, p = HeightState(), [], HeightParams()
    for k in range(0, t.size, 37):
        s = slice(k, k + 37)
        state, _, lifted = step(p, state, 0.01, t[s], acc[s], up[s], quiet[s], quiet[s])
        lifts.append(lifted)
    assert np.flatnonzero(np.concatenate(lifts)).tolist() == [np.searchsorted(t, 4.6 - 1e-9)]


def test_a_pause_after_a_run_too_long_to_judge_is_a_rest() -> None:
    """After 7 s on the move (the integrated velocity is drift, 1.4 m/s here) a 0.6 s pause is
    a rest whatever that velocity, so the lowering after it is judged (hard-6-005: the lowering
    to prone after 36 s on the feet went unjudged, the hold dated 3 s early)."""
    ts = 0.01
    t = np.arange(0.0, 14.0, ts)
    a = np.where((t >= 2.0) & (t < 9.0), 0.2, 0.0)
    a = np.where((t >= 9.6) & (t < 10.6), -0.3, a)
    a = np.where((t >= 10.6) & (t < 11.6), 0.3, a)
    acc = np.zeros((t.size, 3))
    acc[:, 2] = 1.0 + a / G
    quiet = (t < 2.0) | ((t >= 9.0) & (t < 9.6)) | (t >= 11.6)
    up = np.tile([0.0, 0.0, 1.0], (t.size, 1))
    _, lowered, lifted = step(HeightParams(), HeightState(), ts, t, acc, up, quiet, quiet)
    assert not lifted.any()
    assert np.flatnonzero(lowered).tolist() == [np.searchsorted(t, 11.6 - 1e-9)]
