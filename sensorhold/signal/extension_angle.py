"""Extension angle: sagittal inclination from the prone posture, positive = extension.

The frame is the prone up-vector ``u0`` and the left-right extension axis ``a`` (both in sensor
axes). The angle is the signed angle of the up-vector, projected on the plane perpendicular to
``a``, from ``u0``'s projection there; the out-of-plane part is ``roll`` (side lean), which the
angle ignores.

Each session re-zeroes on its first settled lie within ``prone_window_deg`` of prone (wide, as a
re-mounted sensor can be 15° off; sessions begin by lying down, so the first settled
near-horizontal posture is taken as prone) (the sensor may be stuck back on a little
differently): the calibrated frame is rotated minimally onto the new prone up-vector. How far the
sensor was turned about that up-vector is still unknown, so until the first settled rise
plateau the angle is the total tilt from prone (signed by the rotated axis), which is exact for
any turn. Each settled rise plateau (once per stay) then votes for the turn: the direction of its
tilt from prone, ``ψ_i``. A side lean on the plateau shifts that direction by about
``lean / tilt`` (a 5° lean on 15° forearms reads as an 18° turn), and a single plateau cannot
tell a lean from a turn, so the turn is fitted to the votes by least squares with the calibrated
axis as a prior (turn 0): each vote weighs about ``(tilt_i / lean_sd)²``, the prior
``1 / turn_sd²``. Higher plateaus and more of them outweigh the prior; one leaning plateau no
longer tilts the axis for the session.
Standing or sitting is a tilt of about 90° about the same axis, so its side lean (a few
degrees, like a plateau's) turns the axis far less (``lean / 90°``) than on 7-15° forearms: a
still upright plateau votes like a rise, and the last upright stay (``upright_deg``) before the
first settled lie (a session starts on its feet; sway and steps average out) votes as soon as
that lie re-zeroes. A stiff person's forearms at 7°
leaning 7° read 5.5° instead of 8.1° (calibrated axis 20° off) before.
The zero itself may lean: every settled lie (once per stay) votes too, and from the second on
the lies and rises together fit the turn and the zero's lean (``_fit_axis``), the axis tipped
out of the plane perpendicular to the zero by that lean.
At each vote the turn is estimated afresh from every rise plateau's mean up-vector against the
zero as it then stands: the zero moves as lies vote (below), and directions taken against an
older zero keep whatever lean that zero had.

Until that re-zero, a posture within the prone window is flagged ``prone_pending``: it is the
one to be taken as prone, so its stage is 1 even where the calibrated frame (off by the
re-mount) puts it in the stage-2 band, and while it is settled and its mean so far is more than
``agree_deg`` from the calibrated zero (re-mounted), its angle is read from that mean (the
re-zero it is becoming) rather than from the calibrated frame.

That first settled lie may have been a pause on hands and knees on the way down (the trunk is
as horizontal there, ±10°). What tells is the hips: the next move then lowers them (``lowered``,
judged by ``hip_height``). So after a lowering, the next settled lie (below ``rise_deg``, above
``-prone_window_deg``) is read from its own mean while it settles and, if it is more than
``lie_deg`` from the zero, becomes the zero (the votes against the old one are dropped); a rise of
the hips (``lifted``) cancels that. A recording may also begin with the person already on their
forearms, which then becomes the zero: a settled lie a forearms' height below it
(``forearms_deg`` within ``sunk_frac`` of it, at least ``sunk_deg``), the hips not raised since
the zero was taken (hands and knees, a child's pose), is prone, and becomes the zero as well. Until
it does it reads its angle below the old zero (stage 0), so the hold before it ends.

After it, the zero is the mean prone posture: each prone lie (a stay within ``lie_deg`` of the
zero in the sagittal plane, leaning sideways less than ``lie_roll_deg``: a first lie taken with a
6° lean must not keep level lies from voting) votes with the mean up-vector of its settled
samples, the current one as it grows, once it
has been settled for ``settle_s``; the calibration's prone lie votes too while it agrees with the
session's within ``agree_deg`` (the sensor was not re-mounted). Every lie scatters (~0.4°) and a
first settle still creeps for seconds, so more and longer lies give a truer zero. The angle is
read from the moving zero's projection perpendicular to the axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from sensorhold.signal.condition_run import RunCarry, first_long_run
from sensorhold.signal.lowpass import hold_last
from sensorhold.signal.vectors import cross3, dot3

RAD = 180.0 / np.pi
# A chunk is taken at most WINDOW samples at a time (as if streamed in such chunks): each settled
# plateau restarts the work after it, so over a whole recording in one chunk that work grew with
# the number of plateaus times the length (an hour of demo data: 55 µs/sample).
WINDOW = 4096
# A chunk this long or shorter (streamed) is worked whole: finding where its stays settle
# costs more than the work after a vote that it would save.
GUESS_MIN = 256


@dataclass(frozen=True, slots=True)
class AngleParams:
    settle_s: float = 2.0
    prone_window_deg: float = 20.0
    roll_window_deg: float = 20.0
    rise_deg: float = 8.0
    max_plateau_deg: float = 135.0
    upright_deg: tuple[float, float] = (45.0, 135.0)
    upright_roll_deg: float = 45.0
    max_axis_turn_deg: float = 60.0
    lean_sd_deg: float = 3.0
    turn_sd_deg: float = 10.0
    lie_deg: float = 3.0
    lie_roll_deg: float = 12.0
    agree_deg: float = 1.5
    forearms_deg: float = np.nan
    sunk_frac: float = 0.35
    sunk_deg: float = 4.0

    def rise(self) -> float:
        """Where a plateau stops being a lie and votes as a rise: ``rise_deg``, or half the
        forearms' angle if lower (where the stage ladder's forearms band begins): forearms at
        6.5° were taken as lies, no rise voted, and a lie leaning 8° after them read its lean
        as extension (stage 2 for 3 s)."""
        return min(self.rise_deg, 0.5 * self.forearms_deg) if self.forearms_deg > 0 else (
            self.rise_deg)


@dataclass(slots=True)
class AngleState:
    """``phase``: 0 calibrated frame, 1 re-zeroed (axis pending), 2 re-zeroed and axis refit.
    ``rises``: the mean up-vectors of the rise plateaus that voted for the turn, ``lies`` those
    of the lies (each over its first ``settle_s``; both since the zero was last taken);
    ``voted``: the current stay has voted (no second vote until it is left).
    ``lowered``: the hips last moved down, and no lie has settled since; ``rose``: the hips
    have risen since the zero was taken.
    ``votes``/``n_votes``: sum and count of the closed lies' mean up-vectors; ``lie_sum`` and
    ``lie_t0`` (first settled sample, nan: none yet) the open lie's, ``in_lie`` whether one is
    open. ``ref_u0``/``ref_axis``: the frame as last set by ``_advance``, fixed references for
    lie membership and the axis, so that any chunking gives the same output.
    ``upright``: before the first lie, the mean up-vector of the last upright stay (None: none
    yet), ``upright_run`` the stay still open at the end of the last chunk."""

    u0: np.ndarray
    axis: np.ndarray
    phase: int = 0
    run: RunCarry = field(default_factory=RunCarry)
    cal_u0: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))
    votes: np.ndarray = field(default_factory=lambda: np.zeros(3))
    n_votes: int = 0
    lie_sum: np.ndarray = field(default_factory=lambda: np.zeros(3))
    lie_t0: float = np.nan
    in_lie: bool = False
    ref_u0: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))
    ref_axis: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))
    prior_axis: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))
    rises: list[np.ndarray] = field(default_factory=list)
    lies: list[np.ndarray] = field(default_factory=list)
    voted: bool = False
    lowered: bool = False
    rose: bool = False
    upright: np.ndarray | None = None
    upright_run: RunCarry = field(default_factory=RunCarry)

    def __post_init__(self) -> None:
        if np.isnan(self.cal_u0).any():
            self.cal_u0 = self.u0.copy()


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
    """``v / np.linalg.norm(v)`` for a vector ``v`` (the same operations, without its wrapper)."""
    return v / np.sqrt(v.dot(v))


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


# Internally, vectors over samples are component-major (3, m): each component is contiguous,
# which makes per-sample dot and cross products several times faster than on (m, 3) rows
# (gathers use np.take, ~4x faster there than fancy indexing).


def _clip1(x: np.ndarray) -> np.ndarray:
    """``np.clip(x, -1, 1)`` without its per-call overhead."""
    return np.minimum(np.maximum(x, -1.0), 1.0)


@cache
def _cos_deg(deg: float) -> float:
    return float(np.cos(deg / RAD))


@cache
def _sin_deg(deg: float) -> float:
    return float(np.sin(deg / RAD))


@cache
def _tan_deg(deg: float) -> float:
    return float(np.tan(deg / RAD))


def _unit(v: np.ndarray) -> np.ndarray:
    """Each column of ``v`` (3, m) scaled to unit length; zero (or nan) columns become zero."""
    norm = dot3(v, v)
    np.sqrt(norm, out=norm)
    if not norm.min(initial=np.inf) > 0:
        bad = ~(norm > 0)
        v, norm = np.where(bad, 0.0, v), np.where(bad, 1.0, norm)
    return v / norm


@dataclass(frozen=True, slots=True)
class _Zero:
    """Per sample of a stretch: the zero's level form ``u0`` (projected perpendicular to the
    axis) and ``axis × u0`` (vectors (3, m)); the axis (3,); per distinct frame the zero in force
    ``zero`` and the votes behind it (``votes`` (3, c), ``n_votes`` (c,)), each sample's frame
    ``src`` (m,); the open lie's running sums as ``_lie_sums`` takes them; ``up · axis`` (m,)."""

    zero: np.ndarray
    u0: np.ndarray
    axis: np.ndarray
    across: np.ndarray
    votes: np.ndarray
    n_votes: np.ndarray
    src: np.ndarray
    near: np.ndarray
    lie_cs: np.ndarray
    lie_start: np.ndarray
    carried_n: int
    carried_sum: np.ndarray
    lie_t0: np.ndarray
    side: np.ndarray


def _lie_sums(
    cs: np.ndarray, start: np.ndarray, carried_n: int, carried_sum: np.ndarray, idx: np.ndarray
) -> np.ndarray:
    """The open lie's sum of member up-vectors at samples ``idx``: the running sum ``cs`` (3, m)
    since the lie's first sample ``start`` (-1: the lie carried in, over the first ``carried_n``
    samples, plus its sum before, ``carried_sum``)."""
    first = np.take(start, idx)
    out = np.take(cs, idx, axis=1)
    out -= np.where(first > 0, np.take(cs, np.maximum(first - 1, 0), axis=1), 0.0)
    out += np.where(idx < carried_n, carried_sum[:, None], 0.0)
    return out


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.cross`` of two 3-vectors (the same products) without its per-call overhead."""
    a0, a1, a2 = a.tolist()
    b0, b1, b2 = b.tolist()
    return np.array((a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0))


def _track_zero(
    params: AngleParams, state: AngleState, t: np.ndarray, up: np.ndarray, still: np.ndarray
) -> _Zero:
    """The averaged prone zero (module docstring) at each sample, from ``state`` on; ``up``
    (3, m). Angle thresholds are compared as cosines. The frame takes few values (one per
    number of closed lies, except on an open lie's settled samples, whose mean grows): each is
    computed once and spread to its samples."""
    m = t.size
    along = dot3(up, state.ref_u0)
    sag = dot3(up, _cross(state.ref_axis, state.ref_u0))
    side = dot3(up, state.ref_axis)
    near = (np.abs(sag) < _tan_deg(params.lie_deg) * along) & (
        np.abs(side) < _sin_deg(params.lie_roll_deg)
    )
    member = near & still
    prev = np.concatenate(([state.in_lie], near[:-1]))
    start = np.maximum.accumulate(np.where(near & ~prev, np.arange(m), -1))  # -1: carried lie
    carried = start < 0
    base = np.maximum(start - 1, 0)
    cs = np.add.accumulate(np.where(member, up, 0.0), axis=1)
    k = int(np.searchsorted(start, 0))  # the carried lie: samples before the first start
    cnt = np.add.accumulate(member, dtype=np.intp)
    before = np.where(start > 0, cnt[base], 0)
    midx = member.nonzero()[0]
    first_t = t[midx[np.minimum(before, midx.size - 1)]] if midx.size else np.full(m, np.nan)
    lie_t0 = np.where(cnt > before, first_t, np.nan)
    if not np.isnan(state.lie_t0):
        lie_t0 = np.where(carried, state.lie_t0, lie_t0)
    prev_t0 = np.concatenate(([state.lie_t0], lie_t0[:-1]))
    with np.errstate(invalid="ignore"):
        closed = ~near & prev & (t - prev_t0 >= params.settle_s)
        open_ok = near & (t - lie_t0 >= params.settle_s)
    # Each closed lie votes with its mean up-vector (its sum up to the sample before).
    ends = closed.nonzero()[0]
    cum_votes = np.zeros((3, ends.size + 1))
    if ends.size:
        ended = np.where(
            ends > 0, _lie_sums(cs, start, k, state.lie_sum, np.maximum(ends - 1, 0)),
            state.lie_sum[:, None],
        )
        np.add.accumulate(_unit(ended), axis=1, out=cum_votes[:, 1:])
    n_closed = np.add.accumulate(closed, dtype=np.intp)
    # The frames: first one per number of closed lies, then one per open settled sample.
    opened = open_ok.nonzero()[0]
    k_open = n_closed[opened]
    src = n_closed.copy()
    src[opened] = np.arange(ends.size + 1, ends.size + 1 + opened.size)
    votes = state.votes[:, None] + cum_votes
    votes = np.concatenate((votes, np.take(votes, k_open, axis=1)), axis=1)
    n_votes = state.n_votes + np.concatenate((np.arange(ends.size + 1), k_open))
    lie_vote = np.zeros_like(votes)
    if opened.size:
        lie_vote[:, ends.size + 1 :] = _unit(_lie_sums(cs, start, k, state.lie_sum, opened))
    total = votes + lie_vote
    voted = n_votes > 0
    voted[ends.size + 1 :] = True
    if total.shape[1] == 1:  # one frame throughout (no lie closed or settled): as last time
        key = b"".join(v.tobytes() for v in (total, state.u0, state.cal_u0, state.ref_axis, voted))
        u0, level, across = _one_frame(key, params.agree_deg)
        level, across = level[:, 0], across[:, 0]  # no per-sample copies
    else:
        u0, level, across = _frames(total, voted, state.u0, state.cal_u0, state.ref_axis,
                                    params.agree_deg)
        level, across = np.take(level, src, axis=1), np.take(across, src, axis=1)
    return _Zero(
        u0, level, state.ref_axis, across, votes, n_votes, src, near, cs, start, k,
        state.lie_sum, lie_t0, side,
    )


def _frames(
    total: np.ndarray, voted: np.ndarray, u0: np.ndarray, cal_u0: np.ndarray, axis: np.ndarray,
    agree_deg: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frame, from its votes' sum ``total`` (3, c) (``voted``: any), the zero in force, its
    level form and ``axis`` × that."""
    session = _unit(total)
    if not voted.all():
        session = np.where(voted, session, u0[:, None])
    agree = dot3(session, cal_u0) >= _cos_deg(agree_deg)
    zero = session
    if agree.any():  # each frame's zero is one of the two, so each is formed only if used
        zero = _unit(total + cal_u0[:, None])
        if not agree.all():
            zero = np.where(agree, zero, session)
    # The angle is measured in the plane perpendicular to the axis, from the zero's projection
    # there: the zero's own side lean does not count.
    level = _unit(zero - dot3(zero, axis) * axis[:, None])
    return zero, level, cross3(axis, level)


@lru_cache(maxsize=8)
def _one_frame(key: bytes, agree_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_frames`` of one frame, its inputs as bytes (a stream asks for the same one for as
    long as no lie closes or settles); the arrays are shared, so read-only."""
    v = np.frombuffer(key[:96], float).reshape(4, 3)
    out = _frames(v[0][:, None], np.frombuffer(key[96:], bool), v[1], v[2], v[3], agree_deg)
    for x in out:
        x.flags.writeable = False
    return out


def _run_mean_angle(
    params: AngleParams, cond: np.ndarray, up: np.ndarray, state: AngleState
) -> np.ndarray:
    """Calibrated-frame angle of the mean up-vector (``up`` (3, n)) of each sample's ``cond``
    run so far; 0 where that mean agrees with the calibrated zero."""
    n = cond.size
    prev = np.concatenate(([state.run.count > 0], cond[:-1]))
    start = np.maximum.accumulate(np.where(cond & ~prev, np.arange(n), -1))
    cs = np.add.accumulate(np.where(cond, up, 0.0), axis=1)
    total = cs - np.where(start > 0, np.take(cs, np.maximum(start - 1, 0), axis=1), 0.0)
    total += np.where(start < 0, state.run.total[:, None], 0.0)
    mean = _unit(total)
    off = dot3(mean, state.u0) < _cos_deg(params.agree_deg)
    ang = np.arctan2(dot3(mean, cross3(state.axis, state.u0)), dot3(mean, state.u0)) * RAD
    return np.where(off, ang, 0.0)


def _commit(state: AngleState, z: _Zero, k: int) -> None:
    """Carry the zero as it stands after sample ``k`` of the stretch."""
    f = z.src[k]
    state.u0, state.axis = z.zero[:, f].copy(), z.axis.copy()
    state.votes, state.n_votes = z.votes[:, f].copy(), int(z.n_votes[f])
    state.in_lie = bool(z.near[k])
    state.lie_sum = (
        _lie_sums(z.lie_cs, z.lie_start, z.carried_n, z.carried_sum, np.array([k]))[:, 0]
        if state.in_lie else np.zeros(3)
    )
    state.lie_t0 = float(z.lie_t0[k]) if state.in_lie else np.nan


def _angles(
    state: AngleState, up: np.ndarray, u0: np.ndarray, side: np.ndarray, across: np.ndarray,
    params: AngleParams,
) -> AngleOut:
    """Angle and roll of ``up`` (3, n) against frames ``u0`` with ``across`` = ``axis × u0``:
    (3,) or per sample (3, n); ``side`` = ``up · axis`` (n,)."""
    along = dot3(up, u0)
    ang = np.arctan2(dot3(up, across), along) * RAD
    roll = np.arcsin(_clip1(side)) * RAD
    if state.phase != 1:
        return AngleOut(ang, roll)
    far = along <= _cos_deg(params.rise_deg)
    tilt = np.arccos(_clip1(along[far])) * RAD
    ang[far] = np.where(ang[far] < 0, -tilt, tilt)
    roll[far] = 0.0
    return AngleOut(ang, roll)


@dataclass(frozen=True, slots=True)
class _Window:
    """One stretch worked from ``state``: its outputs, the zero tracked over it (None in phase
    0), the first sample it left the voted plateau (``left``), the hips' last move (``down``,
    ``rose``), the first long run's end ``i`` (-1: none), its sum and the run carried on."""

    out: AngleOut
    near: np.ndarray
    z: _Zero | None
    left: np.ndarray
    down: np.ndarray
    rose: np.ndarray
    i: int
    total: np.ndarray | None
    run: RunCarry


def _window(
    params: AngleParams, state: AngleState, t: np.ndarray, up: np.ndarray, still: np.ndarray,
    lowered: np.ndarray, lifted: np.ndarray,
) -> _Window:
    """The stretch's angles from ``state`` (not changed) up to where its next vote falls: every
    quantity at a sample depends only on the samples before it (cumulative sums and maxima run
    from the stretch's first sample), so a shorter stretch gives the same values bit for bit."""
    z = None
    left = down = rose = np.zeros(0, bool)
    if state.phase == 0:
        u0, side = state.u0, dot3(up, state.axis)
        across = cross3(state.axis, u0)
    else:
        z = _track_zero(params, state, t, up, still)
        u0, side, across = z.u0, z.side, z.across
    out = _angles(state, up, u0, side, across, params)
    if state.phase == 0:
        near = (np.abs(out.angle_deg) < params.prone_window_deg) & (
            np.abs(out.roll_deg) < params.roll_window_deg
        )
        cond = still & near
        ref = _run_mean_angle(params, cond, up, state)
        out = AngleOut(np.where(cond, out.angle_deg - ref, out.angle_deg), out.roll_deg)
    else:
        level = still & (np.abs(out.roll_deg) < params.roll_window_deg)
        # Each settled stay votes once: a rise for the axis (a stay ends where the person
        # moves), a lie for the zero's lean (a stay ends where they rise out of it).
        rise = params.rise()
        lie = (out.angle_deg < rise) & (out.angle_deg > -params.prone_window_deg) & (
            np.abs(out.roll_deg) < params.roll_window_deg
        )
        plateau = still & (out.angle_deg <= params.max_plateau_deg) & ~lie | lie
        left = (~plateau).nonzero()[0]
        cond = plateau & still
        if state.voted:  # the plateau that voted last is not counted again
            cond[: left[0] if left.size else cond.size] = False
        down = hold_last(lowered, lowered | lifted, state.lowered)
        rose = hold_last(lifted, lifted, state.rose)
        near = down & level & (out.angle_deg < rise) & (out.angle_deg > -params.prone_window_deg)
        # A lie a forearms' height below the zero, the hips not raised since: the zero was
        # the forearms (the recording began there), and this is prone (module docstring).
        sunk = np.abs(out.angle_deg + params.forearms_deg) < max(
            params.sunk_deg, params.sunk_frac * params.forearms_deg
        )
        if near.any():  # a lie after a lowering: read from its own mean while it settles
            ref = _run_mean_angle(params, near, up, state)
            out = AngleOut(np.where(near, out.angle_deg - ref, out.angle_deg), out.roll_deg)
            cond |= near
        cond |= level & ~rose & sunk
    i, total, run = first_long_run(cond, t, up, params.settle_s, state.run)
    return _Window(out, near, z, left, down, rose, i, total, run)


def _settle_points(t: np.ndarray, still: np.ndarray, settle_s: float) -> tuple[np.ndarray, ...]:
    """Where each still run that begins in the chunk has first lasted ``settle_s``, and where
    it began: a stay votes there, as a rule (a guess only; see ``step``)."""
    n = t.size
    begins = np.zeros(n, bool)
    np.greater(still[1:], still[:-1], out=begins[1:])
    began = np.maximum.accumulate(np.where(begins, np.arange(n), 0))
    settled = still & (t - t.take(began) >= settle_s) & (began > 0)
    first = settled.copy()
    first[1:] &= ~settled[:-1] | (began[1:] != began[:-1])
    at = first.nonzero()[0]
    return at, began.take(at)


def _vote_guess(
    params: AngleParams, state: AngleState, up: np.ndarray, settle_at: np.ndarray,
    settle_began: np.ndarray, lo: int, hi: int,
) -> int:
    """The end of a stretch from ``lo`` that likely holds its next vote: just after the first
    stay begun in it to settle within ``max_plateau_deg`` + ``roll_window_deg`` of the zero
    (lying on the back does not vote); ``hi`` if none."""
    k = int(np.searchsorted(settle_began, lo))
    while k < settle_at.size and settle_at[k] + 1 < hi:
        at = int(settle_at[k])
        if float(up[:, at] @ state.u0) >= _cos_deg(params.max_plateau_deg + params.roll_window_deg):
            return at + 1
        k += 1
    return hi


def step(
    params: AngleParams, state: AngleState, t: np.ndarray, up: np.ndarray, still: np.ndarray,
    lowered: np.ndarray, lifted: np.ndarray,
) -> tuple[AngleState, SessionAngleOut]:
    """One chunk of up-vectors (n, 3) with their stillness flags, and where the hips were
    judged to have moved down or up.

    A chunk is worked a stretch of up to WINDOW samples at a time, each restarting after a vote.
    A stretch is first worked only up to where a still run begun in it has settled (where its
    stay votes, as a rule) and kept if a vote falls there: work after a vote is thrown away,
    and this saves most of it; otherwise the whole stretch is worked."""
    n = t.size
    ang, roll = np.empty(n), np.empty(n)
    pending = np.zeros(n, bool)
    up = np.ascontiguousarray(up.T)  # (3, n); no copy when ``up`` is column-major
    settle = _settle_points(t, still, params.settle_s) if n > GUESS_MIN else None
    lo = 0
    while lo < n:
        hi = min(n, lo + WINDOW)
        w = None
        end = hi if settle is None else _vote_guess(params, state, up, *settle, lo, hi)
        if end < hi:
            seg = slice(lo, end)
            w = _window(params, state, t[seg], up[:, seg], still[seg], lowered[seg], lifted[seg])
            if w.i < 0:
                w = None
        if w is None:
            seg = slice(lo, hi)
            w = _window(params, state, t[seg], up[:, seg], still[seg], lowered[seg], lifted[seg])
        state.run = w.run
        stop = hi if w.i < 0 else lo + w.i + 1
        if w.z is None:
            _track_upright(params, state, t[lo:stop], up[:, lo:stop], w.out, stop - lo)
        ang[lo:stop], roll[lo:stop] = w.out.angle_deg[: stop - lo], w.out.roll_deg[: stop - lo]
        pending[lo:stop] = w.near[: stop - lo]
        if w.z is not None:
            _commit(state, w.z, stop - lo - 1)
            state.voted = state.voted and not (w.left.size and w.left[0] < stop - lo)
            state.lowered = bool(w.down[stop - lo - 1])
            state.rose = bool(w.rose[stop - lo - 1])
        if w.total is not None:
            _advance(params, state, w.total, float(t[stop - 1]))
        lo = stop
    return state, SessionAngleOut(ang, roll, pending)


def _track_upright(
    params: AngleParams, state: AngleState, t: np.ndarray, up: np.ndarray, out: AngleOut, k: int
) -> None:
    """Before the first lie: keep the mean up-vector (``up`` (3, k)) of the last stay upright
    (``upright_deg`` in the calibrated frame, leaning sideways less than ``upright_roll_deg``:
    not lying on one side; sway and steps included, they average out) that lasted
    ``settle_s``, and the stay still open at the end of the ``k`` samples."""
    lo_deg, hi_deg = params.upright_deg
    a, r = out.angle_deg[:k], out.roll_deg[:k]
    cond = (a >= lo_deg) & (a <= hi_deg) & (np.abs(r) < params.upright_roll_deg)
    carry, state.upright_run = state.upright_run, RunCarry()
    if not cond.any():
        return
    edges = np.flatnonzero(np.diff(np.concatenate(([0], cond.view(np.int8), [0]))))
    for s, e in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        total, t0, count = up[:, s:e].sum(axis=1), float(t[s]), e - s
        if s == 0 and carry.count:
            total, t0, count = total + carry.total, carry.t0, count + carry.count
        if float(t[e - 1]) - t0 >= params.settle_s:
            state.upright = unit(total)
        if e == cond.size:
            state.upright_run = RunCarry(t0, total, count)


def _advance(params: AngleParams, state: AngleState, total: np.ndarray, t_end: float) -> None:
    """Re-zero on the prone plateau (``total``: the sum of its up-vectors, which opens the first
    lie), or take a rise plateau's vote for the axis (module docstring)."""
    mean_up = unit(total)
    if state.phase == 0:
        _rezero(params, state, mean_up, total, t_end)
        return
    level = unit(state.u0 - (state.u0 @ state.axis) * state.axis)
    ang = np.degrees(np.arctan2(mean_up @ _cross(state.axis, level), mean_up @ level))
    if ang < params.rise():  # a lie, sideways or not
        sunk = not state.rose and abs(ang + params.forearms_deg) < max(
            params.sunk_deg, params.sunk_frac * params.forearms_deg
        )
        if (state.lowered or sunk) and abs(ang) > params.lie_deg:
            _rezero(params, state, mean_up, total, t_end)
        else:
            state.lies.append(mean_up)
            state.axis = state.ref_axis = _fit_axis(params, state)
        state.lowered = False
        state.voted = True
        return
    state.voted = True
    state.rises.append(mean_up)
    state.axis = state.ref_axis = _fit_axis(params, state)
    state.phase = 2


def _fit_axis(params: AngleParams, state: AngleState) -> np.ndarray:
    """The axis from the prior turned by ``ψ`` about the zero and tipped by ``s`` towards it:
    each plateau's side lean ``up · axis`` ≈ ``x − ψ y + s z`` (its components along the prior
    axis, across and along the zero) is a draw of sd ``lean_sd``, and ``ψ`` one of ``turn_sd``
    (weighted least squares). From the second lie on, the lies tell the zero's own lean
    (``s``; with one, it is taken as level): a zero leaning 8° no longer turns the axis by
    about 8° / tilt for every rise that follows, which made a lean on a later lie read as
    extension. A rise whose own turn is over ``max_axis_turn_deg`` does not count. Leans that
    scatter more than ``lean_sd`` about the best unweighted fit (a forearms plateau leaning 14°
    one way, the hands 13° the other) set the lean sd instead, so the prior holds more: taken as
    3°, they turned the axis by 14-21° and a lie leaning 16° read 6° below prone."""
    a0 = unit(state.prior_axis - (state.prior_axis @ state.u0) * state.u0)
    b0 = _cross(a0, state.u0)
    rises = np.array(state.rises).reshape(-1, 3)
    turn = np.arctan2(rises @ a0, rises @ b0)
    lies = np.array(state.lies).reshape(-1, 3)
    ups = np.concatenate((rises[np.abs(turn) <= np.radians(params.max_axis_turn_deg)], lies))
    x, y, z = ups @ a0, ups @ b0, ups @ state.u0
    m = np.column_stack((-y, z))
    if len(state.lies) < 2:  # nothing tells the zero's lean yet: it is taken as level
        m = m[:, :1]
    lean_sd = params.lean_sd_deg
    dof = x.size - m.shape[1]
    if dof > 0 and not _scatter_deg(m, x, dof) < lean_sd * (1.0 - 1e-6):
        # Leans that scatter more than lean_sd about the best turn tell it less.
        free = np.linalg.lstsq(m, -x, rcond=None)[0]
        lean_sd = max(lean_sd, float(np.degrees(np.sqrt(np.sum((x + m @ free) ** 2) / dof))))
    ridge = np.zeros((m.shape[1], m.shape[1]))
    ridge[0, 0] = (lean_sd / params.turn_sd_deg) ** 2
    psi, *tip = np.linalg.solve(m.T @ m + ridge, -m.T @ x)
    s = tip[0] if tip else 0.0
    return unit(np.cos(psi) * a0 - np.sin(psi) * b0 + s * state.u0)


def _scatter_deg(m: np.ndarray, x: np.ndarray, dof: int) -> float:
    """The leans' scatter (deg) about the turn (and lean) from the normal equations: no less
    than about the best one (up to rounding), so under ``lean_sd`` it tells that the best one
    is too, and the least squares (~40 µs a vote) can be skipped; nan if they are singular."""
    mtm, mtx = m.T @ m, m.T @ x
    if m.shape[1] == 1:
        fit = [-float(mtx[0]) / float(mtm[0, 0])] if mtm[0, 0] > 0 else [np.nan]
    else:
        a, b, c, d = mtm.ravel().tolist()
        e, g = (-mtx).tolist()
        det = a * d - b * c
        fit = [(e * d - b * g) / det, (a * g - c * e) / det] if det > 0 else [np.nan, np.nan]
    res = x + m @ np.array(fit)
    return float(np.degrees(np.sqrt(res @ res / dof)))


def _rezero(
    params: AngleParams, state: AngleState, mean_up: np.ndarray, total: np.ndarray, t_end: float
) -> None:
    """Take ``mean_up`` as prone: the frame rotated minimally onto it, its lie the first vote,
    the turn unknown again (votes taken against an earlier zero no longer apply)."""
    axis = rotate_onto(state.axis, state.u0, mean_up)
    state.axis = unit(axis - (axis @ mean_up) * mean_up)
    state.u0 = mean_up
    state.in_lie, state.lie_sum, state.lie_t0 = True, total, t_end - params.settle_s
    state.votes, state.n_votes = np.zeros(3), 0
    state.ref_u0, state.ref_axis = mean_up, state.axis
    state.prior_axis = state.axis
    state.rises, state.lies = [], [mean_up]
    state.voted = True
    state.lowered = state.rose = False
    state.phase = 1
    if state.upright is not None:  # stood or sat up before: the turn is known
        lo, hi = params.upright_deg
        if _cos_deg(hi) <= float(state.upright @ mean_up) <= _cos_deg(lo):
            state.rises.append(state.upright)
            state.axis = state.ref_axis = _fit_axis(params, state)
            state.phase = 2
        state.upright = None
