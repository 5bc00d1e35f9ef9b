"""MbientLab MetaWear notifications ``[module, register, data...]`` (BMI160 acc + gyro).

MW mbientlab/MetaWear-SDK-Cpp@f67699e5: accelerometer_bosch_register.h, gyro_bosch_register.h
(registers), test_accelerometer_bmi160.py / test_gyro_bmi160.py (config bytes and scales),
test_settings.py L183-192 (battery reply). Raw int16 LE values are scaled by the range that was
last *written* (the device does not echo it): the decoder learns it from the config writes.
State: the current acc and gyro LSB-per-unit, and the acc/gyro pairing by arrival order.
"""

from __future__ import annotations

import struct
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
        battery = layout.get("battery_reply")
        self._battery = (battery["module"], battery["register"]) if battery else None
        # (module, register) -> (name, samples): single-sample data registers and packed ones;
        # where a register is listed twice, acc before gyro and data before packed.
        self._registers: dict[tuple[int, int], tuple[str, int]] = {}
        for name, table in (("acc", self._acc), ("gyr", self._gyr)):
            per = {r: 3 for r in table["packed"]} | {r: 1 for r in table["data"]}
            for register, n in per.items():
                self._registers.setdefault((table["module"], register), (name, n))
        self._values = {1: struct.Struct("<3h"), 3: struct.Struct("<9h")}
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
        if char_uuid != self._char and char_uuid.lower() != self._char:
            return None
        if len(payload) < 2:
            raise MalformedPacket(f"MetaWear notification of {len(payload)} bytes")
        key = (payload[0], payload[1])
        if key == self._battery:
            data = payload[2:]
            if len(data) != 3:
                raise MalformedPacket(f"battery reply {payload.hex()}")
            volts = int.from_bytes(data[1:3], "little") / 1000
            self.battery = BatteryLevel(percent=float(data[0]), volts=volts)
            return None
        entry = self._registers.get(key)
        if entry is None:
            return None
        name, per = entry
        if len(payload) != 2 + 6 * per:
            raise MalformedPacket(f"{name} register 0x{key[1]:02x}: {len(payload) - 2} bytes")
        lsb = self.lsb.get(name)
        if lsb is None:
            raise MalformedPacket(f"{name} data before any {name} config write")
        # int16 / lsb in Python floats: the same doubles as numpy's, without its per-call cost.
        raw = self._values[per].unpack_from(payload, 2)
        values = np.array([v / lsb for v in raw]).reshape(per, 3)
        if name == "acc":
            return self.pairing.add_acc(values)
        return self.pairing.add_gyr(values)
