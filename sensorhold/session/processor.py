"""Raw notifications in, session state out: decode, time, run the causal pipeline.

One ``StreamProcessor`` serves live BLE, demo and replay alike, so all three show the same
angles, stages and holds for the same bytes. It does no I/O itself: the recorder, if any, is
handed every packet and listens to the state's events.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from sensorhold.calibration.profile import Profile
from sensorhold.protocol.arrival_rate import arrival_rate, believed, rate_arrived
from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.sample_clock import SampleClock
from sensorhold.protocol.samples import ImuChunk
from sensorhold.protocol.spec import SensorSpec
from sensorhold.session.state import SessionState
from sensorhold.signal.pipeline import Pipeline, PipelineOutput

LINK_EVENTS = ("connected", "disconnected", "reconnected")
CHUNK_S = 0.05
"""Notifications go through the clock and the pipeline in chunks of this span (or when a reader
catches up): far below what a person notices, long enough to spread the per-call cost."""
RATE_AGREES_S = 1.0
"""Live, samples are held back until this much arrival time agrees with the rate asked for (or,
if it does not, the arrival rate is sure): an untimed sensor's sample times rest on it."""


class PacketSink(Protocol):
    """Where raw notifications are kept (the recording writer)."""

    def packet(self, t_ns: int, char: str, payload: bytes) -> None: ...


class StreamProcessor:
    """Feeds one session's samples through the pipeline and keeps ``state`` current."""

    def __init__(
        self,
        spec: SensorSpec | None,
        profile: Profile,
        state: SessionState,
        *,
        t0_ns: int,
        rate_hz: float | None = None,
        sink: PacketSink | None = None,
        clock_ns: Callable[[], int] = time.monotonic_ns,
        check_rate: bool = False,
    ) -> None:
        self.state, self.t0_ns, self.sink, self.clock_ns = state, t0_ns, sink, clock_ns
        self.spec, self.profile, self.rate_hz = spec, profile, rate_hz
        self.check_rate = check_rate
        """Live: time samples at the rate they arrive at if the sensor ignored the one asked
        for (a replay's rate is checked before it starts)."""
        self.chunk_s = CHUNK_S
        """The span of a chunk; a fast replay sets more (the same wall time of session data)."""
        self.reset()

    def reset(self) -> None:
        """A fresh start of the session (also a replay seeking back): new decoder, clock and
        pipeline; the state emptied in place, so whoever reads it sees the new session."""
        spec = self.spec
        self.decoder = decoder_for(spec) if spec else None
        self.clock = (
            SampleClock.for_spec(spec, self.rate_hz, origin_ns=self.t0_ns) if spec else None
        )
        self.pipeline = Pipeline(self.profile)
        self._stage = 0
        self._pending: list[tuple[int, ImuChunk]] = []
        self._arrivals: list[tuple[int, int]] | None = [] if self.check_rate and spec else None
        """(arrival, samples) of each packet while the rate is not yet settled."""
        self.state.reset()
        self.state.pending = self.flush
        self.state.stage_angles = dict(self.profile.stage_angles)
        self.state.stage3_allowed = self.profile.stage3_allowed

    def seconds(self, t_ns: int) -> float:
        return (t_ns - self.t0_ns) * 1e-9

    def packet(self, t_ns: int, char: str, payload: bytes) -> None:
        """One notification as it arrived: recorded first, then decoded and processed."""
        if self.sink is not None:
            self.sink.packet(t_ns, char, payload)
        st = self.state.status
        if not st.packets:  # the data starts here: live, ``duration_s`` counts from it
            st.start_s = self.seconds(t_ns)
        st.packets += 1
        st.t = max(st.t, self.seconds(t_ns))
        assert self.decoder is not None and self.clock is not None
        try:
            chunk = self.decoder.decode(char, payload)
        except MalformedPacket as exc:
            st.malformed += 1
            self.state.emit("malformed", detail=str(exc), bytes=len(payload))
            return
        if self.decoder.battery is not None:
            st.battery_pct = round(self.decoder.battery.percent)
        if chunk is None or len(chunk) == 0:
            return
        self._pending.append((t_ns, chunk))
        if self._arrivals is not None:
            self._arrivals.append((t_ns, len(chunk)))
        if t_ns - self._pending[0][0] >= self.chunk_s * 1e9:
            self.flush()

    def flush(self) -> None:
        """Time the notifications waiting since the last chunk and run them through the
        pipeline (the clock and the pipeline each cost per call, so they take chunks)."""
        if not self._pending or self.clock is None or not self._rate_settled():
            return
        arrivals, chunks = zip(*self._pending, strict=True)
        self._pending = []
        st = self.state.status
        gaps, lost = st.gaps, st.lost_samples
        times = self.clock.step_many(list(arrivals), list(chunks))
        st.gaps, st.lost_samples = self.clock.gaps, self.clock.lost_samples
        if st.gaps > gaps:  # samples lost in this chunk: into the recording too
            steps = np.diff(times, prepend=times[0])
            self.state.emit("gap", lost_samples=st.lost_samples - lost,
                            before_s=round(float(times[int(np.argmax(steps))]), 3))
        acc = np.concatenate([c.acc_g for c in chunks])
        gyr = np.concatenate([c.gyr_dps for c in chunks])
        self.samples(times, acc, gyr)

    def _rate_settled(self, end: bool = False) -> bool:
        """Whether the samples' rate is settled (always, unless ``check_rate``): the samples
        arrived at the rate asked for, or for long enough at another, which then times them,
        with an alert; at the ``end`` of the stream, the rate asked for."""
        if self._arrivals is None:
            return True
        assert self.spec is not None
        t_ns, counts = np.array(self._arrivals).reshape(-1, 2).T
        asked = self.rate_hz or self.spec.default_rate_hz
        early = arrival_rate(t_ns, counts, RATE_AGREES_S)
        arrived = arrival_rate(t_ns, counts)
        if not (end or arrived is not None or (early is not None and believed(asked, early))):
            return False
        self._arrivals = None
        if arrived is not None and not believed(asked, arrived):
            self.rate_hz = rate_arrived(self.spec, arrived)
            self.clock = SampleClock.for_spec(self.spec, self.rate_hz, origin_ns=self.t0_ns)
            self.state.emit(
                "alert", kind="rate", message=f"The sensor sends {arrived:.1f} samples a "
                f"second, not the {asked:g} asked for: timed at {self.rate_hz:g} Hz."
            )
        return True

    def samples(self, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> PipelineOutput:
        """Timed samples (seconds on the session clock, g, deg/s) through the pipeline."""
        out = self.pipeline.step(t, acc, gyr)
        self._publish(out)
        return out

    def link(self, kind: str, detail: str = "", t_ns: int | None = None) -> None:
        """A link state or event from the BLE layer (``SensorLink.on_status``), happening now or,
        in a replay, at ``t_ns``."""
        st = self.state.status
        if kind in LINK_EVENTS:
            self.flush()
            st.t = max(st.t, self.seconds(self.clock_ns() if t_ns is None else t_ns))
            st.connected = kind != "disconnected"
            st.reconnects += kind == "reconnected"
            if kind == "disconnected" and self.spec is not None:
                # A new connection starts the sensor's protocol afresh (Polar's frame clock and
                # factor, MetaWear's ranges): decode it with a fresh decoder.
                self.decoder = decoder_for(self.spec)
            self.state.emit(kind, detail=detail)
        elif kind in ("connecting", "streaming", "lost", "reconnecting", "stopped", "replay"):
            st.link = kind  # type: ignore[assignment]

    def finish(self) -> None:
        """End of the stream: close the hold still open."""
        self._rate_settled(end=True)
        self.flush()
        last = self.pipeline.close()
        if last is not None:
            self._hold_event(last.kind, last.as_hold(), last.t)

    def _publish(self, out: PipelineOutput) -> None:
        n = out.t.size
        if n == 0:
            return
        st = self.state.status
        st.t = max(st.t, float(out.t[-1]))
        angle = float(out.angle_deg[-1])
        st.angle_deg = angle if np.isfinite(angle) else None
        st.hold_s = float(out.hold_s[-1])
        st.stable = bool(out.stable[-1])
        self.state.history.extend(out.t, out.angle_deg, out.stage)
        for ev in out.events:
            data: dict[str, Any] = ev.as_hold() if ev.kind == "hold_end" else {
                "stage": ev.stage, "start_s": round(ev.start_s, 3)}
            self._hold_event(ev.kind, data, ev.t)
        changes = np.flatnonzero(np.diff(np.concatenate(([self._stage], out.stage))))
        for i in changes:
            prev = self._stage
            self._stage = int(out.stage[i])
            at_s = round(float(out.t[i]), 3)
            self.state.emit("stage", stage=self._stage, previous=prev, at_s=at_s)
        st.stage = self._stage

    def _hold_event(self, kind: str, data: dict[str, Any], t: float) -> None:
        if kind == "hold_end":
            self.state.holds.append(data)
        self.state.emit(kind, **data, detected_s=round(t, 3))
