"""Damaged recordings: everything readable is read, with a warning; the rest is one clear error."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensorhold.errors import InputError, UnknownSensorError, UserError
from sensorhold.recording.reader import read_recording
from sensorhold.recording.sensor_data import load_input

Rec = tuple[Path, list[bytes]]


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_truncated_last_line_is_dropped_with_a_warning(recording: Rec) -> None:
    path, payloads = recording
    path.write_bytes(path.read_bytes()[:-30])
    rec = read_recording(path)
    assert len(rec) == len(payloads)
    assert rec.warnings == [
        f"line {len(payloads) + 3}: truncated last line dropped (the recording was cut off)"
    ]
    assert [e.event for e in rec.events] == ["connected"]


def test_a_complete_last_line_without_newline_is_kept(recording: Rec) -> None:
    path, payloads = recording
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    rec = read_recording(path)
    assert (len(rec), rec.warnings, len(rec.events)) == (len(payloads), [], 2)


def test_garbage_lines_in_the_middle_are_skipped_and_counted(recording: Rec) -> None:
    path, payloads = recording
    lines = lines_of(path)
    lines[10] = b"\x00\xff\xfe binary junk \x89PNG\n"
    lines[20] = lines[20][:25] + b"\n"
    lines[30] = b'{"type":"packet","t_ns":"soon","char":"x","hex":"zz"}\n'
    lines[40] = b"[1, 2, 3]\n"
    lines.insert(50, lines[0])
    path.write_bytes(b"".join(lines))
    rec = read_recording(path)
    assert len(rec) == len(payloads) - 4
    assert rec.warnings == [
        "line 11: not JSON, skipped",
        "line 21: not JSON, skipped",
        "line 31: packet with missing or bad fields, skipped",
        "line 41: not JSON, skipped",
        "line 51: a copy of the header, skipped",
    ]


@pytest.mark.parametrize("same_file", [False, True])
def test_joined_recordings_use_the_first_and_say_where_the_other_starts(
    recording: Rec, same_file: bool
) -> None:
    """``cat a b`` (or ``cat a a``): the second part is another session, or the same one again;
    mixing it in by time would interleave the two, so only the first is read."""
    path, payloads = recording
    lines = lines_of(path)
    path.with_name("alone.sensorhold.jsonl").write_bytes(b"".join(lines))
    other = json.loads(lines[0])
    if not same_file:
        other["t0_ns"] += 10**12
    joined = [*lines, json.dumps(other, separators=(",", ":")).encode() + b"\n", *lines[1:]]
    path.write_bytes(b"".join(joined))
    alone = read_recording(path.with_name("alone.sensorhold.jsonl"))
    rec = read_recording(path)
    assert len(rec) == len(payloads)
    assert rec.events == alone.events
    assert rec.warnings == [
        f"line {len(lines) + 1}: another recording starts here (files joined?); only the first "
        "is used: split the file to use the other"
    ]


def test_lines_copied_twice_are_read_once(recording: Rec) -> None:
    """A block of packet lines repeated further on (a botched copy or merge): the repeats are
    the same packets again, not more samples (demo_session with 500 packets copied twice read
    753 samples too many, and its forearms hold lasted 37.7 s instead of 25.2 s)."""
    path, _ = recording
    lines = lines_of(path)
    alone = read_recording(path)
    path.write_bytes(b"".join([*lines[:200], *lines[100:]]))
    rec = read_recording(path)
    assert list(rec.packets()) == list(alone.packets())
    assert rec.warnings == [
        "packets were out of time order; they are used in time order",
        "100 packets repeat another of the same time exactly (lines copied twice?); the "
        "repeats are skipped",
    ]


def test_many_damaged_lines_give_a_few_warnings_and_a_count(recording: Rec) -> None:
    path, payloads = recording
    lines = lines_of(path)
    for i in range(5, 105):
        lines[i] = b"#\n"
    path.write_bytes(b"".join(lines))
    rec = read_recording(path)
    assert len(rec) == len(payloads) - 100
    assert len(rec.warnings) == 11
    assert rec.warnings[-1] == "... and 90 more damaged lines skipped"


@pytest.mark.parametrize("where", ["middle", "end", "end without newline"])
def test_huge_lines_are_skipped_without_reading_them_whole(recording: Rec, where: str) -> None:
    path, payloads = recording
    lines = lines_of(path)
    huge = b'{"type":"event","t_ns":1,"event":"marker","label":"' + b"x" * 20_000_000
    if where == "middle":
        lines.insert(100, huge + b'"}\n')
    elif where == "end":
        lines.append(huge + b'"}\n')
    else:
        lines.append(huge)
    path.write_bytes(b"".join(lines))
    tracemalloc.start()
    try:
        rec = read_recording(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000
    assert len(rec) == len(payloads)
    line = 101 if where == "middle" else len(lines)
    assert rec.warnings == [f"line {line}: longer than 64 KiB, skipped"]


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (b"", InputError, "the file is empty; record a session first"),
        (b"\n\n  \n", InputError, "the file is empty"),
        (bytes(range(256)) * 100, InputError, "not a sensorhold recording (line 1 is not"),
        (b"t,ax,ay,az,gx,gy,gz\n0,0,0,1,0,0,0\n", InputError, "not a sensorhold recording"),
        (b'{"type":"header","format":"other"}\n', InputError, "not a sensorhold recording"),
        (b"x" * 200_000 + b"\n", InputError, "line 1 is far too long for a header"),
        (
            b'{"type":"packet","t_ns":5,"char":"a","hex":"5561"}\n',
            InputError,
            "the header line is missing (line 1 is a packet)",
        ),
        (b'{"type":"header","format":"sensorhold-rec', InputError, "ends inside its header"),
        (
            b'{"type":"header","format":"sensorhold-recording","version":1}\n',
            InputError,
            "broken header (no sensor model or start time)",
        ),
        (  # a start time beyond the 64-bit monotonic clock (found by the fuzz test)
            b'{"type":"header","format":"sensorhold-recording","version":1,'
            b'"sensor":{"model":"witmotion"},"t0_ns":10000001000000000000}\n',
            InputError,
            "broken header (no sensor model or start time)",
        ),
        (
            b'{"type":"header","format":"sensorhold-recording","version":"1"}\n',
            InputError,
            "broken header (format version '1')",
        ),
    ],
    ids=lambda v: v.decode(errors="replace")[:30] if isinstance(v, bytes) else None,
)
def test_uninterpretable_files_give_one_clear_error(
    tmp_path: Path, content: bytes, error: type[UserError], message: str
) -> None:
    path = tmp_path / "bad.sensorhold.jsonl"
    path.write_bytes(content)
    with pytest.raises(error) as info:
        read_recording(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def edit_header(path: Path, **changes: object) -> None:
    lines = lines_of(path)
    header = json.loads(lines[0])
    for key, value in changes.items():
        if isinstance(value, dict):
            header[key].update(value)
        else:
            header[key] = value
    lines[0] = json.dumps(header).encode() + b"\n"
    path.write_bytes(b"".join(lines))


def test_newer_format_version_asks_for_an_upgrade(recording: Rec) -> None:
    path, _ = recording
    edit_header(path, version=2)
    with pytest.raises(InputError, match=r"made by a newer sensorhold \(format 2\); upgrade"):
        read_recording(path)


def test_unknown_sensor_model_names_the_supported_ones(recording: Rec) -> None:
    path, _ = recording
    edit_header(path, sensor={"model": "acme9000"})
    with pytest.raises(
        UnknownSensorError, match=r"unknown sensor model 'acme9000'; supported: .*witmotion"
    ):
        read_recording(path)


def test_a_changed_spec_is_a_warning_not_an_error(recording: Rec) -> None:
    path, payloads = recording
    edit_header(path, spec={"sha256": "0" * 64})
    rec = read_recording(path)
    assert len(rec) == len(payloads)
    assert rec.warnings == [
        "recorded with another version of the witmotion spec; decoded with the current one"
    ]


def test_missing_file_and_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_recording(tmp_path / "nope.sensorhold.jsonl")
    with pytest.raises(InputError, match="is a folder"):
        read_recording(tmp_path)


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from sensorhold.protocol.spec import load_spec

    from .conftest import write_recording

    path = tmp_path_factory.mktemp("fuzz") / "v.sensorhold.jsonl"
    write_recording(path, load_spec("witmotion"), 40)
    return path.read_bytes()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_truncated_or_corrupted_files_raise_only_user_errors(
    valid_bytes: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    """Reading, decoding and timing a damaged file: samples or one UserError line."""
    content = bytearray(valid_bytes)
    for _ in range(data.draw(st.integers(0, 4), label="edits")):
        at = data.draw(st.integers(0, len(content)), label="at")
        junk = data.draw(st.binary(max_size=40), label="junk")
        cut = data.draw(st.integers(0, 40), label="cut")
        content[at : at + cut] = junk
    content = content[: data.draw(st.integers(0, len(content)), label="truncate at")]
    path = tmp_path / "fuzz.sensorhold.jsonl"
    path.write_bytes(bytes(content))
    try:
        rec = read_recording(path)
        data = load_input(path)
    except UserError as e:
        assert "\n" not in str(e)
        return
    assert data.acc.shape == (len(data), 3) and np.all(np.diff(data.t) > 0)
    assert len(rec.offsets) == len(rec) + 1 and rec.offsets[-1] == len(rec.payloads)
    assert all(isinstance(w, str) for w in rec.warnings)
    assert len(list(rec.packets())) == len(rec)
