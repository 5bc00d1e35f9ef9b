"""The streams a session can run: a sensor over BLE (real or emulated) and a paced replay that
can be paused, sped up or slowed down, and seeked."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sensorhold.ble.backend import Backend
from sensorhold.ble.link import SensorLink
from sensorhold.protocol.spec import SensorSpec
from sensorhold.recording.reader import RecordedEvent, Recording
from sensorhold.recording.sensor_data import SensorData
from sensorhold.runner.replay_control import ReplayControl
from sensorhold.session.processor import CHUNK_S, LINK_EVENTS, StreamProcessor

if TYPE_CHECKING:
    from sensorhold.emulator.faults import FaultPlan
    from sensorhold.motion.source import ImuSource

REPLAY_CHUNK_S = 0.05
FRAME_S = 0.05
"""Wall time of session data a fast replay hands the pipeline at once (one UI frame)."""
POLL_S = 0.05
"""Longest wait before a paused or slow replay looks at the control again."""
YIELD_S = 0.03
"""Longest run of unpaced processing before the UI gets a turn."""


async def ble_stream(
    processor: StreamProcessor, spec: SensorSpec, backend: Backend, *, target: str | None,
    rate_hz: float | None, scan_timeout_s: float = 10.0,
    on_connected: Callable[[str, str], None] | None = None,
) -> SensorLink:
    """Stream one sensor through bleak until cancelled; the link is stopped cleanly.
    ``on_connected(name, address)`` hears of each connection (to remember the sensor)."""

    def status(kind: str, detail: str) -> None:
        processor.link(kind, detail)
        if kind == "connected" and on_connected is not None and link.device is not None:
            on_connected(link.device.name or "", link.device.address)

    link = SensorLink(
        spec, processor.packet, target=target, rate_hz=rate_hz, backend=backend,
        on_status=status, scan_timeout_s=scan_timeout_s,
    )
    task = asyncio.ensure_future(link.run())
    try:
        await asyncio.shield(task)
    finally:
        if not task.done():  # cancelled (end of --duration, quit): leave as a stop, not a loss
            await link.stop()
            await task
    return link


async def demo_stream(
    processor: StreamProcessor, spec: SensorSpec, source: ImuSource, faults: FaultPlan,
    rate_hz: float | None,
) -> None:
    """The emulated sensor on a virtual radio, reached through the same BLE code as ``live``."""
    from sensorhold.emulator.world import emulated_world  # Bumble only where it is used

    async with emulated_world(spec.model, source, faults, rate_hz=None) as world:
        await ble_stream(processor, spec, world.backend, target=world.name, rate_hz=rate_hz)


def _restart(processor: StreamProcessor, start_s: float) -> None:
    """Back to the session's start for a seek back: the app, the headless printer and
    ``bounded_stream`` hold the processor and its state, which reset in place."""
    processor.reset()
    processor.link("replay")
    _start(processor, start_s)


def _start(processor: StreamProcessor, start_s: float) -> None:
    """The session (and its clock: the first status line's time) starts at ``start_s``."""
    processor.state.status.start_s = processor.state.status.t = start_s


async def _play(
    processor: StreamProcessor, times_s: np.ndarray, feed: Callable[[int, int], None],
    control: ReplayControl, start_s: float,
) -> None:
    """Feed items ``0..n-1`` (at ``times_s``, seconds) paced by ``control``, ``feed(a, b)`` taking
    items ``a..b-1`` at once: one item at a time at speed 1 or slower, at higher speed a frame's
    worth (``FRAME_S`` of wall time) in one pipeline call. A seek forward feeds the skipped items
    unpaced; a seek back restarts the session and fast-forwards to the target, so the state is
    always what live would have had there. The session starts (``Status.start_s``) at
    ``start_s`` and ends at the last item or at ``control.end_s``."""
    processor.link("replay")
    if times_s.size == 0:
        return
    _start(processor, start_s)
    position = times_s - start_s
    control.start(float(position[-1]))
    n = int(np.searchsorted(position, control.duration_s, "right"))
    position = position[:n]
    clock = control.clock
    i, target, yielded = 0, None, clock()
    if n and position[0] <= 0:  # due at the start, at any speed: in the first status line
        feed(0, 1)
        control.position_s, i = 0.0, 1
    while i < n:
        asked = control.take_seek()
        if asked is not None:
            if asked < control.position_s:
                _restart(processor, start_s)
                control.rewound()
                i = 0
            target = asked
        pos = float(position[i])
        if target is not None and pos > target:
            control.arrived()
            target = None
        if target is None:
            span = FRAME_S * max(0.0, control.speed - 1.0)
            j = int(np.searchsorted(position, pos + span, "right"))
            delay = control.due_in(float(position[j - 1]))
            if delay is None or delay > 0:
                await asyncio.sleep(POLL_S if delay is None else min(delay, POLL_S))
                yielded = clock()
                continue
        else:  # item by item, in live's chunks: the state at the target is exactly live's
            span, j = 0.0, i + 1
        processor.chunk_s = CHUNK_S + span
        feed(i, j)
        if span > 0:
            processor.flush()
        control.position_s = float(position[j - 1])
        i = j
        if clock() - yielded > YIELD_S:  # fast-forwarding or behind: let the UI draw
            await asyncio.sleep(0)
            yielded = clock()
    if target is not None:
        control.arrived()


async def recording_stream(
    processor: StreamProcessor, rec: Recording, speed: float = 1.0,
    control: ReplayControl | None = None,
) -> None:
    """A recording's packets and link events, in time order, at ``speed`` times real time, or
    paused, sped and seeked by ``control``."""
    links = [e for e in rec.events if e.event in LINK_EVENTS]
    before = np.searchsorted(rec.t_ns, [e.t_ns for e in links]).tolist()
    links_at: dict[int, list[RecordedEvent]] = {}
    for i, event in zip(before, links, strict=True):
        links_at.setdefault(i, []).append(event)

    def feed(a: int, b: int) -> None:
        for i in range(a, b):
            for event in links_at.get(i, ()):
                processor.link(event.event, t_ns=event.t_ns)
            processor.packet(*rec.packet(i))

    times = (rec.t_ns - processor.t0_ns) * 1e-9
    start_s = float(times[0]) if times.size else 0.0
    await _play(processor, times, feed, control or ReplayControl(speed=speed), start_s)


def sample_chunks(t: np.ndarray) -> list[tuple[int, int]]:
    """``[a, b)`` index ranges of ``t``: the first sample alone (due at the replay's start, so
    its first status reads connected), then ``REPLAY_CHUNK_S`` each."""
    if t.size == 0:
        return []
    edges = np.searchsorted(t, np.arange(t[0], t[-1] + REPLAY_CHUNK_S, REPLAY_CHUNK_S))
    edges = np.unique(np.concatenate([[1], edges, [t.size]])).tolist()
    return [(a, b) for a, b in itertools.pairwise([0, *edges]) if b > a]


async def samples_stream(
    processor: StreamProcessor, data: SensorData, speed: float = 1.0,
    control: ReplayControl | None = None,
) -> None:
    """A CSV's samples in chunks of 50 ms, at ``speed`` times real time, or paused, sped and
    seeked by ``control``. It reads as connected from its first sample on."""
    chunks = sample_chunks(data.t)

    def feed(first: int, last: int) -> None:
        a, b = chunks[first][0], chunks[last - 1][1]
        if a == 0:
            processor.link("connected", t_ns=round(float(data.t[0]) * 1e9))
        processor.state.status.packets += last - first
        processor.samples(data.t[a:b], data.acc[a:b], data.gyr[a:b])

    times = np.array([data.t[b - 1] for _, b in chunks], dtype=float)
    start_s = float(data.t[0]) if data.t.size else 0.0
    await _play(processor, times, feed, control or ReplayControl(speed=speed), start_s)
