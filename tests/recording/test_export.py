"""export_csv: per-sample rows with units in the headers, signal outputs from the caller."""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sensorhold.errors import UserError
from sensorhold.recording.csv_export import EXPORT_COLUMNS, export_csv
from sensorhold.recording.csv_input import read_csv
from sensorhold.recording.sensor_data import load_input

Rec = tuple[Path, list[bytes]]


def test_export_without_outputs_reads_back_as_input(recording: Rec, tmp_path: Path) -> None:
    path, payloads = recording
    out = tmp_path / "out.csv"
    assert export_csv(path, out) == len(payloads)
    rows = list(csv.reader(out.open()))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert rows[1][7:10] == ["", "", ""] and rows[2][10] == "1"
    data = load_input(path)
    renamed = tmp_path / "renamed.csv"
    header, body = out.read_text().split("\n", 1)
    renamed.write_text("t,ax,ay,az,gx,gy,gz," + header.split(",", 7)[7] + "\n" + body)
    t, acc, gyr = read_csv(renamed)
    np.testing.assert_allclose(t, data.t, atol=5e-5)
    np.testing.assert_allclose(acc, data.acc, atol=5e-6)
    np.testing.assert_allclose(gyr, data.gyr, atol=5e-4)


def test_export_fills_signal_columns_from_the_caller(recording: Rec, tmp_path: Path) -> None:
    path, _ = recording
    data = load_input(path)
    n = len(data)
    outputs = SimpleNamespace(
        angle_deg=np.linspace(0, 30, n), stage=np.arange(n) % 4, stable=np.arange(n) % 2 == 0
    )
    out = tmp_path / "out.csv"
    export_csv(data, out, outputs)
    rows = list(csv.DictReader(out.open()))
    assert rows[-1]["angle_deg"] == "30.00" and rows[3]["stage"] == "3"
    assert [r["stable"] for r in rows[:3]] == ["1", "0", "1"]
    with pytest.raises(ValueError, match="one per sample"):
        export_csv(data, out, SimpleNamespace(angle_deg=np.zeros(3), stage=[], stable=[]))


def test_export_to_an_unwritable_place_is_a_user_error(recording: Rec, tmp_path: Path) -> None:
    path, _ = recording
    (tmp_path / "file").write_text("")
    with pytest.raises(UserError, match="cannot write"):
        export_csv(path, tmp_path / "file" / "out.csv")
    assert not list(tmp_path.glob(".*.tmp"))
