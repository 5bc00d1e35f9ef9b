"""All of a recording's packets through the protocol decoder, fast enough for hour-long files.

Decoding 360k notifications one call each costs seconds. For ``[layout] kind = "frames"``
packets that are nothing but whole sync-prefixed frames (the normal case), the decoder is called
once on their concatenation, which it decodes exactly as it would each one (frames are
self-delimiting and it carries nothing between notifications). Every other packet goes through
``decode`` on its own, as live. A property test holds the two paths equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.decoding import Decoder
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.samples import ImuChunk
from sensorhold.recording.reader import Recording


@dataclass(frozen=True, slots=True)
class DecodedPackets:
    """Samples of every packet in order; ``counts[i]`` of them came from packet ``i``."""

    acc_g: np.ndarray
    gyr_dps: np.ndarray
    t_sensor_s: np.ndarray | None
    counter: np.ndarray | None
    counts: np.ndarray
    malformed: int


def decode_packets(rec: Recording, decoder: Decoder | None = None) -> DecodedPackets:
    """Decode ``rec``'s packets (with a fresh decoder for its spec unless one is given)."""
    decoder = decoder or decoder_for(rec.spec)
    n = len(rec)
    whole = _whole_frame_packets(rec)
    chunks: dict[int, ImuChunk] = {}
    malformed = 0
    for i in np.flatnonzero(~whole).tolist():
        try:
            chunk = decoder.decode(rec.chars[rec.char_index[i]], rec.packet(i).payload)
        except MalformedPacket:
            malformed += 1
            continue
        if chunk is not None and len(chunk):
            chunks[i] = chunk
    counts = np.zeros(n, np.int64)
    bulk: ImuChunk | None = None
    if whole.any():
        first = int(np.flatnonzero(whole)[0])
        bulk = decoder.decode(rec.chars[rec.char_index[first]], _gather(rec, whole))
        size = int(rec.spec.layout["frame_length"])
        counts[whole] = np.diff(rec.offsets)[whole] // size
    for i, chunk in chunks.items():
        counts[i] = len(chunk)
    return _assemble(counts, whole, bulk, chunks, malformed)


def _whole_frame_packets(rec: Recording) -> np.ndarray:
    """Packets on a notify characteristic that are only whole frames starting with ``sync``."""
    layout = rec.spec.layout
    whole = np.zeros(len(rec), bool)
    if layout.get("kind") != "frames" or not len(rec):
        return whole
    size, sync = int(layout["frame_length"]), bytes.fromhex(layout["sync"])
    notify = [i for i, c in enumerate(rec.chars) if c in rec.spec.notify]
    lengths = np.diff(rec.offsets)
    whole = np.isin(rec.char_index, notify) & (lengths > 0) & (lengths % size == 0)
    frames = np.where(whole, lengths // size, 0)
    packet_of = np.repeat(np.arange(len(rec)), frames)
    first_frame = np.cumsum(frames) - frames
    starts = rec.offsets[packet_of] + (np.arange(packet_of.size) - first_frame[packet_of]) * size
    buf = np.frombuffer(rec.payloads, np.uint8)
    synced = np.ones(packet_of.size, bool)
    for k, byte in enumerate(sync):
        synced &= buf[starts + k] == byte
    whole[packet_of[~synced]] = False
    return whole


def _gather(rec: Recording, mask: np.ndarray) -> bytes:
    """The payloads of the packets in ``mask``, concatenated in order."""
    if mask.all():
        return rec.payloads
    starts, lengths = rec.offsets[:-1][mask], np.diff(rec.offsets)[mask]
    ends = np.cumsum(lengths)
    index = np.repeat(starts - (ends - lengths), lengths) + np.arange(int(ends[-1]))
    return np.frombuffer(rec.payloads, np.uint8)[index].tobytes()


def _assemble(
    counts: np.ndarray,
    whole: np.ndarray,
    bulk: ImuChunk | None,
    chunks: dict[int, ImuChunk],
    malformed: int,
) -> DecodedPackets:
    """Put bulk and one-by-one samples back in packet order."""
    total = int(counts.sum())
    parts = ([bulk] if bulk is not None else []) + list(chunks.values())
    acc, gyr = np.empty((total, 3)), np.empty((total, 3))
    t_sensor = np.empty(total) if parts and all(p.t_sensor_s is not None for p in parts) else None
    counter = (
        np.empty(total, np.int64) if parts and all(p.counter is not None for p in parts) else None
    )
    ends = np.cumsum(counts)
    slots: list[np.ndarray] = []
    if bulk is not None:
        slots.append(np.repeat(ends[whole] - counts[whole], counts[whole]) + _ramp(counts[whole]))
    slots += [np.arange(ends[i] - counts[i], ends[i]) for i in chunks]
    for part, slot in zip(parts, slots, strict=True):
        acc[slot], gyr[slot] = part.acc_g, part.gyr_dps
        if t_sensor is not None and part.t_sensor_s is not None:
            t_sensor[slot] = part.t_sensor_s
        if counter is not None and part.counter is not None:
            counter[slot] = part.counter
    return DecodedPackets(acc, gyr, t_sensor, counter, counts, malformed)


def _ramp(counts: np.ndarray) -> np.ndarray:
    """0..counts[0]-1, 0..counts[1]-1, ... concatenated."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
