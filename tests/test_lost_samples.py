"""Lost samples: one count for analyze, replay and live (the sample clock's).

After a link loss a timed sensor's samples resume on a new phase of its clock, and the host
clock's latency is another: the gap is not a whole number of periods. analyze counted it from
session times over their median step and replay/live from sensor times over the period, so the
fault demos' counts differed (Movella 572 vs 571, Polar 539 vs 536)."""

from __future__ import annotations

import asyncio
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.cli import main
from sensorhold.protocol.spec import load_spec
from sensorhold.recording.format import make_header
from sensorhold.recording.reader import read_recording
from sensorhold.recording.writer import RecordingWriter
from sensorhold.runner.session import SessionPlan, bounded_stream
from sensorhold.runner.streams import recording_stream
from sensorhold.session.processor import StreamProcessor
from sensorhold.session.state import SessionState

T0_NS = 10**12
HZ = 60.0


def dot_recording(path: Path) -> None:
    """A Movella DOT lying still for 30 s, one sample a notification, the link lost for 3.3 s at
    10 s and at 20 s; each time the sensor resumes 0.4 of a period off its old phase, and the
    notifications then come 25 ms later than before."""
    spec = load_spec("movella-dot")
    acc_scale = float(spec.layout["acc"]["scale"])
    t = np.arange(0.0, 30.0, 1 / HZ)
    shift = 0.4 / HZ * ((t >= 13.3).astype(int) + (t >= 23.3))
    lost = ((t >= 10.0) & (t < 13.3)) | ((t >= 20.0) & (t < 23.3))
    t_sensor, arrival = (t + shift)[~lost], (t + shift + 0.01 + 0.025 * (shift > 0))[~lost]
    acc = np.array([0.0, 0.0, 1.0]) / acc_scale
    header = make_header(spec, rate_hz=HZ, calibration=demo_profile().to_json(), t0_ns=T0_NS)
    with RecordingWriter.open(path, header) as w:
        w.event(T0_NS, "connected")
        for ts, at in zip(t_sensor, arrival, strict=True):
            payload = struct.pack("<I6f", round(1e6 * (1000.0 + ts)), *acc, 0.0, 0.0, 0.0)
            w.packet(T0_NS + round(at * 1e9), spec.notify[0], payload.ljust(40, b"\0"))


def test_analyze_and_replay_count_the_same_lost_samples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dot.sensorhold.jsonl"
    dot_recording(path)
    assert main(["analyze", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)

    rec = read_recording(path)
    state = SessionState()
    plan = SessionPlan(rec.spec, demo_profile(), title="replay", rate_hz=HZ)
    processor = StreamProcessor(rec.spec, demo_profile(), state, t0_ns=rec.t0_ns, rate_hz=HZ)
    asyncio.run(bounded_stream(plan, processor, lambda p: recording_stream(p, rec, speed=1e4)))

    assert state.status.gaps == result["gaps"] == 2
    assert state.status.lost_samples == result["missing_samples"]
    assert sum(g["missing_samples"] for g in result["gap_list"]) == result["missing_samples"]
