"""A Bumble reply that arrives in the loop step between its caller's cancellation and Bumble's
clearing of the cancelled future (a demo stopped right after it starts): no exception."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bleak import BleakClient, BleakScanner
from bumble import att, hci

from sensorhold.ble.bumble_backend import BumbleClient, BumbleScanner, radio
from sensorhold.emulator.world import World

GAP_NAME = "00002a00-0000-1000-8000-00805f9b34fb"


def loop_errors() -> list[dict[str, Any]]:
    """What the running loop's exception handler sees (printed as a traceback in a session)."""
    errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: errors.append(ctx))
    return errors


async def steps_until(condition: Callable[[], bool]) -> None:
    """Let the loop run one step at a time until ``condition`` holds."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def test_reply_to_a_cancelled_hci_command() -> None:
    errors = loop_errors()
    host = (await radio().device()).host
    task = asyncio.ensure_future(host.send_command(hci.HCI_Read_BD_ADDR_Command()))
    await asyncio.sleep(0)  # sent: the virtual controller's on_packet is queued
    await asyncio.sleep(0)  # answered: Host.on_packet is queued
    task.cancel()  # its future is cancelled now, cleared only when the task resumes
    pending = host.pending_response
    assert pending is not None and pending.cancelled()
    await asyncio.gather(task, return_exceptions=True)
    assert host.pending_response is None
    assert errors == []
    reply = await host.send_command(hci.HCI_Read_BD_ADDR_Command())  # the semaphore was freed
    assert reply.return_parameters.status == hci.HCI_SUCCESS
    assert errors == []


async def test_response_to_a_cancelled_gatt_request(world: World) -> None:
    errors = loop_errors()
    device = await BleakScanner.find_device_by_name(world.name, timeout=2, backend=BumbleScanner)
    assert device is not None
    client = BleakClient(device, backend=BumbleClient)  # type: ignore[arg-type]
    await client.connect()
    try:
        central = await radio().device()
        connection = next(iter(central.connections.values()))
        read = asyncio.ensure_future(client.read_gatt_char(GAP_NAME))
        await steps_until(lambda: connection.gatt_client.pending_response is not None)
        read.cancel()
        pending = connection.gatt_client.pending_response
        await steps_until(pending.cancelled)  # wait_for cancels it when the task resumes
        assert connection.gatt_client.pending_response is pending  # not yet cleared
        response = att.ATT_Read_Response(attribute_value=b"WT901BLE67")
        central.on_gatt_pdu(connection.handle, bytes(response))  # arriving in that step
        await asyncio.gather(read, return_exceptions=True)
        await asyncio.sleep(0.05)  # the peer's own response too
        assert await client.read_gatt_char(GAP_NAME) == b"WT901BLE67"
    finally:
        await client.disconnect()
    assert errors == []


async def test_cancel_in_the_step_of_the_reply_is_not_swallowed() -> None:
    device = await radio().device()
    host = device.host
    task = asyncio.ensure_future(device.send_sync_command(hci.HCI_Read_BD_ADDR_Command()))
    await steps_until(lambda: host.pending_response is not None)
    pending = host.pending_response
    await steps_until(pending.done)  # the reply is in; the caller has not resumed yet
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()
