"""CSV input: the CLI.md columns, extra columns, damaged rows, wrong headers."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorhold.errors import InputError
from sensorhold.recording.csv_input import read_csv

HEADER = "t,ax,ay,az,gx,gy,gz\n"


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_clean_csv_with_offset_time_and_gaps(tmp_path: Path) -> None:
    t = np.r_[100.0 + np.arange(50) / 50, 102.5 + np.arange(50) / 50]
    rng = np.random.default_rng(1)
    acc, gyr = rng.normal(size=(100, 3)), rng.normal(size=(100, 3)) * 40
    rows = "".join(
        ",".join(repr(float(v)) for v in (ti, *a, *g)) + "\n"
        for ti, a, g in zip(t, acc, gyr, strict=True)
    )
    warnings: list[str] = []
    got = read_csv(write(tmp_path, HEADER + rows), warnings)
    assert warnings == []
    np.testing.assert_array_equal(got[0], t)
    np.testing.assert_array_equal(got[1], acc)
    np.testing.assert_array_equal(got[2], gyr)
    assert got[1].flags.c_contiguous and got[2].shape == (100, 3)


def test_extra_and_reordered_columns_crlf_and_bom(tmp_path: Path) -> None:
    text = "\ufeffnote, gx,gy,gz,t,ax,ay,az\r\nhello,4,5,6,0.0,1,2,3\r\n,40,50,60,0.1,10,20,30\r\n"
    t, acc, gyr = read_csv(write(tmp_path, text))
    assert t.tolist() == [0.0, 0.1]
    assert acc.tolist() == [[1, 2, 3], [10, 20, 30]]
    assert gyr.tolist() == [[4, 5, 6], [40, 50, 60]]


def test_damaged_rows_are_skipped_with_warnings(tmp_path: Path) -> None:
    text = HEADER + (
        "0.00,0,0,1,0,0,0\n"  # line 2
        "0.01,0,0,1,0,0\n"  # 3: six fields
        "0.02,0,0,x,0,0,0\n"  # 4: not a number
        "0.03,0,0,nan,0,0,0\n"  # 5: NaN
        "0.04,0,0,1,0,0,0,9\n"  # 6: eight fields
        "\n"  # 7: blank, silently
        "0.05,0,0,1,0,0,0\n"  # 8
        "0.05,0,0,1,0,0,0\n"  # 9: a repeat of line 8
        "-1.96,0,0,1,0,0,0\n"  # 10: time goes back 2 s
        "2.07,0,0,1,0,0,0"  # 11: no final newline
    )
    warnings: list[str] = []
    t, _, _ = read_csv(write(tmp_path, text), warnings)
    assert t.tolist() == [0.0, 0.05, 2.07]
    assert warnings == [
        "line 3: 6 fields instead of 7, skipped",
        "line 4: not a number, skipped",
        "line 6: 8 fields instead of 7, skipped",
        "line 5: not a finite number, skipped",
        "1 rows repeat the row before them exactly (first line 9); the repeats are skipped",
        "line 10: time goes back more than 1 s, skipped",
    ]


def test_damage_in_one_block_does_not_lose_the_others(tmp_path: Path) -> None:
    n = 60_000
    lines = [f"{i / 100:.2f},0,0,1,0,0,{i % 1000}\n" for i in range(n)]
    lines[40_000] = "garbage\n"
    warnings: list[str] = []
    t, _, gyr = read_csv(write(tmp_path, HEADER + "".join(lines)), warnings)
    assert t.size == n - 1 and gyr[-1, 2] == (n - 1) % 1000
    assert warnings == ["line 40002: 1 fields instead of 7, skipped"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("time,x,y,z\n0,1,2,3\n", "not a sensorhold CSV (header 'time,x,y,z')"),
        ("t,ax,ay,az,gx,gy\n0,0,0,1,0,0\n", "not a sensorhold CSV"),
        (HEADER, "no data rows; expected a CSV"),
        (HEADER + "a,b,c,d,e,f,g\n", "no data rows (1 damaged rows skipped)"),
        (b"t,ax,ay,az,gx,gy,gz\n\xff\xfe\x00\x01,0,0,0,0,0,0\n", "no data rows (1 damaged"),
    ],
)
def test_unusable_csv_is_one_clear_error(tmp_path: Path, text: str | bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_csv(write(tmp_path, text))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_csv(tmp_path / "none.csv")


_FORMATS = (repr, "{:.3f}".format, "{:.6e}".format, "{:+.2E}".format, "{:g}".format)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(
    st.lists(st.floats(-150, 150), min_size=6, max_size=6).filter(
        lambda v: any(abs(x) >= 0.01 for x in v[:3])  # an accelerometer that reads something
    ),
    st.integers(0, len(_FORMATS) - 1),
), min_size=1, max_size=60))
def test_numbers_read_exactly_as_python_reads_them(rows: list[tuple[list[float], int]]) -> None:
    """Whatever the number format, a clean file (readings a sensor can give) reads to the same
    doubles as ``float()``."""
    lines, want = [], []
    for k, (values, f) in enumerate(rows):
        fields = [repr(float(k)), *(_FORMATS[f](v) for v in values)]
        lines.append(",".join(fields))
        want.append([float(x) for x in fields])
    with tempfile.TemporaryDirectory() as tmp:
        got = read_csv(write(Path(tmp), HEADER + "\n".join(lines) + "\n"))
    np.testing.assert_array_equal(np.column_stack(got), np.array(want))


def test_rows_no_sensor_can_produce_are_skipped(tmp_path: Path) -> None:
    rows = [f"{k / 50},0,0,1,0,0,0" for k in range(6)]
    rows[2] = "0.04,0,0,0,1,2,3"  # a zero-filled accelerometer
    rows[4] = "0.08,0,0,1,1e9,0,0"  # an absurd rate
    warnings: list[str] = []
    t, acc, _ = read_csv(write(tmp_path, HEADER + "\n".join(rows) + "\n"), warnings)
    assert t.tolist() == [0.0, 0.02, 0.06, 0.1] and acc.any(axis=1).all()
    assert warnings == [
        "line 4: no accelerometer reading (0, 0, 0), skipped",
        "line 6: beyond any sensor's range (200 g, 10000 deg/s), skipped",
    ]
