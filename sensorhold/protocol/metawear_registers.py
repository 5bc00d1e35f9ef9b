"""MbientLab MetaWear notifications ``[module, register, data...]`` (BMI160 acc + gyro).

MW mbientlab/MetaWear-SDK-Cpp@f67699e5: accelerometer_bosch_register.h, gyro_bosch_register.h
(registers), test_accelerometer_bmi160.py / test_gyro_bmi160.py (config bytes and scales),
test_settings.py L183-192 (battery reply). Raw int16 LE values are scaled by the range that was
last *written* (the device does not echo it): the decoder learns it from the config writes.
State: the current acc and gyro LSB-per-unit, and the acc/gyro pairing by arrival order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sensorhold.protocol.battery import BatteryLevel
from sensorhold.protocol.channel_pairing import ArrivalPairing
from sensorhold.protocol.decoding import DecoderCounters
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.samples import ImuChunk
from sensorhold.protocol.spec import SensorSpec


class MetaWearDecoder(DecoderCounters):
    """Decodes ``[layout] kind = "metawear"``: single and packed acc/gyro data registers."""

    def __init__(self, spec: SensorSpec) -> None:
        super().__init__()
        layout: dict[str, Any] = spec.layout
        self._char = spec.notify[0]
        self._acc, self._gyr = layout["acc"], layout["gyr"]
        self._battery = layout.get("battery_reply")
        self.lsb: dict[str, float] = {}
        self.pairing = ArrivalPairing()
        for write in spec.start:
            if write.data != "rate":
                self.observe_write(bytes.fromhex(write.data))

    def observe_write(self, data: bytes) -> None:
        """Learn the range from a config write ``[module, config_register, odr, range]``."""
        for name, table in (("acc", self._acc), ("gyr", self._gyr)):
            if len(data) == 4 and data[0] == table["module"] and data[1] == table["config"]:
                lsb = table["lsb_per_unit"].get(str(data[3]))
                if lsb is None:
                    raise ValueError(f"unknown {name} range code {data[3]}")
                self.lsb[name] = float(lsb)

    def decode(self, char_uuid: str, payload: bytes) -> ImuChunk | None:
        if char_uuid.lower() != self._char:
            return None
        if len(payload) < 2:
            raise MalformedPacket(f"MetaWear notification of {len(payload)} bytes")
        module, register, data = payload[0], payload[1], payload[2:]
        battery = self._battery
        if battery and module == battery["module"] and register == battery["register"]:
            if len(data) != 3:
                raise MalformedPacket(f"battery reply {payload.hex()}")
            volts = int.from_bytes(data[1:3], "little") / 1000
            self.battery = BatteryLevel(percent=float(data[0]), volts=volts)
            return None
        for name, table in (("acc", self._acc), ("gyr", self._gyr)):
            if module == table["module"] and register in (*table["data"], *table["packed"]):
                per = 1 if register in table["data"] else 3
                if len(data) != 6 * per:
                    raise MalformedPacket(f"{name} register 0x{register:02x}: {len(data)} bytes")
                if name not in self.lsb:
                    raise MalformedPacket(f"{name} data before any {name} config write")
                values = np.frombuffer(data, "<i2").reshape(per, 3) / self.lsb[name]
                if name == "acc":
                    return self.pairing.add_acc(values)
                return self.pairing.add_gyr(values)
        return None
