"""The streams a session can run: a sensor over BLE (real or emulated) and a paced replay."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np

from sensorhold.ble.backend import Backend
from sensorhold.ble.link import SensorLink
from sensorhold.emulator.faults import FaultPlan
from sensorhold.emulator.world import emulated_world
from sensorhold.motion.source import ImuSource
from sensorhold.protocol.spec import SensorSpec
from sensorhold.recording.reader import Recording
from sensorhold.recording.sensor_data import SensorData
from sensorhold.session.processor import LINK_EVENTS, StreamProcessor

REPLAY_CHUNK_S = 0.05


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
    async with emulated_world(spec.model, source, faults, rate_hz=None) as world:
        await ble_stream(processor, spec, world.backend, target=world.name, rate_hz=rate_hz)


async def _pace(t_s: float, start_t: float, speed: float, loop_t0: float) -> None:
    delay = loop_t0 + (t_s - start_t) / speed - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


async def recording_stream(processor: StreamProcessor, rec: Recording, speed: float) -> None:
    """A recording's packets, in time order, at ``speed`` times real time."""
    loop_t0 = asyncio.get_running_loop().time()
    processor.link("replay")
    links = [e for e in rec.events if e.event in LINK_EVENTS]
    start = None
    for packet in rec.packets():
        t = processor.seconds(packet.t_ns)
        start = t if start is None else start
        await _pace(t, start, speed, loop_t0)
        while links and links[0].t_ns <= packet.t_ns:
            event = links.pop(0)
            processor.link(event.event, t_ns=event.t_ns)
        processor.packet(packet.t_ns, packet.char, packet.payload)


async def samples_stream(processor: StreamProcessor, data: SensorData, speed: float) -> None:
    """A CSV's samples in chunks of 50 ms, at ``speed`` times real time."""
    loop_t0 = asyncio.get_running_loop().time()
    processor.link("replay")
    t = data.t
    if t.size == 0:
        return
    edges = np.searchsorted(t, np.arange(t[0], t[-1] + REPLAY_CHUNK_S, REPLAY_CHUNK_S))
    edges = np.unique(np.append(edges, t.size))
    a = 0
    for b in edges.tolist():
        if b <= a:
            continue
        await _pace(float(t[b - 1]), float(t[0]), speed, loop_t0)
        processor.state.status.packets += 1
        processor.samples(t[a:b], data.acc[a:b], data.gyr[a:b])
        a = b
