"""The emulated world: a virtual radio with one emulated sensor on it, faults on schedule.

``async with emulated_world("witmotion", source) as world:`` starts the sensor in the running
loop (well under a second) and yields what the app needs to reach it over bleak: the Bumble
backend and the advertised name. On exit the sensor stops advertising before it powers off (no
ghost advertiser) and every task it started is finished.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from sensorhold.ble.backend import Backend, emulated
from sensorhold.ble.bumble_backend.radio import radio
from sensorhold.ble.bumble_backend.simlink import SimLink
from sensorhold.emulator.faults import FaultPlan, run_plan
from sensorhold.emulator.metamotion import MetaMotionEmulator
from sensorhold.emulator.movella_dot import MovellaDotEmulator
from sensorhold.emulator.polar_verity import PolarVerityEmulator
from sensorhold.emulator.sensor import EmulatedSensor
from sensorhold.emulator.witmotion import WitMotionEmulator
from sensorhold.errors import UnknownSensorError
from sensorhold.motion.source import ImuSource

EMULATORS: dict[str, Callable[..., EmulatedSensor]] = {
    "witmotion": WitMotionEmulator,
    "metamotion": MetaMotionEmulator,
    "polar-verity": PolarVerityEmulator,
    "movella-dot": MovellaDotEmulator,
}
"""Emulated models by spec model name (``demo --sensor``)."""

DEFAULT_CONN_INTERVAL_MS = 30.0
"""Notifications come in bursts of one connection interval, as from a real link (P11)."""


@dataclass(frozen=True)
class World:
    """What a running emulated world offers the app and the tests."""

    backend: Backend
    sensor: EmulatedSensor
    link: SimLink
    t0: float
    """Loop time at which the world started: the ``ImuSource`` is sampled at seconds since."""

    @property
    def name(self) -> str:
        return self.sensor.name

    @property
    def address(self) -> str:
        return self.sensor.address


@contextlib.asynccontextmanager
async def emulated_world(
    model: str,
    source: ImuSource,
    faults: FaultPlan = (),
    *,
    rate_hz: float | None = None,
    conn_interval_ms: float = DEFAULT_CONN_INTERVAL_MS,
    ignores_rate: bool = False,
) -> AsyncIterator[World]:
    """Run an emulated ``model`` streaming ``source`` until the block exits (at ``rate_hz``
    whatever the central asks for, if it ``ignores_rate``)."""
    if model not in EMULATORS:
        raise UnknownSensorError(
            f"no emulator for sensor model {model!r}; emulated: {', '.join(sorted(EMULATORS))}"
        )
    link = radio().link
    t0 = asyncio.get_running_loop().time()
    sensor = EMULATORS[model](
        source, link, rate_hz=rate_hz, conn_interval_ms=conn_interval_ms, world_t0=t0,
        ignores_rate=ignores_rate,
    )
    await sensor.start()
    plan = asyncio.ensure_future(run_plan(faults, sensor))
    try:
        yield World(emulated(), sensor, link, t0)
    finally:
        plan.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await plan
        link.restore(sensor.controller)
        await sensor.close()
