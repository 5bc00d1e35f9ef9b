"""Where recordings go by default: the per-user data folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_data_dir

from sensorhold.recording.format import SUFFIX


def recordings_dir() -> Path:
    """``<user data dir>/sensorhold/recordings`` (not created here)."""
    return Path(user_data_dir("sensorhold")) / "recordings"


def default_recording_path(model: str, now: datetime | None = None) -> Path:
    """``<recordings dir>/<UTC timestamp>_<model>.sensorhold.jsonl``, not yet existing."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = recordings_dir()
    path = folder / f"{stamp}_{model}{SUFFIX}"
    n = 2
    while path.exists():
        path = folder / f"{stamp}_{model}-{n}{SUFFIX}"
        n += 1
    return path
