"""Reading recordings: everything up to the damage, with warnings that say what was skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from sensorhold.errors import InputError, UnknownSensorError
from sensorhold.protocol.spec import SensorSpec, load_spec
from sensorhold.recording.bounded_lines import MAX_LINE, LineBlock, first_line, line_blocks
from sensorhold.recording.damage_log import DamageLog
from sensorhold.recording.format import FORMAT, VERSION
from sensorhold.recording.packet_lines import parse_packet_block


class RecordedPacket(NamedTuple):
    """One notification: host receive time (monotonic ns), characteristic UUID, raw bytes."""

    t_ns: int
    char: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """A discrete event line: ``event`` name and its other fields."""

    t_ns: int
    event: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Recording:
    """A parsed recording. Packets are stored columnar, sorted by time: ``t_ns[i]``,
    ``chars[char_index[i]]`` and ``payloads[offsets[i]:offsets[i + 1]]``."""

    path: Path
    header: dict[str, Any]
    spec: SensorSpec
    t_ns: np.ndarray
    char_index: np.ndarray
    chars: tuple[str, ...]
    payloads: bytes
    offsets: np.ndarray
    events: list[RecordedEvent]
    warnings: list[str]

    @property
    def t0_ns(self) -> int:
        """Host monotonic time at the session start (the same clock as packet times)."""
        return int(self.header["t0_ns"])

    @property
    def rate_hz(self) -> float:
        rate = self.header.get("rate_hz")
        return (
            float(rate) if isinstance(rate, int | float) and rate > 0 else self.spec.default_rate_hz
        )

    def __len__(self) -> int:
        return int(self.t_ns.size)

    def packet(self, i: int) -> RecordedPacket:
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return RecordedPacket(int(self.t_ns[i]), self.chars[self.char_index[i]], self.payloads[a:b])

    def packets(self) -> Iterator[RecordedPacket]:
        """Every packet in time order (what a paced replay feeds the live pipeline)."""
        offsets = self.offsets.tolist()
        chars = [self.chars[i] for i in self.char_index.tolist()]
        for i, t in enumerate(self.t_ns.tolist()):
            yield RecordedPacket(t, chars[i], self.payloads[offsets[i] : offsets[i + 1]])


def read_recording(path: str | Path) -> Recording:
    """Parse a ``*.sensorhold.jsonl`` file, skipping damaged lines with a warning.

    Raises :class:`InputError` (or :class:`UnknownSensorError`) with one readable line when the
    file cannot be interpreted at all: missing, empty, not a recording, header missing or broken,
    made by a newer sensorhold.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            return _parse(path, line_blocks(f))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a recording; pass a file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e}); check the path") from None


def _parse(path: Path, blocks: Iterator[LineBlock]) -> Recording:
    header, spec, log, blocks = _read_header(path, blocks)
    packets = _PacketColumns()
    events: list[tuple[int, RecordedEvent]] = []
    headers: list[tuple[int, bool]] = []  # further header lines, and whether a copy of the first
    for first, body, ended in blocks:
        if body is None:
            log.skip(first, f"longer than {MAX_LINE // 1024} KiB")
            continue
        if not ended:
            _parse_line(body, first, False, packets, events, log, (header, headers))
            continue
        parsed = parse_packet_block(body)
        for rows in parsed.rows:
            packets.add_rows(rows.lines + first, rows.t_ns, rows.char, rows.payload)
        for i, a, b in zip(
            parsed.others.tolist(),
            parsed.starts[parsed.others].tolist(),
            parsed.ends[parsed.others].tolist(),
            strict=True,
        ):
            if b - a > MAX_LINE:
                log.skip(first + i, f"longer than {MAX_LINE // 1024} KiB")
            else:
                _parse_line(body[a:b], first + i, True, packets, events, log, (header, headers))
    cut = _joined_at(headers, packets, log)
    columns = packets.in_time_order(cut)
    if columns.reordered:
        log.note("packets were out of time order; they are used in time order")
    if columns.repeats:
        log.note(f"{columns.repeats} packets repeat another of the same time exactly (lines "
                 "copied twice?); the repeats are skipped")
    kept = sorted((e for line, e in events if cut is None or line < cut), key=lambda e: e.t_ns)
    return Recording(
        path=path,
        header=header,
        spec=spec,
        t_ns=columns.t_ns,
        char_index=columns.char_index,
        chars=columns.chars,
        payloads=columns.payloads,
        offsets=columns.offsets,
        events=kept,
        warnings=log.warnings(),
    )


def _joined_at(
    headers: list[tuple[int, bool]], packets: _PacketColumns, log: DamageLog
) -> int | None:
    """The line where another recording starts, if one does: a header unlike the file's own, or
    a copy of it after which time goes back (the same file appended); a copy with time going on
    is a stray line, skipped."""
    for line, same in headers:
        if same and not packets.goes_back_after(line):
            log.skip(line, "a copy of the header")
            continue
        log.note(
            f"line {line}: another recording starts here (files joined?); only the first is "
            "used: split the file to use the other"
        )
        return line
    return None


def _parse_line(
    data: bytes,
    number: int,
    ended: bool,
    packets: _PacketColumns,
    events: list[tuple[int, RecordedEvent]],
    log: DamageLog,
    headers: tuple[dict[str, Any], list[tuple[int, bool]]],
) -> None:
    """One line the block parser did not take: an event, a foreign-looking packet, a further
    header (its line, and whether it equals the file's own, go to ``headers[1]``), or damage."""
    if not data.strip():
        return
    record = _loads(data)
    if record is None:
        if ended:
            log.skip(number, "not JSON")
        else:
            log.note(f"line {number}: truncated last line dropped (the recording was cut off)")
        return
    kind = record.get("type")
    if kind == "packet":
        packet = _checked_packet(record)
        if packet is None:
            log.skip(number, "packet with missing or bad fields")
        else:
            packets.add(number, packet)
    elif kind == "event" and _is_int(record.get("t_ns")) and isinstance(record.get("event"), str):
        fields = {k: v for k, v in record.items() if k not in ("type", "t_ns", "event")}
        events.append((number, RecordedEvent(record["t_ns"], record["event"], fields)))
    elif kind == "header":
        headers[1].append((number, record == headers[0]))
    else:
        log.skip(number, f"not a packet or event (type {kind!r})")


def _read_header(
    path: Path, blocks: Iterator[LineBlock]
) -> tuple[dict[str, Any], SensorSpec, DamageLog, Iterator[LineBlock]]:
    """The checked header, its spec, and the blocks after the header line."""
    not_ours = (
        f"{path}: not a sensorhold recording ({{}}); pass a *.sensorhold.jsonl recording "
        "or a CSV with the header t,ax,ay,az,gx,gy,gz"
    )
    head = first_line(blocks)
    if head is None:
        raise InputError(f"{path}: the file is empty; record a session first")
    if head.data is None:
        raise InputError(not_ours.format(f"line {head.number} is far too long for a header"))
    record = _loads(head.data)
    if record is None:
        if not head.ended:
            raise InputError(f"{path}: the recording ends inside its header; nothing to read")
        raise InputError(not_ours.format(f"line {head.number} is not a recording header"))
    number, following = head.number, head.rest
    if record.get("type") in ("packet", "event"):
        raise InputError(
            f"{path}: the header line is missing (line {number} is a {record['type']}), so the "
            "sensor model is unknown; the file cannot be interpreted"
        )
    if record.get("type") != "header" or record.get("format") != FORMAT:
        raise InputError(not_ours.format(f"line {number} is not a recording header"))
    version = record.get("version")
    if not _is_int(version) or version < 1:
        raise InputError(f"{path}: broken header (format version {version!r}); cannot read it")
    if version > VERSION:
        raise InputError(
            f"{path}: made by a newer sensorhold (format {version}); upgrade sensorhold to read it"
        )
    sensor = record.get("sensor")
    model = sensor.get("model") if isinstance(sensor, dict) else None
    t0 = record.get("t0_ns")
    if not isinstance(model, str) or not (_is_int(t0) and 0 <= t0 < 2**63):
        raise InputError(f"{path}: broken header (no sensor model or start time); cannot read it")
    try:
        spec = load_spec(model)
    except UnknownSensorError as e:
        raise UnknownSensorError(f"{path}: {e}") from None
    log = DamageLog()
    recorded = record.get("spec")
    if isinstance(recorded, dict) and recorded.get("sha256") not in (None, spec.sha256):
        log.note(f"recorded with another version of the {model} spec; decoded with the current one")
    return record, spec, log, following


def _loads(data: bytes) -> dict[str, Any] | None:
    """The JSON object on a line, or None if the line is not one."""
    try:
        record = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked_packet(record: dict[str, Any]) -> RecordedPacket | None:
    """A packet line written by something other than our writer (spacing, key order, case)."""
    t, char, hexstr = record.get("t_ns"), record.get("char"), record.get("hex")
    if not (_is_int(t) and 0 <= t < 2**63 and isinstance(char, str) and isinstance(hexstr, str)):
        return None
    try:
        payload = bytes.fromhex(hexstr)
    except ValueError:
        return None
    return RecordedPacket(t, char.lower(), payload)


class _Columns(NamedTuple):
    t_ns: np.ndarray
    char_index: np.ndarray
    chars: tuple[str, ...]
    payloads: bytes
    offsets: np.ndarray
    reordered: bool
    repeats: int


class _PacketColumns:
    """Packets gathered block by block (fast rows) and line by line, put in time order once."""

    def __init__(self) -> None:
        self._chars: dict[str, int] = {}
        self._lines: list[np.ndarray] = []
        self._t: list[np.ndarray] = []
        self._char: list[np.ndarray] = []
        self._size: list[np.ndarray] = []
        self._bytes: list[np.ndarray] = []
        self._single: list[tuple[int, RecordedPacket]] = []

    def add_rows(self, lines: np.ndarray, t_ns: np.ndarray, char: str, payload: np.ndarray) -> None:
        n, size = payload.shape
        self._lines.append(lines)
        self._t.append(t_ns)
        self._char.append(np.full(n, self._chars.setdefault(char, len(self._chars)), np.int16))
        self._size.append(np.full(n, size, np.int64))
        self._bytes.append(payload.ravel())

    def add(self, line: int, packet: RecordedPacket) -> None:
        self._single.append((line, packet))

    def goes_back_after(self, line: int) -> bool:
        """Whether the first packet after ``line`` is no later than the last one before it."""
        self._flush_single()
        lines = np.concatenate([np.zeros(0, np.int64), *self._lines])
        t = np.concatenate([np.zeros(0, np.int64), *self._t])
        before, after = lines < line, lines > line
        if not before.any() or not after.any():
            return False
        first_after = t[after][np.argmin(lines[after])]
        return bool(first_after <= t[before].max())

    def _flush_single(self) -> None:
        """Move the packets added one by one into the columns."""
        if self._single:
            lines, packets = zip(*self._single, strict=True)
            self._lines.append(np.array(lines, np.int64))
            self._t.append(np.array([p.t_ns for p in packets], np.int64))
            self._char.append(
                np.array([self._chars.setdefault(p.char, len(self._chars)) for p in packets])
            )
            self._size.append(np.array([len(p.payload) for p in packets], np.int64))
            self._bytes.append(np.frombuffer(b"".join(p.payload for p in packets), np.uint8))
            self._single = []

    def in_time_order(self, before_line: int | None = None) -> _Columns:
        """The packets (those on lines before ``before_line`` if given) in time order."""
        self._flush_single()
        lines = np.concatenate([np.zeros(0, np.int64), *self._lines])
        t = np.concatenate([np.zeros(0, np.int64), *self._t])
        char = np.concatenate([np.zeros(0, np.int16), *self._char]).astype(np.int16)
        size = np.concatenate([np.zeros(0, np.int64), *self._size])
        flat = np.concatenate([np.zeros(0, np.uint8), *self._bytes])
        order = np.argsort(lines, kind="stable")
        if before_line is not None:
            order = order[lines[order] < before_line]
        reordered = bool(np.any(np.diff(t[order]) < 0))
        if reordered:
            order = order[np.argsort(t[order], kind="stable")]
        starts = np.zeros(t.size, np.int64)
        np.cumsum(size[:-1], out=starts[1:])
        n_in = order.size
        order = _without_repeats(order, t, char, starts, size, flat)
        offsets = np.zeros(order.size + 1, np.int64)
        np.cumsum(size[order], out=offsets[1:])
        if np.array_equal(order, np.arange(t.size)):
            payloads = flat.tobytes()
        else:
            gather = np.repeat(starts[order] - offsets[:-1], size[order]) + np.arange(offsets[-1])
            payloads = flat[gather].tobytes()
        return _Columns(
            t[order], char[order], tuple(self._chars), payloads, offsets, reordered,
            n_in - order.size,
        )


def _without_repeats(
    order: np.ndarray, t: np.ndarray, char: np.ndarray, starts: np.ndarray, size: np.ndarray,
    flat: np.ndarray,
) -> np.ndarray:
    """``order`` (packets in time order) without exact repeats: the same time, characteristic
    and bytes as an earlier packet (a block of lines copied twice). Only packets that share
    their time with another are compared."""
    ts = t[order]
    same = ts[1:] == ts[:-1]
    if not same.any():
        return order
    seen: set[tuple[int, bytes]] = set()
    drop: list[int] = []
    group_t = None
    for i in np.flatnonzero(np.r_[same, False] | np.r_[False, same]).tolist():
        k = int(order[i])
        if ts[i] != group_t:
            seen, group_t = set(), ts[i]
        key = (int(char[k]), flat[starts[k] : starts[k] + size[k]].tobytes())
        if key in seen:
            drop.append(i)
        seen.add(key)
    return np.delete(order, drop)
