"""The sensor a user last connected to, so ``sensorhold live`` finds it again by itself."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from platformdirs import user_data_dir

from sensorhold.calibration.profile import user_stem

logger = logging.getLogger(__name__)


def known_sensor_path(user: str) -> Path:
    return Path(user_data_dir("sensorhold")) / "sensors" / f"{user_stem(user)}.json"


def remembered_sensor(user: str) -> dict[str, str] | None:
    """``{"name", "address", "model"}`` of the user's sensor, or None (also for a damaged file)."""
    try:
        data = json.loads(known_sensor_path(user).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if isinstance(data, dict) and isinstance(data.get("address"), str):
        return {k: str(data.get(k, "")) for k in ("name", "address", "model")}
    return None


def remember_sensor(user: str, name: str, address: str, model: str) -> None:
    """Keep this sensor for next time (atomically); a disk error is logged, not raised."""
    path = known_sensor_path(user)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sensor.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"name": name, "address": address, "model": model}, f)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("could not remember the sensor in %s: %s", path, exc)
