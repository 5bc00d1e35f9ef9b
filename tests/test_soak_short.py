"""A short soak through the real path: emulated sensor, bleak, SensorLink, processor, recording.

One radio loss and one malformed notification in ten seconds at 100 Hz; the long version with
random faults is ``benchmarks/soak.py``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.emulator.faults import Fault
from sensorhold.emulator.world import emulated_world
from sensorhold.motion.exercise_scripts import demo_script
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.protocol.spec import load_spec
from sensorhold.recording.reader import read_recording
from sensorhold.recording.sensor_data import load_input
from sensorhold.runner.session import SessionPlan, open_recorder
from sensorhold.session.processor import StreamProcessor
from sensorhold.session.state import SessionState

from .conftest import StreamFor

RATE_HZ = 100.0
RUN_S = 10.0
FAULTS = (Fault("radio-loss", 2.5, 1.5), Fault("malformed", 6.5, 0.0))


async def test_short_soak_reconnects_and_records_every_sample(
    tmp_path: Path, stream_for: StreamFor
) -> None:
    loop = asyncio.get_running_loop()
    spec, profile = load_spec("witmotion"), demo_profile()

    def clock_ns() -> int:  # the link on the loop's clock, as the virtual-time soak runs it
        return round(loop.time() * 1e9)

    plan = SessionPlan(spec, profile, title="soak", rate_hz=RATE_HZ, record=True,
                       record_path=tmp_path / "soak.sensorhold.jsonl", t0_ns=clock_ns())
    state = SessionState()
    writer = open_recorder(plan, state)
    assert writer is not None
    processor = StreamProcessor(
        spec, profile, state, t0_ns=plan.t0_ns, rate_hz=RATE_HZ, sink=writer
    )
    received: list[int] = []
    process_samples = processor.samples

    def counted(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray):  # type: ignore[no-untyped-def]
        received.append(t.size)
        return process_samples(t, acc, gyr)

    processor.samples = counted  # type: ignore[method-assign]
    source = ScriptedImu(demo_script(), rate_hz=RATE_HZ, loop=True)
    async with emulated_world("witmotion", source, FAULTS, rate_hz=RATE_HZ) as world:
        link = await stream_for(world, spec, processor.packet, processor.link, rate_hz=RATE_HZ,
                                seconds=RUN_S, clock_ns=clock_ns)
    processor.finish()
    writer.close()

    assert link.stats.reconnects == 1 and link.stats.disconnects == 1
    assert any(e.event == "reconnected" for e in state.events)
    assert link.stats.last_reconnect_s is not None and link.stats.last_reconnect_s < 3.0
    recorded = load_input(writer.path)
    assert sum(received) == len(recorded)
    assert sum(received) > 0.7 * RATE_HZ * RUN_S
    assert state.status.malformed == 1 and recorded.meta.malformed == 1
    assert state.status.packets == recorded.meta.packets
    assert state.status.gaps >= 1  # the radio loss
    gap_events = [e for e in read_recording(writer.path).events if e.event == "gap"]
    assert len(gap_events) == state.status.gaps  # gaps are in the recording too
    assert sum(e.data["lost_samples"] for e in gap_events) == state.status.lost_samples
    t = recorded.t
    assert np.all(np.diff(t) > 0)
