"""An emulated WitMotion WT901BLE (BLE 5.0): ``55 61`` frames, the rate command, register reads.

Protocol: ``shared/reference/sensors.md`` §1 and ``firmware_specs/witmotion_wt901ble.toml``.
Commands are 5-byte ``ff aa REG VL VH`` writes to ffe9: ``69 88 b5`` unlocks, ``03 RR 00`` sets
the return rate (only after an unlock, as on the device), ``27 RR 00`` reads 8 registers from RR
and answers with a 20-byte ``55 71 RR 00`` frame on ffe4. Register 0x64 is the battery (V*100).
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
from bumble.device import Connection

from sensorhold.ble.bumble_backend.simlink import SimLink
from sensorhold.emulator.sensor import EmulatedSensor
from sensorhold.motion.source import ImuSource

REG_SAVE, REG_RATE, REG_READ, REG_UNLOCK, REG_BATTERY = 0x00, 0x03, 0x27, 0x69, 0x64
UNLOCK_VALUE = 0xB588
ANGLE_SCALE = 180.0 / 32768.0


def clamp_int16(raw: np.ndarray) -> np.ndarray:
    """Round and saturate to int16, as the sensor's registers do at full scale."""
    return np.clip(np.rint(raw), -32768, 32767).astype("<i2")


class WitMotionEmulator(EmulatedSensor):
    """WT901BLE67: 20-byte ``55 61`` frames (acc, gyro, angles as int16 LE), no checksum."""

    model = "witmotion"
    default_name = "WT901BLE67"
    default_address = "C0:98:E5:49:00:67"

    def __init__(
        self,
        source: ImuSource,
        link: SimLink,
        *,
        battery_v: float = 3.95,
        **common: Any,
    ) -> None:
        super().__init__(source, link, **common)
        spec = self.spec
        self.battery_v = battery_v
        self._acc_scale = float(spec.layout["acc"]["scale"])
        self._gyr_scale = float(spec.layout["gyr"]["scale"])
        self._code_to_rate = {code: rate for rate, code in spec.rate_codes.items()}
        self._unlocked: set[Connection] = set()
        self._yaw_deg = 0.0

    def encode(self, acc_g: np.ndarray, gyr_dps: np.ndarray, dt_s: float) -> list[bytes]:
        roll = np.degrees(np.arctan2(acc_g[:, 1], acc_g[:, 2]))
        pitch = np.degrees(np.arctan2(-acc_g[:, 0], np.hypot(acc_g[:, 1], acc_g[:, 2])))
        yaw = self._yaw_deg + np.cumsum(gyr_dps[:, 2]) * dt_s
        yaw = (yaw + 180.0) % 360.0 - 180.0
        self._yaw_deg = float(yaw[-1])
        raw = np.column_stack(
            [
                clamp_int16(acc_g / self._acc_scale),
                clamp_int16(gyr_dps / self._gyr_scale),
                clamp_int16(np.column_stack([roll, pitch, yaw]) / ANGLE_SCALE),
            ]
        )
        return [b"\x55\x61" + row.tobytes() for row in raw]

    def on_command(self, connection: Connection, data: bytes) -> None:
        for i in range(0, len(data) - 4, 5):
            head, reg, value = data[i : i + 2], data[i + 2], data[i + 3] | data[i + 4] << 8
            if head != b"\xff\xaa":
                continue
            if reg == REG_UNLOCK:
                if value == UNLOCK_VALUE:
                    self._unlocked.add(connection)
            elif reg == REG_RATE and connection in self._unlocked:
                self.rate_hz = self._code_to_rate.get(value, self.rate_hz)
            elif reg == REG_READ:
                self.spawn(self.notify(connection, self.register_reply(value)))
            elif reg == REG_SAVE:
                self._unlocked.discard(connection)

    def register_reply(self, start: int) -> bytes:
        """``55 71 RR 00`` and 8 registers from ``start`` (unknown registers read as 0)."""
        rate_code = {r: c for c, r in self._code_to_rate.items()}.get(self.rate_hz, 0)
        registers = {REG_BATTERY: round(self.battery_v * 100), REG_RATE: rate_code}
        values = [registers.get(start + k, 0) for k in range(8)]
        return struct.pack("<BBH8h", 0x55, 0x71, start, *values)

    def on_disconnected(self, connection: Connection) -> None:
        self._unlocked.discard(connection)
