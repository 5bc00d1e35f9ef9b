"""``BumbleClient``: bleak's client contract on the per-loop Bumble central."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bleak import BleakScanner
from bleak.args import SizedBuffer
from bleak.assigned_numbers import CHARACTERISTIC_PROPERTIES, CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bumble import core, hci
from bumble.att import ATT_Error
from bumble.device import Connection, Peer
from bumble.gatt_client import CharacteristicProxy

from sensorhold.ble.bumble_backend.radio import Radio, radio
from sensorhold.ble.bumble_backend.scanner import BumbleScanner, uuid_str

logger = logging.getLogger(__name__)

MTU = 247
"""What OS stacks negotiate; Bumble keeps 23 unless asked (P7)."""

_T = TypeVar("_T")


def _properties(bits: int) -> list[CharacteristicPropertyName]:
    return [name for bit, name in CHARACTERISTIC_PROPERTIES.items() if bits & bit]


class BumbleClient(BaseBleakClient):
    """A GATT client over the virtual radio; every disconnection fires the callback (as BlueZ)."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        details = getattr(address_or_ble_device, "details", None)
        self._address: hci.Address | None = (
            details.get("address") if isinstance(details, dict) else None
        )
        self._radio: Radio | None = None
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._subscribers: dict[int, Callable[[bytes], None]] = {}
        self.last_disconnect_reason: int | None = None

    @property
    def name(self) -> str:
        return self._connection.peer_name or "" if self._connection else ""

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    @property
    def mtu_size(self) -> int:
        return self._connection.att_mtu if self._connection else 23

    async def _resolve(self, r: Radio) -> hci.Address:
        """The peer's address with its type: from the scan, else by scanning (as BlueZ does)."""
        if self._address is not None:
            return self._address
        if self.address.upper() not in r.known_addresses:
            found = await BleakScanner.find_device_by_address(
                self.address, timeout=self._timeout, backend=BumbleScanner
            )
            if found is None:
                raise BleakDeviceNotFoundError(
                    self.address, f"Device with address {self.address} was not found."
                )
        return r.known_addresses[self.address.upper()]

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        r = self._radio = radio()
        device = await r.device()
        address = await self._resolve(r)
        timeout = kwargs.get("timeout", self._timeout)
        async with r.connect_lock:
            try:
                async with asyncio.timeout(timeout):
                    connection = await device.connect(address, timeout=None)
            except TimeoutError:
                r.cancel_pending_connect()
                raise
        self._connection = connection
        self.last_disconnect_reason = None
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)
        try:
            self._peer = Peer(connection)
            await self._att(self._peer.request_mtu(MTU))
            self.services = await self._discover(self._peer)
            if pair:
                await self.pair()
        except BaseException:
            await self.disconnect()
            raise

    async def _discover(self, peer: Peer) -> BleakGATTServiceCollection:
        coll = BleakGATTServiceCollection()
        for svc in await self._att(peer.discover_services()):
            service = BleakGATTService(svc, svc.handle, uuid_str(svc.uuid))
            coll.add_service(service)
            for ch in await self._att(svc.discover_characteristics()):
                char = BleakGATTCharacteristic(
                    ch,
                    ch.handle,
                    uuid_str(ch.uuid),
                    _properties(ch.properties),
                    lambda: self.mtu_size - 3,
                    service,
                )
                coll.add_characteristic(char)
                for d in await self._att(ch.discover_descriptors()):
                    coll.add_descriptor(BleakGATTDescriptor(d, d.handle, uuid_str(d.type), char))
        return coll

    def _on_disconnection(self, reason: int) -> None:
        self.last_disconnect_reason = reason
        self._connection = self._peer = None
        self._subscribers.clear()
        if self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            await connection.disconnect(hci.HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR)
        except core.BaseBumbleError as e:
            logger.debug("disconnect: %s", e)

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        await self._att(self._require().pair())

    async def unpair(self) -> None:
        raise BleakError("unpair is not supported by the Bumble backend")

    def _require(self) -> Connection:
        if self._connection is None:
            raise BleakError("Not connected")
        return self._connection

    async def _att(self, op: Awaitable[_T]) -> _T:
        """Run one Bumble GATT operation, with its errors in bleak's terms (P9, P10)."""
        try:
            return await op
        except ATT_Error as e:
            raise BleakGATTProtocolError(e.error_code) from e
        except core.TimeoutError as e:
            raise BleakError(f"GATT operation timed out: {e}") from e
        except asyncio.CancelledError:
            if self._connection is None:
                raise BleakError("Disconnected during GATT operation") from None
            raise

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        self._require()
        return bytearray(await self._att(characteristic.obj.read_value()))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        self._require()
        return bytearray(await self._att(descriptor.obj.read_value()))

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        self._require()
        await self._att(characteristic.obj.write_value(bytes(data), with_response=response))

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        self._require()
        await self._att(descriptor.obj.write_value(bytes(data), with_response=True))

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        self._require()

        def subscriber(value: bytes) -> None:
            try:
                callback(bytearray(value))
            except Exception:  # would unwind through Bumble's Host.on_packet (P14)
                logger.exception("notification callback failed")

        proxy: CharacteristicProxy[bytes] = characteristic.obj
        self._subscribers[characteristic.handle] = subscriber
        await self._att(proxy.subscribe(subscriber, prefer_notify=True))

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        self._require()
        subscriber = self._subscribers.pop(characteristic.handle, None)
        if subscriber is not None:
            await self._att(characteristic.obj.unsubscribe(subscriber))
