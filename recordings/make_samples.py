"""Remake the sample recordings: the emulated sensor through the real BLE path, recorded.

    UV_PYTHON_DOWNLOADS=never uv run python recordings/make_samples.py

Each runs in real time (about 4 minutes in all).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.motion.exercise_scripts import calibration_script, demo_script
from sensorhold.motion.script import Script
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.protocol.spec import load_spec
from sensorhold.runner.session import SessionPlan, bounded_stream, open_recorder
from sensorhold.runner.streams import demo_stream
from sensorhold.session.processor import StreamProcessor
from sensorhold.session.state import SessionState

HERE = Path(__file__).resolve().parent
RATE_HZ = 50.0


def record(path: Path, script: Script, seconds: float) -> None:
    """Stream ``script`` from the emulated WitMotion for ``seconds`` into ``path``."""
    spec, profile = load_spec("witmotion"), demo_profile()
    path.unlink(missing_ok=True)
    plan = SessionPlan(spec, profile, title=path.name, rate_hz=RATE_HZ, record=True,
                       record_path=path, duration_s=seconds, user="demo")
    state = SessionState()
    writer = open_recorder(plan, state)
    assert writer is not None
    processor = StreamProcessor(spec, profile, state, t0_ns=plan.t0_ns, rate_hz=RATE_HZ,
                                sink=writer)
    source = ScriptedImu(script, rate_hz=RATE_HZ)
    asyncio.run(bounded_stream(
        plan, processor, lambda p: demo_stream(p, spec, source, (), RATE_HZ)))
    writer.close()
    print(f"{path.name}: {state.status.packets} packets, holds {len(state.holds)}")


def main() -> None:
    record(HERE / "calibration_stage3.sensorhold.jsonl", calibration_script(True, lead_in=True),
           40.0)
    record(HERE / "demo_session.sensorhold.jsonl", demo_script(), 135.0)


if __name__ == "__main__":
    main()
