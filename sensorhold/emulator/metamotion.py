"""An emulated MbientLab MetaMotion R (BMI160): register writes in, ``[module, register, data]``
notifications out.

Protocol: ``shared/reference/sensors.md`` §2 and ``firmware_specs/mbientlab_metamotion.toml``
(MW mbientlab/MetaWear-SDK-Cpp@f67699e5). Commands go to ``326a9001`` (written without response);
everything the board says comes as a notification on ``326a9006``. Per sensor (acc 0x03, gyro
0x13): CONFIG ``[m 03 odr|bwp<<4 range]`` sets the output rate (``100 Hz * 2^(odr-8)``) and the
range, DATA/PACKED ``[m reg 01|00]`` subscribes, ``[m 02 01 00]`` / ``[m 02 00 01]`` enables /
disables the data interrupt, ``[m 01 01|00]`` starts / stops. A running sensor with its
interrupt enabled streams int16 LE x, y, z scaled by its range: three samples per notification
on the packed register, one on the data register. ``[m 80]`` answers the module info (BMI160
implementation and revision, MW test/common.py), ``11 cc`` the battery (``11 8c pct mV``).

The emulator samples both sensors on one clock, at the rate of the last config write.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from bumble.device import Connection
from bumble.gatt import Characteristic, Service

from sensorhold.ble.bumble_backend.simlink import SimLink
from sensorhold.emulator.sensor import EmulatedSensor, bumble_uuid, gatt_char
from sensorhold.motion.source import ImuSource

POWER_MODE, INTERRUPT_ENABLE, CONFIG = 0x01, 0x02, 0x03
READ_INFO = 0x80
SETTINGS, BATTERY_READ, BATTERY_REPLY = 0x11, 0xCC, 0x8C
PACKED_SAMPLES = 3
MODULE_INFO = {0x03: bytes([0x01, 0x01]), 0x13: bytes([0x00, 0x01])}
"""Implementation and revision of the BMI160 acc and gyro (MW test/common.py L42, L57)."""
DEVICE_INFORMATION, MODEL_NUMBER = "180a", "2a24"
MODEL_METAMOTION_R = b"5"
"""Device Information model number of a MetaMotion R/RL (MW metawearboard.cpp L595-614)."""


def odr_hz(odr_code: int) -> float:
    """A BMI160 output data rate code as Hz (8 = 100 Hz, each step doubles)."""
    return 100.0 * 2.0 ** (odr_code - 8)


@dataclass
class BoschSensor:
    """One of the two sensors: its registers and what the central has set."""

    module: int
    data_register: int
    packed_register: int
    lsb_per_unit: dict[int, float]
    lsb: float | None = None
    subscribed: set[int] = field(default_factory=set)
    interrupt: bool = False
    running: bool = False
    pending: list[bytes] = field(default_factory=list)

    @classmethod
    def from_layout(cls, table: dict[str, Any]) -> BoschSensor:
        return cls(
            module=int(table["module"]),
            data_register=int(table["data"][0]),
            packed_register=int(table["packed"][0]),
            lsb_per_unit={int(k): float(v) for k, v in table["lsb_per_unit"].items()},
        )

    @property
    def streaming(self) -> bool:
        return self.running and self.interrupt and bool(self.subscribed) and self.lsb is not None

    def reset(self) -> None:
        self.subscribed.clear()
        self.interrupt = self.running = False
        self.pending.clear()

    def encode(self, values: np.ndarray) -> list[bytes]:
        """Notifications for (n, 3) values in g or deg/s at the configured range."""
        assert self.lsb is not None
        raw = np.clip(np.rint(values * self.lsb), -32768, 32767).astype("<i2")
        head = bytes([self.module])
        if self.packed_register in self.subscribed:
            self.pending.extend(row.tobytes() for row in raw)
            out = []
            while len(self.pending) >= PACKED_SAMPLES:
                frame, self.pending = self.pending[:PACKED_SAMPLES], self.pending[PACKED_SAMPLES:]
                out.append(head + bytes([self.packed_register]) + b"".join(frame))
            return out
        return [head + bytes([self.data_register]) + row.tobytes() for row in raw]


class MetaMotionEmulator(EmulatedSensor):
    """MetaMotion R: BMI160 accelerometer and gyroscope, raw or packed streaming."""

    model = "metamotion"
    default_name = "MetaWear"
    default_address = "F1:2C:8E:90:4B:01"

    def __init__(
        self,
        source: ImuSource,
        link: SimLink,
        *,
        battery_pct: int = 99,
        battery_mv: int = 4148,
        **common: Any,
    ) -> None:
        super().__init__(source, link, **common)
        spec = self.spec
        self.acc = BoschSensor.from_layout(spec.layout["acc"])
        self.gyr = BoschSensor.from_layout(spec.layout["gyr"])
        self.battery_pct, self.battery_mv = battery_pct, battery_mv

    def services(self) -> list[Service]:
        info = gatt_char(MODEL_NUMBER, Characteristic.READ, read=lambda: MODEL_METAMOTION_R)
        return [
            *super().services(),
            Service(bumble_uuid(DEVICE_INFORMATION), [info]),
        ]

    def measuring(self) -> bool:
        return self.acc.streaming or self.gyr.streaming

    def on_command(self, connection: Connection, data: bytes) -> None:
        reply = self.apply(data)
        if reply is not None:
            self.spawn(self.notify(connection, reply))

    def apply(self, data: bytes) -> bytes | None:
        """Act on one register write; the notification that answers it, if any."""
        if len(data) < 2:
            return None
        module, register, args = data[0], data[1], data[2:]
        if register == READ_INFO:
            return bytes([module, READ_INFO]) + MODULE_INFO.get(module, b"")
        if (module, register) == (SETTINGS, BATTERY_READ):
            return struct.pack("<BBBH", SETTINGS, BATTERY_REPLY, self.battery_pct, self.battery_mv)
        if sensor := {self.acc.module: self.acc, self.gyr.module: self.gyr}.get(module):
            self._sensor_command(sensor, register, args)
        return None

    def _sensor_command(self, sensor: BoschSensor, register: int, args: bytes) -> None:
        if register == CONFIG and len(args) == 2:
            if args[1] in sensor.lsb_per_unit:
                sensor.lsb = sensor.lsb_per_unit[args[1]]
                sensor.pending.clear()
                self.rate_hz = odr_hz(args[0] & 0x0F)
        elif register in (sensor.data_register, sensor.packed_register) and len(args) == 1:
            if args[0]:
                sensor.subscribed.add(register)
            else:
                sensor.subscribed.discard(register)
        elif register == INTERRUPT_ENABLE and len(args) == 2:
            sensor.interrupt = bool(args[0]) or (sensor.interrupt and not args[1])
        elif register == POWER_MODE and len(args) == 1:
            sensor.running = bool(args[0])

    def payloads(
        self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray, dt_s: float, mtu: int
    ) -> list[bytes]:
        # The board queues each notification as its FIFO fills, so acc and gyro notifications
        # of the same samples go out interleaved, not one stream's batch after the other's.
        streams = [
            sensor.encode(values)
            for sensor, values in ((self.acc, acc_g), (self.gyr, gyr_dps))
            if sensor.streaming
        ]
        return [p for group in itertools.zip_longest(*streams) for p in group if p is not None]

    def on_disconnected(self, connection: Connection) -> None:
        self.acc.reset()
        self.gyr.reset()

    def malformed_payload(self) -> bytes:
        """Packed acc data one byte short."""
        return bytes([self.acc.module, self.acc.packed_register]) + bytes(17)
