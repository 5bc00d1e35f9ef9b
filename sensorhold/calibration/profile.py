"""A person's calibration profile: mounting frame, stage angles, noise levels; JSON files.

Files are readable JSON with ``format_version``; loading says clearly what is wrong with a
broken, foreign or newer file, and saving is atomic (temp file, fsync, os.replace).
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from platformdirs import user_data_dir

from sensorhold.errors import ProfileError

FORMAT_VERSION = 1
KIND = "sensorhold-profile"
DEFAULT_RATE_ON_DPS = 4.0
DEFAULT_SPREAD_ON_DEG = 1.5
# What calibration can write (``fit.FitParams``, with a margin for rounding and for the
# forearms' share of a three-stage plane), and noise levels a still person's sensor can have
# (the simulated calibrations, hard ones too, fit at most 3.9 dps, 1.6° and 0.0075 g).
MAX_PRONE_DEG = 0.1
MIN_FOREARMS_DEG = 4.0
MAX_FOREARMS_DEG = 60.0
MIN_STEP_DEG = 3.9
MAX_TOP_DEG = 65.0
MAX_RATE_NOISE_DPS = 20.0
MAX_SPREAD_NOISE_DEG = 10.0
MAX_JOLT_NOISE_G = 0.25
_MAX_STEM_BYTES = 100  # file names are at most 255 bytes on common file systems


@dataclass(frozen=True, slots=True)
class Profile:
    """``up_prone`` and ``axis`` are unit vectors in sensor axes (``axis`` ⟂ ``up_prone``, the
    extension axis, positive rotation = extension). ``stage_angles`` maps stage -> degrees
    relative to prone (stage 1 is 0 by definition). ``rate_noise_dps``, ``spread_noise_deg``
    and ``jolt_noise_g`` are the person's still-holding levels (breathing and the sensor's own
    noise); ``jolt_noise_g`` 0 (profiles made before it was measured): the default threshold."""

    user: str
    sensor_model: str
    created_utc: str
    stage3_allowed: bool
    up_prone: tuple[float, float, float]
    axis: tuple[float, float, float]
    stage_angles: dict[int, float]
    rate_noise_dps: float = 1.0
    spread_noise_deg: float = 0.3
    jolt_noise_g: float = 0.0

    def stage_angle_tuple(self) -> tuple[float, ...]:
        """Calibrated angles of the allowed stages, stage 1 first."""
        stages = (1, 2, 3) if self.stage3_allowed else (1, 2)
        return tuple(float(self.stage_angles[k]) for k in stages)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "format_version": FORMAT_VERSION,
            "user": self.user,
            "sensor_model": self.sensor_model,
            "created_utc": self.created_utc,
            "stage3_allowed": self.stage3_allowed,
            "mounting": {
                "up_prone": [round(x, 6) for x in self.up_prone],
                "extension_axis": [round(x, 6) for x in self.axis],
            },
            "stage_angles_deg": {str(k): round(v, 3) for k, v in sorted(self.stage_angles.items())},
            "noise": {
                "rate_dps": round(self.rate_noise_dps, 4),
                "spread_deg": round(self.spread_noise_deg, 4),
                "jolt_g": round(self.jolt_noise_g, 5),
            },
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "profile") -> Profile:
        """Parse and check; ProfileError saying what is wrong and what to do."""
        redo = "run `sensorhold calibrate` to make a new one"
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise ProfileError(f"{source} is not a sensorhold profile; {redo}")
        version = data.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ProfileError(f"{source} has no valid format_version; {redo}")
        if version > FORMAT_VERSION:
            raise ProfileError(
                f"{source} was written by a newer sensorhold (profile format {version}, this "
                f"version reads {FORMAT_VERSION}); update sensorhold or {redo}"
            )
        try:
            up = _unit3(data["mounting"]["up_prone"])
            axis = _unit3(data["mounting"]["extension_axis"])
            angles = {int(k): float(v) for k, v in dict(data["stage_angles_deg"]).items()}
            stage3 = data["stage3_allowed"]
            if not isinstance(stage3, bool):
                raise TypeError("stage3_allowed is not true or false")
            profile = cls(
                user=str(data["user"]),
                sensor_model=str(data["sensor_model"]),
                created_utc=str(data["created_utc"]),
                stage3_allowed=stage3,
                up_prone=up,
                axis=axis,
                stage_angles=angles,
                rate_noise_dps=float(data["noise"]["rate_dps"]),
                spread_noise_deg=float(data["noise"]["spread_deg"]),
                jolt_noise_g=float(data["noise"].get("jolt_g", 0.0)),
            )
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise ProfileError(f"{source} is broken ({exc!s}); {redo}") from None
        needed = {1, 2, 3} if stage3 else {1, 2}
        if not needed <= angles.keys():
            raise ProfileError(f"{source} lacks stage angles {sorted(needed)}; {redo}")
        if not all(math.isfinite(v) for v in angles.values()):
            raise ProfileError(f"{source} has a stage angle that is not a number; {redo}")
        if problem := _implausible(profile):
            raise ProfileError(f"{source} {problem}; {redo}")
        if abs(float(np.dot(up, axis))) > 0.05:
            raise ProfileError(f"{source} has an extension axis not across the back; {redo}")
        return profile


def _implausible(p: Profile) -> str | None:
    """What in ``p`` calibration (``fit.FitParams``) would have refused, else None."""
    a = p.stage_angles
    if abs(a[1]) > MAX_PRONE_DEG:
        return f"has lying prone at {a[1]:g}°, where calibration writes 0°"
    if not MIN_FOREARMS_DEG <= a[2] - a[1] <= MAX_FOREARMS_DEG:
        return (f"has on the forearms {a[2] - a[1]:g}° above lying prone, where calibration "
                f"writes {MIN_FOREARMS_DEG:g}-{MAX_FOREARMS_DEG:g}°")
    if p.stage3_allowed and not MIN_STEP_DEG <= a[3] - a[2] <= MAX_TOP_DEG - a[2]:
        return (f"has on the hands {a[3] - a[2]:g}° above on the forearms, where calibration "
                f"writes {MIN_STEP_DEG:g}° or more, up to {MAX_TOP_DEG:g}° above lying prone")
    for name, value, most in (
        ("rate_dps", p.rate_noise_dps, MAX_RATE_NOISE_DPS),
        ("spread_deg", p.spread_noise_deg, MAX_SPREAD_NOISE_DEG),
        ("jolt_g", p.jolt_noise_g, MAX_JOLT_NOISE_G),
    ):
        if not 0 <= value <= most:
            return f"has noise {name} {value:g}, where calibration writes 0-{most:g}"
    return None


def _unit3(v: Any) -> tuple[float, float, float]:
    a = np.asarray(v, dtype=float)
    if a.shape != (3,) or not np.all(np.isfinite(a)) or np.linalg.norm(a) < 1e-6:
        raise ValueError("a mounting vector is not three finite numbers")
    a = a / np.linalg.norm(a)
    return (float(a[0]), float(a[1]), float(a[2]))


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_stem(user: str) -> str:
    """A file-name stem for a user's own files (profile, sensor, progression): characters
    other than letters, digits and ``-_.`` become ``_``; a long name is cut and given a digest of
    the whole, so two long names stay apart and the name fits the file system."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in user) or "default"
    if len(safe.encode("utf-8")) <= _MAX_STEM_BYTES:
        return safe
    digest = hashlib.sha256(user.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return safe.encode("utf-8")[:_MAX_STEM_BYTES].decode("utf-8", "ignore") + "-" + digest


def default_path(user: str) -> Path:
    """Where a user's profile lives: ``user_data_dir("sensorhold")/profiles/<user>.json``."""
    return Path(user_data_dir("sensorhold")) / "profiles" / f"{user_stem(user)}.json"


def load(path: str | Path) -> Profile:
    """Read a profile file; ProfileError if missing, unreadable, broken, foreign or newer."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")  # a BOM: saved by Windows Notepad
    except FileNotFoundError:
        raise ProfileError(
            f"no calibration profile at {p}; run `sensorhold calibrate` or pass --profile"
        ) from None
    except IsADirectoryError:
        raise ProfileError(f"{p} is a folder, not a profile; pass the profile's file") from None
    except UnicodeDecodeError:
        raise ProfileError(
            f"profile {p} is not text; pass a profile written by `sensorhold calibrate`"
        ) from None
    except OSError as exc:
        raise ProfileError(
            f"cannot read profile {p} ({exc.strerror or exc}); check the path and its permissions"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(
            f"profile {p} is not valid JSON ({exc.msg}, line {exc.lineno}); "
            "run `sensorhold calibrate` to make a new one"
        ) from None
    except RecursionError:
        raise ProfileError(
            f"profile {p} is not a sensorhold profile (nested too deeply); "
            "run `sensorhold calibrate` to make a new one"
        ) from None
    return Profile.from_json(data, f"profile {p}")


def save(profile: Profile, path: str | Path) -> Path:
    """Write atomically: a temp file in the same folder, fsync, then os.replace (of the file a
    symlink points to; OSError for a device, pipe or folder, which it would replace)."""
    p = Path(path)
    if p.exists() and not p.is_file():
        raise OSError(errno.EINVAL, "not a regular file")
    p = p.resolve() if p.is_symlink() else p
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(profile.to_json(), f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
