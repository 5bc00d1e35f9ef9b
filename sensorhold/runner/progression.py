"""A user's earlier sessions, for the summary's progression table: one JSON line per session.

Kept beside the recordings (``user_data_dir("sensorhold")/progression/<user>.jsonl``) and only for
recorded sessions, so ``--no-record`` leaves no trace.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from sensorhold.calibration.profile import user_stem

logger = logging.getLogger(__name__)
KEEP = 30
"""How many earlier sessions the table shows."""


def progression_path(user: str) -> Path:
    return Path(user_data_dir("sensorhold")) / "progression" / f"{user_stem(user)}.jsonl"


def load_progression(user: str) -> list[dict[str, Any]]:
    """The last ``KEEP`` sessions (date, best hold per stage); unreadable lines are skipped."""
    try:
        lines = progression_path(user).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    sessions = []
    for line in lines[-KEEP:]:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("best_hold_s"), dict):
            sessions.append(entry)
    return sessions


def append_progression(user: str, summary: dict[str, Any], recording: str | None) -> None:
    """Add this session; a disk error is logged, never raised into the end of a session."""
    entry = {
        "date": datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M"),
        "best_hold_s": summary.get("best_hold_s", {}),
        "holds": len(summary.get("holds", [])),
        "recording": recording,
    }
    path = progression_path(user)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
    except OSError as exc:
        logger.warning("could not save the session to %s: %s", path, exc)
