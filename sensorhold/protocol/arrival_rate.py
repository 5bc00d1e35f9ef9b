"""The rate samples arrive at, against the rate the sensor was asked for (pure).

An untimed sensor's sample times rest on its rate, so a sensor that ignored the rate command (or
a recording whose header states another) would be mistimed: the rate the samples arrived at is
taken instead where the two disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sensorhold.protocol.spec import SensorSpec

PAUSE_S = 0.5  # packets further apart than this are a lost link's pause, left out
MIN_S = 5.0  # the arrival rate over at least this much arrival time
TOLERANCE = 0.25  # a stated rate this far from the arrival rate is not believed
SNAP = 0.05  # an arrival rate this close to one of the model's rates is that rate


def arrival_rate(t_ns: np.ndarray, counts: np.ndarray, min_s: float = MIN_S) -> float | None:
    """Samples a second as they arrived (``counts`` samples a packet at ``t_ns``), over the
    packets that followed the one before within ``PAUSE_S`` (bursts even out); None for fewer
    than ``min_s`` of them."""
    dt = np.diff(t_ns) * 1e-9
    near = dt < PAUSE_S
    span = float(dt[near].sum())
    return float(counts[1:][near].sum()) / span if span >= min_s else None


def believed(stated_hz: float, arrived_hz: float) -> bool:
    """Whether the stated rate agrees with the arrival rate."""
    return abs(arrived_hz / stated_hz - 1.0) <= TOLERANCE


def rate_arrived(spec: SensorSpec, arrived_hz: float) -> float:
    """The rate to time samples at that arrived at ``arrived_hz``: the model's nominal rate
    nearest it, if within ``SNAP``."""
    nominal = [r for r in {*spec.rate_codes, spec.default_rate_hz} if r > 0]
    nearest = min(nominal, key=lambda r: abs(r - arrived_hz), default=arrived_hz)
    return nearest if abs(nearest / arrived_hz - 1.0) <= SNAP else round(arrived_hz, 2)
