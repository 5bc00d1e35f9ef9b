"""Orientation layer: VQF 6D on the data's own clock -> gravity "up" in sensor axes.

VQF needs a fixed sample time. We run it at the nominal rate (given, or the median step of the
first samples) and treat time honestly: small jitter is ignored, a gap of a few samples is
filled with linearly interpolated samples so the filter advances by the time that passed, and a
gap longer than ``reset_gap_s`` restarts the filter from the accelerometer (keeping the gyro
bias estimate): body motions reach ~2 Hz, so interpolating the rate only follows them over a
quarter period; across a 0.7 s loss burst in a wobble it left a 10° tilt error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from vqf import VQF

from sensorhold.median import median
from sensorhold.signal.vectors import norm_rows

G = 9.80665
DEG = np.pi / 180.0


@dataclass(frozen=True, slots=True)
class OrientationParams:
    """``rate_hz`` None: estimate it from the first ``probe_n`` sample times."""

    rate_hz: float | None = None
    probe_n: int = 8
    gap_factor: float = 1.5
    reset_gap_s: float = 0.125
    tau_acc_s: float = 3.0


@dataclass(slots=True)
class OrientationState:
    """The running filter, the nominal step, and the last sample (to bridge gaps)."""

    vqf: VQF | None = None
    ts: float = 0.0
    probe_t: list[float] = field(default_factory=list)
    probe_acc: list[np.ndarray] = field(default_factory=list)
    probe_gyr: list[np.ndarray] = field(default_factory=list)
    last_t: float = np.nan
    last_acc: np.ndarray = field(default_factory=lambda: np.zeros(3))
    last_gyr: np.ndarray = field(default_factory=lambda: np.zeros(3))
    gaps: int = 0
    resets: int = 0


@dataclass(frozen=True, slots=True)
class OrientationOut:
    """Per sample: unit up-vector (n, 3), bias-free angular rate magnitude (deg/s),
    bias-free angular velocity (n, 3) deg/s, the vectors column-major, and ``restart`` (n,):
    the filter restarted from the accelerometer at this sample (after a long gap), so the
    up-vector may jump there without the body moving."""

    up: np.ndarray
    rate_dps: np.ndarray
    gyr_dps: np.ndarray
    restart: np.ndarray

    @staticmethod
    def concat(a: OrientationOut, b: OrientationOut) -> OrientationOut:
        return OrientationOut(
            np.vstack((a.up, b.up)), np.concatenate((a.rate_dps, b.rate_dps)),
            np.vstack((a.gyr_dps, b.gyr_dps)), np.concatenate((a.restart, b.restart)),
        )


def up_from_quat(q: np.ndarray) -> np.ndarray:
    """R(q)^T e_z for sensor->earth quaternions [w x y z] (n, 4): earth's up in sensor axes,
    (n, 3) column-major (each component contiguous, as the layers after use them)."""
    w, x, y, z = np.ascontiguousarray(q.T)
    up = np.empty((3, w.size))
    np.multiply(x, z, out=up[0])
    up[0] -= w * y
    np.multiply(y, z, out=up[1])
    up[1] += w * x
    up[:2] *= 2  # 2 (x z - w y), 2 (y z + w x)
    np.multiply(x, x, out=up[2])
    up[2] += y * y
    up[2] *= 2
    np.subtract(1.0, up[2], out=up[2])  # 1 - 2 (x² + y²)
    return up.T


def estimate_ts(t: np.ndarray) -> float:
    """Nominal sample step: the median step, robust to a few gaps (span/(n-1) if bursty)."""
    dt = np.diff(t)
    ts = median(dt) if dt.size else 0.0
    if ts <= 1e-4 and t.size > 1:
        ts = float(t[-1] - t[0]) / (t.size - 1)
    if ts <= 0:
        raise ValueError("sample times do not increase: cannot estimate a sample rate")
    return ts


def _new_vqf(params: OrientationParams, ts: float) -> VQF:
    return VQF(ts, tauAcc=params.tau_acc_s)


def _acc_up(acc: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(acc, axis=1, keepdims=True)
    return acc / np.where(n > 0, n, 1.0)


def _run_vqf(
    params: OrientationParams, state: OrientationState, t: np.ndarray, acc: np.ndarray,
    gyr: np.ndarray,
) -> OrientationOut:
    """Feed a chunk to the running filter, bridging or resetting at gaps."""
    vqf = state.vqf
    assert vqf is not None
    ts = state.ts
    dt = np.empty(t.size)
    dt[0] = t[0] - state.last_t
    np.subtract(t[1:], t[:-1], out=dt[1:])
    gap = dt > params.gap_factor * ts
    if gap.any():
        quat, gyr_bias, reset = _run_vqf_gaps(params, state, vqf, dt, gap, acc, gyr)
    else:  # the usual chunk: all of it in one go
        res = vqf.updateBatch(np.multiply(gyr, DEG, order="C"), np.multiply(acc, G, order="C"))
        quat, gyr_bias, reset = res["quat6D"], res["bias"], gap
    omega = np.empty((3, t.size))
    np.subtract(gyr.T, gyr_bias.T / DEG, out=omega)
    return OrientationOut(up_from_quat(quat), norm_rows(omega.T), omega.T, reset)


def _run_vqf_gaps(
    params: OrientationParams, state: OrientationState, vqf: VQF, dt: np.ndarray,
    gap: np.ndarray, acc: np.ndarray, gyr: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A chunk with gaps: quaternions, gyro bias estimates and where the filter restarted."""
    ts = state.ts
    n = dt.size
    steps = np.ones(n, dtype=np.int64)
    reset = gap & (dt > params.reset_gap_s)
    bridge = gap & ~reset
    steps[bridge] = np.rint(dt[bridge] / ts).astype(np.int64)
    state.gaps += int(np.count_nonzero(gap))

    quat = np.empty((n, 4))
    gyr_bias = np.empty((n, 3))
    cuts = np.flatnonzero(reset)
    bounds = np.concatenate(([0], cuts, [n]))
    prev_acc, prev_gyr = state.last_acc, state.last_gyr
    for k in range(bounds.size - 1):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        if lo == hi:
            continue
        if reset[lo]:
            bias, sigma = vqf.getBiasEstimate()
            vqf.resetState()
            vqf.setBiasEstimate(bias, sigma)
            state.resets += 1
            steps_seg = steps[lo:hi].copy()
            steps_seg[0] = 1
        else:
            steps_seg = steps[lo:hi]
        seg_acc, seg_gyr = acc[lo:hi], gyr[lo:hi]
        total = int(steps_seg.sum())
        if total == hi - lo:
            ga, gg, real = seg_acc, seg_gyr, None
        else:
            # Linear interpolation from the previous sample across each bridged gap.
            real = np.cumsum(steps_seg) - 1
            owner = np.repeat(np.arange(hi - lo), steps_seg)
            frac = (np.arange(total) - (real[owner] - steps_seg[owner])) / steps_seg[owner]
            pa = np.vstack((prev_acc, seg_acc[:-1]))[owner]
            pg = np.vstack((prev_gyr, seg_gyr[:-1]))[owner]
            ga = pa + (seg_acc[owner] - pa) * frac[:, None]
            gg = pg + (seg_gyr[owner] - pg) * frac[:, None]
        res = vqf.updateBatch(np.multiply(gg, DEG, order="C"), np.multiply(ga, G, order="C"))
        if real is None:
            quat[lo:hi], gyr_bias[lo:hi] = res["quat6D"], res["bias"]
        else:
            quat[lo:hi], gyr_bias[lo:hi] = res["quat6D"][real], res["bias"][real]
        prev_acc, prev_gyr = seg_acc[-1], seg_gyr[-1]
    return quat, gyr_bias, reset


def step(
    params: OrientationParams, state: OrientationState, t: np.ndarray, acc: np.ndarray,
    gyr: np.ndarray,
) -> tuple[OrientationState, OrientationOut]:
    """Process one chunk: ``t`` (n,) s, ``acc`` (n, 3) g, ``gyr`` (n, 3) deg/s."""
    n = t.size
    if n == 0:
        return state, OrientationOut(
            np.empty((0, 3)), np.empty(0), np.empty((0, 3)), np.zeros(0, bool)
        )
    if state.vqf is None:
        if params.rate_hz is not None:
            state.ts = 1.0 / params.rate_hz
        else:
            take = min(n, params.probe_n - len(state.probe_t))
            state.probe_t.extend(t[:take].tolist())
            state.probe_acc.extend(acc[:take])
            state.probe_gyr.extend(gyr[:take])
            head = OrientationOut(
                _acc_up(acc[:take]), np.linalg.norm(gyr[:take], axis=1), gyr[:take].copy(),
                np.zeros(take, bool),
            )
            if len(state.probe_t) < params.probe_n:
                return state, head
            pt = np.array(state.probe_t)
            state.ts = estimate_ts(pt)
            state.vqf = _new_vqf(params, state.ts)
            state.last_t = pt[0] - state.ts
            state.last_acc, state.last_gyr = state.probe_acc[0], state.probe_gyr[0]
            _run_vqf(params, state, pt, np.array(state.probe_acc), np.array(state.probe_gyr))
            state.last_t = float(pt[-1])
            state.last_acc, state.last_gyr = state.probe_acc[-1], state.probe_gyr[-1]
            state.probe_t, state.probe_acc, state.probe_gyr = [], [], []
            if take == n:
                return state, head
            state, tail = step(params, state, t[take:], acc[take:], gyr[take:])
            return state, OrientationOut.concat(head, tail)
        state.vqf = _new_vqf(params, state.ts)
        state.last_t = float(t[0]) - state.ts
        state.last_acc, state.last_gyr = acc[0], gyr[0]
    out = _run_vqf(params, state, t, acc, gyr)
    state.last_t = float(t[-1])
    state.last_acc, state.last_gyr = acc[-1].copy(), gyr[-1].copy()
    return state, out


def run(
    params: OrientationParams, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray
) -> OrientationOut:
    """Batch form: the same as stepping through the whole recording in one chunk."""
    return step(params, OrientationState(), t, acc, gyr)[1]
