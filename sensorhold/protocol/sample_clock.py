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
not lost, so they keep their own times. A timed sensor's gaps are jumps in its timestamps.

One algorithm, ``advance``, takes any run of packets, vectorised between events (block ends,
late arrivals, gaps, resyncs), so a whole recording costs about as much as its events. The
streaming ``SampleClock`` feeds it one packet at a time and gets the same times, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
        self.m = state.m_last + self.ends
        self.timed = params.timestamps
        if self.timed:
            if raw is None:
                raise ValueError("a timed sensor's clock needs its sample times")
            self.us = self._unwrap(np.asarray(raw, dtype=np.float64))
            self.u = self.us[self.ends - 1]
            back = self.us[self.ends[1:] - n[1:]] <= self.u[:-1]
            self.resync_at = np.flatnonzero(back) + 1
        else:
            self.u = params.period_s * self.m
            self.resync_at = np.empty(0, np.int64)
        self.out = np.empty(int(self.ends[-1]) if n.size else 0)

    def _unwrap(self, raw: np.ndarray) -> np.ndarray:
        wrap, st = self.p.wrap_s, self.s
        if wrap is None or not raw.size:
            return raw.copy()
        prev = np.concatenate(([st.raw_last if st.started else raw[0]], raw))
        wraps = st.wraps + np.cumsum(np.diff(prev) < -wrap / 2)
        st.wraps, st.raw_last = int(wraps[-1]), float(raw[-1])
        return raw + wraps * wrap

    def sample_u(self, i: int, j: int) -> np.ndarray:
        """Sensor times of the samples of packets ``i..j-1``."""
        if self.timed:
            return self.us[self.ends[i] - self.n[i] : self.ends[j - 1]]
        first = np.repeat(self.m[i:j] - self.n[i:j], self.n[i:j])
        return self.p.period_s * (first + _ramp(self.n[i:j]) + 1)

    def skip(self, i: int, k: int) -> None:
        """``k`` samples were lost before packet ``i``: renumber it and the rest."""
        self.m[i:] += k
        self.u[i:] = self.p.period_s * self.m[i:]

    def run_end(self, i: int) -> int:
        """End of the run from packet ``i``: the next resync, or just after the block's end."""
        stop = self.resync_at[np.searchsorted(self.resync_at, i, side="right") :]
        stop = int(stop[0]) if stop.size else self.n.size
        st, block_s = self.s, self.p.block_s
        c = i + max(0, int(np.searchsorted(self.u[i:stop], st.block_start + block_s)) - 1)
        while c < stop and not self.u[c] - st.block_start >= block_s:
            c += 1
        return min(c + 1, stop)


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
        else:
            i += _track(pk, i, pk.run_end(i))
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


def _track(pk: _Packets, i: int, j: int) -> int:
    """Clock packets from ``i`` (at most to ``j``, the rate fixed); returns how many it did."""
    st, p = pk.s, pk.p
    rate = st.rate
    a, u = pk.a[i:j], pk.u[i:j]
    v = a - rate * u
    wu = np.concatenate((st.win_u, u))
    wv = np.concatenate((st.win_a - rate * st.win_u, v))
    span = p.locked_envelope_s if st.rate_locked else p.envelope_s
    have = st.win_u.size
    q = np.arange(max(have - 1, 0), wu.size)
    mins = window_minimum(wv, np.searchsorted(wu, wu[q] - span), q)
    env = mins[-v.size :]
    env_prev = np.concatenate((mins[:1] if have else [np.inf], env[:-1]))
    if not pk.timed:
        threshold = max(p.gap_periods * p.period_s, p.min_gap_s)
        if st.late_since is None:
            ahead = np.flatnonzero(v - env_prev > threshold)
            if ahead.size and ahead[0] == 0:
                st.late_since, st.late_ref, st.late_min = (
                    float(a[0]),
                    float(env_prev[0]),
                    float(v[0]),
                )
                return _hold(pk, i, i + 1)
            j = i + int(ahead[0]) if ahead.size else j
        else:
            caught = v - st.late_ref <= threshold
            end = np.flatnonzero(caught | (a - st.late_since >= p.catch_up_s))
            done = int(end[0]) if end.size else v.size
            if done:
                st.late_min = min(st.late_min, float(v[:done].min()))
                return _hold(pk, i, i + done)
            if not caught[0]:
                late = min(st.late_min, float(v[0])) - st.late_ref
                _skip(pk, i, max(1, round(late / (rate * p.period_s))))
            st.late_since = None
            return 0
    n, m = pk.n[i:j], pk.m[i:j]
    slew = p.max_slew * p.period_s * rate
    gain = p.rise_gain
    smooth = sequential_lowpass(env[: j - i], gain, st.smooth)
    peak = np.maximum.accumulate(np.concatenate(([st.peak], smooth + slew * m)))
    offset = peak[1:] - slew * m
    before = np.concatenate(([st.offset], offset[:-1]))
    idx = np.repeat(np.arange(j - i), n)
    ramp = (_ramp(n) + 1) / n[idx]
    times = before[idx] + (offset - before)[idx] * ramp + rate * pk.sample_u(i, j)
    st.peak, st.offset, st.smooth = float(peak[-1]), float(offset[-1]), float(smooth[-1])
    if pk.timed:
        steps = np.diff(np.concatenate(([st.u_last], pk.sample_u(i, j)))) / p.period_s
        jumps = steps[steps > 1.5]
        st.gaps += int(jumps.size)
        st.lost_samples += int(np.round(jumps).sum()) - int(jumps.size)
    _commit(pk, i, j, times)
    return j - i


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
    st.peak += p.max_slew * p.period_s * st.rate * k
    st.win_u, st.win_a = _empty(), _empty()
    st.block_mins.clear()
    st.block_start, st.block_min = float(pk.u[i]), np.inf


def _commit(pk: _Packets, i: int, j: int, times: np.ndarray) -> None:
    """Store the times of packets ``i..j-1``; update the window and the rate blocks."""
    st, p = pk.s, pk.p
    pk.out[pk.ends[i] - pk.n[i] : pk.ends[j - 1]] = times
    u_last = float(pk.u[j - 1])
    keep_from = u_last - max(p.envelope_s, p.locked_envelope_s)
    wu = np.concatenate((st.win_u, pk.u[i:j]))
    wa = np.concatenate((st.win_a, pk.a[i:j]))
    first = int(np.searchsorted(wu, keep_from))
    st.win_u, st.win_a = wu[first:], wa[first:]
    st.u_last, st.t_last, st.m_last = u_last, float(times[-1]), int(pk.m[j - 1])
    st.block_min = min(st.block_min, float((pk.a[i:j] - pk.u[i:j]).min()))
    if u_last - st.block_start >= p.block_s:
        _end_block(p, st)


def _end_block(p: ClockParams, st: ClockState) -> None:
    """Block minima of ``a - u``: their slope over long spans is the sensor clock's drift."""
    st.block_mins.append((st.u_last, st.block_min))
    st.block_start, st.block_min = st.u_last, np.inf
    del st.block_mins[: -p.blocks]
    if len(st.block_mins) < 3:
        return
    us, ms = np.array(st.block_mins).T
    x, y = us - us.mean(), ms - ms.mean()
    slope = float(x @ y) / float(x @ x)  # least-squares line
    rate = 1.0 + min(max(slope, -p.max_rate_error), p.max_rate_error)
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
