"""CSV input (``t,ax,ay,az,gx,gy,gz``: s, g, deg/s): fast for clean files, tolerant of damage.

Whole-line blocks of a few MB go through Arrow's CSV parser at once (about four times faster than
``np.loadtxt``, same numbers to the bit); only a block that has a bad row is parsed row by row.
Rows with the wrong number of fields, non-numbers or NaN/inf are skipped with a warning; times
that do not increase are mended (``csv_times``). Extra columns are allowed and ignored, and so
are ``#`` lines before the header, which may itself follow a ``#`` (as ``np.savetxt`` writes it).
Lines may end in LF, CRLF or CR alone.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np

from sensorhold.errors import InputError
from sensorhold.recording.bounded_lines import MAX_LINE, first_line, line_blocks
from sensorhold.recording.csv_times import in_time_order
from sensorhold.recording.damage_log import DamageLog

COLUMNS = ("t", "ax", "ay", "az", "gx", "gy", "gz")
UNIT_NAMES = ("t_s", "acc_x_g", "acc_y_g", "acc_z_g", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps")
"""The same columns as ``sensorhold export`` names them: its files read back as input."""
CSV_BLOCK = 8 << 20
MAX_ACC_G = 200.0
MAX_GYR_DPS = 10000.0
_FORMAT_HINT = "expected a CSV whose header has the columns t,ax,ay,az,gx,gy,gz (s, g, deg/s)"


def read_csv(
    path: str | Path, warnings: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(t (n,), acc (n, 3), gyr (n, 3))`` from a CSV; skipped rows are described in
    ``warnings`` (appended to) when given. Raises :class:`InputError` for a missing file, a wrong
    header or no usable rows."""
    path = Path(path)
    log = DamageLog()
    try:
        with path.open("rb") as f:
            cols, lines = _read(path, f, log)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a CSV; pass a file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e}); check the path") from None
    # Each check runs over the whole file first: a clean one is not filtered row by row.
    if not np.isfinite(cols).all():
        finite = np.isfinite(cols).all(axis=0)
        for line in lines[~finite].tolist():
            log.skip(line, "not a finite number")
        cols, lines = cols[:, finite], lines[finite]
    for bad, why in _implausible(cols):
        if bad.any():
            for line in lines[bad].tolist():
                log.skip(line, why)
            cols, lines = cols[:, ~bad], lines[~bad]
    if not (cols[0, 1:] > cols[0, :-1]).all():
        rows, lines = in_time_order(cols.T, lines, log)
        cols = rows.T
    if not cols.shape[1]:
        first = log.warnings()[0].removesuffix(", skipped") if log.skipped else ""
        damaged = f" ({log.skipped} damaged rows skipped), first {first}" if log.skipped else ""
        raise InputError(f"{path}: no data rows{damaged}; {_FORMAT_HINT}")
    if warnings is not None:
        warnings.extend(log.warnings())
    return cols[0].copy(), np.ascontiguousarray(cols[1:4].T), np.ascontiguousarray(cols[4:7].T)


def _implausible(cols: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """Rows no IMU on a person can produce: an accelerometer reading of exactly (0, 0, 0) (a
    zero-filled record: even in free fall noise leaves some), or beyond any sensor's range."""
    acc, gyr = cols[1:4], cols[4:7]
    zero = ~acc.any(axis=0)
    huge = ~zero & ((np.abs(acc) > MAX_ACC_G).any(axis=0) | (np.abs(gyr) > MAX_GYR_DPS).any(axis=0))
    return [
        (zero, "no accelerometer reading (0, 0, 0)"),
        (huge[~zero], f"beyond any sensor's range ({MAX_ACC_G:g} g, {MAX_GYR_DPS:g} deg/s)"),
    ]


def _read(path: Path, f: io.BufferedReader, log: DamageLog) -> tuple[np.ndarray, np.ndarray]:
    """Every row that parses as numbers, in file order, as columns (7, n) float64, and its line
    number."""
    source: BinaryIO = f
    start = f.peek(MAX_LINE)
    if b"\r" in start and b"\n" not in start:  # lines end in CR alone ('CSV (Macintosh)')
        source = io.BytesIO(f.read().replace(b"\r", b"\n"))
    head = first_line(line_blocks(source, block=CSV_BLOCK))
    comments = 0
    while head is not None and _is_comment(head.data):
        head, comments = first_line(head.rest), comments + 1
    if head is None:
        what = "has only '#' comment lines" if comments else "is empty"
        raise InputError(f"{path}: the file {what}; {_FORMAT_HINT}")
    columns, n_fields = _columns(path, head.data)
    parts: list[np.ndarray] = [np.zeros((len(COLUMNS), 0))]
    numbers: list[np.ndarray] = [np.zeros(0, np.int64)]
    for first, body, ended in head.rest:
        if body is None:
            log.skip(first, f"longer than {MAX_LINE // 1024} KiB")
            continue
        if b"\r" in body:
            body = body.replace(b"\r\n", b"\n")
        if not ended:
            body += b"\n"
        rows, lines = _parse_block(body, first, columns, n_fields, log)
        parts.append(rows)
        numbers.append(lines)
    if len(parts) == 2:
        return parts[1], numbers[1]
    return np.concatenate(parts, axis=1), np.concatenate(numbers)


def _columns(path: Path, header: bytes | None) -> tuple[list[int], int]:
    """Positions of ``t,ax,...,gz`` (or ``export``'s names for them) in the header line, and
    its number of fields."""
    line = _text(header or b"").removeprefix("#")
    names = [_ALIASES.get(n, n) for n in (n.strip().strip('"').lower() for n in line.split(","))]
    missing = [c for c in COLUMNS if c not in names]
    if header is None or missing:
        shown = ",".join(names)[:60] if header is not None else "a very long line"
        raise InputError(f"{path}: not a sensorhold CSV (header {shown!r}); {_hint(line)}")
    return [names.index(c) for c in COLUMNS], len(names)


_ALIASES = dict(zip(UNIT_NAMES, COLUMNS, strict=True))


def _text(line: bytes) -> str:
    return line.decode("utf-8", "replace").lstrip("\ufeff").strip()


def _is_comment(line: bytes | None) -> bool:
    """A ``#`` line before the header (an app's notes), unless it is the header itself behind
    a ``#`` (as ``np.savetxt`` writes one)."""
    text = _text(line or b"")
    if not text.startswith("#"):
        return False
    names = {n.strip().strip('"').lower() for n in text[1:].split(",")}
    return not all(c in names or a in names for c, a in zip(COLUMNS, UNIT_NAMES, strict=True))


def _hint(header: str) -> str:
    """What to do about a header without the columns: a foreign separator is named."""
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if all(c in header.lower().split(sep) for c in COLUMNS):
            return (f"its fields are separated by {name}: save it with commas between fields "
                    "and '.' as the decimal point")
    return _FORMAT_HINT


def _parse_block(
    body: bytes, first: int, columns: list[int], n_fields: int, log: DamageLog
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``body`` (whole lines from line ``first``) as columns (7, n), and their line
    numbers.

    Arrow rejects a row whose field count differs from the header's and skips empty lines (so
    the row count no longer matches): either sends the block down the row-by-row path, which
    says what was wrong where.
    """
    import pyarrow as pa
    from pyarrow import csv

    n_lines = body.count(b"\n")
    names = [f"c{k}" for k in range(n_fields)]
    try:
        table = csv.read_csv(
            io.BytesIO(body),
            read_options=csv.ReadOptions(column_names=names, use_threads=True),
            parse_options=csv.ParseOptions(quote_char=False),
            convert_options=_convert(tuple(names[c] for c in columns)),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    else:
        if table.num_rows == n_lines:
            cols = np.stack([col.to_numpy() for col in table.columns])
            return cols.reshape(len(COLUMNS), -1), np.arange(first, first + n_lines)
    rows, lines = _parse_rows(body.split(b"\n")[:-1], first, columns, n_fields, log)
    return np.ascontiguousarray(rows.T), lines


@lru_cache(maxsize=8)
def _convert(include: tuple[str, ...]) -> object:
    import pyarrow as pa
    from pyarrow import csv

    return csv.ConvertOptions(
        column_types=dict.fromkeys(include, pa.float64()), include_columns=list(include),
        strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[],
    )


def _parse_rows(
    lines: list[bytes], first: int, columns: list[int], n_fields: int, log: DamageLog
) -> tuple[np.ndarray, np.ndarray]:
    """The slow path for a block with a bad row: one row at a time."""
    rows: list[list[float]] = []
    kept: list[int] = []
    for number, line in enumerate(lines, first):
        fields = line.replace(b'"', b"").split(b",")  # a spreadsheet may quote every field
        if len(fields) != n_fields:
            if line.strip():
                log.skip(number, f"{len(fields)} fields instead of {n_fields}")
            continue
        try:
            rows.append([float(fields[c]) for c in columns])
        except ValueError:
            log.skip(number, "not a number")
            continue
        kept.append(number)
    return np.array(rows, np.float64).reshape(-1, len(COLUMNS)), np.array(kept, np.int64)
