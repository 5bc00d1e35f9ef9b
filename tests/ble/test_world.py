"""The emulated world's lifecycle and fault plan, and the user-facing Bluetooth errors."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest
from bleak import BleakScanner
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
)

from sensorhold.ble.bumble_backend import BumbleScanner
from sensorhold.ble.errors import BluetoothUnavailableError, platform_error
from sensorhold.ble.link import SensorLink
from sensorhold.emulator.faults import DEFAULT_DURATION_S, Fault, FaultSpecError, parse_faults
from sensorhold.emulator.world import emulated_world
from sensorhold.errors import UnknownSensorError, UserError
from sensorhold.protocol.spec import load_spec


async def test_world_starts_fast_and_leaves_no_ghost_advertiser(source) -> None:
    t0 = time.perf_counter()
    async with emulated_world("witmotion", source) as world:
        started = time.perf_counter() - t0
        assert await BleakScanner.find_device_by_name(world.name, 1, backend=BumbleScanner)
    print(f"emulated world up in {1000 * started:.1f} ms")
    assert started < 0.5
    assert await BleakScanner.find_device_by_name("WT901BLE67", 0.2, backend=BumbleScanner) is None
    assert world.sensor.controller not in world.link.controllers


async def test_fault_plan_runs_on_the_world_clock(source, rec, statuses) -> None:
    plan = parse_faults(["malformed@0.4"])
    async with emulated_world("witmotion", source, plan, rate_hz=10) as world:
        link = SensorLink(load_spec("witmotion"), rec.packet, backend=world.backend, rate_hz=10)
        run = asyncio.ensure_future(link.run())
        await rec.until(lambda items: any(len(p) == 7 for _, p in items))
        # world.t0 is a loop time: time.monotonic() in asyncio's default loop, as rec's stamps.
        at = next(t for t, p in rec.items if len(p) == 7) - world.t0
        await link.stop()
        await run
    assert at == pytest.approx(0.4, abs=0.1)


async def test_source_is_sampled_on_the_world_clock(world, source, rec) -> None:
    link = SensorLink(load_spec("witmotion"), rec.packet, backend=world.backend, rate_hz=10)
    run = asyncio.ensure_future(link.run())
    await rec.count(5)
    await link.stop()
    await run
    times = [float(t) for call in source.calls for t in call]
    assert times == sorted(times) and 0 <= times[0] < 1.0
    assert all(
        b - a == pytest.approx(0.1, abs=1e-9) or b - a > 0.1 for a, b in itertools.pairwise(times)
    )


def test_fault_specs_parse_with_default_durations() -> None:
    assert parse_faults(["silence@5", "radio-loss@2+4.5"]) == (
        Fault("radio-loss", 2.0, 4.5),
        Fault("silence", 5.0, DEFAULT_DURATION_S["silence"]),
    )


@pytest.mark.parametrize("bad", ["radio-loss", "meltdown@3", "silence@-1", "power-off@x"])
def test_bad_fault_spec_is_a_user_error(bad: str) -> None:
    with pytest.raises(FaultSpecError, match="use KIND@SECONDS"):
        parse_faults([bad])


async def test_unknown_emulated_model_is_a_user_error(source) -> None:
    emulated = "emulated: metamotion, movella-dot, polar-verity, witmotion"
    with pytest.raises(UnknownSensorError, match=emulated):
        async with emulated_world("polar", source):
            pass


@pytest.mark.parametrize(
    ("exc", "advice"),
    [
        (
            BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF),
            "turn it on",
        ),
        (
            BleakBluetoothNotAvailableError("none", BleakBluetoothNotAvailableReason.NO_BLUETOOTH),
            "no Bluetooth adapter",
        ),
        (
            BleakBluetoothNotAvailableError("no", BleakBluetoothNotAvailableReason.DENIED_BY_USER),
            "allow it",
        ),
        (BleakDBusError("org.bluez.Error.NotReady", []), "turn it on"),
        (FileNotFoundError(2, "No such file or directory"), "sudo systemctl start bluetooth"),
    ],
)
def test_platform_errors_become_one_line_advice(exc: BaseException, advice: str) -> None:
    err = platform_error(exc)
    assert isinstance(err, BluetoothUnavailableError) and isinstance(err, UserError)
    assert advice in str(err) and "\n" not in str(err)


def test_other_errors_are_left_to_the_retry_policy() -> None:
    assert platform_error(TimeoutError()) is None
    assert platform_error(BleakDBusError("org.bluez.Error.Failed", ["le-connection-abort"])) is None
