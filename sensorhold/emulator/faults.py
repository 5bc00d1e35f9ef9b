"""Faults the emulated sensor or its radio produce on demand (``demo --inject KIND@SECONDS``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast, get_args

from sensorhold.ble.bumble_backend.simlink import SUPERVISION_TIMEOUT_S
from sensorhold.emulator.sensor import EmulatedSensor
from sensorhold.errors import UserError

FaultKind = Literal["radio-loss", "power-off", "silence", "malformed"]

DEFAULT_DURATION_S: dict[FaultKind, float] = {
    "radio-loss": 3.0,  # out of range: muted, dropped after the supervision timeout, then back
    "power-off": 3.0,  # sensor switched off (reason 0x15), dark, then advertising again
    "silence": 3.0,  # connected but mute: longer than the link watchdog (2 s)
    "malformed": 0.0,  # one garbage notification
}


class FaultSpecError(UserError):
    """An ``--inject`` value that is not ``KIND@SECONDS``."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: what, when (seconds since the emulated world started) and for how long."""

    kind: FaultKind
    at_s: float
    duration_s: float

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``KIND@SECONDS`` or ``KIND@SECONDS+DURATION``, e.g. ``radio-loss@12`` or
        ``silence@5+4``."""
        kinds = ", ".join(get_args(FaultKind))
        kind, _, when = text.partition("@")
        at, _, duration = when.partition("+")
        try:
            at_s = float(at)
            duration_s = float(duration) if duration else None
        except ValueError:
            at_s = -1.0
        if kind not in get_args(FaultKind) or at_s < 0 or (duration_s or 0) < 0:
            raise FaultSpecError(
                f"cannot inject {text!r}: use KIND@SECONDS with KIND one of {kinds}"
                " (e.g. radio-loss@10)"
            )
        k = cast(FaultKind, kind)
        return cls(k, at_s, DEFAULT_DURATION_S[k] if duration_s is None else duration_s)


FaultPlan = tuple[Fault, ...]


def parse_faults(texts: Iterable[str]) -> FaultPlan:
    """The faults of repeated ``--inject`` options, in time order."""
    return tuple(sorted((Fault.parse(t) for t in texts), key=lambda f: f.at_s))


async def inject(fault: Fault, sensor: EmulatedSensor) -> None:
    """Produce one fault now and return when it is over."""
    match fault.kind:
        case "radio-loss":
            await sensor.link.radio_loss(sensor.controller)
            try:
                await asyncio.sleep(max(0.0, fault.duration_s - SUPERVISION_TIMEOUT_S))
            finally:
                sensor.link.restore(sensor.controller)
        case "power-off":
            await sensor.power_off(fault.duration_s)
        case "silence":
            sensor.silence(fault.duration_s)
        case "malformed":
            await sensor.send_malformed()


async def run_plan(plan: FaultPlan, sensor: EmulatedSensor) -> None:
    """Inject each fault at its time on the sensor's world clock."""
    loop = asyncio.get_running_loop()
    for fault in plan:
        await asyncio.sleep(max(0.0, sensor.world_t0 + fault.at_s - loop.time()))
        await inject(fault, sensor)
