"""Polar PMD (Verity Sense): data frames on the data characteristic, responses on the control
point. POLAR polarofficial/polar-ble-sdk@8fb5311c: PmdDataFrame.kt (header), AccData.kt /
GyrData.kt (frame types), PmdSetting.kt (settings TLV), PmdControlPointResponse.kt (responses).

State: the compression FACTOR per measurement type (from the START response) and the previous
frame's timestamp per type (per-sample times), plus the acc/gyro pairing by sensor time
(gyro starts ~0.1 s after acc: the start writes are sequential).
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from sensorhold.protocol.battery import BatteryLevel
from sensorhold.protocol.channel_pairing import TimedPairing
from sensorhold.protocol.decoding import DecoderCounters
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.polar_delta import as_float32_patterns, decode_delta_frame
from sensorhold.protocol.samples import ImuChunk
from sensorhold.protocol.spec import SensorSpec

SETTING_SIZES = {0: 2, 1: 2, 2: 2, 3: 4, 4: 1, 5: 4, 6: 16}  # PmdSetting.kt
FACTOR = 5
HEADER = 10


def parse_settings(data: bytes) -> dict[int, list[float]]:
    """A settings TLV ``[type][count][count x value]`` -> {type: values} (FACTOR as float32)."""
    out: dict[int, list[float]] = {}
    pos = 0
    while pos + 2 <= len(data):
        kind, count = data[pos], data[pos + 1]
        size = SETTING_SIZES.get(kind)
        if size is None or pos + 2 + size * count > len(data):
            raise MalformedPacket(f"bad PMD setting {kind} x {count} at byte {pos}")
        raw = [data[pos + 2 + i * size : pos + 2 + (i + 1) * size] for i in range(count)]
        if kind == FACTOR:
            out[kind] = [struct.unpack("<f", r)[0] for r in raw]
        else:
            out[kind] = [float(int.from_bytes(r, "little")) for r in raw]
        pos += 2 + size * count
    return out


class PolarPmdDecoder(DecoderCounters):
    """Decodes ``[layout] kind = "polar_pmd"``; frame types are data (``[layout.frames]``)."""

    def __init__(self, spec: SensorSpec) -> None:
        super().__init__()
        layout = spec.layout
        self._control = layout["control_char"].lower()
        self._data = layout["data_char"].lower()
        self._battery_char = spec.battery.read_char if spec.battery else None
        self._types = {int(layout["acc_type"]): "acc", int(layout["gyr_type"]): "gyr"}
        self._frames: dict[str, dict[int, dict[str, Any]]] = {
            name: {int(k): v for k, v in layout["frames"][name].items()} for name in ("acc", "gyr")
        }
        self._period_ns = 1e9 / spec.default_rate_hz
        self.factors: dict[int, float] = {}
        self._prev_ts: dict[int, int] = {}
        self.pairing = TimedPairing(tolerance_s=0.5e-9 * self._period_ns)

    def decode(self, char_uuid: str, payload: bytes) -> ImuChunk | None:
        char = char_uuid.lower()
        if char == self._control:
            self._on_control(payload)
            return None
        if char == self._battery_char and payload:
            self.battery = BatteryLevel(percent=float(payload[0]))
            return None
        if char != self._data:
            return None
        mtype, t_ns, values = self.decode_frame(payload)
        times = self.sample_times(mtype, t_ns, len(values))
        if self._types[mtype] == "acc":
            return self.pairing.add_acc(values, times)
        return self.pairing.add_gyr(values, times)

    def decode_frame(self, payload: bytes) -> tuple[int, int, np.ndarray]:
        """Measurement type, last-sample timestamp (ns since 2000-01-01) and (n, 3) values in
        g (acc) or deg/s (gyro)."""
        if len(payload) <= HEADER:
            raise MalformedPacket(f"PMD frame of {len(payload)} bytes")
        mtype = payload[0] & 0x3F
        if mtype not in self._types:
            raise MalformedPacket(f"PMD measurement type {mtype} not streamed")
        t_ns = int.from_bytes(payload[1:9], "little")
        frame = self._frames[self._types[mtype]].get(payload[9])
        if frame is None:
            raise MalformedPacket(f"PMD frame type 0x{payload[9]:02x} not supported")
        body, bits = payload[HEADER:], int(frame["bits"])
        if frame.get("compressed", False):
            raw = decode_delta_frame(body, 3, bits)
        else:
            width = bits // 8
            if len(body) % (3 * width):
                raise MalformedPacket(f"raw PMD body of {len(body)} bytes")
            flat = np.frombuffer(body, np.uint8).reshape(-1, width).astype(np.int64)
            raw = (flat * (1 << (8 * np.arange(width)))).sum(axis=1)
            raw = np.where(raw >= 1 << (bits - 1), raw - (1 << bits), raw).reshape(-1, 3)
        values = as_float32_patterns(raw) if frame.get("float", False) else raw.astype(np.float64)
        if frame.get("factor", False):
            values = values * self.factors.get(mtype, 1.0)
        quantum = float(frame.get("truncate", 0.0))
        if quantum:
            values = np.trunc(values / quantum) * quantum
        return mtype, t_ns, values * float(frame.get("scale", 1.0))

    def sample_times(self, mtype: int, t_ns: int, n: int) -> np.ndarray:
        """Per-sample sensor times (s): the frame's timestamp is the last sample's; the spacing
        comes from the previous frame (PmdTimeStampUtils.kt), else the nominal rate. A spacing
        off nominal by half a period or more means frames were lost between (the SDK would
        stretch this frame over the gap): nominal then too."""
        prev = self._prev_ts.get(mtype)
        self._prev_ts[mtype] = t_ns
        step = self._period_ns
        if prev is not None and abs((t_ns - prev) / n - step) < 0.5 * step:
            step = (t_ns - prev) / n
        return (t_ns - step * np.arange(n - 1, -1, -1)) * 1e-9

    def _on_control(self, payload: bytes) -> None:
        """A START response (``f0 02 type status more params``) carries the FACTOR."""
        if len(payload) < 4 or payload[0] != 0xF0:
            return
        if payload[1] == 0x02 and payload[3] == 0 and len(payload) > 5:
            factor = parse_settings(payload[5:]).get(FACTOR)
            if factor:
                self.factors[payload[2]] = factor[0]
