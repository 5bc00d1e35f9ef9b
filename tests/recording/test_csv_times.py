"""CSV times that repeat or step back keep their rows, in file order, on a fitted clock."""

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
    """An app that stamps each notification's receive time: 4 samples a time (50 Hz); the
    stamps lose 3 rows in 4 as 'time does not increase' no more."""
    true_t = 10.0 + np.arange(400) / 50
    stamped = true_t[np.arange(400) // 4 * 4 + 3] + 0.004
    warnings: list[str] = []
    t, _, gyr = read_csv(_write(tmp_path / "in.csv", stamped, np.arange(400.0)), warnings)
    assert gyr[:, 2].tolist() == list(range(400))  # every row, in file order
    np.testing.assert_allclose(np.diff(t), 0.02, rtol=1e-3)  # evenly, at the sample period
    delay = t - true_t  # constant, within one notification
    assert abs(np.median(delay)) < 0.08 and np.ptp(delay) < 0.001
    assert len(warnings) == 1 and "300 rows have a time that does not increase" in warnings[0]


def test_jittered_times_are_read_on_a_steady_clock(tmp_path: Path) -> None:
    """200 Hz stamps with 10 ms of jitter (a third step back) and 0.5 s of lost packets: the
    rows stay in order, 5 ms apart, and the loss stays a 0.5 s gap."""
    rng = np.random.default_rng(3)
    true_t = np.r_[np.arange(2000), np.arange(2100, 4000)] / 200
    stamped = true_t + rng.normal(0.0, 0.01, true_t.size)
    t, _, gyr = read_csv(_write(tmp_path / "in.csv", stamped, np.arange(true_t.size, dtype=float)))
    assert gyr[:, 2].tolist() == list(range(true_t.size))
    assert np.max(np.abs(t - true_t)) < 0.002
    assert np.all(np.diff(t) > 0)


def test_parts_in_the_wrong_order_are_put_in_time_order(tmp_path: Path) -> None:
    """A file whose second half (in time) comes first: that half was skipped as going back."""
    t_true = 100.0 + np.arange(600) / 50
    order = np.r_[np.arange(300, 600), np.arange(300)]
    warnings: list[str] = []
    t, _, gyr = read_csv(_write(tmp_path / "in.csv", t_true[order], order.astype(float)), warnings)
    assert t.tolist() == t_true.tolist() and gyr[:, 2].tolist() == list(range(600))
    assert warnings == [
        "the rows come in 2 parts out of time order (files joined the wrong way round?): line "
        "302 on comes first in time; the parts are used in time order"
    ]


def test_a_clock_that_restarts_keeps_the_first_run(tmp_path: Path) -> None:
    """Parts that overlap in time are no wrong order: the rows before the time is reached
    again are skipped, as before."""
    t_in = np.r_[np.arange(300), np.arange(200)] / 50
    warnings: list[str] = []
    t, _, _ = read_csv(_write(tmp_path / "in.csv", t_in, np.arange(500.0)), warnings)
    assert t.size == 300 and warnings[0] == "line 302: time goes back more than 1 s, skipped"


def test_a_frozen_clock_is_still_refused(tmp_path: Path) -> None:
    """No time step at all to go by: the rows after the first are skipped, as before."""
    warnings: list[str] = []
    t, _, _ = read_csv(_write(tmp_path / "in.csv", np.full(5, 3.0), np.arange(5.0)), warnings)
    assert t.tolist() == [3.0] and warnings[0] == "line 3: time does not increase, skipped"


def test_a_file_written_newest_first_is_read_in_time_order(tmp_path: Path) -> None:
    """An export that lists the newest sample first: every row but one was skipped as 'time
    does not increase' and the file refused as too short; now it is read the other way, with a
    note."""
    true_t = 3.0 + np.arange(500) / 100
    warnings: list[str] = []
    t, _, gyr = read_csv(_write(tmp_path / "in.csv", true_t[::-1], np.arange(500.0)[::-1]),
                         warnings)
    np.testing.assert_array_equal(t, true_t)
    assert gyr[:, 2].tolist() == list(range(500))
    assert any("newest first" in w for w in warnings)
