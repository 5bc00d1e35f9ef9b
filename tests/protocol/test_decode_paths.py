"""The per-notification fast paths give what the bulk/numpy paths give, for every model.

Live decoding reads a one-record notification with one ``struct`` call (``RecordReader.one``),
MetaWear registers likewise, and Polar delta blocks with numpy; a recording goes through
``decode_packets`` (WitMotion frames in one numpy bulk read). Same packets, same arrays and the
same malformed count, damaged packets included.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.field_layout import Field, RecordReader
from sensorhold.protocol.polar_delta import decode_delta_frame
from sensorhold.protocol.spec import SensorSpec, load_spec
from sensorhold.recording.format import make_header
from sensorhold.recording.packet_decoding import decode_packets
from sensorhold.recording.reader import read_recording
from sensorhold.recording.writer import RecordingWriter

Packets = list[tuple[str, bytes]]


def _damaged(rng: np.random.Generator, good: bytes) -> bytes:
    """A good packet cut short, with a byte changed, or random bytes."""
    kind = rng.integers(3)
    if kind == 0:
        return good[: rng.integers(len(good))]
    if kind == 1:
        out = bytearray(good)
        out[rng.integers(len(out))] = int(rng.integers(256))
        return bytes(out)
    return rng.bytes(int(rng.integers(0, 45)))


def witmotion(spec: SensorSpec, rng: np.random.Generator) -> Packets:
    char, out = spec.notify[0], []
    for _ in range(300):
        frames = [b"\x55\x61" + rng.bytes(18) for _ in range(rng.choice(4, p=[0, 0.85, 0.1, 0.05]))]
        if rng.random() < 0.05:
            frames.append(b"\x55\x71\x64\x00" + rng.bytes(16))  # a battery register reply
        good = b"".join(frames)
        out.append((char, _damaged(rng, good) if rng.random() < 0.1 else good))
    return out


def movella_dot(spec: SensorSpec, rng: np.random.Generator) -> Packets:
    char, battery, out = spec.layout["char"], spec.battery.read_char, []  # type: ignore[union-attr]
    for _ in range(300):
        good = rng.bytes(28).ljust(40, b"\0")  # any float32 bits: NaN and inf included
        out.append((char, _damaged(rng, good) if rng.random() < 0.1 else good))
        if rng.random() < 0.05:
            out.append((battery, bytes([int(rng.integers(0, 102)), int(rng.integers(0, 3))])))
    return out


def metamotion(spec: SensorSpec, rng: np.random.Generator) -> Packets:
    char, out = spec.notify[0], []
    heads = [b"\x03\x04", b"\x13\x05", b"\x03\x1c", b"\x13\x07", b"\x03\x05"]
    for _ in range(400):
        head = heads[rng.integers(len(heads))]
        good = head + rng.bytes(6 if head in (b"\x03\x04", b"\x13\x05") else 18)
        if rng.random() < 0.05:
            good = b"\x11\x8c" + rng.bytes(3)  # a battery reply
        out.append((char, _damaged(rng, good) if rng.random() < 0.1 else good))
    return out


def polar_verity(spec: SensorSpec, rng: np.random.Generator) -> Packets:
    control, data = spec.layout["control_char"], spec.layout["data_char"]
    out = [
        (control, bytes([0xF0, 0x02, t, 0, 0, 5, 1]) + struct.pack("<f", f))
        for t, f in ((2, 0.000244), (5, 0.061))
    ]
    t_ns = {2: 10**15, 5: 10**15 + 2 * 10**8}
    for _ in range(120):
        mtype = int(rng.choice([2, 5]))
        ftype = int(rng.choice([0x80, 0x81, 0x01] if mtype == 2 else [0x80, 0x81]))
        body = rng.bytes(6 if ftype != 0x81 or mtype == 2 else 12)
        for _ in range(rng.integers(1, 4)):
            bits, count = int(rng.integers(1, 33)), int(rng.integers(0, 20))
            body += bytes([bits, count]) + rng.bytes(-(-bits * count * 3 // 8))
        if ftype == 0x01:
            body = rng.bytes(6 * int(rng.integers(1, 30)))
        t_ns[mtype] += int(rng.integers(1, 40)) * 19_230_769
        good = bytes([mtype]) + t_ns[mtype].to_bytes(8, "little") + bytes([ftype]) + body
        out.append((data, _damaged(rng, good) if rng.random() < 0.1 else good))
    return out


MAKERS = {
    "witmotion": witmotion,
    "movella-dot": movella_dot,
    "metamotion": metamotion,
    "polar-verity": polar_verity,
}


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast")  # NaN float32 bits
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("model", sorted(MAKERS))
def test_one_notification_at_a_time_equals_decode_packets(
    tmp_path: Path, model: str, seed: int
) -> None:
    spec = load_spec(model)
    packets = MAKERS[model](spec, np.random.default_rng(seed))
    path = tmp_path / "r.sensorhold.jsonl"
    with RecordingWriter.open(path, make_header(spec, rate_hz=spec.default_rate_hz, t0_ns=0)) as w:
        for i, (char, payload) in enumerate(packets):
            w.packet(i, char, payload)
    batch = decode_packets(read_recording(path))
    decoder = decoder_for(spec)
    chunks, counts, malformed = [], [], 0
    for char, payload in packets:
        try:
            chunk = decoder.decode(char, payload)
        except MalformedPacket:
            malformed += 1
            chunk = None
        counts.append(len(chunk) if chunk is not None else 0)
        chunks += [chunk] if chunk is not None and len(chunk) else []
    assert sum(counts) > 100 and 0 < malformed < len(packets) // 4
    assert batch.counts.tolist() == counts and batch.malformed == malformed
    np.testing.assert_array_equal(batch.acc_g, np.concatenate([c.acc_g for c in chunks]))
    np.testing.assert_array_equal(batch.gyr_dps, np.concatenate([c.gyr_dps for c in chunks]))
    if spec.timestamps == "sensor":
        assert batch.t_sensor_s is not None
        np.testing.assert_array_equal(
            batch.t_sensor_s, np.concatenate([c.t_sensor_s for c in chunks])
        )


def _layouts() -> list[tuple[dict[str, Field], int]]:
    """Every spec's record layouts, plus ones the single struct cannot say (numpy then)."""
    out = []
    for name in ("witmotion", "movella-dot"):
        layout = load_spec(name).layout
        size = int(layout.get("frame_length", layout.get("record_length", 0)))
        names = [n for n in ("t", "acc", "gyr") if n in layout]
        out.append(({n: Field.from_table(layout[n]) for n in names}, size))
    reply = load_spec("witmotion").layout["reply"]
    out.append(({n: Field.from_table(reply[n]) for n in ("register", "values")}, 20))
    mixed = {"a": Field(4, ">i2", 3, 0.5), "b": Field(0, "<u4", 1, 1e-6), "c": Field(10, "u1")}
    big = {"a": Field(1, ">f4", 2, 3.0), "b": Field(9, ">u2", 1, 0.1), "c": Field(0, "i1")}
    overlap = {"a": Field(0, "<i4"), "b": Field(2, "<i2", 2, 0.25)}
    return [*out, (mixed, 12), (big, 12), (overlap, 8)]


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast")  # NaN float32 bits
@settings(max_examples=60, deadline=None)
@given(data=st.binary(min_size=40, max_size=40))
def test_one_or_a_few_records_read_as_numpy_reads_them(data: bytes) -> None:
    for fields, size in _layouts():
        reader = RecordReader(fields, size)
        count = len(data) // size
        row, rows = reader.one(data), reader.few(data, count)
        first, every = reader.many(data[:size]), reader.many(data[: count * size])
        for name, cols in reader.columns.items():
            np.testing.assert_array_equal(row[None, cols], first[name])
            np.testing.assert_array_equal(rows[:, cols], every[name])


def _bit_by_bit(body: bytes, channels: int, ref_bits: int) -> np.ndarray:
    """BlePMDClient.kt's reading, one value at a time (the decoder's before it used numpy)."""

    def signed(value: int, bits: int) -> int:
        return value - (1 << bits) if value & (1 << (bits - 1)) else value

    step = -(-ref_bits // 8)
    if len(body) < channels * step:
        raise MalformedPacket(f"delta frame of {len(body)} bytes has no reference sample")
    ref = range(0, channels * step, step)
    rows = [[signed(int.from_bytes(body[i : i + step], "little"), step * 8) for i in ref]]
    pos = channels * step
    while pos < len(body):
        if pos + 2 > len(body):
            raise MalformedPacket("delta block header cut short")
        bits, count = body[pos], body[pos + 1]
        size = -(-bits * count * channels // 8)
        if bits == 0 or bits > 32 or pos + 2 + size > len(body):
            raise MalformedPacket(f"bad delta block: {bits} bits x {count}")
        packed, mask = int.from_bytes(body[pos + 2 : pos + 2 + size], "little"), (1 << bits) - 1
        for k in range(count * channels):
            if k % channels == 0:
                rows.append(list(rows[-1]))
            rows[-1][k % channels] += signed((packed >> (k * bits)) & mask, bits)
        pos += 2 + size
    return np.array(rows, dtype=np.int64)


BLOCK = st.integers(1, 32).flatmap(
    lambda bits: st.integers(0, 12).flatmap(
        lambda n: st.binary(min_size=-(-bits * n * 3 // 8), max_size=-(-bits * n * 3 // 8)).map(
            lambda packed: bytes([bits, n]) + packed
        )
    )
)
BODY = st.one_of(
    st.tuples(st.binary(min_size=6, max_size=12), st.lists(BLOCK, max_size=4)).map(
        lambda parts: parts[0] + b"".join(parts[1])
    ),
    st.binary(max_size=60),
)


@settings(max_examples=300, deadline=None)
@given(body=BODY, ref_bits=st.sampled_from([16, 32]))
def test_delta_frames_read_as_bit_by_bit(body: bytes, ref_bits: int) -> None:
    try:
        expected = _bit_by_bit(body, 3, ref_bits)
    except MalformedPacket as e:
        with pytest.raises(MalformedPacket, match=f"^{re.escape(str(e))}$"):
            decode_delta_frame(body, 3, ref_bits)
        return
    got = decode_delta_frame(body, 3, ref_bits)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)
