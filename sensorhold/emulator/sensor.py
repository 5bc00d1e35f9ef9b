"""A generic emulated BLE IMU: a real Bumble GATT server built from a ``SensorSpec``.

By default the server exposes the spec's service, notify and write characteristics, advertises
the name and the service UUID, and streams while the central has notifications enabled on the
data characteristic. Subclasses say only what is vendor-specific: their services (if more than
that), how samples become notifications, what the written commands do, and whether the
measurement is running (a vendor start command rather than the subscription).

Time: the emulated world's clock starts when the sensor is created (``world_t0``, a loop time,
may be shared by several sensors); the ``ImuSource`` is sampled at seconds since then, at
absolute deadlines ``t_anchor + n / rate`` so rates hold without drift.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable

import numpy as np
from bumble import hci
from bumble.att import ATT_Error, ErrorCode
from bumble.core import UUID, AdvertisingData
from bumble.device import Connection, Device
from bumble.gatt import Characteristic, CharacteristicValue, Service

from sensorhold.ble.bumble_backend.radio import make_device
from sensorhold.ble.bumble_backend.scanner import uuid_str
from sensorhold.ble.bumble_backend.simlink import SimLink
from sensorhold.motion.source import ImuSource
from sensorhold.protocol.spec import load_spec

logger = logging.getLogger(__name__)

ADVERTISING_INTERVAL_MS = 20.0
POWER_OFF = hci.HCI_REMOTE_DEVICE_TERMINATED_CONNECTION_DUE_TO_POWER_OFF_ERROR
MAX_CATCH_UP_S = 0.5
"""A stream more than this behind its deadlines (a stalled loop) skips ahead instead of bursting."""


def bumble_uuid(u: str) -> UUID:
    """Bumble's UUID of a textual one (any case)."""
    return UUID(u.upper())


def advertising_data(name: str, service_uuid: str) -> bytes:
    """Name plus 128-bit service UUID, no flags, no scan response (P6): 31 bytes at most, so a
    long name (``Polar Sense 0A3B5C2D``) goes alone and scanners match it by name."""
    name_b = name.encode()
    uuid_b = bumble_uuid(service_uuid).uuid_128_bytes
    data = bytes([len(name_b) + 1, AdvertisingData.COMPLETE_LOCAL_NAME]) + name_b
    if len(data) > 31:
        raise ValueError(f"advertised name {name!r} too long for one advertising PDU")
    uuids = bytes([len(uuid_b) + 1, AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS])
    return data + uuids + uuid_b if len(data) + len(uuids) + len(uuid_b) <= 31 else data


def gatt_char(
    uuid: str,
    props: int,
    *,
    read: Callable[[], bytes] | None = None,
    write: Callable[[Connection, bytes], Awaitable[None] | None] | None = None,
) -> Characteristic:
    """A characteristic with explicit read and write functions: an absent one answers
    READ_NOT_PERMITTED / WRITE_NOT_PERMITTED (the Bumble server enforces neither, P9)."""

    def on_read(_connection: Connection) -> bytes:
        if read is None:
            raise ATT_Error(ErrorCode.READ_NOT_PERMITTED)
        return read()

    def on_write(connection: Connection, value: bytes) -> Awaitable[None] | None:
        if write is None:
            raise ATT_Error(ErrorCode.WRITE_NOT_PERMITTED)
        return write(connection, bytes(value))

    permissions = Characteristic.READABLE | Characteristic.WRITEABLE
    return Characteristic(
        bumble_uuid(uuid), props, permissions, CharacteristicValue(read=on_read, write=on_write)
    )


class EmulatedSensor:
    """A Bumble peripheral that streams what an ``ImuSource`` says, framed by a subclass."""

    frame_length = 20
    """Bytes per sample frame; a batched notification holds several whole frames."""
    model: str
    """The spec it follows (``firmware_specs/``), and its default advertised name and address."""
    default_name: str
    default_address: str

    def __init__(
        self,
        source: ImuSource,
        link: SimLink,
        *,
        name: str | None = None,
        address: str | None = None,
        rate_hz: float | None = None,
        conn_interval_ms: float = 0.0,
        world_t0: float | None = None,
        ignores_rate: bool = False,
    ) -> None:
        spec = load_spec(self.model)
        name, address = name or self.default_name, address or self.default_address
        self.spec, self.source, self.link, self.name, self.address = (
            spec,
            source,
            link,
            name,
            address,
        )
        self._rate_hz = rate_hz or spec.default_rate_hz
        self.ignores_rate = ignores_rate
        """Streams at ``rate_hz`` whatever rate the central asks for (a sensor whose rate
        command did not take)."""
        self.conn_interval_s = conn_interval_ms / 1000.0
        self.world_t0 = asyncio.get_running_loop().time() if world_t0 is None else world_t0
        self.device, self.controller = make_device(name, address, link)
        self.chars: dict[str, Characteristic] = {}
        """Every characteristic, by lower-case 128-bit UUID (bleak's form)."""
        for service in self.services():
            self.device.add_service(service)
            self.chars.update({uuid_str(c.uuid): c for c in service.characteristics})
        self.data_char = self.chars[self.data_uuid()]
        self.data_char.on(Characteristic.EVENT_SUBSCRIPTION, self._on_subscription)
        self.device.on(Device.EVENT_CONNECTION, self._on_connection)
        self.connections: set[Connection] = set()
        self.disconnect_reasons: list[int] = []
        self.writes: list[tuple[str, bytes]] = []
        """Every write received, as (characteristic UUID, bytes), in order."""
        self.notifications_sent = 0
        self._streams: dict[Connection, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._advertise = True
        self._advertising_lock = asyncio.Lock()
        self._silent_until = 0.0

    @property
    def rate_hz(self) -> float:
        return self._rate_hz

    @rate_hz.setter
    def rate_hz(self, hz: float) -> None:
        """A rate command's effect: none where the sensor ignores them."""
        if not self.ignores_rate:
            self._rate_hz = hz

    # GATT -----------------------------------------------------------------------------------

    def services(self) -> list[Service]:
        """The GATT services: by default the spec's service with its notify characteristics
        and its write characteristic (``on_command``)."""
        chars = [
            gatt_char(u, Characteristic.NOTIFY | Characteristic.READ, read=bytes)
            for u in self.spec.notify
        ]
        if self.spec.write_char:
            props = Characteristic.WRITE | Characteristic.WRITE_WITHOUT_RESPONSE
            write = self.command_writer(self.spec.write_char, lambda c, d: self.on_command(c, d))
            chars.append(gatt_char(self.spec.write_char, props, write=write))
        return [Service(bumble_uuid(self.spec.service), chars)]

    def data_uuid(self) -> str:
        """The characteristic samples stream on (the spec's first notify one by default)."""
        return self.spec.notify[0]

    def command_writer(
        self, uuid: str, handler: Callable[[Connection, bytes], Awaitable[None] | None]
    ) -> Callable[[Connection, bytes], Awaitable[None] | None]:
        """A write function for characteristic ``uuid`` that logs the write in ``writes``
        and passes it to ``handler``."""

        def write(connection: Connection, data: bytes) -> Awaitable[None] | None:
            self.writes.append((uuid, data))
            return handler(connection, data)

        return write

    # Lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Power on and advertise."""
        await self.device.power_on()
        await self.set_advertising(True)

    async def close(self) -> None:
        """Disconnect, stop advertising before powering off (no ghost advertiser, P4), unplug."""
        self._advertise = False
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.set_advertising(False)
        await self._disconnect_all(POWER_OFF)
        streams = list(self._streams.values())
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, *self._tasks, return_exceptions=True)
        await self.device.power_off()
        if self.controller in self.link.controllers:
            self.link.remove_controller(self.controller)

    async def set_advertising(self, on: bool) -> None:
        """Start or stop advertising, one HCI sequence at a time (they must not interleave)."""
        async with self._advertising_lock:
            if not on:
                await self.device.stop_advertising()
            elif not self.connections:
                await self.device.start_advertising(
                    advertising_data=advertising_data(self.name, self.spec.service),
                    scan_response_data=b"",
                    advertising_interval_min=ADVERTISING_INTERVAL_MS,
                    advertising_interval_max=ADVERTISING_INTERVAL_MS,
                )

    def _on_connection(self, connection: Connection) -> None:
        self.connections.add(connection)
        connection.on(
            connection.EVENT_DISCONNECTION, lambda r: self._on_disconnection(connection, r)
        )

    def _on_disconnection(self, connection: Connection, reason: int) -> None:
        self.disconnect_reasons.append(reason)
        self.connections.discard(connection)
        self._stop_stream(connection)
        self.on_disconnected(connection)
        if self._advertise:
            self.spawn(self.set_advertising(True))

    async def _disconnect_all(self, reason: int) -> None:
        for connection in list(self.connections):
            with contextlib.suppress(Exception):
                await connection.disconnect(reason)

    def spawn(self, coro: object) -> None:
        """Run ``coro`` as a task the sensor owns (cancelled on close)."""
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Faults ---------------------------------------------------------------------------------

    async def power_off(self, duration_s: float) -> None:
        """Drop the connection (reason 0x15), stay dark for ``duration_s``, then advertise."""
        self._advertise = False
        await self.set_advertising(False)
        await self._disconnect_all(POWER_OFF)
        await asyncio.sleep(duration_s)
        self._advertise = True
        await self.set_advertising(True)

    def silence(self, duration_s: float) -> None:
        """Stay connected but send nothing for ``duration_s`` (a stalled sensor)."""
        self._silent_until = asyncio.get_running_loop().time() + duration_s

    async def send_malformed(self) -> None:
        """One notification the decoder must reject."""
        for connection in list(self._streams):
            await self.notify(connection, self.malformed_payload())

    # Streaming ------------------------------------------------------------------------------

    def measuring(self) -> bool:
        """Whether the sensor samples now; by default, while the data characteristic is
        subscribed. Samples due while it is not are skipped, not sent later."""
        return True

    def _on_subscription(self, connection: Connection, notify: bool, indicate: bool) -> None:
        if notify or indicate:
            if connection not in self._streams:
                self._streams[connection] = asyncio.ensure_future(self._stream(connection))
        else:
            self._stop_stream(connection)

    def _stop_stream(self, connection: Connection) -> None:
        task = self._streams.pop(connection, None)
        if task is not None:
            task.cancel()

    async def notify(
        self, connection: Connection, payload: bytes, char: Characteristic | None = None
    ) -> None:
        """Send one notification on ``char`` (the data characteristic by default); dropped by
        the server if the central has not subscribed to it."""
        await self.device.notify_subscriber(connection, char or self.data_char, payload)
        self.notifications_sent += 1

    async def _stream(self, connection: Connection) -> None:
        """Frames at absolute deadlines; with a connection interval, batched per interval."""
        loop = asyncio.get_running_loop()
        rate = self.rate_hz
        anchor, n = loop.time(), 0
        while True:
            if rate != self.rate_hz:
                rate, anchor, n = self.rate_hz, loop.time(), 0
            due = anchor + n / rate
            if self.conn_interval_s:
                events = math.ceil((due - anchor) / self.conn_interval_s - 1e-9)
                due = anchor + events * self.conn_interval_s
            await asyncio.sleep(max(0.0, due - loop.time()))
            now = loop.time()
            if now - (anchor + n / rate) > MAX_CATCH_UP_S:
                anchor, n = now, 0
            count = max(1, math.floor((now - anchor) * rate + 1e-9) + 1 - n)
            times = anchor + (n + np.arange(count)) / rate
            n += count
            if now < self._silent_until or not self.measuring():
                continue
            t_s = times - self.world_t0
            acc, gyr = self.source.sample(t_s)
            for payload in self.payloads(t_s, acc, gyr, 1.0 / rate, connection.att_mtu):
                await self.notify(connection, payload)

    # Vendor-specific hooks ------------------------------------------------------------------

    def payloads(
        self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray, dt_s: float, mtu: int
    ) -> list[bytes]:
        """The notifications for samples at world times ``t_s``: by default ``encode``'s
        frames, as many whole frames per notification as the ATT MTU allows."""
        frames = self.encode(acc_g, gyr_dps, dt_s)
        per = max(1, (mtu - 3) // self.frame_length)
        return [b"".join(frames[i : i + per]) for i in range(0, len(frames), per)]

    def encode(self, acc_g: np.ndarray, gyr_dps: np.ndarray, dt_s: float) -> list[bytes]:
        """One frame per sample row (for the default ``payloads``)."""
        raise NotImplementedError

    def on_command(self, connection: Connection, data: bytes) -> Awaitable[None] | None:
        """A write to the command characteristic; an awaitable returned here is awaited before
        the write is answered (a slow or dying device)."""

    def on_disconnected(self, connection: Connection) -> None:
        """Forget per-connection state (e.g. an unlock)."""

    def malformed_payload(self) -> bytes:
        """A 7-byte fragment with the wrong sync bytes."""
        return bytes.fromhex("aa5501020304ff")
