"""Per-sample times on the session clock, from notification arrival times (pure, streaming).

Every sample gets a sensor-side time ``u``: the sensor's own timestamp (unwrapped) where it sends
one, else its index at the nominal rate. Session time is ``offset + rate * u``. BLE delivers
notifications late and in bursts (connection-interval batching), never early, so the offset
follows the *lower envelope* of ``arrival - rate * u`` over a short window: it rises towards it
(stretching time, never compressing it) and falls by at most ``max_slew`` of each sample period
(times never go backwards). ``rate`` (session seconds per sensor second, i.e. crystal drift) is
the slope of that envelope over long blocks. An untimed sensor's lost packets show as arrivals
that stay ahead of the clock by more than ``gap_periods`` periods for ``catch_up_s``: the clock
then jumps by the estimated number of lost samples. Arrivals that fall back within ``catch_up_s``
were a stall (host or link) whose backlog arrived in a burst: late, not lost, so they keep their
own times. A timed sensor's gaps are jumps in its timestamps.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from sensorhold.protocol.samples import ImuChunk
from sensorhold.protocol.spec import SensorSpec


@dataclass(frozen=True, slots=True)
class ClockParams:
    """Tuning of a sample clock; ``for_spec`` fills the sensor-dependent part."""

    period_s: float
    timestamps: bool = False
    wrap_s: float | None = None
    gap_periods: float = 3.0  # untimed: arrival this many periods ahead of the clock is a gap
    min_gap_s: float = 0.06  # ... and at least this far (longer than one connection interval)
    catch_up_s: float = 0.25  # ... for this long: a stall's backlog burst catches up sooner
    envelope_s: float = 0.3  # window of the lower envelope of arrival offsets ...
    locked_envelope_s: float = 1.0  # ... and once the rate is estimated
    block_s: float = 2.0  # rate estimate: envelope minima per block ...
    blocks: int = 15  # ... fitted over the last 3 to this many blocks
    rise_gain: float = 0.2  # the offset rises by this fraction of its distance to the envelope
    max_slew: float = 0.05  # the offset falls by at most this fraction of a period per sample
    max_rate_error: float = 0.02  # sensor clock vs host clock, bound on the rate estimate

    @classmethod
    def for_spec(cls, spec: SensorSpec, rate_hz: float | None = None) -> ClockParams:
        hz = rate_hz or spec.default_rate_hz
        return cls(
            period_s=1.0 / hz, timestamps=spec.timestamps == "sensor", wrap_s=spec.clock_wrap_s
        )


@dataclass(slots=True)
class ClockState:
    """Everything a clock carries from one packet to the next."""

    started: bool = False
    offset: float = 0.0  # session time = offset + rate * u
    rate: float = 1.0
    u_last: float = 0.0  # sensor-side time of the last sample
    t_last: float = 0.0  # its session time
    wrap_base: float = 0.0  # added to raw sensor times to unwrap them
    raw_last: float = 0.0
    delay_s: float = 0.0  # smoothed arrival lead over the clock (for lost-sample estimates)
    late_since: float | None = None  # arrival time since which packets are all ahead (untimed)
    # Sliding-window minimum of ``arrival - rate * u_last``: (u_last, value), values increasing.
    window: deque[tuple[float, float]] = field(default_factory=deque)
    block_start: float = 0.0
    block_min: float = np.inf
    block_mins: deque[tuple[float, float]] = field(default_factory=deque)  # (u, min a-u)
    rate_locked: bool = False
    gaps: int = 0
    lost_samples: int = 0
    resyncs: int = 0


def _sensor_times(params: ClockParams, state: ClockState, n: int, raw: np.ndarray | None):
    """Sensor-side times of the next ``n`` samples (unwrapping timestamps where sent)."""
    if not params.timestamps or raw is None:
        return state.u_last + params.period_s * np.arange(1, n + 1)
    raw = np.asarray(raw, dtype=np.float64)
    if params.wrap_s is None:
        return raw.copy()
    prev = np.concatenate(([state.raw_last if state.started else raw[0]], raw))
    wraps = np.cumsum(np.diff(prev) < -params.wrap_s / 2)
    u = raw + state.wrap_base + wraps * params.wrap_s
    state.wrap_base += float(wraps[-1]) * params.wrap_s
    state.raw_last = float(raw[-1])
    return u


def _restart(state: ClockState, a: float, u: np.ndarray, floor: float) -> np.ndarray:
    """Anchor the clock on this packet (first packet, or a sensor clock that went back)."""
    state.offset = max(a, floor + (u[-1] - u[0]) + 1e-9) - state.rate * u[-1]
    state.window.clear()
    state.block_mins.clear()
    state.block_start, state.block_min = float(u[-1]), np.inf
    return state.offset + state.rate * u


def _update_rate(params: ClockParams, state: ClockState, a: float, u_last: float) -> None:
    """Block minima of ``a - u``: their slope over long spans is the sensor clock's drift."""
    state.block_min = min(state.block_min, a - u_last)
    if u_last - state.block_start < params.block_s:
        return
    state.block_mins.append((u_last, state.block_min))
    state.block_start, state.block_min = u_last, np.inf
    while len(state.block_mins) > params.blocks:
        state.block_mins.popleft()
    if len(state.block_mins) >= 3:
        us, ms = np.array(state.block_mins).T
        slope = float(np.polyfit(us - us[-1], ms, 1)[0])
        new_rate = 1.0 + float(np.clip(slope, -params.max_rate_error, params.max_rate_error))
        state.offset += (state.rate - new_rate) * state.u_last  # continuity at the last sample
        state.window = deque((w_u, v + (state.rate - new_rate) * w_u) for w_u, v in state.window)
        state.rate = new_rate
        state.rate_locked = True


def step(
    params: ClockParams,
    state: ClockState,
    t_host_s: float,
    n: int,
    t_sensor_s: np.ndarray | None = None,
) -> np.ndarray:
    """Session times (s) of the ``n`` samples of a packet that arrived at ``t_host_s``."""
    if n == 0:
        return np.empty(0)
    a, period = t_host_s, params.period_s
    u = _sensor_times(params, state, n, t_sensor_s)
    if not state.started:
        times = _restart(state, a, u, -np.inf)
        state.started = True
    elif params.timestamps and u[0] <= state.u_last:
        state.resyncs += 1
        times = _restart(state, a, u, state.t_last + period)
    else:
        u, times = _track(params, state, a, u)
    state.u_last, state.t_last = float(u[-1]), float(times[-1])
    value = a - state.rate * state.u_last
    while state.window and state.window[-1][1] >= value:
        state.window.pop()
    state.window.append((state.u_last, value))
    _update_rate(params, state, a, state.u_last)
    return times


def _track(
    params: ClockParams, state: ClockState, a: float, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sensor-side times (shifted past a detected gap) and session times of one packet."""
    period, rate = params.period_s, state.rate
    if params.timestamps:
        steps = np.diff(np.concatenate(([state.u_last], u))) / period
        jumps = steps[steps > 1.5]
        state.gaps += int(jumps.size)
        state.lost_samples += int(np.round(jumps).sum()) - int(jumps.size)
    else:
        lead = a - (state.offset + rate * u[-1]) - state.delay_s
        ahead = lead > max(params.gap_periods * period, params.min_gap_s)
        if not (ahead or (state.late_since is not None and lead > 0)):
            state.late_since = None
        elif state.late_since is None or a - state.late_since < params.catch_up_s:
            # A stall's burst or a loss: times as if late, until back at the usual delay.
            state.late_since = a if state.late_since is None else state.late_since
            return u, state.offset + rate * u
        elif not ahead:
            state.late_since = None  # caught up, but a little later than before: track it
        else:
            state.late_since = None
            k = max(1, round(lead / (rate * period)))
            u = u + k * period
            state.gaps += 1
            state.lost_samples += k
            state.window.clear()
            state.block_mins.clear()
            state.block_start, state.block_min = float(u[-1]), np.inf
    span = params.locked_envelope_s if state.rate_locked else params.envelope_s
    while state.window and state.window[0][0] < u[-1] - span:
        state.window.popleft()
    envelope = state.window[0][1] if state.window else np.inf
    target = min(envelope, a - rate * u[-1])
    floor = state.offset - params.max_slew * period * rate * len(u)
    rise = state.offset + params.rise_gain * (target - state.offset)
    new_offset = max(target, floor) if target < state.offset else rise
    if not params.timestamps:
        lead_now = a - (new_offset + rate * u[-1])
        state.delay_s += 0.05 * (lead_now - state.delay_s)
    ramp = np.arange(1, len(u) + 1) / len(u)
    times = state.offset + (new_offset - state.offset) * ramp + rate * u
    state.offset = new_offset
    return u, times


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
        return step(self.params, self.state, t_host_s, len(chunk), chunk.t_sensor_s)

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
    counts = np.asarray(counts, dtype=np.int64)
    ends = np.cumsum(counts)
    out = np.empty(int(ends[-1]) if counts.size else 0)
    for t_ns, n, end in zip(
        np.asarray(t_host_ns).tolist(), counts.tolist(), ends.tolist(), strict=True
    ):
        raw = None if t_sensor_s is None else t_sensor_s[end - n : end]
        out[end - n : end] = step(params, state, (t_ns - origin_ns) * 1e-9, n, raw)
    return out, state
