"""Sessions as scripts run them: the headless stream's end, recordings and profiles as users
produce them (CLI.md)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest


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
