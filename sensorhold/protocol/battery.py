"""Battery level as decoders report it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BatteryLevel:
    """The latest battery report: percent (0-100) and, where the sensor sends it, volts."""

    percent: float
    volts: float | None = None
    charging: bool | None = None


def percent_from_volts(volts: float, table: Sequence[Sequence[float]]) -> float:
    """The percent of the first ``(threshold_volts, percent)`` row, highest threshold first,
    that ``volts`` exceeds; 0 below every row (a vendor's step table, e.g. WitMotion's)."""
    for threshold, percent in table:
        if volts > threshold:
            return float(percent)
    return 0.0
