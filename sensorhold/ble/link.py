"""The live link to one sensor: scan, connect, start, stream, and keep it that way.

Used by ``demo`` (Bumble backend) and ``live`` (the platform's backend) alike, through bleak's
public ``BleakScanner``/``BleakClient`` only. One function, ``_establish``, owns the retry
policy: a fresh client per attempt, backoff between attempts, bounded before the first
connection (the user is waiting for an answer), unbounded after it (the sensor may come back).
bleak-retry-connector's ``establish_connection`` does connect through the Bumble backend, but it
keeps one client across attempts, never rescans, and waits its fixed 20 s timeout per attempt
(two attempts at a dark sensor took 40.5 s), so the policy here is our own.

Status goes to ``on_status(kind, detail)``: ``kind`` is a state from ``LINK_STATES`` or an
event from ``LINK_EVENTS``. A typical run: connecting, connected, streaming, (disconnected, lost,
reconnecting, reconnected, streaming)*, stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError

from sensorhold.ble.backend import PLATFORM, Backend
from sensorhold.ble.errors import SensorNotFoundError, WrongDeviceError, platform_error
from sensorhold.ble.scan import spec_of
from sensorhold.protocol.spec import BatteryQuery, SensorSpec, Write

logger = logging.getLogger(__name__)

LINK_STATES = ("connecting", "streaming", "lost", "reconnecting", "stopped")
LINK_EVENTS = ("connected", "disconnected", "reconnected")

OnPacket = Callable[[int, str, bytes], None]
"""``(t_host_ns, char_uuid, payload)``: the link's ``clock_ns()`` (by default
``time.monotonic_ns()``) at receipt, raw bytes."""
OnStatus = Callable[[str, str], None]

BACKOFF_S = (0.05, 0.2, 0.5, 1.0, 2.0)
"""Pause before each retry; the last value repeats."""
FIRST_CONNECT_ATTEMPTS = 3
RECONNECT_SCAN_S = 5.0
_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f-]{36}$")

_T = TypeVar("_T")


def watchdog_for(rate_hz: float) -> float:
    """Seconds without a notification that count as lost: 2 s, or 10 periods at low rates."""
    return max(2.0, 10.0 / rate_hz) if rate_hz > 0 else 10.0


@dataclass
class LinkStats:
    """Counters for the status line, the summary and the tests."""

    connects: int = 0
    reconnects: int = 0
    disconnects: int = 0
    watchdog_trips: int = 0
    packets: int = 0
    last_reconnect_s: float | None = None
    """From noticing the loss to the first notification after reconnecting."""


class SensorLink:
    """Keeps one sensor streaming into ``on_packet`` until ``stop()``.

    ``target`` is an address, a name or fnmatch pattern of the advertised name, or None for the
    first device that advertises the spec's service or one of its names. ``run()`` raises a
    ``UserError`` when Bluetooth is unusable, or when no matching sensor can be reached or the
    device found is not the sensor (before the first connection only; after it, the link keeps
    retrying the same address until stopped). ``clock_ns`` stamps packets and times the
    watchdog; it must tick with the event loop's clock (a virtual-time loop passes its own).
    """

    def __init__(
        self,
        spec: SensorSpec,
        on_packet: OnPacket,
        *,
        target: str | None = None,
        rate_hz: float | None = None,
        backend: Backend = PLATFORM,
        on_status: OnStatus | None = None,
        scan_timeout_s: float = 10.0,
        connect_timeout_s: float = 10.0,
        watchdog_s: float | None = None,
        clock_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self.spec, self.target, self.backend = spec, target, backend
        self.rate_hz = rate_hz or spec.default_rate_hz
        if spec.rate_command is not None:
            spec.rate_bytes(self.rate_hz)  # an unsupported rate is a UserError now, not later
        self.on_packet, self.on_status = on_packet, on_status
        self.scan_timeout_s, self.connect_timeout_s = scan_timeout_s, connect_timeout_s
        self.watchdog_s = watchdog_s or watchdog_for(self.rate_hz)
        self.clock_ns = clock_ns
        self.stats = LinkStats()
        self.device: BLEDevice | None = None
        self.client: BleakClient | None = None
        self.state = "stopped"
        self._subscribe_first = bool(spec.raw["gatt"].get("subscribe_before_start", False))
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._done = asyncio.Event()
        self._last_packet = 0.0
        self._lost_at: float | None = None
        self._announced = False
        self._first_packet_at: float | None = None

    # Public -----------------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect and stream until ``stop()``; reconnects after every loss."""
        self._done.clear()
        try:
            self._set("connecting", self.target or self.spec.display_name)
            client = await self._until_stopped(self._establish(first=True))
            while client is not None:
                await self._supervise(client)
                if self._stopping.is_set():
                    await self._stop_sensor(client)
                    await self._disconnect(client)
                    break
                client = await self._until_stopped(self._establish(first=False))
        finally:
            if self.client is not None:  # run() cancelled mid-stream: still leave cleanly
                await self._disconnect(self.client)
            self.client = None
            self._set("stopped", "")
            self._done.set()

    async def stop(self) -> None:
        """Disconnect and end ``run()``; returns when it has."""
        self._stopping.set()
        self._wake.set()
        if self.state != "stopped":
            await self._done.wait()

    # Connecting -------------------------------------------------------------------------------

    async def _establish(self, *, first: bool) -> BleakClient:
        """One connected, verified, started and subscribed client (the retry policy)."""
        attempt = 0
        while True:
            if not first:
                self._set("reconnecting", f"attempt {attempt + 1}")
            try:
                return await self._attempt(first)
            except (WrongDeviceError, SensorNotFoundError):
                if first:
                    raise
                error: BaseException | None = None
            except (BleakError, TimeoutError, OSError) as e:
                if (fatal := platform_error(e)) is not None:
                    raise fatal from e
                error = e
            attempt += 1
            if first and attempt >= FIRST_CONNECT_ATTEMPTS:
                name = self.device.name if self.device else self.target
                raise SensorNotFoundError(
                    f"found {name} but could not connect ({error}): switch the sensor off and "
                    "on, bring it closer, and try again"
                )
            logger.info("connect attempt %d failed: %r", attempt, error)
            await asyncio.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S)) - 1])

    async def _attempt(self, first: bool) -> BleakClient:
        device = await self._find(first)
        client = BleakClient(
            device,
            disconnected_callback=self._on_disconnected,
            timeout=self.connect_timeout_s,
            backend=self.backend.client,
        )
        try:
            await client.connect()
            self._verify(client, device)
            await self._start(client)
        except BaseException:
            with contextlib.suppress(Exception):
                await client.disconnect()
            raise
        self.client, self.device = client, device
        self.stats.connects += 1
        self._announce(client)
        return client

    async def _find(self, first: bool) -> BLEDevice:
        """Scan for the target; after the first connection, for the same address."""
        address = self.device.address if self.device and not first else None
        target = address or self.target
        timeout = self.scan_timeout_s if first else RECONNECT_SCAN_S

        def wanted(device: BLEDevice, adv: AdvertisementData) -> bool:
            if target is None:
                return spec_of(adv, [self.spec]) is not None
            if _ADDRESS.match(target):
                return device.address.upper() == target.upper()
            name = adv.local_name or device.name or ""
            return name == target or fnmatch.fnmatch(name, target)

        found = await BleakScanner.find_device_by_filter(
            wanted, timeout=timeout, backend=self.backend.scanner
        )
        if found is None:
            what = target or f"{self.spec.display_name} sensor"
            raise SensorNotFoundError(
                f"no {what} found within {timeout:g} s: switch the sensor on, bring it closer, "
                "and check `sensorhold scan`"
            )
        return found

    def _verify(self, client: BleakClient, device: BLEDevice) -> None:
        """Refuse a device without the spec's service and notify characteristics (spoofing)."""
        services = client.services
        missing = [u for u in self.spec.notify if services.get_characteristic(u) is None]
        if self.spec.write_char and services.get_characteristic(self.spec.write_char) is None:
            missing.append(self.spec.write_char)
        if services.get_service(self.spec.service) is None or missing:
            raise WrongDeviceError(
                f"{device.name or 'device'} ({device.address}) is not a {self.spec.display_name}:"
                " it lacks the sensor's data service; pick the sensor by address with --address"
            )

    async def _start(self, client: BleakClient) -> None:
        """The spec's start sequence and each notify characteristic subscribed once: after the
        sequence, or before it where ``[gatt] subscribe_before_start`` says the sensor answers
        its commands or streams on characteristics that must already be subscribed."""
        self._announced, self._first_packet_at = False, None
        self._last_packet = self._now()
        if self._subscribe_first:
            await self._subscribe(client)
        await self._write_all(client, self.spec.start)
        if not self._subscribe_first:
            self._last_packet = self._now()
            await self._subscribe(client)

    async def _subscribe(self, client: BleakClient) -> None:
        for uuid in self.spec.notify:
            await client.start_notify(uuid, self._notify_handler(uuid))

    async def _write_all(self, client: BleakClient, writes: tuple[Write, ...]) -> None:
        for w in writes:
            await client.write_gatt_char(
                w.char, self.spec.write_bytes(w, self.rate_hz), response=w.response
            )
            if w.pause_s:
                await asyncio.sleep(w.pause_s)

    async def _stop_sensor(self, client: BleakClient) -> None:
        """The spec's stop sequence, best effort (the link may already be going)."""
        if client.is_connected:
            with contextlib.suppress(BleakError, TimeoutError, OSError):
                await self._write_all(client, self.spec.stop)

    def _now(self) -> float:
        return self.clock_ns() / 1e9

    def _announce(self, client: BleakClient) -> None:
        """Report the connection; and streaming, if notifications came during the subscribe."""
        name = self.device.name if self.device else ""
        self._event(
            "connected" if self.stats.connects == 1 else "reconnected",
            f"{name} {client.address}".strip(),
        )
        self._announced = True
        if self._first_packet_at is not None:
            self._streaming()

    def _streaming(self) -> None:
        if self._lost_at is not None and self._first_packet_at is not None:
            self.stats.last_reconnect_s = self._first_packet_at - self._lost_at
            self._lost_at = None
        self._set("streaming", "")

    def _notify_handler(self, uuid: str) -> Callable[[Any, bytearray], None]:
        def handler(_char: Any, data: bytearray) -> None:
            t_ns = self.clock_ns()
            self._last_packet = t_ns / 1e9
            self.stats.packets += 1
            if self._first_packet_at is None:
                self._first_packet_at = self._last_packet
                if self._announced:
                    self._streaming()
            self.on_packet(t_ns, uuid, bytes(data))

        return handler

    # Supervising ------------------------------------------------------------------------------

    def _on_disconnected(self, client: BleakClient) -> None:
        if client is not self.client or self._stopping.is_set():
            return
        self.stats.disconnects += 1
        self._lost_at = self._lost_at or self._now()
        self._event("disconnected", client.address)
        if self.state != "lost":
            self._set("lost", "disconnected")
        self._wake.set()

    async def _supervise(self, client: BleakClient) -> None:
        """Return when the link is lost (disconnection or watchdog) or stop() was called."""
        next_battery = self._now()
        battery = self.spec.battery
        while True:
            # Clear, then check: a disconnection during an await below still wakes the wait.
            self._wake.clear()
            if not client.is_connected or self._stopping.is_set():
                return
            now = self._now()
            if battery is not None and now >= next_battery:
                next_battery = now + battery.interval_s
                await self._query_battery(client, battery)
                continue
            silent_for = now - self._last_packet
            if silent_for >= self.watchdog_s:
                self.stats.watchdog_trips += 1
                self._lost_at = now
                self._set("lost", f"no data for {silent_for:.1f} s")
                await self._disconnect(client)
                return
            wait = self.watchdog_s - silent_for
            if battery is not None:
                wait = min(wait, next_battery - now)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()

    async def _query_battery(self, client: BleakClient, battery: BatteryQuery) -> None:
        """Ask for the battery level as the spec says: a command whose reply arrives as a
        notification, or a read whose value is passed on like one."""
        try:
            if battery.write is not None:
                await self._write_all(client, (battery.write,))
            if battery.read_char is not None:
                value = await client.read_gatt_char(battery.read_char)
                self.on_packet(self.clock_ns(), battery.read_char, bytes(value))
        except BleakError as e:
            logger.info("battery query failed: %s", e)

    async def _disconnect(self, client: BleakClient) -> None:
        with contextlib.suppress(BleakError, TimeoutError, OSError):
            await client.disconnect()

    # Helpers ----------------------------------------------------------------------------------

    async def _until_stopped(self, coro: Awaitable[_T]) -> _T | None:
        """``coro``'s result, or None (and ``coro`` cancelled) if stop() comes first."""
        task = asyncio.ensure_future(coro)
        stopper = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return None if task.cancelled() else task.result()

    def _set(self, state: str, detail: str) -> None:
        self.state = state
        if self.on_status is not None:
            self.on_status(state, detail)

    def _event(self, event: str, detail: str) -> None:
        if event == "reconnected":
            self.stats.reconnects += 1
        if self.on_status is not None:
            self.on_status(event, detail)
