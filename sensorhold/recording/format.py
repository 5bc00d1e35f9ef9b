"""The recording format: ``*.sensorhold.jsonl``, one JSON object per line, header first.

Line 1 is the header (:func:`make_header`); then one ``packet`` line per BLE notification (raw
bytes as hex, host receive time in monotonic ns) and ``event`` lines (connected, stage, marker...).
Lines are compact (no spaces) because a one-hour 100 Hz session is ~360k packet lines.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from sensorhold import __version__
from sensorhold.protocol.spec import SensorSpec

FORMAT = "sensorhold-recording"
VERSION = 1
SUFFIX = ".sensorhold.jsonl"


def make_header(
    spec: SensorSpec,
    *,
    rate_hz: float,
    name: str | None = None,
    address: str | None = None,
    calibration: dict[str, Any] | None = None,
    user: str | None = None,
    t0_ns: int | None = None,
    started: datetime | None = None,
) -> dict[str, Any]:
    """A header that says everything needed to decode and interpret the packets that follow.

    ``t0_ns`` is the host's monotonic clock (``time.monotonic_ns()``) at the session start: packet
    and event times share that clock, so ``(t_ns - t0_ns) / 1e9`` is seconds since the start.
    """
    started = started or datetime.now(UTC)
    return {
        "type": "header",
        "format": FORMAT,
        "version": VERSION,
        "app": f"sensorhold {__version__}",
        "sensor": {
            "model": spec.model,
            "display_name": spec.display_name,
            "name": name,
            "address": address,
        },
        "spec": {"model": spec.model, "sha256": spec.sha256},
        "rate_hz": rate_hz,
        "units": {"acc": "g", "gyr": "deg/s"},
        "axes": "sensor",
        "calibration": calibration,
        "user": user,
        "started_utc": started.astimezone(UTC).isoformat(timespec="milliseconds"),
        "t0_ns": time.monotonic_ns() if t0_ns is None else t0_ns,
    }


def dumps_line(record: dict[str, Any]) -> str:
    """One record as a compact JSON line (with its newline)."""
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
