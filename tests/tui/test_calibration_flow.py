"""Guided calibration: the step logic on simulated recordings (fast), and Pilot runs of the app
against the emulated sensor through the real BLE path (emulated_world + SensorLink on the app's
loop, in real time, so the poses are short)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest
from textual.message import Message
from textual.widgets import ProgressBar, Static

from sensorhold import texts
from sensorhold.calibration import profile as profiles
from sensorhold.calibration_flow import CalibrationFlow, FlowParams
from sensorhold.motion import (
    Hold,
    Move,
    Person,
    Script,
    ScriptedImu,
    Wobble,
    calibration_script,
    simulate_session,
)
from sensorhold.motion.body import THETA
from sensorhold.protocol.spec import load_spec
from sensorhold.runner.calibration import CalibrationProcessor
from sensorhold.runner.streams import demo_stream
from sensorhold.session.state import SessionState
from sensorhold.tui.calibration.app import (
    CalibrationApp,
    CalibrationFinished,
    FlowChanged,
    SaveTarget,
    create_calibration_app,
)
from sensorhold.tui.calibration.screens import ReplaceProfileScreen

SIZE = (110, 34)
HOLD_S = 3.0
RATE_HZ = 50.0


def true_stage_angles(source: ScriptedImu) -> dict[int, float]:
    """The emulated person's mean trunk angle over each true hold, relative to lying prone."""
    traj = source.trajectory
    means: dict[int, float] = {}
    for hold in traj.holds:  # the last hold of a stage wins: the one the flow accepts
        t = np.linspace(hold.start_s, hold.end_s, 400)
        means[hold.stage] = float(traj.pose(t)[:, THETA].mean())
    return {k: a - means[1] for k, a in means.items()}


def feed_simulated(flow: CalibrationFlow, script: Script, chunk: int = 3) -> list[str]:
    sim = simulate_session(script, Person(), rate_hz=RATE_HZ, seed=3)
    for a in range(0, sim.t.size, chunk):
        flow.feed(sim.t[a:a + chunk], sim.acc[a:a + chunk], sim.gyr[a:a + chunk])
    return [f"{e.kind}{e.stage}" for e in flow.take_events()]


def test_flow_accepts_each_pose_and_refuses_the_same_one_again() -> None:
    flow = CalibrationFlow(True, FlowParams(hold_s=HOLD_S))
    events = feed_simulated(flow, calibration_script(True, still_s=6.0))
    assert events == ["accepted1", "same2", "accepted2", "same3", "accepted3"]
    assert flow.complete and flow.view().change_deg == pytest.approx(32.0, abs=2.0)
    profile = flow.fit(user="u", sensor_model="witmotion")
    assert profile.stage_angles[3] == pytest.approx(32.0, abs=2.0)


def test_redo_cuts_the_abandoned_attempt_out_of_the_fit() -> None:
    """Forearms accepted half-way up (9°), then redone fully up (18°): the fit uses the redo."""
    person = Person(stage2_deg=9.0, stage3_deg=18.0, repeat_sd_deg=0.0)
    script = Script("redo", (
        Hold("prone", 5.0), Move(2.0), Hold("forearms", 5.0), Move(2.0), Hold("hands", 6.0),
    ))
    sim = simulate_session(script, person, rate_hz=RATE_HZ, seed=1)
    flow = CalibrationFlow(False, FlowParams(hold_s=HOLD_S))
    redone = False
    for a in range(0, sim.t.size, 3):
        flow.feed(sim.t[a:a + 3], sim.acc[a:a + 3], sim.gyr[a:a + 3])
        if flow.complete and not redone:
            assert flow.fit(user="u", sensor_model="w").stage_angles[2] == pytest.approx(
                9.0, abs=1.0
            )
            flow.redo()
            redone = True
            assert not flow.complete and flow.view().stage == 2
    kinds = [e.kind for e in flow.take_events()]
    assert kinds[:4] == ["accepted", "same", "accepted", "redo"] and kinds[-1] == "accepted"
    assert flow.fit(user="u", sensor_model="w").stage_angles[2] == pytest.approx(18.0, abs=1.0)


async def wait_for(app: CalibrationApp, done: asyncio.Event, within_s: float) -> None:
    try:
        await asyncio.wait_for(done.wait(), within_s)
    except TimeoutError:
        pytest.fail(f"calibration did not finish in {within_s:g} s: {app.flow.view()}")


def emulated_app(
    script: Script, path: Path, *, stage3: bool, force: bool = False
) -> tuple[CalibrationApp, ScriptedImu]:
    spec = load_spec("witmotion")
    source = ScriptedImu(script, rate_hz=RATE_HZ, seed=3)
    flow = CalibrationFlow(stage3, FlowParams(hold_s=HOLD_S))
    state = SessionState()
    processor = CalibrationProcessor(
        spec, flow, state, t0_ns=time.monotonic_ns(), rate_hz=RATE_HZ
    )

    async def run_stream() -> None:
        await demo_stream(processor, spec=spec, source=source, faults=(), rate_hz=RATE_HZ)

    app = create_calibration_app(
        flow, state, title="calibrate test", run_stream=run_stream,
        target=SaveTarget(user="tester", sensor_model=spec.model, path=path, force=force),
    )
    return app, source


async def test_guided_calibration_on_the_emulated_sensor_fits_the_true_angles(
    tmp_path: Path,
) -> None:
    path = tmp_path / "profiles" / "tester.json"
    app, source = emulated_app(calibration_script(True, still_s=5.5), path, stage3=True)
    messages: list[Message] = []
    done = asyncio.Event()

    def hook(message: Message) -> None:
        messages.append(message)
        if isinstance(message, CalibrationFinished):
            done.set()

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        assert str(app.query_one("#notice", Static).render()) == texts.NOTICE
        await wait_for(app, done, 40.0)
        await pilot.pause()
        finished = [m for m in messages if isinstance(m, CalibrationFinished)]
        assert finished[0].error is None
        assert app.query_one(ProgressBar).percentage == 1.0
        shown = str(app.query_one("#cal-result", Static).render())
        assert "stage 2 on forearms" in shown and str(path) in shown
        await pilot.press("q")
    accepted = [m.event.stage for m in messages if isinstance(m, FlowChanged)
                and m.event.kind == "accepted"]
    assert accepted == [1, 2, 3]
    saved = profiles.load(path)
    assert app.return_value is not None and app.return_value.path == path
    truth = true_stage_angles(source)
    assert abs(saved.stage_angles[1]) < 1e-9
    for stage in (2, 3):
        assert saved.stage_angles[stage] == pytest.approx(truth[stage], abs=1.0)
    assert saved.stage3_allowed and saved.user == "tester" and saved.sensor_model == "witmotion"


async def test_a_repeated_pose_and_a_wobble_are_rejected_then_a_broken_file_is_kept(
    tmp_path: Path,
) -> None:
    """Stays prone where the forearms are expected, wobbles while holding the forearms; the
    profile file there is broken, so the app asks and the answer "no" leaves it as it was."""
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    script = Script("stubborn", (
        Hold("prone", 8.0),
        Move(2.5),
        Hold("forearms", 9.0, wobbles=(Wobble(1.8, 2.0, 3.0),)),
    ))
    app, source = emulated_app(script, path, stage3=False)
    messages: list[Message] = []
    done = asyncio.Event()
    feedback: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, FlowChanged):
            messages.append(message)
            feedback.append(str(app.query_one("#cal-feedback", Static).render()))
            if message.event.kind == "accepted" and message.event.stage == 2:
                done.set()

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await wait_for(app, done, 40.0)
        await pilot.pause()
        assert isinstance(app.screen, ReplaceProfileScreen)
        await pilot.press("n")
        await pilot.pause()
        assert "Not saved" in str(app.query_one("#cal-result", Static).render())
        await pilot.press("q")
    kinds = [(m.event.kind, m.event.stage) for m in messages if isinstance(m, FlowChanged)]
    assert kinds[0] == ("accepted", 1)
    assert ("same", 2) in kinds and ("moved", 2) in kinds
    assert kinds[-1] == ("accepted", 2)
    assert kinds.index(("same", 2)) < kinds.index(("moved", 2))
    said = dict(zip(kinds, feedback, strict=True))
    assert "looks like the previous position" in said[("same", 2)]
    assert said[("moved", 2)] == texts.CAL_MOVED
    assert path.read_text(encoding="utf-8") == "{not json"
    assert app.return_value is not None and app.return_value.path is None
    truth = true_stage_angles(source)
    assert app.return_value.profile.stage_angles[2] == pytest.approx(truth[2], abs=1.0)


def completed_flow() -> CalibrationFlow:
    flow = CalibrationFlow(False, FlowParams(hold_s=HOLD_S))
    feed_simulated(flow, calibration_script(False, still_s=5.0))
    assert flow.complete
    return flow


async def test_force_replaces_a_foreign_file_without_asking(tmp_path: Path) -> None:
    path = tmp_path / "foreign.json"
    path.write_text('{"kind": "something-else"}', encoding="utf-8")
    app = create_calibration_app(
        completed_flow(), SessionState(), title="t", run_stream=None,
        target=SaveTarget(user="u", sensor_model="witmotion", path=path, force=True),
    )
    async with app.run_test(size=SIZE) as pilot:
        app.pull()
        await pilot.pause()
        assert not isinstance(app.screen, ReplaceProfileScreen)
        await pilot.press("q")
    assert profiles.load(path).stage_angles[2] == pytest.approx(18.0, abs=2.0)


async def test_yes_in_the_dialog_replaces_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[]", encoding="utf-8")
    app = create_calibration_app(
        completed_flow(), SessionState(), title="t", run_stream=None,
        target=SaveTarget(user="u", sensor_model="witmotion", path=path),
    )
    async with app.run_test(size=SIZE) as pilot:
        app.pull()
        await pilot.pause()
        assert isinstance(app.screen, ReplaceProfileScreen)
        await pilot.press("y")
        assert profiles.load(path).user == "u"
        await pilot.press("r")  # saved: nothing left to redo
        assert app.flow.complete
        await pilot.press("q")
    assert app.return_value is not None and app.return_value.path == path


async def test_a_stream_that_fails_says_so_on_the_screen(tmp_path: Path) -> None:
    async def no_bluetooth() -> None:
        raise OSError("adapter off")

    app = create_calibration_app(
        CalibrationFlow(False), SessionState(), title="t", run_stream=no_bluetooth,
        target=SaveTarget(user="u", sensor_model="witmotion", path=tmp_path / "p.json"),
    )
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        result = app.query_one("#cal-result", Static)
        for _ in range(40):  # shown by the next UI frame; a loaded machine may need several
            await pilot.pause(0.05)
            if str(result.render()):
                break
        assert "stopped: adapter off" in str(result.render())
        await pilot.press("q")
    assert app.return_value is None and not (tmp_path / "p.json").exists()
