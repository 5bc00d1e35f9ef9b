"""``decoder_for(spec)``: the decoder a spec's ``[layout] kind`` names, with fresh state."""

from __future__ import annotations

from collections.abc import Callable

from sensorhold.protocol.decoding import Decoder
from sensorhold.protocol.frame_decoder import FramesDecoder
from sensorhold.protocol.metawear_registers import MetaWearDecoder
from sensorhold.protocol.polar_pmd import PolarPmdDecoder
from sensorhold.protocol.record_decoder import RecordDecoder
from sensorhold.protocol.spec import SensorSpec

_KINDS: dict[str, Callable[[SensorSpec], Decoder]] = {
    "frames": FramesDecoder,
    "metawear": MetaWearDecoder,
    "polar_pmd": PolarPmdDecoder,
    "record": RecordDecoder,
}


def decoder_for(spec: SensorSpec) -> Decoder:
    """A new decoder for ``spec`` (one per connection: some decoders keep per-stream state)."""
    kind = spec.layout.get("kind")
    if kind not in _KINDS:
        raise ValueError(f"{spec.model}: unknown layout kind {kind!r} (known: {', '.join(_KINDS)})")
    return _KINDS[kind](spec)
