"""``load_input``: a recording or a CSV as arrays ready for the signal chain."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sensorhold.errors import InputError
from sensorhold.median import median
from sensorhold.protocol.arrival_rate import arrival_rate, believed, rate_arrived
from sensorhold.recording.csv_input import read_csv
from sensorhold.recording.units import gyro_warning, unit_error

if TYPE_CHECKING:
    from sensorhold.recording.reader import RecordedEvent, Recording

_SNIFF = 4096


@dataclass(frozen=True)
class InputMeta:
    """Where the samples came from and what was wrong with the input."""

    kind: Literal["recording", "csv"]
    path: Path
    sensor_model: str | None
    rate_hz: float | None
    calibration: dict[str, Any] | None
    warnings: list[str]
    packets: int = 0
    malformed: int = 0
    gaps: int = 0
    lost_samples: int = 0
    gap_list: list[tuple[int, int]] | None = None
    """The sample clock's gaps, as (first sample after, samples lost); None for a CSV."""
    header: dict[str, Any] | None = None
    events: list[RecordedEvent] = field(default_factory=list)


@dataclass(frozen=True)
class SensorData:
    """``t`` (n,) seconds on the input's own clock (a recording's: since its start), ``acc``
    (n, 3) in g, ``gyr`` (n, 3) in deg/s, sensor axes. ``counter`` (n,) is the sensor's sample
    counter where it sends one, else the number of the notification each sample came from
    (None for CSV)."""

    t: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray
    counter: np.ndarray | None
    meta: InputMeta

    def __len__(self) -> int:
        return int(self.t.size)


def load_input(path: str | Path) -> SensorData:
    """A recording or CSV (told apart by content) as samples; InputError if it is neither."""
    path = Path(path)
    kind = sniff(path)
    return _load_recording(path) if kind == "recording" else _load_csv(path)


def sniff(path: Path) -> Literal["recording", "csv"]:
    """``recording`` if the file starts with a JSON object, ``csv`` if it looks like text."""
    try:
        with path.open("rb") as f:
            start = f.read(_SNIFF)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a recording or CSV; pass a file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e}); check the path") from None
    text = start.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise InputError(f"{path}: the file is empty; pass a recording or a CSV")
    if text.startswith(b"{"):
        return "recording"
    if start.startswith(b"\x1f\x8b"):
        raise InputError(f"{path}: is gzip-compressed; decompress it first (gunzip -k {path})")
    if b"\x00" in start or not _is_text(start):
        raise InputError(
            f"{path}: neither a sensorhold recording nor a CSV (binary data); pass a "
            "*.sensorhold.jsonl recording or a CSV with the header t,ax,ay,az,gx,gy,gz"
        )
    return "csv"


def _is_text(start: bytes) -> bool:
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= len(start) - 3  # a character cut by the sniff window
    return True


def _load_recording(path: Path) -> SensorData:
    # Imported here: a CSV's analysis does without the packet decoders and the sample clock.
    from sensorhold.protocol.sample_clock import ClockParams, run_clock
    from sensorhold.recording.packet_decoding import decode_packets
    from sensorhold.recording.reader import read_recording

    rec = read_recording(path)
    decoded = decode_packets(rec)
    warnings = list(rec.warnings)
    if decoded.malformed:
        warnings.append(f"{decoded.malformed} malformed packets skipped")
    has_samples = decoded.counts > 0
    rate_hz = checked_rate(rec, decoded.counts, warnings)
    params = ClockParams.for_spec(rec.spec, rate_hz)
    t, clock = run_clock(
        params,
        rec.t_ns[has_samples],
        decoded.counts[has_samples],
        decoded.t_sensor_s,
        origin_ns=rec.t0_ns,
    )
    counter = decoded.counter
    if counter is None:
        counter = np.repeat(np.arange(len(rec)), decoded.counts)
    if not t.size:
        raise no_samples(path, rec)
    calibration = rec.header.get("calibration")
    meta = InputMeta(
        kind="recording",
        path=path,
        sensor_model=rec.spec.model,
        rate_hz=rate_hz,
        calibration=calibration if isinstance(calibration, dict) else None,
        warnings=warnings,
        packets=len(rec),
        malformed=decoded.malformed,
        gaps=clock.gaps,
        lost_samples=clock.lost_samples,
        gap_list=clock.gap_list,
        header=rec.header,
        events=rec.events,
    )
    return SensorData(t, decoded.acc_g, decoded.gyr_dps, counter, meta)


def no_samples(path: Path, rec: Recording) -> InputError:
    """The error for a recording without IMU samples, with or without packets."""
    if not len(rec):
        return InputError(f"{path}: the recording holds no IMU samples; nothing to analyse")
    return InputError(
        f"{path}: none of its {len(rec)} packets holds {rec.spec.display_name} samples (is "
        f"the sensor model in its header, {rec.spec.model!r}, right?); nothing to analyse"
    )


def checked_rate(rec: Recording, counts: np.ndarray, warnings: list[str]) -> float:
    """The header's sample rate, unless the samples (``counts`` a packet) arrived at another (a
    damaged header, or a sensor that ignored the rate command): then the rate they arrived at,
    with a warning. Each sample's time rests on it where the sensor sends no timestamps."""
    spec, header_rate, has = rec.spec, rec.header.get("rate_hz"), counts > 0
    t_ns, counts = rec.t_ns[has], counts[has]
    valid = isinstance(header_rate, int | float) and 0 < header_rate < math.inf
    stated = float(header_rate) if valid else spec.default_rate_hz
    arrived = arrival_rate(t_ns, counts)
    if arrived is None or believed(stated, arrived):
        return stated
    rate = rate_arrived(spec, arrived)
    said = f"says {header_rate:g} Hz" if valid else "gives no valid rate"
    warnings.append(
        f"the header {said} but samples arrived at {arrived:.1f} Hz; read at {rate:g} Hz"
    )
    return rate


def _load_csv(path: Path) -> SensorData:
    warnings: list[str] = []
    t, acc, gyr = read_csv(path, warnings)
    if (problem := unit_error(t, acc)) is not None:
        raise InputError(f"{path}: {problem}")
    if (gyro := gyro_warning(t, acc, gyr)) is not None:
        warnings.append(gyro)
    rate = 1.0 / median(np.diff(t)) if t.size > 1 else None
    meta = InputMeta("csv", path, None, rate, None, warnings)
    return SensorData(t, acc, gyr, None, meta)
