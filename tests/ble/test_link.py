"""SensorLink against the emulated world: streaming, faults, recovery, refusal, teardown."""

from __future__ import annotations

import asyncio
import time

import pytest
from bumble.gatt import Characteristic, Service

from sensorhold.ble.bumble_backend import make_device, radio
from sensorhold.ble.errors import SensorNotFoundError, WrongDeviceError
from sensorhold.ble.link import SensorLink
from sensorhold.emulator.faults import Fault
from sensorhold.emulator.sensor import advertising_data
from sensorhold.emulator.world import World, emulated_world
from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.spec import load_spec

SPEC = load_spec("witmotion")


def kinds(statuses) -> list[str]:
    return [k for k, _ in statuses.values]


def frames(rec) -> int:
    return sum(len(p) // 20 for p in rec.values if p[:2] == b"\x55\x61")


def start(world: World, rec, statuses, **kwargs) -> tuple[SensorLink, asyncio.Task[None]]:
    link = SensorLink(
        SPEC,
        rec.packet,
        rate_hz=kwargs.pop("rate_hz", 50),
        backend=world.backend,
        on_status=statuses.status,
        scan_timeout_s=kwargs.pop("scan_timeout_s", 2),
        **kwargs,
    )
    return link, asyncio.ensure_future(link.run())


def seen(statuses, *wanted: str):
    """A predicate: the status kinds ``wanted`` have occurred in this order."""

    def predicate(items) -> bool:
        it = iter(k for _, (k, _) in items)
        return all(w in it for w in wanted)

    return predicate


async def test_link_streams_at_the_set_rate_and_reads_battery(world: World, rec, statuses) -> None:
    link, run = start(world, rec, statuses)
    await rec.until(lambda items: frames(rec) >= 51)
    pkts = [t for t, p in rec.items if p[:2] == b"\x55\x61"]
    rate = (len(pkts[1:51]) - 1) / (pkts[50] - pkts[1])
    assert rate == pytest.approx(50, rel=0.05)  # the start sequence set 50 Hz (default was 10)
    decoder = decoder_for(SPEC)
    await rec.until(lambda items: any(p[:2] == b"\x55\x71" for _, p in items))
    for payload in rec.values:
        decoder.decode(SPEC.notify[0], payload)
    assert decoder.battery is not None and decoder.battery.volts == pytest.approx(3.95)
    await link.stop()
    await run
    assert kinds(statuses) == ["connecting", "connected", "streaming", "stopped"]
    assert link.stats.connects == 1 and link.stats.reconnects == 0
    assert not world.sensor.connections


async def test_packets_carry_host_receive_times(world: World, statuses) -> None:
    stamps: list[tuple[int, str, int]] = []
    got = asyncio.Event()

    def on_packet(t_ns: int, uuid: str, payload: bytes) -> None:
        stamps.append((t_ns, uuid, len(payload)))
        if len(stamps) >= 3:
            got.set()

    before = time.monotonic_ns()
    link = SensorLink(SPEC, on_packet, backend=world.backend, on_status=statuses.status)
    run = asyncio.ensure_future(link.run())
    await asyncio.wait_for(got.wait(), 3)
    await link.stop()
    await run
    assert all(before < t <= time.monotonic_ns() for t, _, _ in stamps)
    assert [t for t, _, _ in stamps] == sorted(t for t, _, _ in stamps)
    assert {u for _, u, _ in stamps} == {SPEC.notify[0]}


@pytest.mark.parametrize(
    ("fault", "reason"),
    [(Fault("radio-loss", 0.0, 1.0), 0x08), (Fault("power-off", 0.0, 0.5), 0x15)],
)
async def test_link_recovers_from_a_lost_sensor(source, rec, statuses, fault, reason) -> None:
    async with emulated_world("witmotion", source, rate_hz=10, conn_interval_ms=30) as world:
        link, run = start(world, rec, statuses)
        await statuses.until(seen(statuses, "streaming"))
        t_fault = time.monotonic()
        fault_task = asyncio.ensure_future(_inject(fault, world))
        await statuses.until(seen(statuses, "streaming", "disconnected", "lost"), 3)
        t_lost = statuses.items[-1][0]
        before = frames(rec)
        await statuses.until(seen(statuses, "lost", "reconnecting", "reconnected", "streaming"), 6)
        await rec.until(lambda _items: frames(rec) >= before + 10, 3)  # the stream goes on
        await fault_task
        await link.stop()
        await run
        print(
            f"{fault.kind}: loss noticed after {t_lost - t_fault:.3f} s, streaming again "
            f"{link.stats.last_reconnect_s:.3f} s after the loss (sensor away {fault.duration_s} s)"
        )
        kinds_at = [(t, k) for t, (k, _) in statuses.items]
        t_retry = next(t for t, k in kinds_at if k == "reconnecting")
        assert t_retry - t_lost < 0.2  # the loss is acted on at once, not at the next watchdog
        assert world.sensor.disconnect_reasons[0] == reason
        assert link.stats.reconnects == 1 and link.stats.disconnects == 1
        assert link.stats.last_reconnect_s >= (fault.duration_s - 0.72 if reason == 8 else 0.5)


async def _inject(fault: Fault, world: World) -> None:
    from sensorhold.emulator.faults import inject

    await inject(fault, world.sensor)


async def test_silence_trips_the_watchdog_and_recovers(world: World, rec, statuses) -> None:
    link, run = start(world, rec, statuses, rate_hz=10, watchdog_s=0.4)
    await statuses.until(seen(statuses, "streaming"))
    world.sensor.silence(0.8)
    await statuses.until(seen(statuses, "streaming", "lost"), 2)
    assert statuses.values[-1][1].startswith("no data for")
    await statuses.until(seen(statuses, "lost", "reconnected", "streaming"), 4)
    await link.stop()
    await run
    assert link.stats.watchdog_trips >= 1 and link.stats.reconnects >= 1


async def test_malformed_notification_reaches_on_packet(world: World, rec, statuses) -> None:
    link, run = start(world, rec, statuses, rate_hz=10)
    await rec.count(2)
    await world.sensor.send_malformed()
    await rec.until(lambda items: any(p == bytes.fromhex("aa5501020304ff") for _, p in items))
    await link.stop()
    await run
    assert link.state == "stopped"


async def test_spoofed_name_with_wrong_services_is_refused(rec, statuses) -> None:
    spoof, _ = make_device("WT901BLE99", "C1:11:22:33:44:55", radio().link)
    spoof.add_service(
        Service(
            "180F", [Characteristic("2A19", Characteristic.READ, Characteristic.READABLE, b"d")]
        )
    )
    await spoof.power_on()
    data = advertising_data("WT901BLE99", "0000180f-0000-1000-8000-00805f9b34fb")
    await spoof.start_advertising(advertising_data=data, advertising_interval_min=20)
    link = SensorLink(
        SPEC, rec.packet, target="WT901BLE*", backend=_emulated(), on_status=statuses.status
    )
    try:
        with pytest.raises(WrongDeviceError, match="is not a WitMotion"):
            await link.run()
    finally:
        await spoof.stop_advertising()
        await spoof.power_off()
    assert link.state == "stopped" and not rec.items


def _emulated():
    from sensorhold.ble.backend import emulated

    return emulated()


async def test_no_sensor_is_a_readable_error(statuses) -> None:
    link = SensorLink(SPEC, lambda *_: None, backend=_emulated(), scan_timeout_s=0.3)
    with pytest.raises(SensorNotFoundError, match=r"no WitMotion .* found within 0\.3 s"):
        await link.run()


async def test_two_connects_in_a_row_leave_nothing_behind(world: World, rec, statuses) -> None:
    tasks_before = asyncio.all_tasks()
    for _ in range(2):
        t0 = time.monotonic()
        link, run = start(world, rec, statuses, rate_hz=10)
        await statuses.until(lambda items: bool(items) and items[-1][1][0] == "streaming")
        print(f"scan + connect + start sequence + first packet: {time.monotonic() - t0:.3f} s")
        await link.stop()
        await run
    central = radio().central
    assert central is not None and not central.connections
    assert not world.sensor.connections and not world.sensor._streams
    assert world.sensor.disconnect_reasons == [0x13, 0x13]
    leftover = asyncio.all_tasks() - tasks_before - {asyncio.current_task()}
    # The sensor re-advertising after the disconnection is the sensor's business, not a leak.
    assert [t for t in leftover if "EmulatedSensor." not in repr(t.get_coro())] == []


async def test_loss_during_a_battery_query_is_acted_on_at_once(world: World, rec, statuses) -> None:
    """Regression: a disconnection while the supervisor awaited a write went unnoticed until
    the watchdog fired (2 s later)."""
    handle_command = world.sensor.on_command

    async def die(connection) -> None:
        gone = asyncio.get_running_loop().create_future()
        connection.once(connection.EVENT_DISCONNECTION, gone.set_result)
        world.sensor.spawn(world.sensor.power_off(0.3))
        await gone

    def dies_on_battery_query(connection, data: bytes):
        if data == bytes.fromhex(SPEC.raw["battery"]["write"]):
            return die(connection)  # awaited by the GATT server: the write is never answered
        return handle_command(connection, data)

    world.sensor.on_command = dies_on_battery_query
    link, run = start(world, rec, statuses, rate_hz=10)
    await statuses.until(seen(statuses, "connected", "lost"), 2)
    t_lost = statuses.items[-1][0]
    await statuses.until(seen(statuses, "lost", "reconnecting"), 2)
    assert statuses.items[-1][0] - t_lost < 0.2
    world.sensor.on_command = handle_command
    await statuses.until(seen(statuses, "reconnecting", "reconnected", "streaming"), 3)
    await link.stop()
    await run
