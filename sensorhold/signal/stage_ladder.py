"""Stage ladder: which exercise stage an angle is in, with hysteresis at the band edges.

Bands sit around the person's calibrated stage angles, split at the midpoints; stage 1 reaches
``below_prone_deg`` under the prone angle and the top allowed stage reaches half its gap to the
stage below (at least ``min_top_margin_deg``) above its angle. Anything outside, or leaning
sideways past ``max_roll_deg``, is stage 0. Without a stage-3 prescription a press-up higher
than the stage-2 band therefore reads as stage 0 (not an exercise posture for this person);
upstream may alert on it. A stage only changes once the angle is ``hysteresis_deg`` inside the
new band: enough to keep a hold's breathing sway (well under 1°) from flickering at an edge,
small enough that a forearms hold sagging 3° below a 10° calibrated angle still enters its
band (2° kept it in stage 1 for a whole hold). Lying on the floor, the lower back cannot tip
much below its prone angle: ``below_prone_deg`` leaves room for a wobble (up to ~4°) and the
prone lies' scatter, while hands and knees with the back rounded (down to about -8° and more)
leaves stage 1 instead of extending a prone hold.

Hysteresis keeps the band a person settled in, not one crossed into while moving: where a
still run begins back within ``return_deg`` of the angle of the last still sample, that
sample's band holds if the angle is within its reach; else the plain band (split at the
midpoints). A wobble in a forearms hold held near the edge to the hands band (stage angles 4°
apart) reached 1° past the edge, and the person, back at the angle they held before, read as
stage 3 for 8 s. A move is not a return: a person pressing up from 20° on the forearms to 25.5°
on the hands (edge 24.4°) settled within the forearms band's reach and read as stage 2 for 5 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sensorhold.signal.lowpass import hold_last


@dataclass(frozen=True, slots=True)
class StageParams:
    """``stage_angles[k-1]`` is the calibrated angle of stage k (1, 2 and, if allowed, 3)."""

    stage_angles: tuple[float, ...] = (0.0, 20.0)
    below_prone_deg: float = 6.0
    min_top_margin_deg: float = 8.0
    max_roll_deg: float = 25.0
    hysteresis_deg: float = 1.0
    return_deg: float = 2.0

    def edges(self) -> np.ndarray:
        """Band edges: stage k spans edges[k-1]..edges[k] (read-only: computed once)."""
        return _edges(self.stage_angles, self.below_prone_deg, self.min_top_margin_deg)


@lru_cache(maxsize=16)
def _edges(stage_angles: tuple[float, ...], below_prone_deg: float, min_top: float) -> np.ndarray:
    a = np.asarray(stage_angles, dtype=float)
    top = max(min_top, (a[-1] - a[-2]) / 2)
    edges = np.concatenate(([a[0] - below_prone_deg], (a[1:] + a[:-1]) / 2, [a[-1] + top]))
    edges.flags.writeable = False
    return edges


@dataclass(slots=True)
class StageState:
    """The stage at the last sample and at the last still sample (and its angle), and the last
    sample's stillness."""

    stage: int = 0
    settled: int = 0
    still: bool = False
    settled_deg: float = float("nan")


def step(
    params: StageParams, state: StageState, angle_deg: np.ndarray, roll_deg: np.ndarray,
    still: np.ndarray | None = None,
) -> tuple[StageState, np.ndarray]:
    """Band stage (int8) per sample; with ``still``, a settling person takes up the band they
    were settled in before if still within its reach (see the module docstring)."""
    edges, h = params.edges(), params.hysteresis_deg
    k = np.searchsorted(edges, angle_deg, side="right")
    inside = (k >= 1) & (k < edges.size)
    kc = np.minimum(np.maximum(k, 1), edges.size - 1)
    lo, hi = edges[kc - 1], edges[kc]
    core_in = inside & (angle_deg >= lo + h) & (angle_deg <= hi - h) & (
        np.abs(roll_deg) <= params.max_roll_deg - h
    )
    core_out = (
        (angle_deg < edges[0] - h)
        | (angle_deg > edges[-1] + h)
        | (np.abs(roll_deg) > params.max_roll_deg + h)
        | ~np.isfinite(angle_deg)
    )
    value = np.where(core_in, kc, 0)
    defined = core_in | core_out
    if still is not None and still.size:
        _settle(params, state, angle_deg, roll_deg, still, value, defined)
    stage = hold_last(value, defined, state.stage).astype(np.int8)
    if stage.size:
        settled, settled_deg = state.settled, state.settled_deg
        if still is not None and still.any():
            last = int(np.flatnonzero(still)[-1])
            settled, settled_deg = int(stage[last]), float(angle_deg[last])
        state = StageState(
            int(stage[-1]), settled, state.still if still is None else bool(still[-1]),
            settled_deg,
        )
    return state, stage


def _settle(
    params: StageParams, state: StageState, angle_deg: np.ndarray, roll_deg: np.ndarray,
    still: np.ndarray, value: np.ndarray, defined: np.ndarray,
) -> None:
    """Set ``value`` at each sample where a still run begins: back at the angle of the last
    still sample (within ``return_deg``), that sample's band if the angle is within its reach
    (``hysteresis_deg`` past its edges); else the plain band (split at the midpoints)."""
    edges, h = params.edges(), params.hysteresis_deg
    n = still.size
    onsets = np.flatnonzero(still & ~np.concatenate(([state.still], still[:-1])))
    if not onsets.size:
        return
    idx = np.arange(n)
    core_last = np.maximum.accumulate(np.where(defined, idx, -1))
    still_last = np.maximum.accumulate(np.where(still, idx, -1))
    prev = -1
    for k in onsets.tolist():
        e = int(still_last[k - 1]) if k else -1
        if e < 0:
            band, before = state.settled, state.settled_deg
        else:
            j = max(int(core_last[e]), prev)
            band = int(value[j]) if j >= 0 else state.stage
            before = float(angle_deg[e])
        a, r = float(angle_deg[k]), abs(float(roll_deg[k]))
        if not (band and edges[band - 1] - h <= a <= edges[band] + h
                and abs(a - before) <= params.return_deg
                and r <= params.max_roll_deg + h):
            b = int(np.searchsorted(edges, a, side="right"))
            band = b if 1 <= b < edges.size and r <= params.max_roll_deg else 0
        value[k], defined[k] = band, True
        prev = k
