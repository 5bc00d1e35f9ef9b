"""Unit mistakes in a CSV that the numbers themselves give away (time in ms, m/s² instead of g,
rad/s instead of deg/s), checked before anything is analysed. (Milli-g never gets here: those
rows are beyond any sensor's range in g and skipped as such.)"""

from __future__ import annotations

import numpy as np

from sensorhold.median import median

G = 9.80665
MAX_STEP_S = 0.5
"""A median time step longer than this is no IMU stream in seconds (ms at 1 kHz is 1.0)."""
_TIME_UNITS = (("milliseconds", 1e3), ("microseconds", 1e6), ("nanoseconds", 1e9))
GRAVITY_RANGE_G = (0.25, 4.0)
"""The median accelerometer magnitude of a worn sensor (mostly gravity) lies well inside this."""
MIN_TILT_DEG = 15.0
GYRO_SHORTFALL = 10.0
"""The gyro's turning may not fall this many times short of the accelerometer's tilting
(rad/s read as deg/s falls 57 times short)."""


def unit_error(t: np.ndarray, acc: np.ndarray) -> str | None:
    """What is wrong with the time or acceleration units, and what to do; None if plausible."""
    steps = np.diff(t)
    steps = steps[steps > 0]
    if steps.size and (step := median(steps)) > MAX_STEP_S:
        unit, factor = next((u for u in _TIME_UNITS if step <= u[1] * MAX_STEP_S), _TIME_UNITS[-1])
        return (f"the time column steps by {step:g} per sample (median): expected seconds; if "
                f"the times are {unit}, divide them by {factor:.0f}")
    norm = np.linalg.norm(acc, axis=1)
    norm = norm[norm > 0]
    if not norm.size:
        return None
    g = median(norm)
    low, high = GRAVITY_RANGE_G
    if low <= g <= high:
        return None
    if 0.7 * G <= g <= 1.3 * G:
        guess = f"looks like m/s²: divide ax, ay, az by {G}"
    elif g < low:
        guess = "gravity looks removed (linear acceleration): pass the raw accelerometer"
    else:
        guess = "convert ax, ay, az to g"
    return (f"the accelerometer reads {g:.3g} at rest (median magnitude), not about 1 g; "
            f"{guess}")


def gyro_warning(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> str | None:
    """A gyroscope that turns far less than the accelerometer tilts (rad/s, or dead)."""
    steps = np.diff(t)
    if steps.size < 2:
        return None
    step = median(steps)
    w = max(1, round(1.0 / step)) if step > 0 else 1
    n = (t.size // w) * w
    if n < 3 * w:
        return None
    mean = acc[:n].reshape(-1, w, 3).mean(axis=1)
    up = mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
    cos = np.clip(np.einsum("ij,ij->i", up[1:], up[:-1]), -1.0, 1.0)
    tilt = float(np.degrees(np.arccos(cos)).sum())
    turn = float((np.linalg.norm(gyr[1:n], axis=1) * np.minimum(steps[: n - 1], 2 * step)).sum())
    if tilt < MIN_TILT_DEG or turn * GYRO_SHORTFALL > tilt:
        return None
    return (f"the gyroscope turned {turn:.1f}° while the accelerometer tilted {tilt:.0f}°: are "
            "gx, gy, gz in rad/s? expected deg/s (multiply rad/s by 57.3); the angles may be off")
