"""The emulated "adapter": one virtual link and one Bumble central per running event loop.

Bumble's virtual controllers capture the running loop (pitfall P1), so the link, the central and
every emulated sensor must share one loop. Keying by loop in a ``WeakKeyDictionary`` gives each
loop (e.g. each pytest-asyncio test) its own radio, dropped with the loop.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from bumble import att, hci
from bumble.controller import Controller
from bumble.device import Device, DeviceConfiguration
from bumble.host import Host
from bumble.transport.common import AsyncPipeSink

from sensorhold.ble.bumble_backend.simlink import SimLink

logger = logging.getLogger(__name__)

CENTRAL_ADDRESS = "F0:F1:F2:F3:F4:F5"
"""Random static (top two bits set, pitfall P5), like every address on the link."""


def silence_bumble() -> None:
    """Hide Bumble's complaints about PDUs in flight at teardown (P15): a real radio drops them.

    The virtual controller logs those at ERROR ("Cannot find a connection"), the host and the
    GATT client at WARNING ("no connection for", "notification with no subscriber").
    """
    logging.getLogger("bumble").setLevel(logging.ERROR)
    logging.getLogger("bumble.controller").setLevel(logging.CRITICAL)


_ATT_RESPONSES = {bytes([op]) for op in att.ATT_RESPONSES}


def _cancelled(future: asyncio.Future[Any] | None) -> bool:
    return future is not None and future.cancelled()


class _Host(Host):
    """Bumble's host, without its race at cancellation.

    A caller cancelled while its HCI command is in flight leaves a cancelled, not yet cleared
    ``pending_response`` for one loop step; a reply arriving in that step made Bumble set the
    result of the cancelled future (``InvalidStateError``, a traceback from ``Host.on_packet``).
    That reply is dropped, as Bumble drops one arriving after the clearing; the cancelled
    command's own cleanup releases the command semaphore.
    """

    def on_command_processed(
        self, event: hci.HCI_Command_Complete_Event | hci.HCI_Command_Status_Event
    ) -> None:
        if _cancelled(self.pending_response):
            logger.debug("reply to a cancelled HCI command dropped: 0x%04X", event.command_opcode)
            return
        super().on_command_processed(event)


class _Device(Device):
    """Bumble's device, without the same race for a cancelled GATT client request."""

    def on_gatt_pdu(self, connection_handle: int, pdu: bytes) -> None:  # type: ignore[override]
        connection = self.lookup_connection(connection_handle)
        client = connection.gatt_client if connection is not None else None
        if client is not None and pdu[:1] in _ATT_RESPONSES and _cancelled(client.pending_response):
            logger.debug("response to a cancelled GATT request dropped: 0x%02X", pdu[0])
            return
        super().on_gatt_pdu(connection_handle, pdu)


def make_device(name: str, address: str, link: SimLink) -> tuple[Device, Controller]:
    """A Bumble host stack on a fresh virtual controller attached to ``link``."""
    controller = Controller(name, link=link)
    config = DeviceConfiguration(name=name, address=hci.Address(address))
    device = _Device(config=config, host=_Host(controller, AsyncPipeSink(controller)))
    # No HCI command timeout: the virtual controller answers every command at the next loop
    # step, and on Python 3.11 the timeout's ``asyncio.wait_for`` swallows a cancellation that
    # comes in the step the reply does (a demo stopped at 0.01 s then ran on forever).
    device.command_timeout = None
    return device, controller


@dataclass
class Radio:
    """The per-loop link, the central device on it, and what the bleak backend shares."""

    link: SimLink
    central: Device | None = None
    central_controller: Controller | None = None
    connect_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    power_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    known_addresses: dict[str, hci.Address] = field(default_factory=dict)
    scanners: int = 0

    async def device(self) -> Device:
        """The central, powered on at first use."""
        async with self.power_lock:
            if self.central is None:
                central, controller = make_device("sensorhold-central", CENTRAL_ADDRESS, self.link)
                await central.power_on()
                self.central, self.central_controller = central, controller
        return self.central

    def cancel_pending_connect(self) -> None:
        """Forget an LE connect that timed out: the virtual controller never does (P3)."""
        if self.central_controller is not None:
            self.central_controller.pending_le_connection = None

    async def start_scanning(self) -> Device:
        """Start scanning if no scanner is running (scanners are reference-counted, P13)."""
        device = await self.device()
        self.scanners += 1
        if self.scanners == 1:
            await device.start_scanning(filter_duplicates=False)
        return device

    async def stop_scanning(self) -> None:
        self.scanners -= 1
        if self.scanners == 0 and self.central is not None:
            await self.central.stop_scanning()


_radios: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Radio] = weakref.WeakKeyDictionary()


def radio() -> Radio:
    """The radio of the running event loop, created on first use."""
    loop = asyncio.get_running_loop()
    if loop not in _radios:
        silence_bumble()
        _radios[loop] = Radio(SimLink())
    return _radios[loop]
