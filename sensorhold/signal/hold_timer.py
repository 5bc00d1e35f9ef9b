"""Hold timer: one continuous stay in one stage, back-dated to when the person settled.

A *candidate* is a run of still samples in one nonzero stage band. Once it has lasted
``confirm_s`` the hold starts, dated where the quiet run holding the candidate's first quiet
sample began (where the settling motion died out: stillness, which also waits for the tilt to
settle, confirms later) or, for one that arrived still (did not glide in), at its first sample
at the person's own rest level if that came first (a noisy gyro reads above the fixed quiet rate
for seconds after a lie-down), at most ``max_settle_s`` before the candidate and not before the
band was entered (a quiet glide out of the previous band is not settling in this one); if that
run began within ``gap_settle_s`` of the end of a data gap longer than ``gap_s`` (the filters
restart after one) with the angle at its first quiet sample within ``gap_still_deg`` of the one
after the gap, the person settled unseen in the gap: the middle of the gap is the best guess (a
lie-down finished in a 2.5 s gap was dated 2.4 s late). A gap longer than ``lost_s`` is
different: no one knows what the person did in it, so a hold open at it ends at the last sample
before it (counting no unseen time), and whatever follows is detected afresh (a hold, its
candidate, quiet run and band entry never reach back over it). A candidate never at rest
(``resting``) by then is still moving (a slow lowering can read still throughout): it is
confirmed, and dated, at its first resting sample instead, at most ``max_settle_s`` later; one
that glided into the band while still and was not yet quiet when confirmed is dated at its first
resting sample too (not at the band entry, where a slow lowering still moved at 6°/s; one still
only on arrival stopped there). The quiet run reaches back over ``easing`` samples, where the
rate is quiet and the jolt only decays: the jolt's band-pass remembers a lie-down's drop of the
hips for ~1 s after the body came to rest, and dated such starts that late; and over breaks of
up to ``settle_bridge_s`` (noise). While holding, samples that are not still, or out of the
band, are *pending*: if the person settles back in the band, they were a wobble (unstable time);
if they stay out of the band for ``dip_s``, the hold ends where the pending run began, i.e.
where they started to leave; if they left unseen in a data gap (at rest up to it and not
after it, or the angle after it off the hold's mean while filters that had not seen the move
read rest after it), at the gap's middle. So the detection delay only affects when the UI
learns of a start or end, never the durations.

A start is also re-judged when it is confirmed, against the rest the candidate then showed
(given the rate and gravity's direction): a gyro bias the orientation filter has not learnt yet
(early in a session, or one above its clip) keeps the rate over the fixed quiet level for
seconds after the person came to rest, and dated such starts 0.5-3.5 s late. Where the rate
came down to the candidate's own resting level, with gravity where it then stayed, is the
earliest the person can have settled; the earlier of the two datings holds. Likewise a hold's
end is at least the last sample at the rest the hold showed over its last ``rest_window_s``
(a rate resting above the quiet level was never quiet after the first seconds of a hold).

The logic runs per segment of constant (band, still), so it is vectorised within a chunk and
gives the same events whatever the chunking.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from sensorhold.signal.lowpass import hold_last


@dataclass(frozen=True, slots=True)
class HoldParams:
    """``leave_lag_s``: how long the rate filter and quiet threshold take to notice a smooth
    departure (measured with benchmarks/accuracy.py); the hold end is dated back by it.
    ``resettle_s``: how long a person must be still in the band again before a departure
    counts as a wobble (mid-way through a push to hands and knees the jolt dips and the person
    reads still for up to ~0.6 s; taking that as a return dated the hold end from the rest of
    the push, ~1 s late). Quiet would be the natural test, but someone breathing hard is not
    quiet for long in a hold, and a wobble then never ended.
    ``lost_s``: the longest data gap a hold is bridged over. Loss bursts of up to 3 s within a
    still hold are bridged (the accuracy benchmark's hard sessions have them); a longer silence
    is a dropped link (a BLE supervision timeout, typically 4-6 s on phones, plus a reconnect)
    or a cut in the file, and a person changes stage in ~2 s.
    ``settle_bridge_s``: the longest break that does not cut a settling run. On a noisy
    sensor the rate hovers at the quiet threshold and the decaying jolt rises over its trend
    for a sample or two; each such blip cut the run and dated lie-downs 1.1-1.8 s late.
    ``rest_margin``, ``rest_span_deg``, ``rest_blip_s``, ``rest_window_s``: the re-judged start
    and end (module doc):
    rate within ``rest_margin`` times the candidate's lower quartile over its last
    ``confirm_s``, gravity within ``rest_span_deg`` of its mean there, motion shorter than
    ``rest_blip_s`` ignored."""

    confirm_s: float = 1.0
    dip_s: float = 1.5
    max_settle_s: float = 2.0
    settle_lag_s: float = 0.0
    leave_lag_s: float = 0.35
    resettle_s: float = 1.0
    gap_s: float = 0.5
    gap_settle_s: float = 1.0
    gap_still_deg: float = 1.0
    lost_s: float = 4.0
    settle_bridge_s: float = 0.15
    rest_span_deg: float = 1.0
    rest_margin: float = 1.3
    rest_blip_s: float = 0.3
    rest_window_s: float = 5.0


@dataclass(frozen=True, slots=True)
class HoldEvent:
    """``kind`` "hold_start" (``end_s`` None) or "hold_end"; ``t`` is when it was detected."""

    kind: str
    t: float
    stage: int
    start_s: float
    end_s: float | None = None
    mean_angle_deg: float | None = None
    unstable_s: float | None = None

    def as_hold(self) -> dict[str, float | int]:
        """The hold as CLI.md's ``analyze --json`` lists it (for "hold_end" events)."""
        assert self.end_s is not None
        return {
            "stage": self.stage,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "duration_s": round(self.end_s - self.start_s, 3),
            "mean_angle_deg": round(float(self.mean_angle_deg or 0.0), 2),
            "unstable_s": round(float(self.unstable_s or 0.0), 3),
        }


@dataclass(slots=True)
class Sums:
    """Running angle sum, sample count and unstable seconds over part of a hold."""

    angle: float = 0.0
    n: int = 0
    unstable: float = 0.0

    def add(self, other: Sums) -> None:
        self.angle += other.angle
        self.n += other.n
        self.unstable += other.unstable


@dataclass(slots=True)
class HoldState:
    prev_t: float = np.nan
    quiet_t: float = np.nan
    quiet_run_t: float = np.nan
    settle_t: float = np.nan
    band: int = -1
    band_t: float = np.nan
    stage: int = 0
    start_s: float = np.nan
    conf: Sums = field(default_factory=Sums)
    pend: Sums = field(default_factory=Sums)
    leave_t: float = np.nan
    out_t: float = np.nan
    back_t: float = np.nan
    cand_stage: int = 0
    cand_t: float = np.nan
    cand_quiet_t: float = np.nan
    cand_rest_t: float = np.nan
    cand_glide: bool = False
    still: bool = False
    cand: Sums = field(default_factory=Sums)
    gap_end_t: float = np.nan
    gap_mid_t: float = np.nan
    gap_start_t: float = np.nan
    gap_angle: float = np.nan
    cand_band_t: float = np.nan
    recent: np.ndarray = field(default_factory=lambda: np.zeros((5, 0)))


@dataclass(frozen=True, slots=True)
class HoldOut:
    """Per sample: the stage held (0: none) and the running hold time on the back-dated clock."""

    stage: np.ndarray
    hold_s: np.ndarray
    events: list[HoldEvent]


class _Chunk:
    """Prefix sums of one chunk so any sample range sums in O(1)."""

    def __init__(
        self, t: np.ndarray, angle: np.ndarray, still: np.ndarray, quiet_t: np.ndarray,
        next_quiet: np.ndarray, next_rest: np.ndarray, quiet_since: np.ndarray,
        band_since: np.ndarray, dt: np.ndarray, cut: np.ndarray,
        gap: tuple[float, float, float, float, float], was_still: np.ndarray,
        recent: tuple[np.ndarray, np.ndarray, np.ndarray],
    ):
        lost = dt > gap[0]
        self.gap_end = hold_last(t, lost, gap[1])
        self.gap_start = hold_last(t - dt, lost, gap[4])  # the last sample before it
        # No settling dated into a gap too long to bridge: the hold after it starts after it.
        self.gap_mid = hold_last(np.where(cut, t, t - 0.5 * dt), lost, gap[2])
        self.gap_angle = hold_last(angle, lost, gap[3])
        self.angle = angle
        self.t = t
        self.quiet_t = quiet_t
        self.next_quiet = next_quiet
        self.next_rest = next_rest
        self.quiet_since = quiet_since
        self.band_since = band_since
        self.was_still = was_still
        self.recent = recent
        self.cs_angle = np.concatenate(([0.0], np.add.accumulate(angle)))
        self.cs_unstable = np.concatenate(([0.0], np.add.accumulate(np.where(still, 0.0, dt))))

    def sums(self, i: int, j: int) -> Sums:
        return Sums(
            float(self.cs_angle[j] - self.cs_angle[i]),
            j - i,
            float(self.cs_unstable[j] - self.cs_unstable[i]),
        )

    def window(self, t_from: float, j: int) -> np.ndarray:
        """Time, rate and gravity (5, m) from ``t_from`` to sample ``j``, earlier chunks too."""
        prev, rate, gravity = self.recent
        k = int(np.searchsorted(self.t[: j + 1], t_from))
        here = np.vstack((self.t[k : j + 1], rate[k : j + 1], gravity[k : j + 1].T))
        if k > 0:
            return here
        return np.concatenate((prev[:, int(np.searchsorted(prev[0], t_from)) :], here), axis=1)

    def first_at(self, i: int, j: int, t_min: float) -> int:
        """First index in [i, j) with t >= t_min, or -1."""
        k = i + int(np.searchsorted(self.t[i:j], t_min, side="left"))
        return k if k < j else -1


def _note_quiet(params: HoldParams, s: HoldState, c: _Chunk, i: int, stop: int) -> None:
    """Remember where the candidate's settling motion died out, and if it was at rest."""
    r = c.next_rest[i]
    if np.isnan(s.cand_rest_t) and r < stop:
        s.cand_rest_t = float(c.t[r])
    k = c.next_quiet[i]
    if np.isnan(s.cand_quiet_t) and k < stop:
        quiet_t = float(c.quiet_since[k])
        if (  # settled unseen, somewhere in a gap
            quiet_t - c.gap_end[k] <= params.gap_settle_s
            and abs(c.angle[k] - c.gap_angle[k]) < params.gap_still_deg
        ):
            quiet_t = min(quiet_t, float(c.gap_mid[k]))
        s.cand_quiet_t = max(quiet_t, s.cand_t - params.max_settle_s, float(c.band_since[i]))


def _left_in_gap(params: HoldParams, s: HoldState, c: _Chunk, i: int) -> float | None:
    """``leave_t`` for a person who left in a data gap (at its middle), or None: at rest up to
    it and leaving within ``gap_settle_s`` after it, either not at rest after it (the filters
    decay over the gap, so its first samples read the motion there) or at rest after it (the
    filters had not seen the move) with the angle there ``gap_still_deg`` off the hold's mean."""
    end, mid = float(c.gap_end[i]), float(c.gap_mid[i])
    if not c.t[i] - end <= params.gap_settle_s or not mid > s.start_s or not s.conf.n:
        return None
    if c.quiet_t[i] < c.gap_start[i]:  # its last rest was before the gap: dated from there
        return None
    if c.quiet_t[i] < end:  # at rest up to the gap, not after it
        return mid + params.leave_lag_s
    mean = s.conf.angle / s.conf.n
    if abs(float(c.gap_angle[i]) - mean) < params.gap_still_deg:
        return None
    return min(s.leave_t, mid + params.leave_lag_s)


def _confirm_at(params: HoldParams, s: HoldState, c: _Chunk, i: int, hi: int) -> int:
    """Index in [i, hi) where the candidate is confirmed, or -1: ``confirm_s`` after it began
    or, if it was never at rest by then (still moving, only slowly), at its first resting
    sample, at most ``max_settle_s`` later."""
    j = c.first_at(i, hi, s.cand_t + params.confirm_s)
    if j < 0 or not np.isnan(s.cand_rest_t) or c.next_rest[i] <= j:
        return j
    k = int(c.next_rest[j])
    late = c.first_at(j, hi, s.cand_t + params.confirm_s + params.max_settle_s)
    return min((x for x in (k if k < hi else -1, late) if x >= 0), default=-1)


def _end(params: HoldParams, s: HoldState, t: float) -> HoldEvent:
    conf = s.conf
    ev = HoldEvent(
        "hold_end", t, s.stage, s.start_s, max(s.leave_t - params.leave_lag_s, s.start_s),
        conf.angle / conf.n if conf.n else 0.0, conf.unstable,
    )
    s.stage, s.start_s, s.conf, s.pend = 0, np.nan, Sums(), Sums()
    s.leave_t = s.out_t = s.back_t = np.nan
    return ev


def _near(g: np.ndarray, mean: np.ndarray, span_deg: float) -> np.ndarray:
    """Whether each column of ``g`` (3, m) points within ``span_deg`` (< 90) of ``mean``."""
    dot = mean @ g
    size = (mean @ mean) * np.einsum("ij,ij->j", g, g)
    return (dot > 0) & (dot * dot >= np.cos(np.radians(span_deg)) ** 2 * size)


def _rest_level(params: HoldParams, rate: np.ndarray) -> float:
    """``rest_margin`` times the lower quartile of ``rate`` (nan if empty or not given); not
    np.percentile, which imports numpy.ma (~0.15 s)."""
    if not rate.size:
        return np.nan
    k = (rate.size - 1) // 4
    return params.rest_margin * float(np.partition(rate, k)[k])


def _rest_settled(params: HoldParams, s: HoldState, c: _Chunk, j: int) -> float:
    """Where the person came to the rest the candidate then showed, or nan: the rate down to
    (``rest_margin`` times) its lower quartile over the last ``confirm_s``, and gravity's
    direction within ``rest_span_deg`` of its mean there. A gyro bias the orientation filter
    has not learnt yet (the first lie of a session; one over its clip) keeps the rate above
    the fixed quiet level for seconds after the person came to rest. Not for a candidate
    that glided in, nor one whose gravity moved over that second (moving slowly)."""
    if s.cand_glide:
        return np.nan
    w = c.window(max(s.cand_t - params.max_settle_s, s.cand_band_t), j)
    t, rate, g = w[0], w[1], w[2:]
    lo, hi = int(np.searchsorted(t, s.cand_t)), t.size
    held = max(lo, int(np.searchsorted(t, t[hi - 1] - params.confirm_s)))
    gaps = (np.diff(t) > params.gap_s).nonzero()[0]
    # Not back over a data gap: what happened in it is the gap rules' call.
    first = int(gaps[-1]) + 1 if gaps.size else 0
    level = _rest_level(params, rate[held:hi])
    if not level > 0:  # no rate given
        return np.nan
    near = _near(g[:, first:hi], g[:, held:hi].mean(axis=1), params.rest_span_deg)
    if not near[held - first :].all():
        return np.nan
    # After the last stretch of motion lasting ``rest_blip_s`` (shorter ones: noise, a
    # breath); the candidate may itself begin in the move's tail.
    away = (rate[first:hi] > level) | ~near
    moving = np.concatenate(([False], away, [False]))
    edges = np.flatnonzero(moving[1:] != moving[:-1])
    ups, downs = edges[::2], edges[1::2]
    tt = t[first:hi]
    long = ((tt[downs - 1] - tt[ups] >= params.rest_blip_s) | (ups == 0)).nonzero()[0]
    k = first + (int(downs[long[-1]]) if long.size else 0)
    return float(t[k]) if k < hi else np.nan  # moving up to the confirmation: nothing to add


def _rest_left(params: HoldParams, s: HoldState, c: _Chunk, i: int) -> float:
    """The last sample before ``i`` (the first not still or out of the band) at the rest the
    hold showed over the ``rest_window_s`` before it (as in ``_rest_settled``), or nan. A rate
    resting above the fixed level (an unlearnt gyro bias, hard breathing) was never quiet in
    the hold, and its end was dated at its last quiet sample, up to 26 s early."""
    w = c.window(max(s.start_s, float(c.t[i]) - params.rest_window_s), i)
    t, rate, g = w[0, :-1], w[1, :-1], w[2:, :-1]
    level = _rest_level(params, rate)
    if t.size < 2 or not level > 0:
        return np.nan
    last = ((rate <= level) & _near(g, g.mean(axis=1), params.rest_span_deg)).nonzero()[0]
    return float(t[last[-1]]) if last.size else np.nan


def _start(params: HoldParams, s: HoldState, c: _Chunk, j: int) -> HoldEvent:
    t = float(c.t[j])
    settled = s.cand_quiet_t
    if np.isnan(settled):  # never quiet: at its first rest if late or if it glided in
        late = s.cand_rest_t > s.cand_t + params.confirm_s
        glided = s.cand_glide and not np.isnan(s.cand_rest_t)
        settled = s.cand_rest_t if late or glided else s.cand_t
    elif not s.cand_glide and s.cand_rest_t < settled:  # at rest before it was quiet
        settled = s.cand_rest_t
    settled = min(settled, _rest_settled(params, s, c, j))
    s.stage, s.start_s = s.cand_stage, settled - params.settle_lag_s
    s.conf, s.pend, s.cand = s.cand, Sums(), Sums()
    s.cand_stage, s.cand_t, s.cand_quiet_t, s.cand_rest_t = 0, np.nan, np.nan, np.nan
    s.leave_t = s.out_t = s.back_t = np.nan
    return HoldEvent("hold_start", t, s.stage, s.start_s)


def _close(params: HoldParams, s: HoldState, last_t: float, t: float) -> HoldEvent:
    """End the open hold with the data (at ``last_t``, its last sample), found out at ``t``:
    at its last sample unless the person had started to leave."""
    if np.isnan(s.leave_t) or not np.isnan(s.back_t):
        s.leave_t = last_t + params.leave_lag_s
    return _end(params, s, t)


def _restart(s: HoldState, t: float) -> HoldEvent:
    s.start_s, s.conf, s.pend = t, Sums(), Sums()
    s.leave_t = s.out_t = s.back_t = np.nan
    return HoldEvent("hold_start", t, s.stage, s.start_s)


def _candidate(
    s: HoldState, band: int, still: bool, t0: float, glide: bool, band_t: float
) -> bool:
    """Update the candidate for a segment's first sample (``glide``: still before it too);
    True if one is running."""
    if not still or band == 0 or band == s.stage:
        s.cand_stage, s.cand_t, s.cand_quiet_t, s.cand = 0, np.nan, np.nan, Sums()
        s.cand_rest_t = np.nan
        return False
    if s.cand_stage != band:
        s.cand_stage, s.cand_t, s.cand_quiet_t, s.cand = band, t0, np.nan, Sums()
        s.cand_rest_t, s.cand_glide, s.cand_band_t = np.nan, glide, band_t
    return True


def _segment(
    params: HoldParams, s: HoldState, c: _Chunk, lo: int, hi: int, band: int, still: bool,
    raised: bool, fell: bool, events: list[HoldEvent], marks: list[tuple[int, int, float]],
    lost_t: float | None = None,
) -> None:
    """Advance over samples [lo, hi), all with the same band, stillness and flags; ``lost_t``:
    [lo] follows a gap too long to bridge, and ``lost_t`` is the last sample before it."""
    i = lo
    held = 0 if raised else band
    if lost_t is not None:
        if s.stage:
            events.append(_close(params, s, lost_t, float(c.t[lo])))
            marks.append((lo, 0, np.nan))
        s.cand_stage, s.cand_t, s.cand_quiet_t, s.cand = 0, np.nan, np.nan, Sums()
        s.cand_rest_t = np.nan
    if fell and s.stage and band == s.stage:
        events.append(_restart(s, float(c.t[lo])))
        marks.append((lo, s.stage, s.start_s))
    while i < hi:
        cand = _candidate(
            s, band, still, float(c.t[i]), bool(c.was_still[i]), float(c.band_since[i])
        )
        if s.stage:
            if still and held == s.stage:
                s.out_t = np.nan
                if not np.isnan(s.leave_t):
                    if np.isnan(s.back_t):
                        s.back_t = float(c.t[i])
                    j = c.first_at(i, hi, s.back_t + params.resettle_s)
                    s.pend.add(c.sums(i, hi if j < 0 else j))
                    if j < 0:
                        return
                    s.conf.add(s.pend)
                    s.pend, s.leave_t, s.back_t, i = Sums(), np.nan, np.nan, j
                s.conf.add(c.sums(i, hi))
                return
            s.back_t = np.nan
            if np.isnan(s.leave_t):
                # At its last rest; never at rest since it started: where it left the still.
                rest_t = float(c.quiet_t[i])
                s.leave_t = rest_t if rest_t >= s.start_s else float(c.t[i])
                s.leave_t = max(s.leave_t, _rest_left(params, s, c, i))
                gap_t = _left_in_gap(params, s, c, i)
                if gap_t is not None:
                    s.leave_t = gap_t
            if held == s.stage:
                s.out_t = np.nan
            elif np.isnan(s.out_t):
                s.out_t = float(c.t[i])
            j = -1 if np.isnan(s.out_t) else c.first_at(i, hi, s.out_t + params.dip_s)
            stop = hi if j < 0 else j + 1
            s.pend.add(c.sums(i, stop))
            if cand:
                s.cand.add(c.sums(i, stop))
                _note_quiet(params, s, c, i, stop)
            if j < 0:
                return
            events.append(_end(params, s, float(c.t[j])))
            marks.append((j, 0, np.nan))
            if cand and not raised and c.t[j] >= s.cand_t + params.confirm_s + (
                0.0 if not np.isnan(s.cand_rest_t) else params.max_settle_s
            ):
                events.append(_start(params, s, c, j))
                marks.append((j, s.stage, s.start_s))
            i = stop
            continue
        if not cand:
            return
        j = -1 if raised else _confirm_at(params, s, c, i, hi)
        stop = hi if j < 0 else j + 1
        s.cand.add(c.sums(i, stop))
        _note_quiet(params, s, c, i, stop)
        if j < 0:
            return
        events.append(_start(params, s, c, j))
        marks.append((j, s.stage, s.start_s))
        i = stop


def step(
    params: HoldParams, state: HoldState, t: np.ndarray, band: np.ndarray, still: np.ndarray,
    quiet: np.ndarray, angle_deg: np.ndarray, raised: np.ndarray, fell: np.ndarray,
    easing: np.ndarray | None = None, resting: np.ndarray | None = None,
    rate: np.ndarray | None = None, gravity: np.ndarray | None = None,
) -> tuple[HoldState, HoldOut]:
    """One chunk: band stage, stillness, quietness (rate near rest), angle, pelvis raised,
    pelvis lowered and, optional, easing (a settling run extends over it), resting (quiet
    at the person's own rest level; default ``quiet``), the rate (deg/s) and gravity's
    direction (n, 3) (a start is re-judged over them) per sample. While raised, a hold counts
    as left and a candidate waits to be confirmed.

    A hold ends at the last resting sample before the person started to leave."""
    n = t.size
    events: list[HoldEvent] = []
    if n == 0:
        return state, HoldOut(np.zeros(0, np.int8), np.zeros(0), events)
    quiet_t = hold_last(t, quiet if resting is None else resting, state.quiet_t)
    idx = np.where(quiet, np.arange(n), n)
    next_quiet = np.minimum.accumulate(idx[::-1])[::-1]
    idx = np.where(quiet if resting is None else resting, np.arange(n), n)
    next_rest = np.minimum.accumulate(idx[::-1])[::-1]
    dt = t - np.concatenate(([t[0] if np.isnan(state.prev_t) else state.prev_t], t[:-1]))
    cut = dt > params.lost_s
    settle = quiet if easing is None else quiet | easing
    # A settling run goes on over breaks of up to settle_bridge_s (noise blips), not over cuts.
    settle_t = hold_last(t, settle, state.settle_t)
    before = np.concatenate(([state.prev_t], t[:-1]))
    last = np.concatenate(([state.settle_t], settle_t[:-1]))
    broke = ~(before - last <= params.settle_bridge_s)
    quiet_since = hold_last(t, settle & (broke | cut), state.quiet_run_t)
    entered = (band != np.concatenate(([state.band], band[:-1]))) | cut
    band_since = hold_last(t, entered, state.band_t)
    rates = np.full(n, np.nan) if rate is None else rate
    down = np.zeros((n, 3)) if gravity is None else gravity
    c = _Chunk(
        t, angle_deg, still, np.where(np.isnan(quiet_t), t, quiet_t), next_quiet, next_rest,
        quiet_since, band_since, dt, cut, (
            params.gap_s, state.gap_end_t, state.gap_mid_t, state.gap_angle, state.gap_start_t,
        ), np.concatenate(([state.still], still[:-1])),
        (state.recent, rates, down),
    )
    marks: list[tuple[int, int, float]] = [(0, state.stage, state.start_s)]
    change = np.flatnonzero(
        (band[1:] != band[:-1]) | (still[1:] != still[:-1]) | (raised[1:] != raised[:-1])
        | (fell[1:] != fell[:-1]) | cut[1:]
    ) + 1
    bounds = np.concatenate(([0], change, [n]))
    for lo, hi in itertools.pairwise(bounds):
        lost_t = (float(t[lo - 1]) if lo else state.prev_t) if cut[lo] else None
        _segment(
            params, state, c, int(lo), int(hi), int(band[lo]), bool(still[lo]), bool(raised[lo]),
            bool(fell[lo]), events, marks, lost_t,
        )
    state.prev_t, state.quiet_t = float(t[-1]), float(quiet_t[-1])
    state.still = bool(still[-1])
    state.quiet_run_t, state.settle_t = float(quiet_since[-1]), float(settle_t[-1])
    state.band, state.band_t = int(band[-1]), float(band_since[-1])
    state.gap_end_t, state.gap_mid_t = float(c.gap_end[-1]), float(c.gap_mid[-1])
    state.gap_start_t = float(c.gap_start[-1])
    state.gap_angle = float(c.gap_angle[-1])
    keep = t[-1] - max(params.confirm_s + 2 * params.max_settle_s, params.rest_window_s) - 1.0
    state.recent = c.window(keep, n - 1)
    stage = np.zeros(n, np.int8)
    start = np.full(n, np.nan)
    for (i, k, s0), (j, _, _) in zip(marks, [*marks[1:], (n, 0, 0.0)], strict=True):
        stage[i:j], start[i:j] = k, s0
    hold_s = np.where(stage > 0, t - start, 0.0)
    return state, HoldOut(stage, hold_s, events)


def close(params: HoldParams, state: HoldState) -> HoldEvent | None:
    """End an open hold at the end of the data (at its last good sample if it was leaving)."""
    if not state.stage:
        return None
    return _close(params, state, state.prev_t, state.prev_t)
