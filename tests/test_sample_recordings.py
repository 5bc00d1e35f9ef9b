"""The shipped sample recordings, whole and damaged, through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
SESSION = RECORDINGS / "demo_session.sensorhold.jsonl"
CALIBRATION = RECORDINGS / "calibration_stage3.sensorhold.jsonl"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sensorhold", *args], capture_output=True, text=True, timeout=120
    )


def holds_of(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["holds"]


def test_calibrate_from_the_sample_then_analyze_the_session(tmp_path: Path) -> None:
    profile = tmp_path / "me.json"
    proc = cli("calibrate", "--from", str(CALIBRATION), "--stage3", "--profile", str(profile))
    assert proc.returncode == 0, proc.stderr
    angles = json.loads(profile.read_text())["stage_angles_deg"]
    # The emulated person: forearms 18 deg, hands 32 deg (motion.body.Person defaults).
    assert abs(angles["2"] - 18.0) < 2.0 and abs(angles["3"] - 32.0) < 2.0
    holds = holds_of(cli("analyze", str(SESSION), "--profile", str(profile), "--json"))
    assert [h["stage"] for h in holds] == [1, 2, 3, 1]
    assert holds[1]["unstable_s"] > 1.0  # the wobble on the forearms
    assert all(h["unstable_s"] < 0.5 for h in (holds[0], holds[2]))


def test_export_has_units_in_the_header(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    proc = cli("export", str(SESSION), "--csv", str(out))
    assert proc.returncode == 0, proc.stderr
    header, *rows = out.read_text().splitlines()
    assert header.startswith("t_s,acc_x_g,acc_y_g,acc_z_g,gyr_x_dps")
    assert len(rows) > 6000


def _damaged(tmp_path: Path, mutate) -> Path:
    lines = SESSION.read_bytes().splitlines(keepends=True)
    path = tmp_path / "damaged.sensorhold.jsonl"
    path.write_bytes(b"".join(mutate(lines)))
    return path


def test_truncated_and_garbled_recordings_are_analysed_with_warnings(tmp_path: Path) -> None:
    whole = holds_of(cli("analyze", str(SESSION), "--json"))

    def damage(lines: list[bytes]) -> list[bytes]:
        mid = len(lines) // 2
        return [*lines[:mid], b"\x00\xff garbage \x13\n", *lines[mid:-1], lines[-1][:17]]

    proc = cli("analyze", str(_damaged(tmp_path, damage)), "--json")
    assert "warning:" in proc.stderr and "Traceback" not in proc.stderr
    assert [h["stage"] for h in holds_of(proc)] == [h["stage"] for h in whole]


@pytest.mark.parametrize(("mutate", "says"), [
    (lambda lines: lines[1:], "header"),
    (lambda lines: [lines[0].replace(b'"version":1', b'"version":99'), *lines[1:]], "newer"),
    (lambda lines: [lines[0].replace(b'"model":"witmotion"', b'"model":"acme"'), *lines[1:]],
     "acme"),
    (lambda lines: [], "empty"),
])
def test_unreadable_recordings_get_one_error_line(tmp_path: Path, mutate, says: str) -> None:
    proc = cli("analyze", str(_damaged(tmp_path, mutate)), "--json")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and says in errors[0].lower(), proc.stderr
