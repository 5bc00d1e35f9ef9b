"""load_input: recordings decoded through the protocol layer, CSVs, sniffing by content."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensorhold.errors import InputError
from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.spec import SensorSpec
from sensorhold.recording.format import make_header
from sensorhold.recording.packet_decoding import decode_packets
from sensorhold.recording.reader import read_recording
from sensorhold.recording.sensor_data import load_input
from sensorhold.recording.writer import RecordingWriter

Rec = tuple[Path, list[bytes]]
ACC_SCALE, GYR_SCALE = 16 / 32768, 2000 / 32768


def expected_imu(payloads: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    raw = np.frombuffer(b"".join(p[2:] for p in payloads), "<i2").reshape(-1, 9)
    return raw[:, 0:3] * ACC_SCALE, raw[:, 3:6] * GYR_SCALE


def test_recording_becomes_samples_on_its_own_clock(recording: Rec) -> None:
    path, payloads = recording
    data = load_input(path)
    acc, gyr = expected_imu(payloads)
    np.testing.assert_array_equal(data.acc, acc)
    np.testing.assert_array_equal(data.gyr, gyr)
    assert data.t[0] == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.diff(data.t) > 0)
    assert data.t[-1] == pytest.approx((len(payloads) - 1) / 100, abs=0.02)
    assert data.counter is not None and data.counter.tolist() == list(range(len(payloads)))
    m = data.meta
    assert (m.kind, m.sensor_model, m.rate_hz, m.packets, m.malformed) == (
        "recording",
        "witmotion",
        100,
        len(payloads),
        0,
    )
    assert m.warnings == [] and [e.event for e in m.events] == ["connected", "marker"]


def test_sniffs_by_content_not_extension(recording: Rec, tmp_path: Path) -> None:
    path, _ = recording
    disguised = tmp_path / "really_a_recording.csv"
    shutil.copy(path, disguised)
    assert load_input(disguised).meta.kind == "recording"
    csv = tmp_path / "really_a_csv.sensorhold.jsonl"
    csv.write_text("t,ax,ay,az,gx,gy,gz\n5.0,0,0,1,0,0,0\n5.01,0,0,1,0,0,1\n")
    data = load_input(csv)
    assert (data.meta.kind, data.t.tolist(), data.counter) == ("csv", [5.0, 5.01], None)
    assert data.meta.rate_hz == pytest.approx(100)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "neither a sensorhold recording nor a CSV"),
        (b"hello there\n", "not a sensorhold CSV"),
    ],
)
def test_neither_recording_nor_csv(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_input(path)


def test_malformed_packets_are_counted_and_the_rest_decoded(
    tmp_path: Path, spec: SensorSpec
) -> None:
    path = tmp_path / "m.sensorhold.jsonl"
    good = b"\x55\x61" + np.arange(9, dtype="<i2").tobytes()
    with RecordingWriter.open(path, make_header(spec, rate_hz=100, t0_ns=0)) as w:
        for i in range(20):
            w.packet(i * 10_000_000, spec.notify[0], b"\x01\x02\x03" if i in (5, 6) else good)
    data = load_input(path)
    assert (len(data), data.meta.malformed) == (18, 2)
    assert data.meta.warnings == ["2 malformed packets skipped"]
    assert 5 not in data.counter.tolist()


def test_a_recording_without_samples_is_an_error(tmp_path: Path, spec: SensorSpec) -> None:
    path = tmp_path / "e.sensorhold.jsonl"
    with RecordingWriter.open(path, make_header(spec, rate_hz=100, t0_ns=0)) as w:
        w.event(0, "connected")
    with pytest.raises(InputError, match="holds no IMU samples"):
        load_input(path)


FRAME = st.binary(min_size=18, max_size=18).map(lambda b: b"\x55\x61" + b)
REPLY = st.binary(min_size=18, max_size=18).map(lambda b: b"\x55\x71" + b)
PAYLOAD = st.one_of(
    FRAME,
    st.lists(FRAME, min_size=2, max_size=4).map(b"".join),
    st.lists(st.one_of(FRAME, REPLY, st.binary(max_size=7)), max_size=4).map(b"".join),
    st.binary(max_size=45),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(packets=st.lists(st.tuples(PAYLOAD, st.booleans()), max_size=30))
def test_batch_decoding_equals_decoding_one_packet_at_a_time(
    tmp_path: Path, spec: SensorSpec, packets: list[tuple[bytes, bool]]
) -> None:
    path = tmp_path / "h.sensorhold.jsonl"
    path.unlink(missing_ok=True)
    with RecordingWriter.open(path, make_header(spec, rate_hz=100, t0_ns=0)) as w:
        for i, (payload, on_notify) in enumerate(packets):
            w.packet(i, spec.notify[0] if on_notify else spec.write_char or "", payload)
    rec = read_recording(path)
    batch = decode_packets(rec)
    decoder = decoder_for(spec)
    acc, gyr, counts, malformed = [], [], [], 0
    for p in rec.packets():
        try:
            chunk = decoder.decode(p.char, p.payload)
        except MalformedPacket:
            malformed += 1
            chunk = None
        counts.append(len(chunk) if chunk is not None else 0)
        if chunk is not None:
            acc.append(chunk.acc_g)
            gyr.append(chunk.gyr_dps)
    assert batch.counts.tolist() == counts and batch.malformed == malformed
    np.testing.assert_array_equal(batch.acc_g, np.concatenate([np.zeros((0, 3)), *acc]))
    np.testing.assert_array_equal(batch.gyr_dps, np.concatenate([np.zeros((0, 3)), *gyr]))
