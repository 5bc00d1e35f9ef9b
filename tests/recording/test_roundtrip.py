"""Writer -> reader round trips, and the writer's file handling."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from sensorhold.errors import UserError
from sensorhold.protocol.spec import SensorSpec
from sensorhold.recording.format import FORMAT, VERSION, make_header
from sensorhold.recording.paths import default_recording_path
from sensorhold.recording.reader import read_recording
from sensorhold.recording.writer import RecordingWriter

T0_NS = 1_000_000_000_000


def test_round_trip_keeps_header_packets_and_events(
    recording: tuple[Path, list[bytes]], spec: SensorSpec
) -> None:
    path, payloads = recording
    rec = read_recording(path)
    assert rec.warnings == []
    assert rec.header["format"] == FORMAT and rec.header["version"] == VERSION
    assert rec.header["sensor"]["name"] == "WT901BLE68"
    assert rec.spec.model == "witmotion" and rec.t0_ns == T0_NS and rec.rate_hz == 100
    got = list(rec.packets())
    assert [p.payload for p in got] == payloads
    assert [p.t_ns for p in got] == [T0_NS + i * 10_000_000 for i in range(len(payloads))]
    assert {p.char for p in got} == {spec.notify[0]}
    assert rec.packet(7) == got[7]
    assert [(e.event, e.data) for e in rec.events] == [
        ("connected", {}),
        ("marker", {"label": "half way"}),
    ]


def test_lines_are_compact_json(recording: tuple[Path, list[bytes]]) -> None:
    path, payloads = recording
    lines = path.read_text().splitlines()
    packet = json.loads(lines[2])
    assert packet == {
        "type": "packet",
        "t_ns": T0_NS,
        "char": "0000ffe4-0000-1000-8000-00805f9a34fb",
        "hex": payloads[0].hex(),
    }
    assert " " not in lines[2]


def test_mixed_payload_sizes_and_foreign_spacing_read_back(
    tmp_path: Path, spec: SensorSpec
) -> None:
    """Batched notifications (40 bytes), other characteristics and hand-written lines."""
    path = tmp_path / "m.sensorhold.jsonl"
    header = make_header(spec, rate_hz=50, t0_ns=0)
    expected = []
    with RecordingWriter.open(path, header) as w:
        for i in range(50):
            payload = bytes(range(i % 3 * 20 + 20))
            char = spec.notify[0] if i % 5 else spec.write_char or ""
            w.packet(i * 1000, char, payload)
            expected.append((i * 1000, char, payload))
    with path.open("a") as f:
        f.write('{"hex": "AABB", "char": "X", "type": "packet", "t_ns": 50000}\n')
    expected.append((50_000, "x", b"\xaa\xbb"))
    rec = read_recording(path)
    assert rec.warnings == []
    assert [tuple(p) for p in rec.packets()] == expected


def test_out_of_order_packets_are_sorted_with_a_warning(tmp_path: Path, spec: SensorSpec) -> None:
    path = tmp_path / "o.sensorhold.jsonl"
    with RecordingWriter.open(path, make_header(spec, rate_hz=50, t0_ns=0)) as w:
        for t in (30, 10, 20, 40):
            w.packet(t, spec.notify[0], bytes([t]))
    rec = read_recording(path)
    assert [(p.t_ns, p.payload) for p in rec.packets()] == [
        (t, bytes([t])) for t in (10, 20, 30, 40)
    ]
    assert rec.warnings == ["packets were out of time order; they are used in time order"]


def test_writer_refuses_to_overwrite_and_reports_unwritable_paths(
    tmp_path: Path, spec: SensorSpec
) -> None:
    header = make_header(spec, rate_hz=50)
    path = tmp_path / "a.sensorhold.jsonl"
    RecordingWriter.open(path, header).close()
    with pytest.raises(UserError, match="already exists"):
        RecordingWriter.open(path, header)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UserError, match="cannot write recording"):
        RecordingWriter.open(blocker / "x.sensorhold.jsonl", header)


def test_writer_creates_folders_and_ignores_lines_after_close(
    tmp_path: Path, spec: SensorSpec
) -> None:
    path = tmp_path / "deep" / "er" / "r.sensorhold.jsonl"
    w = RecordingWriter.open(path, make_header(spec, rate_hz=50, t0_ns=0))
    w.packet(1, spec.notify[0], b"\x01")
    w.close()
    w.packet(2, spec.notify[0], b"\x02")
    w.close()
    assert [p.t_ns for p in read_recording(path).packets()] == [1]


def test_writer_bounds_its_queue_and_notes_dropped_lines(tmp_path: Path, spec: SensorSpec) -> None:
    path = tmp_path / "d.sensorhold.jsonl"
    with RecordingWriter.open(
        path, make_header(spec, rate_hz=50, t0_ns=0), flush_interval_s=60, max_pending=10
    ) as w:
        for t in range(25):
            w.packet(t, spec.notify[0], b"\x00")
    assert w.dropped == 15
    rec = read_recording(path)
    assert len(rec) == 10
    assert [(e.event, e.data) for e in rec.events] == [("recording_dropped", {"lines": 15})]


def test_writer_lines_reach_the_os_within_the_flush_interval(
    tmp_path: Path, spec: SensorSpec
) -> None:
    path = tmp_path / "f.sensorhold.jsonl"
    with RecordingWriter.open(
        path, make_header(spec, rate_hz=50, t0_ns=0), flush_interval_s=0.05
    ) as w:
        w.packet(5, spec.notify[0], b"\x05")
        deadline = time.monotonic() + 2
        while len(read_recording(path)) == 0:
            assert time.monotonic() < deadline, "packet not flushed within 2 s"
    assert read_recording(path).t_ns.tolist() == [5]


def test_default_path_is_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    first = default_recording_path("witmotion")
    assert first.parent == tmp_path / "sensorhold" / "recordings"
    assert re.fullmatch(r"\d{8}T\d{6}Z_witmotion\.sensorhold\.jsonl", first.name)
    first.parent.mkdir(parents=True)
    first.touch()
    assert default_recording_path("witmotion") != first


def test_open_without_a_path_records_into_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: SensorSpec
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    with RecordingWriter.open(None, make_header(spec, rate_hz=50, t0_ns=0)) as w:
        w.packet(3, spec.notify[0], bytearray(b"\x55\x61"))  # bleak hands over bytearrays
    assert w.path.parent == tmp_path / "sensorhold" / "recordings"
    assert read_recording(w.path).packet(0).payload == b"\x55\x61"
