"""Sessions as scripts run them: the headless stream's end, recordings and profiles as users
produce them (CLI.md)."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import time
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
    for line in proc.stdout:  # the session is under way (status lines come from its start)
        if json.loads(line).get("event") == "connected":
            break
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


def _timed_lines(args: list[str], cpus: set[int] | None = None) -> list[tuple[float, dict]]:
    """``sensorhold ARGS``' JSON lines, each with the wall time it arrived (from the first)."""
    pin = None if cpus is None else lambda: os.sched_setaffinity(0, cpus)
    proc = subprocess.Popen([sys.executable, "-m", "sensorhold", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=pin)
    assert proc.stdout is not None
    lines = [(time.monotonic(), json.loads(line)) for line in proc.stdout]
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    return [(w - lines[0][0], r) for w, r in lines]


def _assert_status_from_the_start(lines: list[tuple[float, dict]], start_s: float) -> None:
    """A status at the session's start, and then at least once a second, of session time and
    of wall time (from the first line on)."""
    status = [(w, r) for w, r in lines if r["type"] == "status"]
    assert start_s <= status[0][1]["t"] <= start_s + 0.5, status[0]
    wall = [0.0, *(w for w, _ in status)]
    assert max(b - a for a, b in itertools.pairwise(wall)) <= 1.0
    assert max(b[1]["t"] - a[1]["t"] for a, b in itertools.pairwise(status)) <= 1.0


@pytest.mark.parametrize("burners", [0, 1])
def test_a_headless_demo_prints_status_from_its_start(burners: int) -> None:
    """The first line came ~1 s into the session (an event at t 1.0, then a status at t 1.2;
    9.4 s with four demos running): the emulator's Bumble was imported after the session clock
    started, and nothing was printed while it connected. With a busy loop on the same core too."""
    if burners and not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity here")
    cpu = {min(os.sched_getaffinity(0))} if burners else None
    burn = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                             preexec_fn=lambda: os.sched_setaffinity(0, cpu or set()))
            for _ in range(burners)]
    try:
        lines = _timed_lines(["demo", "--headless", "--duration", "2.5", "--no-record"], cpu)
    finally:
        for p in burn:
            p.kill()
            p.wait()
    _assert_status_from_the_start(lines, 0.0)
    first = lines[0][1]  # before connecting
    assert first["type"] == "status" and first["connected"] is False, first
    assert first["angle_deg"] is None and first["stage"] == 0
    assert any(r.get("event") == "connected" for _, r in lines)


def test_a_headless_replay_prints_status_from_its_first_sample(tmp_path: Path) -> None:
    """A CSV starting at t 100: the first status said t 0.0, the next t 100."""
    csv, profile = tmp_path / "r.csv", tmp_path / "p.json"
    source = RECORDINGS / "demo_session.sensorhold.jsonl"
    profile.write_text(json.dumps(json.loads(source.open().readline())["calibration"]))
    assert main(["export", str(source), "--csv", str(csv)]) == 0
    header, *rows = csv.read_text().splitlines()
    t = [float(row.split(",", 1)[0]) for row in rows]
    csv.write_text("\n".join([header, *(f"{100 + a:.4f},{row.split(',', 1)[1]}"
                                        for a, row in zip(t, rows, strict=True))]) + "\n")
    for path, first_s in ((source, t[0]), (csv, 100 + t[0])):
        lines = _timed_lines(["replay", str(path), "--headless", "--duration", "1.5",
                              "--profile", str(profile)])
        _assert_status_from_the_start(lines, first_s)


def test_a_headless_live_session_prints_status_while_it_looks_for_the_sensor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No sensor named or remembered: the scan ran before the session (nothing on stdout for
    up to --timeout, here no Bluetooth: no line at all); now within it, status lines first."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(
        json.loads((RECORDINGS / "demo_session.sensorhold.jsonl").open().readline())["calibration"]
        | {"sensor_model": "witmotion"}))
    main(["live", "--headless", "--profile", str(profile), "--timeout", "1", "--duration", "1"])
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first["type"] == "status" and first["connected"] is False and first["t"] < 0.5


def test_duration_counts_seconds_of_data_live_replay_and_analyze_alike(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The sensor off for the first 3 s: the live summary counted them (5.0 s, analyze and
    replay of its recording 1.7 s). `replay --duration S` stops after S s of data."""
    record = tmp_path / "r.sensorhold.jsonl"
    assert main(["demo", "--headless", "--duration", "5", "--inject", "power-off@0",
                 "--record", str(record)]) == 0
    live = json.loads(capsys.readouterr().out.splitlines()[-1])["duration_s"]
    assert main(["analyze", str(record), "--json"]) == 0
    analyzed = json.loads(capsys.readouterr().out)["duration_s"]
    assert main(["replay", str(record), "--headless", "--speed", "100"]) == 0
    replayed = json.loads(capsys.readouterr().out.splitlines()[-1])["duration_s"]
    assert abs(live - analyzed) < 0.1 and abs(replayed - analyzed) < 0.1 and live < 3
    session = str(RECORDINGS / "demo_session.sensorhold.jsonl")
    assert main(["replay", session, "--headless", "--speed", "100", "--duration", "2"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    status = [r["t"] for r in records if r["type"] == "status"]
    assert 1.9 < records[-1]["duration_s"] <= 2.0 and status[-1] - status[0] <= 2.0
