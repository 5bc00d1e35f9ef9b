"""Test-wide settings: under CI (``CI=true``), hypothesis draws the same examples every run, so
a red run can be reproduced and a green one means the same thing each time; locally it keeps
exploring new examples. ``stream_for``: the live link run against an emulated world."""

import asyncio
import os
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import settings

from sensorhold.ble.link import OnPacket, OnStatus, SensorLink
from sensorhold.emulator.world import World
from sensorhold.protocol.spec import SensorSpec

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


StreamFor = Callable[..., Awaitable[SensorLink]]


@pytest.fixture
def stream_for() -> StreamFor:
    """Run a ``SensorLink`` to ``world`` until ``seconds`` after the world started, on the loop's
    clock (``clock_ns``), and stop it; returns the link (its stats)."""

    async def run(
        world: World, spec: SensorSpec, on_packet: OnPacket, on_status: OnStatus, *,
        rate_hz: float, seconds: float, clock_ns: Callable[[], int],
    ) -> SensorLink:
        link = SensorLink(spec, on_packet, target=world.name, rate_hz=rate_hz,
                          backend=world.backend, on_status=on_status, clock_ns=clock_ns)
        task = asyncio.ensure_future(link.run())
        await asyncio.sleep(world.t0 + seconds - asyncio.get_running_loop().time())
        await link.stop()
        await task
        return link

    return run
