"""What every decoder offers: ``decode(char_uuid, payload)`` plus a few counters."""

from __future__ import annotations

from typing import Protocol

from sensorhold.protocol.battery import BatteryLevel
from sensorhold.protocol.samples import ImuChunk


class Decoder(Protocol):
    """Turns notifications into samples.

    ``decode`` returns an ``ImuChunk``, or None for a notification that carries no IMU samples
    (a command response, a register reply, a battery report); it raises only ``MalformedPacket``.
    ``battery`` is the latest battery report seen; ``skipped_bytes`` counts bytes dropped from
    notifications whose other frames were kept (``salvaged`` counts such notifications).
    """

    battery: BatteryLevel | None
    skipped_bytes: int
    salvaged: int

    def decode(self, char_uuid: str, payload: bytes) -> ImuChunk | None: ...


class DecoderCounters:
    """The counters of the ``Decoder`` protocol, for decoders to inherit."""

    def __init__(self) -> None:
        self.battery: BatteryLevel | None = None
        self.skipped_bytes = 0
        self.salvaged = 0
