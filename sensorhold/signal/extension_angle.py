"""Extension angle: sagittal inclination from the prone posture, positive = extension.

The frame is the prone up-vector ``u0`` and the left-right extension axis ``a`` (both in sensor
axes). The angle is the signed angle of the up-vector, projected on the plane perpendicular to
``a``, from ``u0``; the out-of-plane part is ``roll`` (side lean), which the angle ignores.

Each session re-zeroes on its first settled lie within ``prone_window_deg`` of prone (wide, as a
re-mounted sensor can be 15° off; sessions begin by lying down, so the first settled
near-horizontal posture is taken as prone) (the sensor may be stuck back on a little
differently): the calibrated frame is rotated minimally onto the new prone up-vector. How far the
sensor was turned about that up-vector is still unknown, so until the first settled rise
plateau the angle is the total tilt from prone (signed by the rotated axis), which is exact for
any turn; on that plateau the axis is refit as in calibration, ``a ∝ u0 × u_plateau``.

Until that re-zero, a posture within the prone window is flagged ``prone_pending``: it is the
one to be taken as prone, so its stage is 1 even where the calibrated frame (off by the
re-mount) puts it in the stage-2 band.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorhold.signal.condition_run import RunCarry, first_long_run

RAD = 180.0 / np.pi


@dataclass(frozen=True, slots=True)
class AngleParams:
    settle_s: float = 2.0
    prone_window_deg: float = 20.0
    roll_window_deg: float = 20.0
    rise_deg: float = 8.0
    max_plateau_deg: float = 60.0
    max_axis_turn_deg: float = 40.0


@dataclass(slots=True)
class AngleState:
    """``phase``: 0 calibrated frame, 1 re-zeroed (axis pending), 2 re-zeroed and axis refit."""

    u0: np.ndarray
    axis: np.ndarray
    phase: int = 0
    run: RunCarry = field(default_factory=RunCarry)


@dataclass(frozen=True, slots=True)
class AngleOut:
    angle_deg: np.ndarray
    roll_deg: np.ndarray


@dataclass(frozen=True, slots=True)
class SessionAngleOut:
    """Per sample: angle and roll (deg), and ``prone_pending`` (see the module docstring)."""

    angle_deg: np.ndarray
    roll_deg: np.ndarray
    prone_pending: np.ndarray


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def frame_angles(up: np.ndarray, u0: np.ndarray, axis: np.ndarray) -> AngleOut:
    """Sagittal angle and roll (deg) of up-vectors (n, 3) in the frame (u0, axis)."""
    b = np.cross(axis, u0)
    ang = np.arctan2(up @ b, up @ u0) * RAD
    roll = np.arcsin(np.clip(up @ axis, -1.0, 1.0)) * RAD
    return AngleOut(ang, roll)


def rotate_onto(v: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Apply to ``v`` the smallest rotation taking unit ``src`` onto unit ``dst``."""
    k = np.cross(src, dst)
    s, c = np.linalg.norm(k), float(src @ dst)
    if s < 1e-12:
        return v.copy()
    k = k / s
    return v * c + np.cross(k, v) * s + k * (k @ v) * (1 - c)


def _angles(state: AngleState, up: np.ndarray, params: AngleParams) -> AngleOut:
    out = frame_angles(up, state.u0, state.axis)
    if state.phase != 1:
        return out
    tilt = np.arccos(np.clip(up @ state.u0, -1.0, 1.0)) * RAD
    far = tilt >= params.rise_deg
    sign = np.where(out.angle_deg < 0, -1.0, 1.0)
    return AngleOut(np.where(far, sign * tilt, out.angle_deg), np.where(far, 0.0, out.roll_deg))


def step(
    params: AngleParams, state: AngleState, t: np.ndarray, up: np.ndarray, still: np.ndarray
) -> tuple[AngleState, SessionAngleOut]:
    """One chunk of up-vectors (n, 3) with their stillness flags."""
    n = t.size
    ang, roll = np.empty(n), np.empty(n)
    pending = np.zeros(n, bool)
    lo = 0
    while lo < n:
        seg = slice(lo, n)
        out = _angles(state, up[seg], params)
        near = (state.phase == 0) & (np.abs(out.angle_deg) < params.prone_window_deg) & (
            np.abs(out.roll_deg) < params.roll_window_deg
        )
        if state.phase == 0:
            cond = still[seg] & near
        elif state.phase == 1:
            cond = still[seg] & (out.angle_deg >= params.rise_deg) & (
                out.angle_deg <= params.max_plateau_deg
            )
        else:
            cond = np.zeros(n - lo, bool)
        i, mean, state.run = first_long_run(cond, t[seg], up[seg], params.settle_s, state.run)
        stop = n if i < 0 else lo + i + 1
        ang[lo:stop], roll[lo:stop] = out.angle_deg[: stop - lo], out.roll_deg[: stop - lo]
        pending[lo:stop] = near[: stop - lo]
        if mean is not None:
            _advance(params, state, unit(mean))
        lo = stop
    return state, SessionAngleOut(ang, roll, pending)


def _advance(params: AngleParams, state: AngleState, mean_up: np.ndarray) -> None:
    """Re-zero on the prone plateau, or refit the axis on the first rise plateau."""
    if state.phase == 0:
        axis = rotate_onto(state.axis, state.u0, mean_up)
        state.axis = unit(axis - (axis @ mean_up) * mean_up)
        state.u0 = mean_up
        state.phase = 1
        return
    cand = unit(np.cross(state.u0, mean_up))
    if np.degrees(np.arccos(np.clip(cand @ state.axis, -1.0, 1.0))) <= params.max_axis_turn_deg:
        state.axis = cand
        state.phase = 2
