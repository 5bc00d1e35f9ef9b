"""Per-sample times on the session clock, from notification arrival times (pure).

Every sample gets a sensor-side time ``u``: the sensor's own timestamp (unwrapped) where it sends
one, else its number (counting lost ones) at the nominal rate. Session time is
``offset + rate * u``. BLE delivers notifications late and in bursts (connection-interval
batching), never early, so the offset follows the *lower envelope* ``E`` (sliding-window minimum)
of ``v = arrival - rate * u``, low-passed over packets: ``offset = max(smoothed E, previous
offset - max_slew per sample)``: it rises with the envelope (stretching time) and falls by at
most ``max_slew`` of each sample period (times never go backwards). ``rate`` (crystal drift) is
the slope of the envelope's minima over long blocks. An untimed sensor's lost packets show as
arrivals that stay ahead of the envelope by more than ``gap_periods`` periods for
``catch_up_s``: the clock then skips the estimated number of lost samples. Arrivals that fall
back within ``catch_up_s`` were a stall (host or link) whose backlog arrived in a burst: late,
not lost, so they keep their own times. A packet that ends the wait further ahead of the late
ones than the gap threshold (samples lost meanwhile, or a link loss after them) waits again
behind the same envelope: the skip then counts both, where the late ones' lead alone left the
rest to the envelope, taken up as stretched time (a lost packet before a disconnect: 26 gaps
instead of 3). A timed sensor's gaps are jumps in its timestamps.

One algorithm, ``advance``, takes any run of packets, vectorised between events (late arrivals,
gaps, resyncs), so a whole recording costs about as much as its events. Rate block ends are not
such events: block minima of ``a - u`` do not depend on the tracking, so the rates of the coming
blocks are fitted first and the envelope of many blocks is taken in one pass, each block's
values at its own rate; only the low-pass and the slew limit run block by block. The streaming
``SampleClock`` feeds it one packet at a time and gets the same times, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from sensorhold.first_order import sequential_lowpass
from sensorhold.protocol.samples import ImuChunk
from sensorhold.protocol.spec import SensorSpec
from sensorhold.protocol.window_minimum import window_minimum


@dataclass(frozen=True, slots=True)
class ClockParams:
    """Tuning of a sample clock; ``for_spec`` fills the sensor-dependent part."""

    period_s: float
    timestamps: bool = False
    wrap_s: float | None = None
    gap_periods: float = 3.0  # untimed: arrival this many periods above the envelope is a gap
    min_gap_s: float = 0.06  # ... and at least this far (longer than one connection interval)
    catch_up_s: float = 0.25  # ... for this long: a stall's backlog burst catches up sooner
    envelope_s: float = 0.8  # window of the lower envelope of arrival offsets ...
    locked_envelope_s: float = 1.0  # ... and once the rate is estimated
    block_s: float = 2.0  # rate estimate: envelope minima per block ...
    blocks: int = 15  # ... fitted over the last 3 to this many blocks
    rise_gain: float = 0.2  # the smoothed envelope moves this fraction of the way per packet
    max_slew: float = 0.05  # the offset falls by at most this fraction of a period per sample
    max_rate_error: float = 0.02  # sensor clock vs host clock, bound on the rate estimate

    @classmethod
    def for_spec(cls, spec: SensorSpec, rate_hz: float | None = None) -> ClockParams:
        hz = rate_hz or spec.default_rate_hz
        return cls(
            period_s=1.0 / hz, timestamps=spec.timestamps == "sensor", wrap_s=spec.clock_wrap_s
        )


def _empty() -> np.ndarray:
    return np.empty(0)


@dataclass(slots=True)
class ClockState:
    """Everything a clock carries from one packet to the next."""

    started: bool = False
    offset: float = 0.0  # session time = offset + rate * u, at the last packet
    peak: float = 0.0  # running max of offset + slew * m: the slew-limited offset is peak - slew*m
    smooth: float = 0.0  # the envelope, smoothed over packets (a first-order low-pass)
    rate: float = 1.0
    rate_locked: bool = False
    m_last: int = 0  # number of the last sample (untimed: lost samples counted)
    u_last: float = 0.0  # its sensor-side time
    t_last: float = 0.0  # its session time
    wraps: int = 0  # sensor clock wraps so far
    raw_last: float = 0.0
    # Last sensor time and arrival of the packets within the envelope window (this segment).
    win_u: np.ndarray = field(default_factory=_empty)
    win_a: np.ndarray = field(default_factory=_empty)
    late_since: float | None = None  # untimed: arrival time since which packets are all ahead
    late_ref: float = 0.0  # ... the envelope then
    late_min: float = 0.0  # ... and the least ``v`` since
    block_start: float = 0.0
    block_min: float = np.inf
    block_mins: list[tuple[float, float]] = field(default_factory=list)  # (u, min a - u)
    gaps: int = 0
    lost_samples: int = 0
    gap_list: list[tuple[int, int]] = field(default_factory=list)  # (first sample after, lost)
    samples: int = 0  # samples clocked so far
    resyncs: int = 0


class _Packets:
    """A run of packets being clocked: per packet arrival ``a``, sample count ``n``, number of
    its last sample ``m`` and that sample's sensor time ``u``; per sample ``us`` (timed)."""

    def __init__(
        self, params: ClockParams, state: ClockState, a: np.ndarray, n: np.ndarray, raw
    ) -> None:
        self.p, self.s = params, state
        self.a, self.n = a, n
        self.ends = np.cumsum(n)
        self.starts = self.ends - n
        self.m = state.m_last + self.ends
        # Per sample, once for the run: its packet and its place in it (k / n for k = 1..n).
        self.packet_of = np.repeat(np.arange(n.size), n)
        ramp = _ramp(n)
        self.frac = (ramp + 1) / n[self.packet_of]
        self.timed = params.timestamps
        if self.timed:
            if raw is None:
                raise ValueError("a timed sensor's clock needs its sample times")
            self.us = self._unwrap(np.asarray(raw, dtype=np.float64))
            self.u = self.us[self.ends - 1]
            back = self.us[self.ends[1:] - n[1:]] <= self.u[:-1]
            self.resync_at = np.flatnonzero(back) + 1
        else:
            self.ramp = ramp
            self.u = params.period_s * self.m
            self.us = params.period_s * (np.repeat(self.m - n, n) + ramp + 1)
            self.resync_at = np.empty(0, np.int64)
        self.out = np.empty(int(self.ends[-1]) if n.size else 0)
        self.reach = 1  # rate blocks the next ``_track`` may take on: doubles while none is cut

    def _unwrap(self, raw: np.ndarray) -> np.ndarray:
        wrap, st = self.p.wrap_s, self.s
        if wrap is None or not raw.size:
            return raw.copy()
        prev = np.concatenate(([st.raw_last if st.started else raw[0]], raw))
        wraps = st.wraps + np.cumsum(np.diff(prev) < -wrap / 2)
        st.wraps, st.raw_last = int(wraps[-1]), float(raw[-1])
        return raw + wraps * wrap

    def samples(self, i: int, j: int) -> slice:
        """The samples of packets ``i..j-1``."""
        return slice(int(self.starts[i]), int(self.ends[j - 1]))

    def sample_u(self, i: int, j: int) -> np.ndarray:
        """Sensor times of the samples of packets ``i..j-1``."""
        return self.us[self.samples(i, j)]

    def skip(self, i: int, k: int) -> None:
        """``k`` samples were lost before packet ``i``: renumber it and the rest."""
        m, n, first, period = self.m, self.n, int(self.starts[i]), self.p.period_s
        m[i:] += k
        self.u[i:] = period * m[i:]
        self.us[first:] = period * (np.repeat(m[i:] - n[i:], n[i:]) + self.ramp[first:] + 1)

    def run_end(self, i: int) -> int:
        """End of the run from packet ``i``: the next resync, or the end."""
        stop = self.resync_at[np.searchsorted(self.resync_at, i, side="right") :]
        return int(stop[0]) if stop.size else self.n.size

    def block_end(self, i: int, stop: int, block_start: float) -> int:
        """Just after the packet ending the rate block that started at ``block_start``, or
        ``stop``."""
        block_s = self.p.block_s
        c = i + max(0, int(np.searchsorted(self.u[i:stop], block_start + block_s)) - 1)
        while c < stop and not self.u[c] - block_start >= block_s:
            c += 1
        return min(c + 1, stop)


_MOST_BLOCKS = 32


def _ramp(counts: np.ndarray) -> np.ndarray:
    """0..counts[0]-1, 0..counts[1]-1, ... concatenated."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def advance(
    params: ClockParams,
    state: ClockState,
    t_host_s: np.ndarray,
    counts: np.ndarray,
    t_sensor_s: np.ndarray | None = None,
) -> np.ndarray:
    """Session times (s) of the samples of packets that arrived at ``t_host_s`` with ``counts``
    samples each (and, for timed sensors, the concatenated per-sample sensor times)."""
    counts = np.asarray(counts, dtype=np.int64)
    full = counts > 0
    pk = _Packets(
        params, state, np.asarray(t_host_s, dtype=np.float64)[full], counts[full], t_sensor_s
    )
    i = 0
    while i < pk.n.size:
        if not state.started or (pk.timed and pk.sample_u(i, i + 1)[0] <= state.u_last):
            _restart(pk, i)
            i += 1
        elif not pk.timed and state.late_since is not None:
            i += _late(pk, i, pk.block_end(i, pk.run_end(i), state.block_start))
        else:
            i += _track(pk, i, pk.run_end(i))
    state.samples += pk.out.size
    return pk.out


def _restart(pk: _Packets, i: int) -> None:
    """Anchor the clock on packet ``i`` (first packet, or a sensor clock that went back)."""
    st, p = pk.s, pk.p
    floor = st.t_last + p.period_s if st.started else -np.inf
    st.resyncs += int(st.started)
    st.started = True
    us = pk.sample_u(i, i + 1)
    st.offset = max(float(pk.a[i]), floor + (us[-1] - us[0]) + 1e-9) - st.rate * us[-1]
    st.peak = st.offset + p.max_slew * p.period_s * st.rate * int(pk.m[i])
    st.smooth = st.offset
    st.win_u, st.win_a, st.late_since = _empty(), _empty(), None
    st.block_mins.clear()
    st.block_start, st.block_min = float(pk.u[i]), np.inf
    _commit(pk, i, i + 1, st.offset + st.rate * us)


class _Block(NamedTuple):
    """Packets up to ``end`` (exclusive) clocked at ``rate``, the envelope over ``span``."""

    end: int
    rate: float
    span: float
    ends_block: bool
    fitted: float | None  # the rate refitted where the block ends


def _plan(pk: _Packets, i: int, stop: int, most: int) -> list[_Block]:
    """The rate blocks from packet ``i`` (at most ``most`` of them, up to ``stop``) and the rate
    each is clocked at: block minima of ``a - u`` depend on nothing the tracking does, so the
    rates are known before the envelope is."""
    st, p = pk.s, pk.p
    start, low, mins = st.block_start, st.block_min, list(st.block_mins)
    rate, locked = st.rate, st.rate_locked
    blocks: list[_Block] = []
    while i < stop and len(blocks) < most:
        j = pk.block_end(i, stop, start)
        u_last = float(pk.u[j - 1])
        ends = u_last - start >= p.block_s
        span = p.locked_envelope_s if locked else p.envelope_s
        low = min(low, float((pk.a[i:j] - pk.u[i:j]).min()))
        fitted = None
        if ends:
            mins.append((u_last, low))
            del mins[: -p.blocks]
            start, low = u_last, np.inf
            fitted = _fit_rate(p, mins)
        blocks.append(_Block(j, rate, span, ends, fitted))
        if fitted is not None:
            rate, locked = fitted, True
        i = j
    return blocks


def _track(pk: _Packets, i: int, stop: int) -> int:
    """Clock packets from ``i`` (before ``stop``, over as many rate blocks as ``pk.reach``);
    returns how many it did. Per block the same arithmetic as one block at a time."""
    st, p = pk.s, pk.p
    blocks = _plan(pk, i, stop, pk.reach)
    j = blocks[-1].end
    # The envelope of every block at once: each block's values (at its own rate) over its
    # packets and the window before them, as segments of one array.
    have = st.win_u.size
    wu = np.concatenate((st.win_u, pk.u[i:j]))
    wa = np.concatenate((st.win_a, pk.a[i:j]))
    keep = max(p.envelope_s, p.locked_envelope_s)
    firsts = np.array([have] + [have + b.end - i for b in blocks[:-1]])
    tails = np.searchsorted(wu, wu[np.maximum(firsts - 1, 0)] - keep)
    tails[0] = 0
    values, los, qs, rates, env_at = [], [], [], [], []
    size = 0
    for b, first, tail in zip(blocks, firsts.tolist(), tails.tolist(), strict=True):
        last = have + b.end - i
        q = np.arange(max(first - 1, tail), last)
        lo = np.maximum(np.searchsorted(wu, wu[q] - b.span), tail)
        values.append(wa[tail:last] - b.rate * wu[tail:last])
        los.append(lo - tail + size)
        qs.append(q - tail + size)
        env_at.append(first > tail)  # whether the packet before the block is in its window
        rates.append(np.full(last - first, b.rate))
        size += last - tail
    mins = window_minimum(np.concatenate(values), np.concatenate(los), np.concatenate(qs))
    rate = np.concatenate(rates)
    v = pk.a[i:j] - rate * pk.u[i:j]
    env, env_prev = np.empty(j - i), np.empty(j - i)
    at = 0
    for b, had, first in zip(blocks, env_at, firsts.tolist(), strict=True):
        k = b.end - i - (first - have)
        block_mins = mins[at : at + k + had]
        env[first - have : b.end - i] = block_mins[had:]
        env_prev[first - have] = block_mins[0] if had else np.inf
        env_prev[first - have + 1 : b.end - i] = block_mins[had:-1]
        at += k + had
    pk.reach = min(2 * pk.reach, _MOST_BLOCKS)
    if not pk.timed:
        threshold = max(p.gap_periods * p.period_s, p.min_gap_s)
        ahead = np.flatnonzero(v - env_prev > threshold)
        if ahead.size and ahead[0] == 0:
            st.late_since, st.late_ref, st.late_min = (
                float(pk.a[i]),
                float(env_prev[0]),
                float(v[0]),
            )
            pk.reach = 1
            return _hold(pk, i, i + 1)
        if ahead.size:  # arrivals run ahead from there: clock up to it only
            j, pk.reach = i + int(ahead[0]), 1
            cut = next(k for k, b in enumerate(blocks) if b.end > j)
            if not cut or blocks[cut - 1].end < j:  # j inside a block: it does not end
                blocks[cut] = blocks[cut]._replace(end=j, ends_block=False)
                cut += 1
            blocks = blocks[:cut]
    span = pk.samples(i, j)
    if pk.timed:
        steps = np.diff(pk.us[span], prepend=st.u_last) / p.period_s
        gap = np.flatnonzero(steps > 1.5)
        lost = np.round(steps[gap]).astype(np.int64) - 1
        st.gaps += int(gap.size)
        st.lost_samples += int(lost.sum())
        after = st.samples + span.start + gap
        st.gap_list.extend(zip(after.tolist(), lost.tolist(), strict=True))
    offset, before = np.empty(j - i), np.empty(j - i)
    k = i
    for b in blocks:
        seg = slice(k - i, b.end - i)
        m = pk.m[k : b.end]
        slew = p.max_slew * p.period_s * b.rate
        smooth = sequential_lowpass(env[seg], p.rise_gain, st.smooth)
        peak = np.maximum.accumulate(np.concatenate(([st.peak], smooth + slew * m)))
        offset[seg] = peak[1:] - slew * m
        before[seg] = np.concatenate(([st.offset], offset[seg][:-1]))
        st.peak, st.offset, st.smooth = float(peak[-1]), float(offset[seg][-1]), float(smooth[-1])
        st.block_min = min(st.block_min, float((pk.a[k : b.end] - pk.u[k : b.end]).min()))
        if b.ends_block:
            st.u_last, st.m_last = float(pk.u[b.end - 1]), int(pk.m[b.end - 1])
            _end_block(p, st, b.fitted)
        k = b.end
    idx = pk.packet_of[span] - i
    times = before[idx] + (offset - before)[idx] * pk.frac[span] + rate[idx] * pk.us[span]
    _store(pk, i, j, times)
    return j - i


def _late(pk: _Packets, i: int, j: int) -> int:
    """Untimed, arrivals ahead of the envelope since ``late_since``: packets from ``i`` (before
    ``j``) are held until they catch up (a stall's burst) or ``catch_up_s`` has passed (then the
    samples they skipped were lost); returns how many it held."""
    st, p = pk.s, pk.p
    rate = st.rate
    a = pk.a[i:j]
    v = a - rate * pk.u[i:j]
    threshold = max(p.gap_periods * p.period_s, p.min_gap_s)
    caught = v - st.late_ref <= threshold
    end = np.flatnonzero(caught | (a - st.late_since >= p.catch_up_s))
    done = int(end[0]) if end.size else v.size
    if done:
        st.late_min = min(st.late_min, float(v[:done].min()))
        return _hold(pk, i, i + done)
    if v[0] - st.late_min > threshold:  # further ahead than the late ones: wait again
        st.late_since, st.late_min = float(a[0]), float(v[0])
        return _hold(pk, i, i + 1)
    if not caught[0]:
        late = min(st.late_min, float(v[0])) - st.late_ref
        _skip(pk, i, max(1, round(late / (rate * p.period_s))))
    st.late_since = None
    return 0


def _hold(pk: _Packets, i: int, j: int) -> int:
    """Packets ``i..j-1`` arrived late (a stall's burst, or a loss not yet sure): they keep the
    clock's offset, i.e. their own times."""
    st, p = pk.s, pk.p
    _commit(pk, i, j, st.offset + st.rate * pk.sample_u(i, j))
    st.peak = st.offset + p.max_slew * p.period_s * st.rate * int(pk.m[j - 1])
    return j - i


def _skip(pk: _Packets, i: int, k: int) -> None:
    """``k`` samples were lost before packet ``i``: skip them and start a new envelope."""
    st, p = pk.s, pk.p
    pk.skip(i, k)
    st.gaps += 1
    st.lost_samples += k
    st.gap_list.append((st.samples + int(pk.starts[i]), k))
    st.peak += p.max_slew * p.period_s * st.rate * k
    st.win_u, st.win_a = _empty(), _empty()
    st.block_mins.clear()
    st.block_start, st.block_min = float(pk.u[i]), np.inf


def _commit(pk: _Packets, i: int, j: int, times: np.ndarray) -> None:
    """Store the times of packets ``i..j-1`` (all in one rate block); update the rate block."""
    st, p = pk.s, pk.p
    _store(pk, i, j, times)
    st.block_min = min(st.block_min, float((pk.a[i:j] - pk.u[i:j]).min()))
    if st.u_last - st.block_start >= p.block_s:
        _end_block(p, st)


def _store(pk: _Packets, i: int, j: int, times: np.ndarray) -> None:
    """Store the times of packets ``i..j-1``; update the window and the last sample."""
    st, p = pk.s, pk.p
    pk.out[pk.samples(i, j)] = times
    u_last = float(pk.u[j - 1])
    keep_from = u_last - max(p.envelope_s, p.locked_envelope_s)
    wu = np.concatenate((st.win_u, pk.u[i:j]))
    wa = np.concatenate((st.win_a, pk.a[i:j]))
    first = int(np.searchsorted(wu, keep_from))
    st.win_u, st.win_a = wu[first:], wa[first:]
    st.u_last, st.t_last, st.m_last = u_last, float(times[-1]), int(pk.m[j - 1])


def _fit_rate(p: ClockParams, block_mins: list[tuple[float, float]]) -> float | None:
    """Block minima of ``a - u``: their slope over long spans is the sensor clock's drift."""
    if len(block_mins) < 3:
        return None
    us, ms = np.array(block_mins).T
    x, y = us - us.sum() / us.size, ms - ms.sum() / ms.size  # as ``mean``, without its overhead
    slope = float(x @ y) / float(x @ x)  # least-squares line
    return 1.0 + min(max(slope, -p.max_rate_error), p.max_rate_error)


def _end_block(p: ClockParams, st: ClockState, rate: float | None = None) -> None:
    """A rate block ended at the last sample: refit the rate (unless ``rate`` is that fit
    already), continuous at that sample."""
    st.block_mins.append((st.u_last, st.block_min))
    st.block_start, st.block_min = st.u_last, np.inf
    del st.block_mins[: -p.blocks]
    rate = rate if rate is not None else _fit_rate(p, st.block_mins)
    if rate is None:
        return
    st.offset += (st.rate - rate) * st.u_last  # continuity at the last sample
    st.smooth += (st.rate - rate) * st.u_last
    st.rate, st.rate_locked = rate, True
    st.peak = st.offset + p.max_slew * p.period_s * rate * st.m_last


class SampleClock:
    """Streaming form: ``step(t_host_ns, chunk)`` -> per-sample session times in seconds.

    The session clock is the host clock in seconds minus ``origin_ns``.
    """

    def __init__(self, params: ClockParams, origin_ns: int = 0) -> None:
        self.params = params
        self.state = ClockState()
        self.origin_ns = origin_ns

    @classmethod
    def for_spec(
        cls, spec: SensorSpec, rate_hz: float | None = None, origin_ns: int = 0
    ) -> SampleClock:
        return cls(ClockParams.for_spec(spec, rate_hz), origin_ns)

    def step(self, t_host_ns: int, chunk: ImuChunk) -> np.ndarray:
        t_host_s = (t_host_ns - self.origin_ns) * 1e-9
        counts = np.array([len(chunk)])
        return advance(self.params, self.state, np.array([t_host_s]), counts, chunk.t_sensor_s)

    def step_many(self, t_host_ns: list[int], chunks: list[ImuChunk]) -> np.ndarray:
        """Several notifications at once: the same times as ``step`` on each in turn, for one
        pass of the clock's cost."""
        t_host_s = (np.asarray(t_host_ns, dtype=np.int64) - self.origin_ns) * 1e-9
        counts = np.array([len(c) for c in chunks], dtype=np.int64)
        timed = [c.t_sensor_s for c in chunks if c.t_sensor_s is not None]
        t_sensor = np.concatenate(timed) if timed else None
        return advance(self.params, self.state, t_host_s, counts, t_sensor)

    @property
    def gaps(self) -> int:
        return self.state.gaps

    @property
    def lost_samples(self) -> int:
        return self.state.lost_samples


def run_clock(
    params: ClockParams,
    t_host_ns: np.ndarray,
    counts: np.ndarray,
    t_sensor_s: np.ndarray | None = None,
    origin_ns: int = 0,
) -> tuple[np.ndarray, ClockState]:
    """Batch form over packets: arrival times, samples per packet and (timed sensors) the
    concatenated per-sample sensor times. Same results as streaming, packet by packet."""
    state = ClockState()
    t_host_s = (np.asarray(t_host_ns, dtype=np.int64) - origin_ns) * 1e-9
    return advance(params, state, t_host_s, counts, t_sensor_s), state
