"""The Bumble backend and the emulated WT901BLE, through bleak's public API only."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakGATTProtocolError

from sensorhold.ble.bumble_backend import BumbleClient, BumbleScanner, radio
from sensorhold.ble.scan import scan
from sensorhold.emulator.world import World, emulated_world
from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.spec import load_spec

SPEC = load_spec("witmotion")
NOTIFY, WRITE = SPEC.notify[0], SPEC.write_char
GAP_NAME = "00002a00-0000-1000-8000-00805f9b34fb"
assert WRITE is not None


async def connect(world: World, **kwargs: object) -> BleakClient:
    device = await BleakScanner.find_device_by_name(world.name, timeout=2, backend=BumbleScanner)
    assert device is not None
    client = BleakClient(device, backend=BumbleClient, **kwargs)  # type: ignore[arg-type]
    await client.connect()
    return client


async def test_scan_finds_the_emulator_with_rssi_and_model(world: World) -> None:
    found = await scan(0.3, world.backend)
    assert [(f.name, f.address, f.model) for f in found] == [
        ("WT901BLE67", "C0:98:E5:49:00:67", "witmotion")
    ]
    assert -100 < found[0].rssi < 0


async def test_advertisement_carries_name_and_service(world: World) -> None:
    hits: list[tuple[str | None, list[str]]] = []
    async with BleakScanner(
        lambda _d, adv: hits.append((adv.local_name, adv.service_uuids)),
        service_uuids=[SPEC.service],
        backend=BumbleScanner,
    ):
        await asyncio.sleep(0.1)
    assert hits and hits[0] == ("WT901BLE67", [SPEC.service])


async def test_connect_discovers_services_mtu_and_errors(world: World) -> None:
    client = await connect(world)
    try:
        assert client.mtu_size == 247
        service = client.services.get_service(SPEC.service)
        assert service is not None
        notify = client.services.get_characteristic(NOTIFY)
        write = client.services.get_characteristic(WRITE)
        assert "notify" in notify.properties
        assert {"write", "write-without-response"} <= set(write.properties)
        assert [d.uuid for d in notify.descriptors] == ["00002902-0000-1000-8000-00805f9b34fb"]
        assert await client.read_gatt_char(GAP_NAME) == b"WT901BLE67"
        with pytest.raises(BleakGATTProtocolError) as err:
            await client.read_gatt_char(WRITE)
        assert err.value.args[0] == 0x02  # Read Not Permitted
    finally:
        await client.disconnect()


def rate_of(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0])


async def test_notify_streams_frames_and_rate_command_changes_rate(world: World, rec) -> None:
    client = await connect(world)
    await client.start_notify(NOTIFY, rec.notify)
    await rec.count(11)
    rate_before = rate_of([t for t, _ in rec.items[1:11]])
    first = rec.values[0]
    assert len(first) == 20 and first[:2] == b"\x55\x61"
    acc = np.frombuffer(first[2:8], "<i2") * SPEC.layout["acc"]["scale"]
    np.testing.assert_allclose(acc, [0.0, 0.5, 0.866], atol=1e-3)

    await client.write_gatt_char(WRITE, bytes.fromhex("ffaa6988b5"), response=True)
    await client.write_gatt_char(WRITE, SPEC.rate_bytes(50), response=False)
    await client.read_gatt_char(GAP_NAME)  # ATT is in order: the command has been handled
    assert world.sensor.rate_hz == 50
    mark = len(rec.items) + 1
    await rec.count(mark + 50)
    rate_after = rate_of([t for t, _ in rec.items[mark : mark + 50]])
    print(f"measured rate: {rate_before:.2f} Hz before, {rate_after:.2f} Hz after the command")
    assert rate_before == pytest.approx(10, rel=0.05)
    assert rate_after == pytest.approx(50, rel=0.05)
    await client.stop_notify(NOTIFY)
    sent = world.sensor.notifications_sent
    await client.read_gatt_char(GAP_NAME)
    assert world.sensor.notifications_sent <= sent + 1  # the CCCD write stopped the stream
    await client.disconnect()


async def test_rate_command_without_unlock_is_ignored(world: World) -> None:
    client = await connect(world)
    await client.write_gatt_char(WRITE, SPEC.rate_bytes(100), response=True)
    assert world.sensor.rate_hz == 10
    await client.disconnect()


async def test_battery_register_read(world: World, rec) -> None:
    client = await connect(world)
    decoder = decoder_for(SPEC)
    await client.start_notify(NOTIFY, rec.notify)
    await client.write_gatt_char(WRITE, bytes.fromhex("ffaa276400"), response=True)
    await rec.until(lambda items: items[-1][1][:2] == b"\x55\x71")
    for payload in rec.values:
        decoder.decode(NOTIFY, payload)
    assert decoder.battery is not None
    assert decoder.battery.volts == pytest.approx(3.95)
    assert decoder.battery.percent == 90
    await client.disconnect()


async def test_batched_notifications_hold_whole_frames(source, rec) -> None:
    async with emulated_world("witmotion", source, rate_hz=100, conn_interval_ms=30) as w:
        client = await connect(w)
        await client.start_notify(NOTIFY, rec.notify)
        await rec.until(lambda items: sum(len(v) for _, v in items) >= 60 * 20)
        await client.disconnect()
    sizes = [len(v) for v in rec.values]
    assert all(s % 20 == 0 for s in sizes)
    assert max(sizes) >= 60  # three or more 10 ms frames per 30 ms connection event


async def test_central_disconnect_stops_the_stream(world: World, rec) -> None:
    gone = asyncio.Event()
    client = await connect(world, disconnected_callback=lambda _c: gone.set())
    await client.start_notify(NOTIFY, rec.notify)
    await rec.count(1)
    (peripheral_side,) = world.sensor.connections
    seen = asyncio.get_running_loop().create_future()
    peripheral_side.once(peripheral_side.EVENT_DISCONNECTION, seen.set_result)
    await client.disconnect()
    await asyncio.wait_for(gone.wait(), 1)
    assert await asyncio.wait_for(seen, 1) == 0x13  # Remote User Terminated Connection
    assert not world.sensor.connections and not client.is_connected
    sent = world.sensor.notifications_sent
    with pytest.raises(TimeoutError):
        await rec.count(len(rec.items) + 1, 0.25)
    assert world.sensor.notifications_sent == sent


async def test_peripheral_disconnect_fires_callback_with_power_off(world: World) -> None:
    gone = asyncio.Event()
    client = await connect(world, disconnected_callback=lambda _c: gone.set())
    t0 = time.monotonic()
    off = asyncio.ensure_future(world.sensor.power_off(0.2))
    await asyncio.wait_for(gone.wait(), 1)
    print(f"peripheral disconnect noticed after {1000 * (time.monotonic() - t0):.1f} ms")
    assert not client.is_connected
    assert world.sensor.disconnect_reasons == [0x15]
    await off


async def test_radio_loss_times_out_with_reason_0x08(world: World) -> None:
    gone = asyncio.Event()
    client = await connect(world, disconnected_callback=lambda _c: gone.set())
    t0 = time.monotonic()
    loss = asyncio.ensure_future(world.link.radio_loss(world.sensor.controller, 0.3))
    await asyncio.wait_for(gone.wait(), 2)
    assert time.monotonic() - t0 == pytest.approx(0.3, abs=0.1)
    assert world.sensor.disconnect_reasons == [0x08]
    assert not client.is_connected
    await loss
    # Muted, the sensor is not heard; restored, it is.
    assert await BleakScanner.find_device_by_name(world.name, 0.2, backend=BumbleScanner) is None
    world.link.restore(world.sensor.controller)
    assert await BleakScanner.find_device_by_name(world.name, 1, backend=BumbleScanner)


async def test_connect_timeout_then_connect_works(world: World) -> None:
    device = await BleakScanner.find_device_by_name(world.name, timeout=2, backend=BumbleScanner)
    await world.sensor.set_advertising(False)
    with pytest.raises(TimeoutError):
        await BleakClient(device, backend=BumbleClient, timeout=0.2).connect()
    await world.sensor.set_advertising(True)
    client = BleakClient(device, backend=BumbleClient, timeout=2)
    await client.connect()  # P3: the timed-out connect left no pending connection behind
    assert client.is_connected
    await client.disconnect()


async def test_connect_by_address_string(world: World) -> None:
    async with BleakClient(world.address, backend=BumbleClient, timeout=2) as client:
        assert client.services.get_service(SPEC.service) is not None


async def test_one_radio_per_event_loop(world: World) -> None:
    assert world.link is radio().link
    assert world.sensor.controller in radio().link.controllers
