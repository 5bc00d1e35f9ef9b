"""A recording survives ``kill -9`` of the recording process, losing at most the last second."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sensorhold.recording.reader import read_recording

RECORDER = textwrap.dedent(
    """
    import sys, time
    from sensorhold.protocol.spec import load_spec
    from sensorhold.recording.format import make_header
    from sensorhold.recording.writer import RecordingWriter

    spec = load_spec("witmotion")
    frame = bytes.fromhex("5561") + bytes(18)
    w = RecordingWriter.open(sys.argv[1], make_header(spec, rate_hz=100))
    print("recording", flush=True)
    next_t = time.monotonic()
    while True:
        w.packet(time.monotonic_ns(), spec.notify[0], frame)
        next_t += 0.01
        time.sleep(max(0.0, next_t - time.monotonic()))
    """
)


def test_sigkill_mid_session_loses_at_most_the_last_second(tmp_path: Path) -> None:
    path = tmp_path / "killed.sensorhold.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", RECORDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "recording"
        time.sleep(2.5)
        kill_ns = time.monotonic_ns()
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    rec = read_recording(path)
    assert all("truncated last line" in w for w in rec.warnings)
    assert len(rec) > 150
    assert rec.t_ns[-1] > kill_ns - 1_000_000_000
    assert rec.t_ns[0] >= rec.t0_ns
