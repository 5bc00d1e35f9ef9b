"""One session from start to end: recorder, processor and a stream, shown headless or in the UI.

``demo``, ``live`` and ``replay`` differ only in the stream they pass: an async function that
feeds the processor until it ends or is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensorhold.calibration.profile import Profile
from sensorhold.protocol.spec import SensorSpec
from sensorhold.recording.format import make_header
from sensorhold.recording.writer import RecordingWriter
from sensorhold.runner.headless import JsonLines
from sensorhold.runner.progression import append_progression, load_progression
from sensorhold.runner.replay_control import ReplayControl
from sensorhold.session.processor import StreamProcessor
from sensorhold.session.state import SessionEvent, SessionState

Stream = Callable[[StreamProcessor], Awaitable[None]]
STATUS_PERIOD_S = 0.5


@dataclass
class SessionPlan:
    """What a command decided: the sensor, the profile, where to record, how to show it."""

    spec: SensorSpec | None
    profile: Profile
    title: str
    rate_hz: float | None = None
    record: bool = False
    record_path: Path | None = None
    headless: bool = False
    duration_s: float | None = None
    """Stop this many seconds after ``t0_ns`` (a replay stops by its ``ReplayControl.end_s``)."""
    user: str | None = None
    t0_ns: int = field(default_factory=time.monotonic_ns)
    device_name: str | None = None
    summary_extra: Callable[[], dict[str, Any]] = dict
    replay: ReplayControl | None = None
    """A replay's pause, speed and seek, for the UI to drive (the same one its stream obeys)."""


def open_recorder(plan: SessionPlan, state: SessionState) -> RecordingWriter | None:
    if not plan.record or plan.spec is None:
        return None
    header = make_header(
        plan.spec, rate_hz=plan.rate_hz or plan.spec.default_rate_hz, name=plan.device_name,
        calibration=plan.profile.to_json(), user=plan.user or plan.profile.user,
        t0_ns=plan.t0_ns,
    )
    writer = RecordingWriter.open(plan.record_path, header)
    state.status.recording = str(writer.path)

    def record(ev: SessionEvent) -> None:
        writer.event(plan.t0_ns + round(ev.t * 1e9), ev.event, **ev.data)

    state.listeners.append(record)
    return writer


def run_session(plan: SessionPlan, stream: Stream) -> int:
    """Run ``stream`` into a fresh session; returns the exit status."""
    state = SessionState()
    writer = open_recorder(plan, state)
    processor = StreamProcessor(
        plan.spec, plan.profile, state, t0_ns=plan.t0_ns, rate_hz=plan.rate_hz, sink=writer,
        check_rate=plan.replay is None,
    )
    status = 0
    try:
        if plan.headless:
            status = asyncio.run(_headless(plan, processor, stream))
        else:
            _tui(plan, processor, stream)
    finally:
        if writer is not None:
            writer.close()
            if not _worth_keeping(state):
                writer.path.unlink(missing_ok=True)
    return status


def _worth_keeping(state: SessionState) -> bool:
    """A session that never received a packet (never connected) leaves no recording."""
    return state.status.packets > 0


async def bounded_stream(plan: SessionPlan, processor: StreamProcessor, stream: Stream) -> None:
    """The stream, ended ``--duration`` seconds into the session (from ``t0_ns``, as status times
    are); the open hold closed at the end. A replay stops itself (``ReplayControl.end_s``)."""
    try:
        if plan.duration_s is None:
            await stream(processor)
        else:
            late_s = (time.monotonic_ns() - plan.t0_ns) * 1e-9
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, plan.duration_s - late_s)):
                    await stream(processor)
    finally:
        processor.finish()


async def _headless(plan: SessionPlan, processor: StreamProcessor, stream: Stream) -> int:
    """Status lines until the stream ends, then the summary; also when stopped by SIGTERM or
    SIGHUP (exit status 128 + the signal's number; SIGINT: KeyboardInterrupt, as elsewhere)."""
    state = processor.state
    printer = JsonLines(state)
    state.listeners.append(printer.event)
    task = asyncio.ensure_future(bounded_stream(plan, processor, stream))
    stopped_by: list[int] = []

    def stop(signum: int) -> None:
        stopped_by.append(signum)
        task.cancel()

    loop = asyncio.get_running_loop()
    for name in ("SIGTERM", "SIGHUP"):
        if (signum := getattr(signal, name, None)) is not None:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop, signum)
    try:
        if plan.replay is not None:
            await asyncio.sleep(0)  # the stream's first step sets the replay's start time
        while True:  # a status first, while scanning and connecting too
            if plan.replay is None:  # live: no data (lost link, silence) is time passing too
                # Data later than half a period: with a full period, time read 0.49 s behind at
                # one line and caught up at the next, a step of a period + 0.49 s (+ jitter:
                # 1.001 s seen, over CLI.md's once a second).
                now = processor.seconds(processor.clock_ns())
                if now - state.status.t > 0.5 * STATUS_PERIOD_S:
                    state.status.t = now
            printer.status()
            if task.done():
                break
            await asyncio.wait({task}, timeout=STATUS_PERIOD_S)
        if not stopped_by:
            task.result()
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if not _worth_keeping(state):  # run_session deletes it: the summary names none
            state.status.recording = None
        printer.summary(plan.summary_extra())
    return 128 + stopped_by[0] if stopped_by else 0


def _tui(plan: SessionPlan, processor: StreamProcessor, stream: Stream) -> None:
    from sensorhold.tui.app import create_app

    async def run_stream(_state: SessionState) -> None:
        await bounded_stream(plan, processor, stream)

    state = processor.state
    user = plan.user or plan.profile.user
    recorded = plan.record and state.status.recording is not None

    def on_end(summary: dict[str, Any]) -> None:
        if recorded:
            append_progression(user, summary, state.status.recording)

    app = create_app(
        state, title=plan.title, run_stream=run_stream,
        history=load_progression(user) if recorded else (), on_session_end=on_end,
        replay=plan.replay,
    )
    app.run()
