"""Layout-driven decoder for one fixed record per notification, zero-padded (Movella DOT).

The record is ``[layout] record_length`` bytes at the start of the notification; ``t`` (sensor
clock), ``acc`` and ``gyr`` are field tables. A shorter notification raises ``MalformedPacket``.
"""

from __future__ import annotations

from sensorhold.protocol.battery import BatteryLevel
from sensorhold.protocol.decoding import DecoderCounters
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.field_layout import Field, RecordReader
from sensorhold.protocol.samples import ImuChunk
from sensorhold.protocol.spec import SensorSpec


class RecordDecoder(DecoderCounters):
    """Decodes ``[layout] kind = "record"``; the ``[battery] read`` char is [percent, charging]."""

    def __init__(self, spec: SensorSpec) -> None:
        super().__init__()
        layout = spec.layout
        self._char = layout["char"].lower()
        self._length = int(layout["record_length"])
        fields = {n: Field.from_table(layout[n]) for n in ("t", "acc", "gyr") if n in layout}
        reader = RecordReader(fields, self._length)
        self._one, columns = reader.one, reader.columns
        self._acc, self._gyr = columns["acc"], columns["gyr"]
        t = columns.get("t")
        self._t = None if t is None else slice(t.start, t.start + 1)  # its first value
        self._battery_char = spec.battery.read_char if spec.battery else None

    def decode(self, char_uuid: str, payload: bytes) -> ImuChunk | None:
        char = char_uuid if char_uuid == self._char else char_uuid.lower()
        if char == self._battery_char:
            if len(payload) < 2 or payload[0] > 100 or payload[1] > 1:
                raise MalformedPacket(f"battery report {payload.hex()}")
            self.battery = BatteryLevel(percent=float(payload[0]), charging=bool(payload[1]))
            return None
        if char != self._char:
            return None
        if len(payload) < self._length:
            raise MalformedPacket(f"{len(payload)}-byte notification, record is {self._length}")
        row = self._one(payload)
        t = self._t
        return ImuChunk(row[None, self._acc], row[None, self._gyr], None if t is None else row[t])
