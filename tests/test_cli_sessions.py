"""Sessions as scripts run them: the headless stream's end, recordings and profiles as users
produce them (CLI.md)."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sensorhold.cli import main

RECORDINGS = Path(__file__).parents[1] / "recordings"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_headless_session_stopped_by_a_signal_still_ends_with_its_summary(
    signum: signal.Signals,
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sensorhold", "demo", "--headless", "--duration", "30",
         "--no-record"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    assert json.loads(proc.stdout.readline())  # the session is under way
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, err
    assert json.loads(out.splitlines()[-1])["type"] == "summary"
    assert "Traceback" not in err


def test_a_session_that_never_connected_names_no_recording(tmp_path: Path) -> None:
    """Stopped before the sensor connected: the empty recording is deleted, so the summary must
    not point to it."""
    record = tmp_path / "r.sensorhold.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "sensorhold", "demo", "--headless", "--duration", "0.01",
         "--record", str(record)], capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.splitlines()[-1])
    assert summary["type"] == "summary" and summary["packets"] == 0
    assert summary["recording"] is None and not record.exists()


def test_a_long_user_name_gets_a_profile_it_can_read_back(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--user`` of 300 letters: the profile's file name was too long for the file system
    (OSError traceback). Two such names that differ only at the end keep their own profiles."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    cal = str(RECORDINGS / "calibration_stage3.sensorhold.jsonl")
    long_a, long_b = "a" * 300, "a" * 299 + "b"
    assert main(["calibrate", "--from", cal, "--user", long_a]) == 0
    assert main(["calibrate", "--from", cal, "--user", long_b, "--stage3"]) == 0
    csv = tmp_path / "cal.csv"
    assert main(["export", cal, "--csv", str(csv)]) == 0
    capsys.readouterr()
    for user, stage3 in ((long_a, False), (long_b, True)):
        assert main(["analyze", str(csv), "--json", "--user", user]) == 0
        assert json.loads(capsys.readouterr().out)["stage3_allowed"] is stage3


def test_a_recording_without_packets_or_gzipped_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A header-only recording: analyze refused it, replay printed an empty summary, exit 0.
    A gzipped one is named as such (was 'binary data')."""
    lines = (RECORDINGS / "demo_session.sensorhold.jsonl").read_bytes().splitlines(True)
    header_only, packed = tmp_path / "h.sensorhold.jsonl", tmp_path / "r.sensorhold.jsonl.gz"
    header_only.write_bytes(lines[0])
    packed.write_bytes(gzip.compress(b"".join(lines)))
    for command, path, message in (
        ("replay", header_only, "no IMU samples"), ("analyze", packed, "gunzip"),
        ("replay", packed, "gunzip"),
    ):
        headless = ["--headless"] if command == "replay" else []
        assert main([command, str(path), *headless]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error:") and message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("rate", [5, 200])
def test_a_header_with_a_wrong_rate_is_read_at_the_rate_samples_arrived(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, rate: float
) -> None:
    """An untimed sensor's sample times rest on the header's rate: 5 Hz for a 50 Hz WitMotion
    gave one 122 s hold for four, 200 Hz 259 gaps (1e9 Hz ran for minutes). Now the arrival
    rate, with a warning, in analyze and replay alike."""
    source = RECORDINGS / "demo_session.sensorhold.jsonl"
    header, *rest = source.read_text().splitlines(True)
    damaged = tmp_path / "r.sensorhold.jsonl"
    damaged.write_text(json.dumps({**json.loads(header), "rate_hz": rate}) + "\n" + "".join(rest))
    results = []
    for path in (source, damaged):
        assert main(["analyze", str(path), "--json"]) == 0
        out, err = capsys.readouterr()
        results.append((json.loads(out)["holds"], err))
    (holds, err), (damaged_holds, damaged_err) = results
    assert len(holds) == 4 and damaged_holds == holds
    assert "arrived" not in err and "arrived at 50.0 Hz" in damaged_err
    assert main(["replay", str(damaged), "--headless", "--speed", "1000"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.splitlines()[-1])["holds"] == holds and "arrived at 50.0 Hz" in err


def test_a_header_naming_another_model_or_a_broken_calibration_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """WitMotion packets under a MetaMotion header: 'holds no IMU samples' (analyze) or an empty
    summary, exit 0 (replay). A broken calibration in the header: the way out is --profile."""
    header, *rest = (RECORDINGS / "demo_session.sensorhold.jsonl").read_text().splitlines(True)
    other, broken = json.loads(header), json.loads(header)
    other["sensor"]["model"] = "metamotion"
    broken["calibration"]["stage_angles_deg"]["2"] = -5.0
    for name, data, message in (("other", other, "sensor model in its header"),
                                ("broken", broken, "or pass --profile")):
        path = tmp_path / f"{name}.sensorhold.jsonl"
        path.write_text(json.dumps(data) + "\n" + "".join(rest))
        for args in (["analyze", str(path)], ["replay", str(path), "--headless"]):
            assert main(args) == 1
            err = capsys.readouterr().err
            lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
            assert len(lines) == 1 and message in lines[0], err


def test_a_profile_from_another_sensor_model_is_warned_about(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    recording = str(RECORDINGS / "demo_session.sensorhold.jsonl")  # a WitMotion's
    header = json.loads((RECORDINGS / "demo_session.sensorhold.jsonl").open().readline())
    for model, warned in (("metamotion", True), ("witmotion", False)):
        profile = tmp_path / f"{model}.json"
        profile.write_text(json.dumps({**header["calibration"], "sensor_model": model}))
        for args in (["analyze", recording], ["replay", recording, "--headless", "--speed", "1e3"]):
            assert main([*args, "--profile", str(profile)]) == 0
            assert ("made with a MbientLab" in capsys.readouterr().err) is warned


def test_calibrate_prints_prone_as_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The fit puts prone a hair below zero on this recording: it was printed '-0.0°'."""
    cal = str(RECORDINGS / "calibration_stage3.sensorhold.jsonl")
    assert main(["calibrate", "--from", cal, "--profile", str(tmp_path / "p.json")]) == 0
    err = capsys.readouterr().err
    assert "stage 1: 0.0°" in err and "-0.0" not in err


def test_the_demo_profile_names_the_emulated_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The demo's built-in profile said sensor_model 'WT901BLE', no model `demo --list-sensors`
    names, so `live --profile` with it said to recalibrate."""
    assert main(["demo", "--list-sensors"]) == 0
    models = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    record, profile = tmp_path / "r.sensorhold.jsonl", tmp_path / "p.json"
    assert main(["demo", "--sensor", "metamotion", "--headless", "--duration", "2",
                 "--record", str(record)]) == 0
    calibration = json.loads(record.open().readline())["calibration"]
    assert calibration["sensor_model"] == "metamotion" and "metamotion" in models
    profile.write_text(json.dumps(calibration))
    capsys.readouterr()
    main(["live", "--profile", str(profile), "--headless", "--duration", "0.1",
          "--address", "00:00:00:00:00:00"])  # no Bluetooth here: an error, not the profile's
    assert "recalibrate" not in capsys.readouterr().err
    assert main(["analyze", str(record), "--profile", str(profile)]) == 0
    assert "warning" not in capsys.readouterr().err
