"""An emulated Movella DOT: the Rate quantities payload mode on the medium payload characteristic.

Protocol: ``shared/reference/sensors.md`` §4 and ``firmware_specs/movella_dot.toml`` (DOTSPEC
XD0506P Rev F). The central subscribes to the payload characteristic, sets the output rate
through device control (``15171002``: visit index bit 4, rate u16 LE at bytes 24-25; refused
while measuring), then writes ``01 01 15`` to the measurement control (``15172001``) to start and
``01 00 15`` to stop. Each sample is one 40-byte notification: uint32 µs timestamp from the
sensor's own clock (it wraps after 2^32 µs), acc in m/s^2 and gyro in deg/s as float32 LE, then
zeros. Battery: ``15173001`` = ``[percent, charging]``, read or notify.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
from bumble.att import ATT_Error, ErrorCode
from bumble.device import Connection
from bumble.gatt import Characteristic, Service

from sensorhold.ble.bumble_backend.simlink import SimLink
from sensorhold.emulator.sensor import EmulatedSensor, bumble_uuid, gatt_char
from sensorhold.motion.source import ImuSource


def dot_uuid(short: int) -> str:
    """A DOT UUID from its 16-bit part (base ``1517xxxx-4947-11e9-8646-d663bd873d93``)."""
    return f"1517{short:04x}-4947-11e9-8646-d663bd873d93"


CONFIG_SERVICE, DEVICE_INFO, DEVICE_CONTROL = dot_uuid(0x1000), dot_uuid(0x1001), dot_uuid(0x1002)
MEASUREMENT_SERVICE, CONTROL = dot_uuid(0x2000), dot_uuid(0x2001)
LONG_PAYLOAD, MEDIUM_PAYLOAD, SHORT_PAYLOAD = dot_uuid(0x2002), dot_uuid(0x2003), dot_uuid(0x2004)
BATTERY_SERVICE, BATTERY = dot_uuid(0x3000), dot_uuid(0x3001)

MEASUREMENT = 0x01
RATE_QUANTITIES = 0x15
MEDIUM_LENGTH = 40
VISIT_OUTPUT_RATE = 0x10
OUTPUT_RATES = (1, 4, 10, 12, 15, 20, 30, 60)
CLOCK_WRAP_US = 1 << 32


class MovellaDotEmulator(EmulatedSensor):
    """Movella DOT (XS-T02), measurement mode 21 (Rate quantities) only."""

    model = "movella-dot"
    default_name = "Movella DOT"
    default_address = "D4:CA:6E:F1:77:E4"

    def __init__(
        self,
        source: ImuSource,
        link: SimLink,
        *,
        battery_pct: int = 87,
        clock_start_us: int = 1_143_080_408,
        **common: Any,
    ) -> None:
        super().__init__(source, link, **common)
        spec = self.spec
        layout = spec.layout
        self._acc_scale = float(layout["acc"]["scale"])
        self._gyr_scale = float(layout["gyr"]["scale"])
        self._t_scale = float(layout["t"]["scale"])
        self.battery_pct = battery_pct
        self.clock_start_us = clock_start_us
        self.mode: int | None = None
        """The payload mode being measured, None while stopped."""
        self._last_mode = RATE_QUANTITIES

    def services(self) -> list[Service]:
        notify = Characteristic.NOTIFY
        rw = Characteristic.READ | Characteristic.WRITE
        return [
            Service(
                bumble_uuid(CONFIG_SERVICE),
                [
                    gatt_char(DEVICE_INFO, Characteristic.READ, read=self._device_info),
                    gatt_char(
                        DEVICE_CONTROL,
                        rw,
                        read=self._device_control,
                        write=self.command_writer(DEVICE_CONTROL, self._on_device_control),
                    ),
                ],
            ),
            Service(
                bumble_uuid(MEASUREMENT_SERVICE),
                [
                    gatt_char(
                        CONTROL,
                        rw,
                        read=self._control_state,
                        write=self.command_writer(CONTROL, self._on_control),
                    ),
                    *(gatt_char(u, notify) for u in (LONG_PAYLOAD, MEDIUM_PAYLOAD, SHORT_PAYLOAD)),
                ],
            ),
            Service(
                bumble_uuid(BATTERY_SERVICE),
                [gatt_char(BATTERY, Characteristic.READ | notify, read=self._battery)],
            ),
        ]

    def data_uuid(self) -> str:
        return MEDIUM_PAYLOAD

    def measuring(self) -> bool:
        return self.mode is not None

    # Characteristics (DOTSPEC Tables 6, 7, §3.1, §4) ------------------------------------------

    def _device_info(self) -> bytes:
        """Address, firmware version, build date, SoftDevice, serial, product code (34 bytes;
        the layout is DOTSPEC Table 6, the values other than the product code are examples)."""
        build = struct.pack("<HBBBBB", 2024, 1, 1, 0, 0, 0)
        address = bytes.fromhex(self.address.replace(":", ""))[::-1]
        return address + bytes([2, 6, 0]) + build + struct.pack("<IQ", 0, 1) + b"XS-T02"

    def _device_control(self) -> bytes:
        state = bytearray(32)
        state[24:26] = round(self.rate_hz).to_bytes(2, "little")
        return bytes(state)

    def _on_device_control(self, _connection: Connection, data: bytes) -> None:
        if len(data) != 32:
            raise ATT_Error(ErrorCode.INVALID_ATTRIBUTE_LENGTH)
        rate = int.from_bytes(data[24:26], "little")
        if data[0] & VISIT_OUTPUT_RATE and self.mode is None and rate in OUTPUT_RATES:
            self.rate_hz = float(rate)

    def _control_state(self) -> bytes:
        return bytes([MEASUREMENT, int(self.mode is not None), self.mode or self._last_mode])

    def _on_control(self, _connection: Connection, data: bytes) -> None:
        if len(data) != 3 or data[0] != MEASUREMENT or data[1] > 1:
            raise ATT_Error(ErrorCode.VALUE_NOT_ALLOWED)
        if data[2] != RATE_QUANTITIES:  # the emulator streams no other payload mode
            raise ATT_Error(ErrorCode.REQUEST_NOT_SUPPORTED)
        self.mode = data[2] if data[1] else None
        self._last_mode = data[2]

    def _battery(self) -> bytes:
        return bytes([self.battery_pct, 0])

    # Streaming --------------------------------------------------------------------------------

    def clock_us(self, t_s: np.ndarray) -> np.ndarray:
        """The sensor's uint32 µs clock at world times ``t_s``."""
        return (self.clock_start_us + np.rint(t_s / self._t_scale).astype(np.int64)) % CLOCK_WRAP_US

    def payloads(
        self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray, dt_s: float, mtu: int
    ) -> list[bytes]:
        return [
            struct.pack("<I6f", ts, *(acc / self._acc_scale), *(gyr / self._gyr_scale)).ljust(
                MEDIUM_LENGTH, b"\0"
            )
            for ts, acc, gyr in zip(self.clock_us(t_s).tolist(), acc_g, gyr_dps, strict=True)
        ]

    def on_disconnected(self, connection: Connection) -> None:
        self.mode = None

    def malformed_payload(self) -> bytes:
        """A notification shorter than one record."""
        return bytes(12)
