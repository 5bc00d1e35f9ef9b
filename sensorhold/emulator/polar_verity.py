"""An emulated Polar Verity Sense: PMD control point commands, delta-compressed ACC and GYRO.

Protocol: ``shared/reference/sensors.md`` §5 and ``firmware_specs/polar_verity_sense.toml``
(POLAR polarofficial/polar-ble-sdk@8fb5311c). The central subscribes to the control point
(``fb005c81``, indications) and the data characteristic (``fb005c82``), then writes commands to
the control point with response; each is answered by an indication ``f0 op type status more
params``. GET_MEASUREMENT_SETTINGS (``01 type``) returns the settings TLV; REQUEST_MEASUREMENT_START
(``02 type settings``) checks the settings and answers with the FACTOR setting that scales
compressed data, after which frames of that type stream; STOP_MEASUREMENT (``03 type``) stops it.

A data frame is ``type, uint64 LE ns since 2000-01-01 of the frame's last sample (the sensor's own
clock), frame type 0x80`` and a delta-compressed body: a 3 x int16 reference sample, then one
block ``[delta bits][count]`` of bit-packed signed deltas, LSB first (BlePMDClient.kt L527-600).
ACC raw x FACTOR is g (x1000 = mG, AccData.kt), GYRO raw x FACTOR is deg/s (GyrData.kt).
Battery: the standard Battery Level 0x2A19. A read of the control point gives the feature
bitmask in byte 1 (PmdFeature.kt: PPG, ACC, PPI, GYRO, MAG on a Verity Sense).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from bumble.device import Connection
from bumble.gatt import Characteristic, Service

from sensorhold.ble.bumble_backend.simlink import SimLink
from sensorhold.emulator.sensor import EmulatedSensor, bumble_uuid, gatt_char
from sensorhold.motion.source import ImuSource

GET_SETTINGS, START, STOP = 0x01, 0x02, 0x03
RESPONSE = 0xF0
SUCCESS, INVALID_OP_CODE, NOT_SUPPORTED, INVALID_LENGTH = 0, 1, 3, 4
ALREADY_IN_STATE, INVALID_RESOLUTION, INVALID_SAMPLE_RATE, INVALID_RANGE = 6, 7, 8, 9
INVALID_MTU, INVALID_CHANNELS = 10, 11
SAMPLE_RATE, RESOLUTION, RANGE, CHANNELS, FACTOR = 0, 1, 2, 4, 5
SETTING_SIZES = {SAMPLE_RATE: 2, RESOLUTION: 2, RANGE: 2, CHANNELS: 1}
COMPRESSED_TYPE_0 = 0x80
HEADER = 10
FEATURES = bytes([0x0F, 0x02 | 0x04 | 0x08 | 0x20 | 0x40, 0x00])
"""Control point read: byte 1 = PPG, ACC, PPI, GYRO, MAG (PmdFeature.kt); PmdFeature.kt does
not read byte 0, so its value here (0x0F) is unverified."""
BATTERY_SERVICE, BATTERY_LEVEL = "180f", "2a19"
EPOCH_2025_NS = 788_918_400 * 10**9
"""2025-01-01T00:00:00 UTC in ns since 2000-01-01, where the emulated clock starts by default."""


@dataclass
class Measurement:
    """One PMD measurement type the sensor offers, and its running state."""

    kind: int
    rate_hz: int
    resolution: int
    range_: int
    factor: float
    running: bool = False
    pending: list[np.ndarray] = field(default_factory=list)
    pending_t: list[float] = field(default_factory=list)

    def settings(self) -> dict[int, int]:
        return {
            SAMPLE_RATE: self.rate_hz,
            RESOLUTION: self.resolution,
            RANGE: self.range_,
            CHANNELS: 3,
        }

    def settings_tlv(self) -> bytes:
        """The settings TLV, one value each (PmdSetting.kt)."""
        return b"".join(
            bytes([k, 1]) + v.to_bytes(SETTING_SIZES[k], "little")
            for k, v in self.settings().items()
        )


def signed_bits(values: np.ndarray) -> int:
    """The fewest bits (at least 1) that hold every value as a two's complement integer."""
    if values.size == 0:
        return 1
    hi = int(max(values.max(), -values.min() - 1))
    return max(1, hi.bit_length() + 1)


def compress(raw: np.ndarray) -> bytes:
    """A delta-compressed body: the first (n, 3) int16 sample, then one block of deltas."""
    body = raw[0].astype("<i2").tobytes()
    deltas = np.diff(raw.astype(np.int64), axis=0)
    if len(deltas) == 0:
        return body
    bits = signed_bits(deltas)
    packed, mask = 0, (1 << bits) - 1
    for i, d in enumerate(deltas.ravel().tolist()):
        packed |= (d & mask) << (i * bits)
    size = -(-bits * deltas.size // 8)
    return body + bytes([bits, len(deltas)]) + packed.to_bytes(size, "little")


class PolarVerityEmulator(EmulatedSensor):
    """Polar Verity Sense: ACC (±8 g) and GYRO (±2000 deg/s) at 52 Hz over PMD."""

    model = "polar-verity"
    default_name = "Polar Sense 0A3B5C2D"
    default_address = "E0:9E:1A:0A:3B:5C"

    def __init__(
        self,
        source: ImuSource,
        link: SimLink,
        *,
        battery_pct: int = 76,
        clock_start_ns: int = EPOCH_2025_NS,
        samples_per_frame: int = 13,
        **common: Any,
    ) -> None:
        super().__init__(source, link, **common)
        spec = self.spec
        layout = spec.layout
        rate = round(self.rate_hz)
        self.measurements = {
            int(layout["acc_type"]): Measurement(int(layout["acc_type"]), rate, 16, 8, 8 / 32768),
            int(layout["gyr_type"]): Measurement(
                int(layout["gyr_type"]), rate, 16, 2000, 2000 / 32768
            ),
        }
        self.battery_pct = battery_pct
        self.clock_start_ns = clock_start_ns
        self.samples_per_frame = samples_per_frame
        self.control = self.chars[layout["control_char"].lower()]

    def services(self) -> list[Service]:
        layout = self.spec.layout
        control = gatt_char(
            layout["control_char"],
            Characteristic.READ | Characteristic.WRITE | Characteristic.INDICATE,
            read=lambda: FEATURES,
            write=self.command_writer(layout["control_char"], self._on_control),
        )
        data = gatt_char(layout["data_char"], Characteristic.NOTIFY)
        battery = gatt_char(
            BATTERY_LEVEL,
            Characteristic.READ | Characteristic.NOTIFY,
            read=lambda: bytes([self.battery_pct]),
        )
        return [
            Service(bumble_uuid(self.spec.service), [control, data]),
            Service(bumble_uuid(BATTERY_SERVICE), [battery]),
        ]

    def data_uuid(self) -> str:
        return str(self.spec.layout["data_char"]).lower()

    def measuring(self) -> bool:
        return any(m.running for m in self.measurements.values())

    # Control point ----------------------------------------------------------------------------

    def max_frame_bytes(self) -> int:
        """The largest frame this emulator sends: header, reference, one 17-bit delta block."""
        return HEADER + 6 + 2 + -(-17 * 3 * (self.samples_per_frame - 1) // 8)

    def _on_control(self, connection: Connection, data: bytes) -> None:
        """Answer after the write response, as the device does (an indication)."""
        self.spawn(self._respond(connection, data))

    async def _respond(self, connection: Connection, data: bytes) -> None:
        reply, start = self.command(data, connection.att_mtu)
        await self.device.indicate_subscriber(connection, self.control, reply)
        if start is not None:
            self.begin(start)

    def command(self, data: bytes, att_mtu: int) -> tuple[bytes, Measurement | None]:
        """The response ``f0 op type status more params`` to a control point write, and the
        measurement to start once that response is out."""
        op = data[0] if data else 0
        kind = data[1] if len(data) > 1 else 0
        status, params, start = self._command(op, kind, data[2:], att_mtu)
        return bytes([RESPONSE, op, kind, status, 0]) + params, start

    @staticmethod
    def begin(m: Measurement) -> None:
        """Start streaming ``m``: its first sample is the next one due."""
        m.pending.clear()
        m.pending_t.clear()
        m.running = True

    def _command(
        self, op: int, kind: int, args: bytes, att_mtu: int
    ) -> tuple[int, bytes, Measurement | None]:
        """(status, parameters, measurement to start once the response is out)."""
        if op not in (GET_SETTINGS, START, STOP):
            return INVALID_OP_CODE, b"", None
        m = self.measurements.get(kind)
        if m is None:
            return NOT_SUPPORTED, b"", None
        if op == GET_SETTINGS:
            return SUCCESS, m.settings_tlv(), None
        if op == STOP:
            if not m.running:
                return ALREADY_IN_STATE, b"", None
            m.running = False
            return SUCCESS, b"", None
        if m.running:
            return ALREADY_IN_STATE, b"", None
        if att_mtu - 3 < self.max_frame_bytes():
            return INVALID_MTU, b"", None
        status = self._check_settings(m, args)
        if status != SUCCESS:
            return status, b"", None
        return SUCCESS, bytes([FACTOR, 1]) + struct.pack("<f", m.factor), m

    @staticmethod
    def _check_settings(m: Measurement, args: bytes) -> int:
        wanted: dict[int, int] = {}
        pos = 0
        while pos < len(args):
            if pos + 2 > len(args) or args[pos] not in SETTING_SIZES or args[pos + 1] != 1:
                return INVALID_LENGTH
            size = SETTING_SIZES[args[pos]]
            if pos + 2 + size > len(args):
                return INVALID_LENGTH
            wanted[args[pos]] = int.from_bytes(args[pos + 2 : pos + 2 + size], "little")
            pos += 2 + size
        errors = {
            SAMPLE_RATE: INVALID_SAMPLE_RATE,
            RESOLUTION: INVALID_RESOLUTION,
            RANGE: INVALID_RANGE,
            CHANNELS: INVALID_CHANNELS,
        }
        for setting, value in m.settings().items():
            if wanted.get(setting, value) != value:
                return errors[setting]
        return SUCCESS

    # Streaming --------------------------------------------------------------------------------

    def clock_ns(self, t_s: float) -> int:
        """The sensor's clock (ns since 2000-01-01) at world time ``t_s``."""
        return self.clock_start_ns + round(t_s * 1e9)

    def payloads(
        self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray, dt_s: float, mtu: int
    ) -> list[bytes]:
        out = []
        layout = self.spec.layout
        for kind, values in ((layout["acc_type"], acc_g), (layout["gyr_type"], gyr_dps)):
            m = self.measurements[int(kind)]
            if not m.running:
                continue
            m.pending.extend(np.clip(np.rint(values / m.factor), -32768, 32767).astype(np.int64))
            m.pending_t.extend(t_s.tolist())
            while len(m.pending) >= self.samples_per_frame:
                n = self.samples_per_frame
                raw, t_last = np.array(m.pending[:n]), m.pending_t[n - 1]
                del m.pending[:n], m.pending_t[:n]
                header = struct.pack("<BQB", m.kind, self.clock_ns(t_last), COMPRESSED_TYPE_0)
                out.append(header + compress(raw))
        return out

    def on_disconnected(self, connection: Connection) -> None:
        for m in self.measurements.values():
            m.running = False

    def malformed_payload(self) -> bytes:
        """A frame header with no samples."""
        return struct.pack("<BQB", 2, self.clock_ns(0.0), COMPRESSED_TYPE_0)
