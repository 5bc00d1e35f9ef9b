"""The command line as users and scripts drive it (CLI.md): real subprocesses, real files."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sensorhold.motion.body import Person
from sensorhold.motion.exercise_scripts import calibration_script, demo_script
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.session import simulate_session, to_csv


def run_cli(
    *args: str, timeout: float = 120, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["HOME"] = str(home)
        env["XDG_DATA_HOME"] = str(home / "data")
    return subprocess.run(
        [sys.executable, "-m", "sensorhold", *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )


def assert_one_error_line(proc: subprocess.CompletedProcess[str], status: int = 1) -> str:
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_demo_headless_streams_angles_from_the_emulated_sensor() -> None:
    proc = run_cli("demo", "--headless", "--duration", "6", "--no-record")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    status = [r for r in records if r["type"] == "status"]
    assert len(status) >= 6  # at least one a second
    gaps = [b["t"] - a["t"] for a, b in itertools.pairwise(status)]
    assert max(gaps) <= 1.0
    angles = [s["angle_deg"] for s in status if s["angle_deg"] is not None]
    assert angles, "no angle reached the status lines"
    # The demo starts standing: the trunk is near vertical, about 90 degrees from prone lying.
    assert 60 < angles[-1] < 120
    assert any(r.get("event") == "connected" for r in records)
    summary = records[-1]
    assert summary["type"] == "summary" and summary["packets"] > 100
    assert summary["malformed"] == 0
    assert 5.5 <= summary["duration_s"] <= 6.1  # stopped 6 s into the session, as its clock says


def test_demo_lists_its_sensors() -> None:
    proc = run_cli("demo", "--list-sensors")
    assert proc.returncode == 0
    models = [line.split()[0] for line in proc.stdout.splitlines()]
    assert "witmotion" in models


def test_usage_errors_exit_2() -> None:
    proc = run_cli("demo", "--inject", "meteor@3")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [
    ("analyze", "missing.csv", "--json"),
    ("demo", "--sensor", "nosuchsensor", "--headless", "--duration", "1"),
])
def test_bad_input_is_one_error_line(args: tuple[str, ...], tmp_path: Path) -> None:
    assert_one_error_line(run_cli(*args, home=tmp_path))


def test_broken_profile_is_one_error_line(tmp_path: Path) -> None:
    broken = tmp_path / "p.json"
    broken.write_text("{not json")
    csv = tmp_path / "s.csv"
    csv.write_text("t,ax,ay,az,gx,gy,gz\n0,0,0,1,0,0,0\n0.01,0,0,1,0,0,0\n")
    line = assert_one_error_line(run_cli("analyze", str(csv), "--profile", str(broken)))
    assert "p.json" in line


@pytest.fixture(scope="module")
def person_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A calibration and an exercise session of one (non-default) person, as CSV."""
    d = tmp_path_factory.mktemp("person")
    rng = np.random.default_rng(11)
    person = Person(stage2_deg=14.0, stage3_deg=36.0)
    mounting = Mounting.random(rng)
    cal = simulate_session(calibration_script(True), person, mounting=mounting, rate_hz=100, seed=3)
    ses = simulate_session(demo_script(), person, mounting=mounting, rate_hz=100, seed=4, t0_s=50)
    to_csv(cal, d / "cal.csv")
    to_csv(ses, d / "session.csv")
    (d / "truth.json").write_text(json.dumps(ses.truth_summary()))
    return d


def test_calibrate_from_csv_then_analyze_finds_the_true_holds(person_files: Path) -> None:
    profile = person_files / "me.json"
    proc = run_cli("calibrate", "--from", str(person_files / "cal.csv"), "--stage3",
                   "--profile", str(profile))
    assert proc.returncode == 0, proc.stderr
    saved = json.loads(profile.read_text())
    assert saved["stage3_allowed"] is True
    samples = person_files / "samples.csv"
    proc = run_cli("analyze", str(person_files / "session.csv"), "--profile", str(profile),
                   "--json", "--samples", str(samples))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    truth = json.loads((person_files / "truth.json").read_text())
    assert [h["stage"] for h in result["holds"]] == [h["stage"] for h in truth["holds"]]
    for got, want in zip(result["holds"], truth["holds"], strict=True):
        assert abs(got["duration_s"] - want["duration_s"]) < 1.0
        assert abs(got["mean_angle_deg"] - want["mean_angle_deg"]) < 1.5
    assert samples.read_text().startswith("t,angle_deg,stage")


def test_calibrate_refuses_to_overwrite_a_broken_profile(person_files: Path) -> None:
    broken = person_files / "broken.json"
    broken.write_text("{oops")
    proc = run_cli("calibrate", "--from", str(person_files / "cal.csv"), "--profile", str(broken))
    assert_one_error_line(proc)
    assert broken.read_text() == "{oops"


def test_analyze_ends_holds_at_long_gaps_in_a_csv(person_files: Path, tmp_path: Path) -> None:
    """The session CSV with 25 s cut from the first lie into the forearms hold and a day between
    two samples of the last lie: no hold spans a gap (the day made one 86,415 s long; the cut
    merged the lie and the forearms hold's seen part into one), the forearms hold after the cut
    is found, and each of the last lie's halves counts only its own time."""
    profile = tmp_path / "me.json"
    proc = run_cli("calibrate", "--from", str(person_files / "cal.csv"), "--stage3",
                   "--profile", str(profile))
    assert proc.returncode == 0, proc.stderr
    header, *rows = (person_files / "session.csv").read_text().splitlines()
    out = [header]
    for row in rows:
        t, rest = row.split(",", 1)
        if not 75.0 <= float(t) < 100.0:
            out.append(row if float(t) < 145.0 else f"{float(t) + 86400.0:.6f},{rest}")
    gappy = tmp_path / "gappy.csv"
    gappy.write_text("\n".join(out) + "\n")
    proc = run_cli("analyze", str(gappy), "--profile", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    got = [(h["stage"], h["start_s"], h["end_s"]) for h in json.loads(proc.stdout)["holds"]]
    want = [(1, 64.5, 75.0), (2, 100.0, 117.0), (3, 120.0, 135.0), (1, 138.0, 145.0),
            (1, 86545.0, 86558.0)]
    assert [g[0] for g in got] == [w[0] for w in want], got
    for (_, a, b), (_, wa, wb) in zip(got, want, strict=True):
        assert abs(a - wa) < 1.0 and abs(b - wb) < 1.0, got
