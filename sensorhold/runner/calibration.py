"""Guided calibration: a sensor stream (live or emulated) feeds the calibration flow, shown in
the calibration UI, which fits and saves the profile.

Packets take the session's path (``StreamProcessor``: decode, clock, link state); only the
timed samples go to the flow instead of the session pipeline, which needs a profile.
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

from sensorhold.calibration import profile as profiles
from sensorhold.calibration.profile import Profile
from sensorhold.calibration_flow import CalibrationFlow, FlowParams, existing_problem
from sensorhold.protocol.spec import SensorSpec, all_specs, load_spec
from sensorhold.runner.session import Stream
from sensorhold.session.processor import StreamProcessor
from sensorhold.session.state import SessionState
from sensorhold.signal.pipeline import PipelineOutput

DEFAULT_MODEL = "witmotion"
DEMO_SLACK_S = 4.0
"""How much longer than the flow's hold the emulated person stays in each pose (connecting,
settling)."""

_NO_PROFILE = Profile(
    user="", sensor_model="", created_utc="", stage3_allowed=False,
    up_prone=(0.0, 0.0, 1.0), axis=(0.0, 1.0, 0.0), stage_angles={1: 0.0, 2: 0.0},
)


class CalibrationProcessor(StreamProcessor):
    """Decodes and times packets like a session and hands the samples to ``flow``; the base's
    pipeline (built on a placeholder profile) is never stepped."""

    def __init__(
        self, spec: SensorSpec, flow: CalibrationFlow, state: SessionState, *, t0_ns: int,
        rate_hz: float | None,
    ) -> None:
        super().__init__(spec, _NO_PROFILE, state, t0_ns=t0_ns, rate_hz=rate_hz)
        self.flow = flow

    def samples(self, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> PipelineOutput:
        self.flow.feed(t, acc, gyr)
        n = t.size
        return PipelineOutput(
            t, np.full(n, np.nan), np.zeros(n, np.int8), np.zeros(n, bool), np.zeros(n), []
        )


def live_spec(path: Path) -> SensorSpec:
    """The sensor model of the profile being replaced, else the default model."""
    model = DEFAULT_MODEL
    if existing_problem(path) is None and path.exists():
        old = profiles.load(path).sensor_model
        model = old if old in all_specs() else model
    return load_spec(model)


def demo_stream(spec: SensorSpec, stage3: bool, hold_s: float) -> Stream:
    """The emulated person doing the calibration, slow enough for a flow with ``hold_s``."""
    from sensorhold.motion.exercise_scripts import calibration_script
    from sensorhold.motion.scripted_source import ScriptedImu
    from sensorhold.runner.streams import demo_stream as emulated

    script = calibration_script(stage3, still_s=hold_s + DEMO_SLACK_S)
    source = ScriptedImu(script, rate_hz=spec.default_rate_hz)
    return partial(emulated, spec=spec, source=source, faults=(), rate_hz=spec.default_rate_hz)


def guided_calibration(
    *, user: str, stage3: bool, path: Path, force: bool, demo: bool,
    params: FlowParams | None = None,
) -> int:
    """Run the calibration UI; 0 when a profile was saved, 1 otherwise."""
    from sensorhold.tui.calibration.app import SaveTarget, create_calibration_app

    params = params or FlowParams()
    if demo:
        spec = load_spec(DEFAULT_MODEL)
        stream = demo_stream(spec, stage3, params.hold_s)
        title = f"sensorhold calibrate — emulated {spec.display_name}"
    else:
        from sensorhold.ble.backend import PLATFORM
        from sensorhold.runner.streams import ble_stream

        spec = live_spec(path)
        stream = partial(ble_stream, spec=spec, backend=PLATFORM, target=None,
                         rate_hz=spec.default_rate_hz)
        title = f"sensorhold calibrate — {spec.display_name}"
    flow = CalibrationFlow(stage3, params)
    state = SessionState()
    processor = CalibrationProcessor(
        spec, flow, state, t0_ns=time.monotonic_ns(), rate_hz=spec.default_rate_hz
    )

    async def run_stream() -> None:
        await stream(processor)

    target = SaveTarget(user=user, sensor_model=spec.model, path=path, force=force)
    result = create_calibration_app(flow, state, title=title, run_stream=run_stream,
                                    target=target).run()
    if result is None or result.path is None:
        print(f"calibration not saved; {path} was not changed", file=sys.stderr)
        return 1
    angles = ", ".join(
        f"stage {k}: {v:.1f}°" for k, v in sorted(result.profile.stage_angles.items())
    )
    print(f"saved profile for {user} to {result.path} ({angles})", file=sys.stderr)
    return 0
