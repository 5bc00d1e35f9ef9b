"""Live: a sensor that streams at another rate than it was asked for is timed at the rate its
samples arrive at, with an alert (an untimed sensor's sample times rest on the rate)."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.emulator.world import emulated_world
from sensorhold.motion.exercise_scripts import demo_script
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.protocol.spec import load_spec
from sensorhold.session.processor import StreamProcessor
from sensorhold.session.state import SessionState

from .conftest import StreamFor

ASKED_HZ, SENT_HZ = 50.0, 100.0
RUN_S = 7.0


async def test_a_sensor_that_ignores_the_rate_asked_for_is_timed_at_the_rate_it_sends(
    stream_for: StreamFor,
) -> None:
    loop = asyncio.get_running_loop()
    spec, state = load_spec("witmotion"), SessionState()

    def clock_ns() -> int:
        return round(loop.time() * 1e9)

    processor = StreamProcessor(
        spec, demo_profile(), state, t0_ns=clock_ns(), rate_hz=ASKED_HZ, clock_ns=clock_ns,
        check_rate=True,
    )
    times: list[np.ndarray] = []
    arrivals: list[int] = []
    process_samples, process_packet = processor.samples, processor.packet

    def timed(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray):  # type: ignore[no-untyped-def]
        times.append(t)
        return process_samples(t, acc, gyr)

    def packet(t_ns: int, char: str, payload: bytes) -> None:
        arrivals.append(t_ns)
        process_packet(t_ns, char, payload)

    processor.samples = timed  # type: ignore[method-assign]
    source = ScriptedImu(demo_script(), rate_hz=SENT_HZ, loop=True)
    async with emulated_world("witmotion", source, rate_hz=SENT_HZ, ignores_rate=True) as world:
        await stream_for(world, spec, packet, processor.link, rate_hz=ASKED_HZ, seconds=RUN_S,
                         clock_ns=clock_ns)
    processor.finish()

    alerts = [e.data for e in state.events if e.event == "alert"]
    assert [a["kind"] for a in alerts] == ["rate"]
    assert "not the 50 asked for: timed at 100 Hz" in alerts[0]["message"]
    t = np.concatenate(times)
    assert np.median(np.diff(t)) == pytest.approx(1 / SENT_HZ, rel=0.01)
    # Times keep up with the arrivals (at 50 Hz they fell behind by half the session).
    assert abs(t[-1] - processor.seconds(arrivals[-1])) < 0.2
    assert state.status.gaps == 0
