"""The sensorhold terminal app and its factory, used by the CLI and the tests.

The stream (live BLE or replay) writes ``SessionState`` from an async worker on the app's loop;
the app pulls from it at a fixed cadence and never per packet.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from sensorhold.session.state import SessionState
from sensorhold.tui.coaching import Answer, Checkin, Coach, HoldTargets
from sensorhold.tui.messages import CheckinDue, CoachAlerted, StreamEnded
from sensorhold.tui.screens.checkin import CheckinScreen
from sensorhold.tui.screens.help import HelpScreen
from sensorhold.tui.screens.live import PLOT_WINDOW_S, LiveScreen, ReplayScreen, stage_bands
from sensorhold.tui.screens.summary import SummaryScreen
from sensorhold.tui.session_record import EventCursor, SessionTrace, build_summary

if TYPE_CHECKING:
    from sensorhold.runner.replay_control import ReplayControl

RunStream = Callable[[SessionState], Awaitable[None]]
Summary = dict[str, Any]


class SensorholdApp(App[Summary]):
    """Live coaching, symptom check-ins, then the session summary (the app's return value)."""

    CSS_PATH = "sensorhold.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "end_session", "quit"),
        Binding("question_mark", "help", "help"),
    ]

    def __init__(
        self,
        state: SessionState,
        *,
        title: str,
        run_stream: RunStream | None,
        history: Sequence[dict[str, Any]],
        targets: HoldTargets,
        on_session_end: Callable[[Summary], None] | None,
        tick_s: float,
        replay: ReplayControl | None = None,
    ) -> None:
        super().__init__()
        self.state = state
        self.title = title
        self.coach = Coach(targets)
        self._targets = targets
        self._run_stream = run_stream
        self._history = history
        self._on_session_end = on_session_end
        self._tick_s = tick_s
        self._cursor = EventCursor()
        self._trace = SessionTrace()
        self._stream_worker: Worker[None] | None = None
        self._replay = replay
        self._seeks = self._rewinds = 0
        self.summary: Summary | None = None

    def get_default_screen(self) -> LiveScreen:
        if self._replay is not None:
            return ReplayScreen(self._targets, self._replay)
        return LiveScreen(self._targets)

    def on_ready(self) -> None:
        self.pull()

    def on_mount(self) -> None:
        self.set_interval(self._tick_s, self.pull, name="pull")
        if self._run_stream is not None:
            self._stream_worker = self.stream()

    @work(exclusive=True, group="stream", exit_on_error=False)
    async def stream(self) -> None:
        """Runs the integrator's stream on the app's loop (bleak needs this loop)."""
        assert self._run_stream is not None
        error: str | None = None
        try:
            await self._run_stream(self.state)
        except Exception as exc:  # shown to the user; the summary still follows
            error = str(exc) or type(exc).__name__
        self.post_message(StreamEnded(error))

    def pull(self) -> None:
        """One UI frame: read status, new events and the last 90 s, then update the live screen."""
        if self.summary is not None or not self.is_running or self._follow_seeks():
            return
        self.state.catch_up()
        events = self._cursor.take(self.state.events)
        t, angle, _ = self.state.history.last(PLOT_WINDOW_S)
        self._trace.add(t, angle)
        advice = self.coach.observe(self.state.status, events)
        live = self.screen_stack[0]
        if isinstance(live, LiveScreen) and live.is_mounted:
            with self.batch_update():
                live.show(self.state, advice, t, angle)
        for alert in advice.alerts:
            self.post_message(CoachAlerted(alert))
        for checkin in advice.checkins:
            self.post_message(CheckinDue(checkin))
        if isinstance(self.screen, CheckinScreen) and self.screen.is_mounted:
            self.screen.follow_stage(self.state.status.stage, self.state.status.t)

    def _follow_seeks(self) -> bool:
        """True while a replay seek is under way (only its bar is drawn). Once one is done, the
        coach goes on from the target: no alerts or check-ins for what was skipped, and after a
        seek back a fresh coach and trace, as the session state itself is fresh."""
        replay = self._replay
        if replay is None:
            return False
        if replay.seeking_to is not None:
            live = self.screen_stack[0]
            if isinstance(live, ReplayScreen) and live.is_mounted:
                live.show_bar()
            return True
        if replay.seeks != self._seeks:
            self._seeks = replay.seeks
            self._cursor.take(self.state.events)
            if replay.rewinds != self._rewinds:
                self._rewinds = replay.rewinds
                self.coach = Coach(self._targets)
                self._trace = SessionTrace()
            t, angle, _ = self.state.history.last(math.inf)
            self._trace.add(t, angle)
        return False

    @on(CoachAlerted)
    def _alert(self, message: CoachAlerted) -> None:
        alert = message.alert
        # Recorded under its own name: "alert" events are the stream's, which the coach relays.
        self.state.emit("coach_alert", kind=alert.kind, message=alert.message)
        self.notify(alert.message, severity=alert.severity, timeout=8)
        self.bell()

    @on(CheckinDue)
    def _ask(self, message: CheckinDue) -> None:
        if self.summary is not None or isinstance(self.screen, CheckinScreen):
            return
        screen = CheckinScreen(message.checkin)
        self.push_screen(screen, lambda answers: self._answered(screen.checkin, answers))

    def _answered(self, checkin: Checkin, answers: tuple[Answer, Answer] | None) -> None:
        if answers is None:
            return
        leg, back = answers
        self.state.emit(
            "symptom",
            leg=leg,
            back=back,
            reason=checkin.reason,
            stage=checkin.stage,
            at_s=checkin.t,
        )
        for alert in self.coach.answer(checkin.stage, leg, back):
            self.post_message(CoachAlerted(alert))

    @on(StreamEnded)
    async def _stream_ended(self, message: StreamEnded) -> None:
        await self.action_end_session()
        if message.error:
            self.notify(message.error, title="stream stopped", severity="error", timeout=30)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_end_session(self) -> None:
        """First ``q``: stop the stream and show the summary. Second ``q``: leave with it."""
        if self.summary is not None:
            self.exit(self.summary)
            return
        self.pull()
        worker = self._stream_worker
        if worker is not None and not worker.is_finished:
            worker.cancel()
            with suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
        self.summary = build_summary(self.state.status, self.state.holds, self.state.events)
        if self._on_session_end is not None:
            self._on_session_end(self.summary)
        while isinstance(self.screen, ModalScreen):
            self.pop_screen()
        self.clear_notifications()  # live alerts are stale once the session is over
        self.push_screen(
            SummaryScreen(
                self.summary, self._trace.arrays(), stage_bands(self.state), self._history
            )
        )


def create_app(
    state: SessionState,
    *,
    title: str,
    run_stream: RunStream | None = None,
    history: Sequence[dict[str, Any]] = (),
    targets: HoldTargets | None = None,
    on_session_end: Callable[[Summary], None] | None = None,
    tick_s: float = 0.075,
    replay: ReplayControl | None = None,
) -> SensorholdApp:
    """The app for one session.

    ``run_stream(state)`` is awaited in a worker on the app's loop and updates ``state``;
    ``history`` holds earlier session summaries (``date``, ``best_hold_s`` per stage);
    ``on_session_end(summary)`` runs once when the session ends (``q`` or the stream returning),
    after the stream worker was cancelled: close the recording there. ``replay``, the control a
    replay stream obeys, adds the replay bar and its keys. ``app.run()`` returns the summary."""
    return SensorholdApp(
        state,
        title=title,
        run_stream=run_stream,
        history=history,
        targets=targets or HoldTargets(),
        on_session_end=on_session_end,
        tick_s=tick_s,
        replay=replay,
    )
