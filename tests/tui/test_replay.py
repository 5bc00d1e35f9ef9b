"""Replay controls: pause, speed, seek. A seek leaves exactly the state live had at the target."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import Digits

from sensorhold.calibration.profile import Profile, save
from sensorhold.recording.reader import Recording, read_recording
from sensorhold.recording.sensor_data import SensorData, load_input
from sensorhold.runner.replay_control import ReplayControl
from sensorhold.runner.session import SessionPlan, bounded_stream
from sensorhold.runner.streams import recording_stream, sample_chunks, samples_stream
from sensorhold.session.processor import LINK_EVENTS, StreamProcessor
from sensorhold.session.state import SessionState
from sensorhold.tui.app import SensorholdApp, create_app
from sensorhold.tui.coaching import clock
from sensorhold.tui.screens.checkin import CheckinScreen
from sensorhold.tui.screens.summary import SummaryScreen
from sensorhold.tui.widgets.replay_bar import ReplayBar, replay_line

SESSION = Path(__file__).resolve().parents[2] / "recordings" / "demo_session.sensorhold.jsonl"
SIZE = (110, 34)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_speed_steps_through_the_ladder_and_never_jumps_the_playhead() -> None:
    now = FakeClock()
    control = ReplayControl(speed=3.0, clock=now)
    control.start(120.0)
    now.now += 2.0
    assert control.playhead() == pytest.approx(6.0)
    control.faster()
    assert control.speed == 4.0 and control.playhead() == pytest.approx(6.0)
    now.now += 1.0
    assert control.playhead() == pytest.approx(10.0)
    for _ in range(5):
        control.faster()
    assert control.speed == 16.0
    for _ in range(7):
        control.slower()
    assert control.speed == 0.5
    assert control.due_in(10.5) == pytest.approx(1.0)


def test_pause_freezes_the_playhead_and_resume_carries_on() -> None:
    now = FakeClock()
    control = ReplayControl(speed=2.0, clock=now)
    control.start(60.0)
    now.now += 5.0
    control.toggle_pause()
    now.now += 30.0
    assert control.paused and control.playhead() == pytest.approx(10.0)
    assert control.due_in(11.0) is None
    control.toggle_pause()
    assert control.due_in(11.0) == pytest.approx(0.5)
    now.now += 100.0
    assert control.playhead() == 60.0  # never past the end


def test_seeks_add_up_and_stay_inside_the_replay() -> None:
    now = FakeClock()
    control = ReplayControl(clock=now)
    control.start(25.0)
    now.now += 4.0
    control.seek(10.0)
    control.seek(10.0)
    assert control.take_seek() == pytest.approx(24.0)
    control.seek(10.0)  # from the seek under way
    assert control.take_seek() == 25.0
    control.arrived()
    assert control.seeks == 1 and control.playhead() == 25.0
    control.seek(-30.0)
    assert control.take_seek() == 0.0
    assert control.take_seek() is None


@dataclass
class Replay:
    """One input: a fresh processor for it, its replay stream, and the reference: what live
    processing had fed up to a position, without any replay machinery."""

    new_processor: Callable[[], StreamProcessor]
    stream: Callable[[StreamProcessor, ReplayControl], Awaitable[None]]
    reference: Callable[[float], StreamProcessor]


@pytest.fixture(scope="module")
def recording() -> Recording:
    return read_recording(SESSION)


@pytest.fixture(scope="module")
def profile(recording: Recording) -> Profile:
    return Profile.from_json(recording.header["calibration"], "the recording's calibration")


def recording_replay(rec: Recording, profile: Profile) -> Replay:
    def new_processor() -> StreamProcessor:
        return StreamProcessor(
            rec.spec, profile, SessionState(), t0_ns=rec.t0_ns, rate_hz=rec.rate_hz
        )

    def reference(until_s: float) -> StreamProcessor:
        processor = new_processor()
        processor.link("replay")
        processor.state.status.start_s = (rec.t_ns[0] - rec.t0_ns) * 1e-9
        links = [e for e in rec.events if e.event in LINK_EVENTS]
        for packet in rec.packets():
            if (packet.t_ns - rec.t_ns[0]) * 1e-9 > until_s:
                break
            while links and links[0].t_ns <= packet.t_ns:
                event = links.pop(0)
                processor.link(event.event, t_ns=event.t_ns)
            processor.packet(*packet)
        return processor

    return Replay(new_processor, lambda p, c: recording_stream(p, rec, control=c), reference)


def csv_replay(data: SensorData, profile: Profile) -> Replay:
    def new_processor() -> StreamProcessor:
        return StreamProcessor(None, profile, SessionState(), t0_ns=0)

    def reference(until_s: float) -> StreamProcessor:
        processor = new_processor()
        processor.link("replay")
        processor.state.status.start_s = float(data.t[0])
        processor.link("connected", t_ns=round(float(data.t[0]) * 1e9))
        chunks = sample_chunks(data.t)
        for a, b in chunks:
            if data.t[b - 1] - data.t[chunks[0][1] - 1] > until_s:
                break
            processor.state.status.packets += 1
            processor.samples(data.t[a:b], data.acc[a:b], data.gyr[a:b])
        return processor

    return Replay(new_processor, lambda p, c: samples_stream(p, data, control=c), reference)


def assert_same_state(got: SessionState, want: SessionState) -> None:
    assert got.status == want.status
    assert got.holds == want.holds
    assert [(e.t, e.event, e.data) for e in got.events] == [
        (e.t, e.event, e.data) for e in want.events
    ]
    for a, b in zip(got.history.last(np.inf), want.history.last(np.inf), strict=True):
        np.testing.assert_array_equal(a, b)


async def wait_until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("kind", ["recording", "csv"])
async def test_seek_forward_then_back_leaves_the_state_live_had(
    kind: str, recording: Recording, profile: Profile
) -> None:
    replay = (
        recording_replay(recording, profile)
        if kind == "recording"
        else csv_replay(load_input(SESSION), profile)
    )
    processor = replay.new_processor()
    state = processor.state
    control = ReplayControl(paused=True)
    task = asyncio.ensure_future(replay.stream(processor, control))
    try:
        await wait_until(lambda: control.duration_s > 0)
        for _ in range(6):
            control.seek(10.0)
        await wait_until(lambda: not control.busy)
        assert control.playhead() == 60.0 and control.rewinds == 0
        assert state.holds  # the stage 1 hold ended on the way
        assert_same_state(state, replay.reference(60.0).state)

        control.seek(-10.0)
        await wait_until(lambda: not control.busy)
        assert control.rewinds == 1 and processor.state is state
        assert_same_state(state, replay.reference(50.0).state)
        assert not task.done()  # still paused
    finally:
        task.cancel()


def replay_app(rec: Recording, profile: Profile) -> tuple[SensorholdApp, ReplayControl]:
    """The app as ``sensorhold replay`` builds it, paused at the start, pull timer parked."""
    plan = SessionPlan(rec.spec, profile, title="sensorhold replay test", t0_ns=rec.t0_ns)
    state = SessionState()
    processor = StreamProcessor(
        rec.spec, profile, state, t0_ns=rec.t0_ns, rate_hz=rec.rate_hz
    )
    control = ReplayControl(paused=True)
    stream = partial(recording_stream, rec=rec, control=control)

    async def run_stream(_: SessionState) -> None:
        await bounded_stream(plan, processor, stream)

    app = create_app(state, title=plan.title, run_stream=run_stream, tick_s=3600, replay=control)
    return app, control


async def settle(pilot: Pilot[Any], control: ReplayControl) -> None:
    """Wait for the stream to finish the seeks asked for, then pull a frame."""
    await wait_until(lambda: not control.busy)
    pilot.app.pull()  # type: ignore[attr-defined]
    await pilot.pause()


def bar_text(app: SensorholdApp) -> str:
    bar = app.query_one(ReplayBar)
    return replay_line(bar.control, bar.size.width).plain


async def test_keys_pause_change_speed_and_seek(recording: Recording, profile: Profile) -> None:
    app, control = replay_app(recording, profile)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: control.duration_s > 0)
        app.pull()
        await pilot.pause()
        assert "⏸ 0:00 / 2:14  paused" in bar_text(app) and bar_text(app).endswith(" 1× ")

        await pilot.press(*["right"] * 6)
        await settle(pilot, control)
        at_60 = app.state.status
        assert "⏸ 1:00 / 2:14" in bar_text(app)
        assert app.query_one("#rung-2").has_class("-current")
        assert app.query_one("#hold-digits", Digits).value == clock(at_60.hold_s) != "0:00"
        assert not isinstance(app.screen, CheckinScreen)  # nothing asked about skipped holds

        await pilot.press(*["left"] * 3)
        await settle(pilot, control)
        assert control.rewinds >= 1 and "⏸ 0:30 / 2:14" in bar_text(app)
        assert app.state.status.t < 31.0 and app.state.holds == []
        assert app.query_one("#rung-1").has_class("-current")
        assert app.query_one("#hold-digits", Digits).value == clock(app.state.status.hold_s)

        await pilot.press("plus", "plus", "minus", "space")
        assert not control.paused and control.speed == 2.0
        assert "▶" in bar_text(app) and bar_text(app).endswith(" 2× ")
        await pilot.press("space")
        assert control.paused

        await pilot.press(*["right"] * 11)  # past the end: the replay ends, the summary opens
        await wait_until(lambda: isinstance(app.screen, SummaryScreen))
        # The screen is pushed before it has mounted: leaving run_test at once raced the
        # summary Header's title watcher (textual NoMatches on HeaderTitle, seen under load).
        await pilot.pause()
        assert [h["stage"] for h in app.summary["holds"]] == [1, 2, 3, 1]  # type: ignore[index]


def test_replay_screen_paused_after_a_seek(snap_compare: Any, scripted_app: Any) -> None:
    """The scripted session (no signal pipeline, so only the replay UI can change this) with a
    replay bar paused at 1:00 after a seek."""
    control = ReplayControl(paused=True, clock=FakeClock())
    control.start(170.0)
    control.seek(60.0)
    control.take_seek()
    control.arrived()
    app, _ = scripted_app(60.0, replay=control)
    assert snap_compare(app, terminal_size=SIZE)


def test_headless_replay_prints_status_events_and_the_summary() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sensorhold", "replay", str(SESSION), "--headless",
         "--speed", "1000"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert any(line["type"] == "status" for line in lines) and lines[-1]["type"] == "summary"
    assert [h["stage"] for h in lines[-1]["holds"]] == [1, 2, 3, 1]
    assert sum(line["type"] == "event" and line["event"] == "hold_end" for line in lines) == 4


def replay_headless(*args: str) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "sensorhold", "replay", *args, "--headless"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_headless_csv_replay_reads_connected_and_lasts_the_session(
    tmp_path: Path, recording: Recording, profile: Profile
) -> None:
    """A CSV on its own clock (from 4000 s): connected while it streams, and the summary's
    duration is the session's length, not the last sample's time."""
    data = load_input(SESSION)
    t = data.t - data.t[0] + 4000.0
    csv = tmp_path / "s.csv"
    np.savetxt(csv, np.column_stack([t, data.acc, data.gyr]), fmt="%.6f", delimiter=",",
               header="t,ax,ay,az,gx,gy,gz", comments="")
    lines = replay_headless(str(csv), "--speed", "1000",
                            "--profile", str(save(profile, tmp_path / "p.json")))
    status = [line for line in lines if line["type"] == "status"]
    assert status and all(line["connected"] for line in status)
    assert lines[0]["event"] == "connected"
    assert [h["stage"] for h in lines[-1]["holds"]] == [1, 2, 3, 1]
    assert lines[-1]["duration_s"] == pytest.approx(t[-1] - t[0], abs=0.01)


@pytest.mark.parametrize("speed", ["1", "20"])
def test_headless_replay_stops_at_duration_of_its_own_time(speed: str) -> None:
    """``--duration 2``: two seconds from the first packet (not from the live session's start,
    0.34 s before it), whatever the speed."""
    lines = replay_headless(str(SESSION), "--duration", "2", "--speed", speed)
    assert lines[-1]["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert all(line["t"] <= lines[-1]["duration_s"] + 0.5 for line in lines[:-1])


@pytest.mark.parametrize("kind", ["recording", "csv"])
@pytest.mark.parametrize(
    ("speed", "end_s", "calls"), [(1000.0, None, (1, 6)), (1.0, 1.0, (8, 30))]
)
async def test_a_fast_replay_hands_the_pipeline_a_frame_at_a_time(
    kind: str, speed: float, end_s: float | None, calls: tuple[int, int],
    recording: Recording, profile: Profile,
) -> None:
    """At speed 1000 a chunk spans 50 s of the session (one 50 ms frame); at speed 1 it stays
    live's 50 ms (2-6 samples, as the notifications bunch)."""
    replay = (
        recording_replay(recording, profile)
        if kind == "recording"
        else csv_replay(load_input(SESSION), profile)
    )
    processor = replay.new_processor()
    sizes: list[int] = []
    step = processor.pipeline.step

    def counted(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> Any:
        sizes.append(t.size)
        return step(t, acc, gyr)

    processor.pipeline.step = counted  # type: ignore[method-assign]
    control = ReplayControl(speed=speed)
    control.end_s = end_s
    await replay.stream(processor, control)
    processor.flush()
    assert calls[0] <= len(sizes) <= calls[1], sizes
    if end_s is None:
        assert sum(sizes) == load_input(SESSION).t.size
    else:
        assert max(sizes) <= 6
