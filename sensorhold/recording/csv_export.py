"""``sensorhold export --csv``: one row per sample, units in the column names.

Angle, stage and stability come from the caller (the CLI runs the signal pipeline and passes its
per-sample output), so this module needs no signal code; without them those cells stay empty.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Protocol, TextIO

import numpy as np

from sensorhold.errors import UserError
from sensorhold.recording.csv_input import UNIT_NAMES
from sensorhold.recording.sensor_data import SensorData, load_input

EXPORT_COLUMNS = (*UNIT_NAMES, "angle_deg", "stage", "stable", "counter")
_ROWS_PER_WRITE = 50_000


class SampleOutputs(Protocol):
    """Per-sample signal outputs (``sensorhold.signal.pipeline.PipelineOutput`` fits)."""

    angle_deg: np.ndarray
    stage: np.ndarray
    stable: np.ndarray


def export_csv(
    source: str | Path | SensorData,
    out_path: str | Path,
    per_sample_outputs: SampleOutputs | None = None,
) -> int:
    """Write ``source`` (a recording or CSV path, or already loaded data) as CSV to
    ``out_path`` (atomically: a complete file or none). Returns the number of rows."""
    data = source if isinstance(source, SensorData) else load_input(source)
    n = len(data)
    outputs = per_sample_outputs
    if outputs is not None and not all(
        np.shape(a)[:1] == (n,) for a in (outputs.angle_deg, outputs.stage, outputs.stable)
    ):
        raise ValueError(f"per-sample outputs must have {n} rows, one per sample")
    counter = data.counter if data.counter is not None else np.full(n, -1)
    out = Path(out_path)
    if out.exists() and not out.is_file() and not out.is_dir():
        # A pipe, terminal or device (/dev/stdout): write into it; replacing it would swap the
        # device node itself for a file.
        try:
            with out.open("w", encoding="utf-8", newline="") as f:
                _write(f, data, outputs, counter)
        except OSError as e:
            raise UserError(f"cannot write {out}: {e.strerror or e}; choose another path") from None
        return n
    out = out.resolve() if out.is_symlink() else out  # replace the file a link points to
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            _write(f, data, outputs, counter)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise UserError(f"cannot write {out}: {e.strerror or e}; choose another path") from None
    return n


def _write(
    f: TextIO, data: SensorData, outputs: SampleOutputs | None, counter: np.ndarray
) -> None:
    f.write(",".join(EXPORT_COLUMNS) + "\n")
    for a in range(0, len(data), _ROWS_PER_WRITE):
        f.write(_rows(data, outputs, counter, slice(a, a + _ROWS_PER_WRITE)))


def _rows(data: SensorData, outputs: SampleOutputs | None, counter: np.ndarray, rows: slice) -> str:
    imu = np.column_stack((data.t[rows], data.acc[rows], data.gyr[rows])).tolist()
    if outputs is None:
        fmt = "%.4f,%.5f,%.5f,%.5f,%.3f,%.3f,%.3f,,,,%d\n"
        return "".join(fmt % (*r, c) for r, c in zip(imu, counter[rows].tolist(), strict=True))
    fmt = "%.4f,%.5f,%.5f,%.5f,%.3f,%.3f,%.3f,%.2f,%d,%d,%d\n"
    extra = zip(
        np.asarray(outputs.angle_deg[rows], float).tolist(),
        np.asarray(outputs.stage[rows], int).tolist(),
        np.asarray(outputs.stable[rows], int).tolist(),
        counter[rows].tolist(),
        strict=True,
    )
    return "".join(fmt % (*r, *e) for r, e in zip(imu, extra, strict=True))
