"""Shared fixtures: synthetic WitMotion `55 61` frames and small valid recordings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sensorhold.protocol.spec import SensorSpec, load_spec
from sensorhold.recording.format import make_header
from sensorhold.recording.writer import RecordingWriter

T0_NS = 1_000_000_000_000


@pytest.fixture
def spec() -> SensorSpec:
    return load_spec("witmotion")


def frames(n: int, seed: int = 0) -> list[bytes]:
    """``n`` valid 20-byte `55 61` frames with random int16 readings (angles zero)."""
    raw = np.random.default_rng(seed).integers(-3000, 3000, size=(n, 9)).astype("<i2")
    raw[:, 6:] = 0
    return [b"\x55\x61" + row.tobytes() for row in raw]


def write_recording(path: Path, spec: SensorSpec, n: int, seed: int = 0) -> list[bytes]:
    """A recording of ``n`` one-frame packets 10 ms apart, a connected and a marker event."""
    payloads = frames(n, seed)
    header = make_header(spec, rate_hz=100, name="WT901BLE68", address="AA:BB", t0_ns=T0_NS)
    with RecordingWriter.open(path, header) as w:
        w.event(T0_NS, "connected")
        for i, p in enumerate(payloads):
            w.packet(T0_NS + i * 10_000_000, spec.notify[0], p)
        w.event(T0_NS + n * 5_000_000, "marker", label="half way")
    return payloads


@pytest.fixture
def recording(tmp_path: Path, spec: SensorSpec) -> tuple[Path, list[bytes]]:
    path = tmp_path / "s.sensorhold.jsonl"
    return path, write_recording(path, spec, 300)
