"""Fit a profile from a calibration recording: still plateaus in order (prone, forearms, hands).

The recording goes through the same orientation and stillness layers as a session. Still runs
of at least ``min_plateau_s`` are plateaus; neighbours closer than ``merge_deg`` are one
plateau (a wobble split it). The stage plateaus are the latest chain that fits, each the latest
before the next stage's that is a stage step below it, so a lead-in (standing, getting down), a
pose settled twice or what follows (lying down again, standing up) does no harm. Then the axis
``a`` (``∝ u_prone × u_forearms``; with the hands, normal to the plane through all three), the
stage angles follow from the plateau means, and the person's still-holding noise sets stillness.

Stillness is judged twice: a noisier sensor than the default thresholds allow (a cheap IMU at
2-3x the usual noise, or a gyro bias the filter has not yet learnt) would show no still plateau
at all, so the thresholds are first raised above the recording's own noise floor (a low
percentile of rate, jolt and spread: a calibration is mostly still), never lowered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from sensorhold.calibration.profile import Profile, now_utc
from sensorhold.errors import UserError
from sensorhold.signal import orientation, stillness
from sensorhold.signal.extension_angle import frame_angles, unit

RAD = 180.0 / np.pi
STAGE_NAMES = {1: "lying prone", 2: "on the forearms", 3: "on the hands"}


@dataclass(frozen=True, slots=True)
class FitParams:
    min_plateau_s: float = 3.0
    trim_s: float = 0.5
    merge_deg: float = 4.0
    min_step_deg: float = 4.0
    min_forearms_deg: float = 6.0
    max_forearms_deg: float = 60.0
    lower_lie_frac: float = 0.5
    max_top_deg: float = 65.0
    noise_percentile: float = 95.0
    floor_percentile: float = 25.0
    floor_factor: float = 4.0
    settled_deg: float = 1.0
    window_s: float = 2.0
    moving_factor: float = 1.5
    orientation: orientation.OrientationParams = field(
        default_factory=orientation.OrientationParams
    )
    stillness: stillness.StillnessParams = field(default_factory=stillness.StillnessParams)


@dataclass(frozen=True, slots=True)
class Plateau:
    start_s: float
    end_s: float
    up: np.ndarray
    idx: np.ndarray


def find_plateaus(
    t: np.ndarray, up: np.ndarray, still: np.ndarray, params: FitParams
) -> list[Plateau]:
    """Still plateaus in time order, trimmed at the edges, split where a run holds two
    positions, similar neighbours merged."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], still.astype(np.int8), [0]))))
    plateaus: list[Plateau] = []
    for lo, hi in zip(edges[::2], edges[1::2], strict=True):
        if t[hi - 1] - t[lo] < params.min_plateau_s:
            continue
        keep = np.arange(lo, hi)
        keep = keep[(t[keep] >= t[lo] + params.trim_s) & (t[keep] <= t[hi - 1] - params.trim_s)]
        for part in _positions(t, up, keep, params):
            mean = unit(up[part].mean(axis=0))
            if plateaus and angle_deg(plateaus[-1].up, mean) < params.merge_deg:
                prev = plateaus.pop()
                part = np.concatenate((prev.idx, part))
                mean = unit(up[part].mean(axis=0))
                plateaus.append(Plateau(prev.start_s, float(t[part[-1]]), mean, part))
            else:
                plateaus.append(Plateau(float(t[part[0]]), float(t[part[-1]]), mean, part))
    return plateaus


def angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    """The angle between unit vectors ``a`` and ``b`` (deg)."""
    return float(np.degrees(np.arccos(np.clip(a @ b, -1.0, 1.0))))


def _positions(
    t: np.ndarray, up: np.ndarray, keep: np.ndarray, params: FitParams
) -> list[np.ndarray]:
    """The still run ``keep`` as one position, or split in two (recursively) where it holds two:
    a slow move (hands a few degrees above the forearms, pressed up over seconds) can stay under
    the stillness thresholds. The split is the best two-level fit of the tilt from the run's
    start; each side keeps its settled samples (within ``settled_deg`` of its median)."""
    if keep.size < 4 or t[keep[-1]] - t[keep[0]] < 2 * params.min_plateau_s:
        return [keep]
    ref = unit(up[keep[: max(1, keep.size // 20)]].mean(axis=0))
    c = np.degrees(np.arccos(np.clip(up[keep] @ ref, -1.0, 1.0)))
    n = c.size
    cs, cs2 = np.cumsum(c), np.cumsum(c * c)
    j = np.arange(1, n)
    left = cs2[j - 1] - cs[j - 1] ** 2 / j
    right = cs2[-1] - cs2[j - 1] - (cs[-1] - cs[j - 1]) ** 2 / (n - j)
    k = int(j[np.argmin(left + right)])
    parts = []
    for side, ci in ((keep[:k], c[:k]), (keep[k:], c[k:])):
        settled = side[np.abs(ci - np.median(ci)) <= params.settled_deg]
        if settled.size < 2 or t[settled[-1]] - t[settled[0]] < params.min_plateau_s:
            return [keep]
        parts.append(settled)
    a, b = (unit(up[p].mean(axis=0)) for p in parts)
    if angle_deg(a, b) < params.merge_deg:
        return [keep]
    return _positions(t, up, parts[0], params) + _positions(t, up, parts[1], params)


def fit_profile(
    t: np.ndarray, acc: np.ndarray, gyr: np.ndarray, *, user: str, sensor_model: str,
    stage3: bool, params: FitParams | None = None,
) -> Profile:
    """A profile from a calibration recording (t s, acc g, gyr deg/s); UserError if the still
    plateaus are missing or too similar, saying what to redo."""
    p = params or FitParams()
    t, acc, gyr = (np.asarray(x, dtype=float) for x in (t, acc, gyr))
    if t.size < 10:
        raise UserError("the calibration recording is too short; record it again")
    o = orientation.run(p.orientation, t, acc, gyr)
    ts = orientation.estimate_ts(t)
    # Without the filter's restarts: after a data gap (a redone step's cut-out attempt) the jump
    # in the up-vector reads as movement, so no still run spans the gap into one plateau.
    _, s = stillness.step(
        p.stillness, stillness.StillnessState(), ts, o.up, o.rate_dps, acc, o.gyr_dps
    )
    _, s = stillness.step(
        above_noise_floor(p, s), stillness.StillnessState(), ts, o.up, o.rate_dps, acc,
        o.gyr_dps,
    )
    plateaus = find_plateaus(t, s.up, s.still, p)
    need = 3 if stage3 else 2
    wanted = ", ".join(STAGE_NAMES[k] for k in range(1, need + 1))
    if len(plateaus) < need:
        raise UserError(
            f"found {len(plateaus)} still position(s) in the calibration, need {need} ({wanted}); "
            f"record it again holding each position still for at least "
            f"{p.min_plateau_s + 2 * p.trim_s:.0f} s"
        )
    chosen = stage_plateaus(plateaus, stage3, p)
    ups = np.array([c.up for c in chosen])
    u0 = ups[0]
    axis = extension_axis(u0, ups[1:])
    angles = frame_angles(ups, u0, axis).angle_deg
    # Never above the levels over every plateau sample (the arrival windows kept are a larger
    # share of fewer samples).
    every = np.concatenate([c.idx for c in chosen])
    idx = settled_samples(t, s.rate_dps, chosen, p)
    rate, spread, jolt = (
        min(np.percentile(x[i], p.noise_percentile) for i in (every, idx))
        for x in (s.rate_dps, s.spread_deg, s.jolt_g)
    )
    return Profile(
        user=user,
        sensor_model=sensor_model,
        created_utc=now_utc(),
        stage3_allowed=stage3,
        up_prone=(float(u0[0]), float(u0[1]), float(u0[2])),
        axis=(float(axis[0]), float(axis[1]), float(axis[2])),
        stage_angles={k + 1: float(a) for k, a in enumerate(angles)},
        rate_noise_dps=float(rate),
        spread_noise_deg=float(spread),
        jolt_noise_g=float(jolt),
    )


def settled_samples(
    t: np.ndarray, rate_dps: np.ndarray, chosen: list[Plateau], p: FitParams
) -> np.ndarray:
    """The samples of the ``chosen`` plateaus that set the noise levels. Each plateau in windows
    of ``window_s`` (a breath or more); a window whose rate (95th percentile) is over
    ``moving_factor`` times the plateau's median window is movement inside the pose (a shift
    while lying, a wobble, leaving before stillness ended) and is left out with the window after
    it (the spread lingers while the up-vector's running mean catches up): kept, it set the rest
    level to a move's rate, and hold ends were dated late by it (hard-2-000). The plateau's
    opening windows are kept though: settling on arrival is where a session's hold starts are
    dated by the same rest level."""
    parts = []
    for c in chosen:
        w = np.floor((t[c.idx] - t[c.idx[0]]) / p.window_s).astype(np.int64)
        groups = np.split(c.idx, np.flatnonzero(np.diff(w)) + 1)
        levels = np.array([np.percentile(rate_dps[g], 95) for g in groups])
        moving = levels > p.moving_factor * float(np.median(levels))
        moving[: np.argmin(moving)] = False
        moving[1:] |= moving[:-1]
        parts += [g for g, m in zip(groups, moving, strict=True) if not m]
    return np.concatenate(parts)


def extension_axis(u0: np.ndarray, ups: np.ndarray) -> np.ndarray:
    """The axis (⟂ ``u0``) about which prone turns towards the stage up-vectors ``ups`` (k, 3):
    normal to the least-squares plane through ``u0`` and them, turning ``u0`` towards ``ups[0]``.
    With the hands as well as the forearms, a side lean held on one of them tilts it less."""
    d = ups - np.outer(ups @ u0, u0)
    e = np.linalg.eigh(d.T @ d)[1][:, -1]
    return unit(np.cross(u0, e if e @ d[0] > 0 else -e))


def stage_plateaus(plateaus: list[Plateau], stage3: bool, p: FitParams) -> list[Plateau]:
    """Prone, forearms (and hands) among the plateaus: the latest chain that fits, so what
    follows the calibration (lying down again, standing up) is passed over. The top stage is a
    plateau as late as possible; each stage below it is the latest plateau before it that
    differs from it by a stage step (``min_forearms_deg`` below the forearms, ``min_step_deg``
    below the hands); plateaus in between are the same pose again (a wobble, sag or lean split
    it). A chain whose prone has a plateau just before it lying lower (by more than
    ``lower_lie_frac`` of the forearms step) starts a stage too high; a top stage more than
    ``max_top_deg`` above prone is upright (standing up after the calibration). UserError
    saying what to redo when no chain fits (why the one ending with the last plateau does
    not)."""
    first_error: UserError | None = None
    for top in range(len(plateaus) - 1, 0, -1):
        try:
            return [plateaus[k] for k in _chain(plateaus, top, stage3, p)]
        except UserError as e:
            first_error = first_error or e
    raise first_error or UserError("found no still positions in the calibration")


def _chain(plateaus: list[Plateau], top: int, stage3: bool, p: FitParams) -> tuple[int, ...]:
    """Indices of prone, forearms (and hands) with the top stage at ``top``; UserError why not.
    A top stage that returns to a pose held just before prone (prone, forearms, prone again)
    is no chain: it would read the return as the forearms, turned the wrong way."""
    fore = top
    if stage3:
        below = _latest_below(plateaus, top, p.min_step_deg)
        if below is None or angle_deg(plateaus[below].up, plateaus[top].up) > p.max_forearms_deg:
            raise UserError(
                f"found no still position on the forearms {p.min_step_deg:g}° or more below the "
                "last one (on the hands); record the calibration again: lying prone, on the "
                "forearms, on the hands"
            )
        fore = below
    prone = _latest_below(plateaus, fore, p.min_forearms_deg)
    redo = "record the calibration again: lying prone, on the forearms" + (
        ", on the hands" if stage3 else "")
    step2 = np.inf if prone is None else angle_deg(plateaus[prone].up, plateaus[fore].up)
    if prone is None or step2 > p.max_forearms_deg:
        near = angle_deg(plateaus[fore - 1].up, plateaus[fore].up) if fore else np.inf
        if near < p.min_forearms_deg:
            raise UserError(
                f"lying prone and on the forearms differ by only {near:.1f}°; record the "
                "calibration again, propping up fully on the forearms"
            )
        if prone is None:
            raise UserError(f"found no still position lying prone before the forearms; {redo}")
        ends = " (it ends on the forearms?)" if stage3 else ""
        raise UserError(
            f"the still position before the forearms differs from it by {step2:.0f}°, too much "
            f"for lying prone{ends}; {redo}"
        )
    if prone and angle_deg(plateaus[prone - 1].up, plateaus[top].up) < p.min_forearms_deg:
        raise UserError(f"the calibration ends back in a position held before lying prone; {redo}")
    chain = (prone, fore, top) if stage3 else (prone, fore)
    top_deg = angle_deg(plateaus[prone].up, plateaus[top].up)
    if top_deg > p.max_top_deg:
        raise UserError(
            f"the still position taken as the top stage is {top_deg:.0f}° above lying prone: "
            f"upright, not an exercise position; {redo}"
        )
    ups = np.array([plateaus[k].up for k in chain])
    axis = extension_axis(ups[0], ups[1:])
    if prone:
        # A still position just before, well below it: it was the prone lie, and this chain
        # one stage too high (the forearms taken as prone, standing up after the hands as them).
        before = plateaus[prone - 1].up[None, :]
        below = -frame_angles(before, ups[0], axis).angle_deg[0]
        if below > p.lower_lie_frac * step2:
            raise UserError(
                f"a still position {below:.0f}° below the one taken as lying prone comes just "
                f"before it; {redo}"
            )
    if stage3:
        angles = frame_angles(ups, ups[0], axis).angle_deg
        if angles[2] - angles[1] < p.min_step_deg:
            raise UserError(
                f"on the hands is only {angles[2] - angles[1]:.1f}° above on the forearms; "
                "record the calibration again, pressing up with straight elbows"
            )
    return chain


def _latest_below(plateaus: list[Plateau], k: int, min_deg: float) -> int | None:
    """The latest plateau before ``k`` at least ``min_deg`` from it."""
    return next(
        (i for i in range(k - 1, -1, -1)
         if angle_deg(plateaus[i].up, plateaus[k].up) >= min_deg),
        None,
    )


def above_noise_floor(p: FitParams, s: stillness.StillnessOut) -> stillness.StillnessParams:
    """Stillness thresholds at least ``floor_factor`` times the recording's noise floor."""
    sp, k, q = p.stillness, p.floor_factor, p.floor_percentile
    rate = max(sp.rate_on_dps, k * float(np.percentile(s.rate_dps, q)))
    jolt = max(sp.jolt_on_g, k * float(np.percentile(s.jolt_g, q)))
    spread = max(sp.spread_on_deg, k * float(np.percentile(s.spread_deg, q)))
    return replace(
        sp, rate_on_dps=rate, rate_off_dps=rate * sp.rate_off_dps / sp.rate_on_dps,
        jolt_on_g=jolt, jolt_off_g=jolt * sp.jolt_off_g / sp.jolt_on_g,
        spread_on_deg=spread, spread_off_deg=spread * sp.spread_off_deg / sp.spread_on_deg,
    )
