"""Orientation: gaps in the data."""

from __future__ import annotations

import numpy as np

from sensorhold.signal import orientation

from .conftest import synth


def _tilt_error_after_gap(params: orientation.OrientationParams) -> float:
    """Largest tilt error (deg) over the 0.5 s after losing 0.7 s in the middle of a 1 Hz,
    15° sway: the gyro interpolated across the gap misses the turns made in it."""
    t, acc, gyr, _ = synth([(10.0, 12.0)], wobble=(2.0, 8.0, 15.0))
    keep = (t < 5.2) | (t >= 5.9)
    t, acc, gyr = t[keep], acc[keep], gyr[keep]
    up = orientation.run(params, t, acc, gyr).up
    after = (t >= 5.9) & (t < 6.4)
    cos = np.sum(up[after] * acc[after], axis=1) / np.linalg.norm(acc[after], axis=1)
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))).max())


def test_long_gap_restarts_tilt_from_the_accelerometer() -> None:
    """Gaps over ``reset_gap_s`` restart the tilt; bridged, the same gap leaves degrees."""
    assert _tilt_error_after_gap(orientation.OrientationParams()) < 2.0
    bridged = orientation.OrientationParams(reset_gap_s=np.inf)
    assert _tilt_error_after_gap(bridged) > 4.0
