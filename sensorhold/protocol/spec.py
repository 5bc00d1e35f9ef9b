"""Sensor specs: the machine-readable protocol descriptions in ``firmware_specs/``."""

from __future__ import annotations

import fnmatch
import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sensorhold.errors import UnknownSensorError

_PACKAGED = Path(__file__).resolve().parents[1] / "firmware_specs"
_CHECKOUT = Path(__file__).resolve().parents[2] / "firmware_specs"


def specs_dir() -> Path:
    """The folder of spec files: inside an installed wheel, else the checkout's top level."""
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


@dataclass(frozen=True, slots=True)
class Write:
    """One write of a start or stop sequence (``data`` may be the symbolic ``"rate"``)."""

    data: str
    char: str
    response: bool = True
    pause_s: float = 0.0


@dataclass(frozen=True, slots=True)
class BatteryQuery:
    """How to learn the battery level: a command whose reply arrives as a notification the
    decoder parses (``write``), or a characteristic to read whose value the decoder parses."""

    write: Write | None
    read_char: str | None
    interval_s: float


@dataclass(frozen=True)
class SensorSpec:
    """One sensor model's GATT layout, command sequences and packet layout."""

    model: str
    display_name: str
    vendor: str
    advertised_names: tuple[str, ...]
    timestamps: str
    service: str
    notify: tuple[str, ...]
    write_char: str | None
    default_rate_hz: float
    rate_command: str | None
    rate_codes: dict[float, int]
    start: tuple[Write, ...]
    stop: tuple[Write, ...]
    layout: dict[str, Any]
    sha256: str
    raw: dict[str, Any] = field(repr=False)
    battery: BatteryQuery | None = None
    # The sensor clock in ``ImuChunk.t_sensor_s`` wraps after this many seconds (None: never).
    clock_wrap_s: float | None = None

    def matches_name(self, name: str | None) -> bool:
        return bool(name) and any(fnmatch.fnmatch(name, p) for p in self.advertised_names)

    def rate_bytes(self, rate_hz: float) -> bytes:
        """The command that sets ``rate_hz``; a rate the sensor lacks is a readable error."""
        if self.rate_command is None or rate_hz not in self.rate_codes:
            rates = ", ".join(f"{r:g}" for r in sorted(self.rate_codes)) or "none"
            raise UnknownSensorError(
                f"{self.display_name} cannot stream at {rate_hz:g} Hz (rates: {rates})"
            )
        return bytes.fromhex(self.rate_command.format(code=self.rate_codes[rate_hz]))

    def write_bytes(self, write: Write, rate_hz: float) -> bytes:
        return self.rate_bytes(rate_hz) if write.data == "rate" else bytes.fromhex(write.data)


def _writes(items: list[dict[str, Any]], default_char: str | None) -> tuple[Write, ...]:
    return tuple(
        Write(
            data=w["write"],
            char=w.get("char", default_char or "").lower(),
            response=w.get("response", True),
            pause_s=float(w.get("pause_s", 0.0)),
        )
        for w in items
    )


def _battery(raw: dict[str, Any] | None, default_char: str | None) -> BatteryQuery | None:
    if raw is None:
        return None
    write = _writes([raw], default_char)[0] if "write" in raw else None
    read_char = raw.get("read")
    return BatteryQuery(
        write=write,
        read_char=read_char.lower() if read_char else None,
        interval_s=float(raw.get("interval_s", 60.0)),
    )


def parse_spec(text: str) -> SensorSpec:
    """A spec from the text of its TOML file."""
    raw = tomllib.loads(text)
    sensor, gatt, rate = raw["sensor"], raw["gatt"], raw.get("rate", {})
    write_char = gatt.get("write")
    return SensorSpec(
        model=sensor["model"],
        display_name=sensor["display_name"],
        vendor=sensor["vendor"],
        advertised_names=tuple(sensor.get("advertised_names", ())),
        timestamps=sensor.get("timestamps", "none"),
        service=gatt["service"].lower(),
        notify=tuple(u.lower() for u in gatt["notify"]),
        write_char=write_char.lower() if write_char else None,
        default_rate_hz=float(rate.get("default_hz", 0.0)),
        rate_command=rate.get("command"),
        rate_codes={float(k): int(v) for k, v in rate.get("codes", {}).items()},
        start=_writes(raw.get("start", []), write_char),
        stop=_writes(raw.get("stop", []), write_char),
        layout=raw["layout"],
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        raw=raw,
        battery=_battery(raw.get("battery"), write_char),
        clock_wrap_s=sensor.get("clock_wrap_s"),
    )


@cache
def all_specs() -> dict[str, SensorSpec]:
    """Every spec in ``firmware_specs/``, by model name."""
    specs = (parse_spec(p.read_text(encoding="utf-8")) for p in sorted(specs_dir().glob("*.toml")))
    return {s.model: s for s in specs}


def load_spec(model: str) -> SensorSpec:
    """The spec of ``model``, or a readable error naming the models there are."""
    specs = all_specs()
    if model not in specs:
        raise UnknownSensorError(
            f"unknown sensor model {model!r}; supported: {', '.join(sorted(specs))} "
            "(see `sensorhold demo --list-sensors`)"
        )
    return specs[model]
