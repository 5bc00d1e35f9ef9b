"""CSV times that repeat or step back a little keep their rows, in file order."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sensorhold.recording.csv_input import read_csv

HEADER = "t,ax,ay,az,gx,gy,gz\n"


def _write(path: Path, t: np.ndarray, gz: np.ndarray) -> Path:
    pairs = zip(t.tolist(), gz.tolist(), strict=True)
    rows = "".join(f"{ti!r},0,0,1,0,0,{g!r}\n" for ti, g in pairs)
    path.write_text(HEADER + rows)
    return path


def test_samples_sharing_a_receive_time_are_all_kept(tmp_path: Path) -> None:
    """An app that stamps each notification's receive time: 4 samples a time (50 Hz)."""
    true_t = 10.0 + np.arange(400) / 50
    stamped = true_t[np.arange(400) // 4 * 4 + 3] + 0.004
    warnings: list[str] = []
    t, _, gyr = read_csv(_write(tmp_path / "in.csv", stamped, np.arange(400.0)), warnings)
    assert gyr[:, 2].tolist() == list(range(400))  # every row, in file order
    assert np.all(np.diff(t) > 0)
    assert np.max(np.abs(t - true_t)) < 0.07  # within the 4 samples of one notification
    assert np.allclose(np.diff(t), 0.02)
    assert len(warnings) == 1 and "300 rows have a time that does not increase" in warnings[0]


def test_jittered_times_keep_file_order(tmp_path: Path) -> None:
    stamped = np.array([0.0, 0.01, 0.025, 0.02, 0.04, 0.05, 0.049, 0.048, 0.07, 0.069])
    t, _, gyr = read_csv(_write(tmp_path / "in.csv", stamped, np.arange(10.0)))
    assert gyr[:, 2].tolist() == list(range(10))
    # between the neighbours on time; after the last, the median time per row (0.01 s)
    expected = [0, 0.01, 0.025, 0.0325, 0.04, 0.05, 0.05667, 0.06333, 0.07, 0.08]
    np.testing.assert_allclose(t, expected, atol=1e-5)


def test_a_frozen_clock_is_still_refused(tmp_path: Path) -> None:
    """No time step at all to go by: the rows after the first are skipped, as before."""
    warnings: list[str] = []
    t, _, _ = read_csv(_write(tmp_path / "in.csv", np.full(5, 3.0), np.arange(5.0)), warnings)
    assert t.tolist() == [3.0] and warnings[0] == "line 3: time does not increase, skipped"
