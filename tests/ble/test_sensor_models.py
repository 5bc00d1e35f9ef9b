"""MetaMotion R, Polar Verity Sense and Movella DOT through the real BLE path: the emulated
sensor's GATT server, the Bumble backend under bleak, ``SensorLink`` and the real decoder."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from bleak import BleakClient, BleakScanner

from sensorhold.ble.backend import emulated
from sensorhold.ble.bumble_backend import radio
from sensorhold.ble.link import SensorLink
from sensorhold.ble.scan import scan
from sensorhold.emulator.movella_dot import MovellaDotEmulator
from sensorhold.emulator.polar_verity import PolarVerityEmulator
from sensorhold.emulator.sensor import EmulatedSensor
from sensorhold.emulator.world import emulated_world
from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.decoding import Decoder
from sensorhold.protocol.polar_pmd import parse_settings
from sensorhold.protocol.sample_clock import SampleClock
from sensorhold.protocol.samples import ImuChunk
from sensorhold.protocol.spec import SensorSpec, load_spec

MODELS = ("metamotion", "polar-verity", "movella-dot")
DOT_RATE_HZ = 30  # not the DOT's 60 Hz default: the device-control rate write must take effect


@dataclass
class Streamed:
    """What a link delivered, decoded: samples, their sensor times (if any), the decoder."""

    decoder: Decoder
    acc: np.ndarray
    gyr: np.ndarray
    t_sensor: np.ndarray | None
    host_s: np.ndarray
    """Host receive time of each sample's notification."""


class Collector:
    """A ``SensorLink`` on_packet that decodes as packets come and wakes at ``n`` samples."""

    def __init__(self, spec: SensorSpec, n: int) -> None:
        self.decoder = decoder_for(spec)
        self.chunks: list[tuple[int, ImuChunk]] = []
        self.n, self.count = n, 0
        self.enough = asyncio.Event()

    def packet(self, t_ns: int, char: str, payload: bytes) -> None:
        chunk = self.decoder.decode(char, payload)
        if chunk is not None:
            self.chunks.append((t_ns, chunk))
            self.count += len(chunk)
            if self.count >= self.n:
                self.enough.set()

    def result(self) -> Streamed:
        chunks = [c for _, c in self.chunks]
        t = [c.t_sensor_s for c in chunks if c.t_sensor_s is not None]
        return Streamed(
            self.decoder,
            np.concatenate([c.acc_g for c in chunks]),
            np.concatenate([c.gyr_dps for c in chunks]),
            np.concatenate(t) if t else None,
            np.concatenate([np.full(len(c), t_ns * 1e-9) for t_ns, c in self.chunks]),
        )


async def stream(
    sensor: EmulatedSensor, spec: SensorSpec, seconds: float, rate_hz: float | None = None
) -> Streamed:
    """Connect a ``SensorLink`` by name, collect ``seconds`` of samples, stop the link."""
    rate = rate_hz or spec.default_rate_hz
    collector = Collector(spec, int(seconds * rate))
    link = SensorLink(
        spec,
        collector.packet,
        target=sensor.name,
        rate_hz=rate,
        backend=emulated(),
        scan_timeout_s=2,
    )
    run = asyncio.ensure_future(link.run())
    try:
        await asyncio.wait_for(collector.enough.wait(), seconds + 3)
    finally:
        await link.stop()
        await run
    assert link.stats.connects == 1 and link.stats.disconnects == 0
    return collector.result()


@contextlib.asynccontextmanager
async def started(sensor: EmulatedSensor) -> AsyncIterator[EmulatedSensor]:
    await sensor.start()
    try:
        yield sensor
    finally:
        radio().link.restore(sensor.controller)
        await sensor.close()


@pytest.mark.parametrize("model", MODELS)
async def test_scan_recognises_the_model(model: str, source) -> None:
    async with emulated_world(model, source, conn_interval_ms=0) as world:
        found = await scan(0.3, backend=world.backend)
    assert [(f.name, f.model) for f in found] == [(world.name, model)]


@pytest.mark.parametrize("model", MODELS)
async def test_link_starts_streams_and_stops_the_sensor(model: str, source) -> None:
    """Start sequence, samples at the rate with the source's gravity, stop sequence."""
    spec = load_spec(model)
    rate = DOT_RATE_HZ if model == "movella-dot" else spec.default_rate_hz
    async with emulated_world(model, source, conn_interval_ms=0) as world:
        got = await stream(world.sensor, spec, 1.5, rate)
        writes = [data for _, data in world.sensor.writes]
    assert writes[: len(spec.start)] == [spec.write_bytes(w, rate) for w in spec.start]
    assert writes[-len(spec.stop) :] == [spec.write_bytes(w, rate) for w in spec.stop]
    assert not world.sensor.measuring()
    # Values: the source's tilted rest, within each sensor's quantisation.
    np.testing.assert_allclose(got.acc, np.tile(source.acc_g, (len(got.acc), 1)), atol=2e-3)
    np.testing.assert_allclose(np.linalg.norm(got.acc, axis=1), 1.0, atol=2e-3)
    np.testing.assert_allclose(got.gyr, 0.0, atol=0.04)
    # Rate: host arrival span (untimed sensors) or the sensor's own clock (timed ones).
    after_first = np.count_nonzero(got.host_s > got.host_s[0])  # samples after the first packet
    host_rate = after_first / (got.host_s[-1] - got.host_s[0])
    assert host_rate == pytest.approx(rate, rel=0.15)
    if spec.timestamps == "sensor":
        assert got.t_sensor is not None
        np.testing.assert_allclose(np.diff(got.t_sensor), 1 / rate, atol=2e-6)
    else:
        assert got.t_sensor is None


async def test_metamotion_answers_module_info_and_battery(source) -> None:
    spec = load_spec("metamotion")
    async with emulated_world("metamotion", source, conn_interval_ms=0) as world:
        got = await stream(world.sensor, spec, 0.3)
        replies: asyncio.Queue[bytes] = asyncio.Queue()
        device = await BleakScanner.find_device_by_name(world.name, backend=world.backend.scanner)
        assert device is not None
        async with BleakClient(device, backend=world.backend.client) as client:
            await client.start_notify(spec.notify[0], lambda _c, d: replies.put_nowait(bytes(d)))
            for query in ("0380", "1380", "11cc"):
                await client.write_gatt_char(spec.write_char, bytes.fromhex(query), response=False)
            answers = [(await asyncio.wait_for(replies.get(), 1)).hex() for _ in range(3)]
            assert await client.read_gatt_char("2a24") == b"5"
    assert answers == ["03800101", "13800001", "118c633410"]  # MW test/common.py, vector M9
    assert got.decoder.battery is not None  # the link's own battery query, decoded
    assert (got.decoder.battery.percent, got.decoder.battery.volts) == (99, 4.148)


async def test_polar_control_point_answers_and_refuses(source) -> None:
    """GET_SETTINGS, a START the sensor cannot do, STOP of a stopped type: indications with the
    vendor status codes. A good START carries the FACTOR the decoder scales by."""
    spec = load_spec("polar-verity")
    control, data_char = spec.layout["control_char"], spec.layout["data_char"]
    async with emulated_world("polar-verity", source, conn_interval_ms=0) as world:
        got = await stream(world.sensor, spec, 0.6)
        replies: asyncio.Queue[bytes] = asyncio.Queue()
        device = await BleakScanner.find_device_by_name(world.name, backend=world.backend.scanner)
        assert device is not None
        async with BleakClient(device, backend=world.backend.client) as client:
            await client.start_notify(control, lambda _c, d: replies.put_nowait(bytes(d)))
            await client.start_notify(data_char, lambda _c, d: None)
            features = await client.read_gatt_char(control)
            answers = []
            for command in ("0102", "0202000134000101100002010400040103", "0305", "0109"):
                await client.write_gatt_char(control, bytes.fromhex(command), response=True)
                answers.append(await asyncio.wait_for(replies.get(), 1))
            battery = await client.read_gatt_char("2a19")
    assert features[1] == 0x6E  # PPG, ACC, PPI, GYRO, MAG
    assert answers[0][:5].hex() == "f001020000"
    assert parse_settings(answers[0][5:]) == {0: [52.0], 1: [16.0], 2: [8.0], 4: [3.0]}
    assert answers[1].hex() == "f002020900"  # RANGE 4 g: ERROR_INVALID_RANGE
    assert answers[2].hex() == "f003050600"  # GYRO not running: ERROR_ALREADY_IN_STATE
    assert answers[3].hex() == "f001090300"  # SDK_MODE settings: ERROR_NOT_SUPPORTED
    assert battery == bytes([76])
    assert got.decoder.factors == pytest.approx({2: 8 / 32768, 5: 2000 / 32768})  # type: ignore[attr-defined]
    assert got.decoder.battery is not None and got.decoder.battery.percent == 76


async def test_movella_dot_clock_wraps_and_session_time_does_not(source) -> None:
    """The uint32 µs clock wraps mid-stream; the sample clock unwraps it."""
    spec = load_spec("movella-dot")
    link = radio().link
    # The wrap comes 1.5 s after the emulator starts: after connecting even on a busy machine,
    # and inside the 2.5 s streamed.
    dot = MovellaDotEmulator(source, link, clock_start_us=(1 << 32) - 1_500_000)
    async with started(dot):
        got = await stream(dot, spec, 2.5)
    assert got.t_sensor is not None
    steps = np.diff(np.rint(got.t_sensor * 1e6).astype(np.int64)) % (1 << 32)
    assert np.all(np.abs(steps - 1e6 / 60) <= 1)
    assert np.any(np.diff(got.t_sensor) < 0)  # it did wrap
    clock = SampleClock.for_spec(spec, origin_ns=0)
    times = np.concatenate([clock.step(t, c) for t, c in _chunks(got)])
    assert np.all(np.diff(times) > 0) and clock.gaps == 0
    assert got.decoder.battery is not None and got.decoder.battery.percent == 87


def _chunks(got: Streamed) -> Iterator[tuple[int, ImuChunk]]:
    """The samples again as one-sample chunks with their host times (for a SampleClock)."""
    assert got.t_sensor is not None
    for i in range(len(got.acc)):
        chunk = ImuChunk(got.acc[i : i + 1], got.gyr[i : i + 1], got.t_sensor[i : i + 1])
        yield int(got.host_s[i] * 1e9), chunk


async def test_polar_refuses_to_start_on_a_small_mtu(source) -> None:
    polar = PolarVerityEmulator(source, radio().link)
    try:
        reply, start = polar.command(bytes.fromhex(load_spec("polar-verity").start[0].data), 23)
    finally:
        radio().link.remove_controller(polar.controller)
    assert reply.hex() == "f002020a00" and start is None  # ERROR_INVALID_MTU
