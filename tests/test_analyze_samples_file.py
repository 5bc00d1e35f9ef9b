"""``analyze --samples``: the file is what ``csv.writer`` writes a row at a time (CRLF ends, a NaN
as an empty field), written in blocks of formatted lines."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from sensorhold import commands
from sensorhold.analysis import SAMPLE_COLUMNS


def csv_writer_rows(path: Path, rows: np.ndarray) -> None:
    """The writer before blocks: csv.writer, one value formatted at a time."""
    fmt = ("%.4f", "%.3f", "%d", "%d", "%.2f", "%d")
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(SAMPLE_COLUMNS)
        for row in rows:
            w.writerow([f % v if v == v else "" for f, v in zip(fmt, row, strict=True)])


@pytest.mark.parametrize("nan_rows", [(), (0,), (5, 6, 700), tuple(range(300))])
def test_samples_file_is_what_csv_writer_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nan_rows: tuple[int, ...]
) -> None:
    monkeypatch.setattr(commands, "_SAMPLE_BLOCK", 256)  # several blocks, NaN in some only
    rng = np.random.default_rng(len(nan_rows))
    n = 1000
    rows = np.column_stack(
        (
            1e4 + np.arange(n) / 100,
            rng.uniform(-180, 180, n),
            rng.integers(0, 4, n),
            rng.integers(0, 2, n),
            rng.uniform(0, 1e5, n),
            rng.integers(0, 4, n),
        )
    ).astype(float)
    rows[[1, 2], 1] = (-0.0004, 0.00049999)  # '-0.000', '0.000'
    rows[list(nan_rows), 1] = np.nan
    rows[list(nan_rows)[:3], 4] = np.nan
    expected, got = tmp_path / "expected.csv", tmp_path / "got.csv"
    csv_writer_rows(expected, rows)
    commands._write_samples(got, SAMPLE_COLUMNS, rows)
    assert got.read_bytes() == expected.read_bytes()
