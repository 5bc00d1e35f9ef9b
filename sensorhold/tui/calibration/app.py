"""The guided calibration app and its factory, used by ``sensorhold calibrate`` and the tests.

The stream feeds the ``CalibrationFlow`` from an async worker on the app's loop; the app pulls
the flow's view and events at a fixed cadence, fits the profile once every pose is accepted and
saves it, asking first when the file there is not a usable profile.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from sensorhold import texts
from sensorhold.calibration import profile as profiles
from sensorhold.calibration.profile import Profile
from sensorhold.calibration_flow import CalibrationFlow, FlowEvent, existing_problem
from sensorhold.errors import UserError
from sensorhold.session.state import SessionState
from sensorhold.tui.calibration.screens import CalibrateScreen, ReplaceProfileScreen, angles_line
from sensorhold.tui.messages import StreamEnded

RunStream = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SaveTarget:
    """Whose profile it is and where it goes; ``force`` replaces an unusable file unasked."""

    user: str
    sensor_model: str
    path: Path
    force: bool = False


@dataclass(frozen=True, slots=True)
class CalibrationResult:
    """The fitted profile; ``path`` None when the person chose to keep the existing file."""

    profile: Profile
    path: Path | None


@dataclass
class FlowChanged(Message):
    """A pose was accepted or rejected, or a step redone."""

    event: FlowEvent


@dataclass
class CalibrationFinished(Message):
    """The fit is done: ``result`` (saved or kept), or ``error`` saying what to redo."""

    result: CalibrationResult | None
    error: str | None = None


class CalibrationApp(App[CalibrationResult | None]):
    """The flow's steps, then the fitted angles; returns the result (None if left early)."""

    CSS_PATH: ClassVar[list[str | Path]] = ["../sensorhold.tcss", "calibrate.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "redo", "redo the last position"),
        Binding("q", "leave", "quit"),
    ]

    def __init__(
        self, flow: CalibrationFlow, state: SessionState, *, title: str,
        run_stream: RunStream | None, target: SaveTarget, tick_s: float,
    ) -> None:
        super().__init__()
        self.flow, self.state, self.title = flow, state, title
        self.target = target
        self.result: CalibrationResult | None = None
        self._run_stream = run_stream
        self._tick_s = tick_s
        self._stream_worker: Worker[None] | None = None
        self._fitted = False
        self._stream_error: str | None = None

    def get_default_screen(self) -> CalibrateScreen:
        return CalibrateScreen(self.flow.stages, self.flow.params.hold_s)

    def on_mount(self) -> None:
        self.set_interval(self._tick_s, self.pull, name="pull")
        if self._run_stream is not None:
            self._stream_worker = self.stream()

    @work(exclusive=True, group="stream", exit_on_error=False)
    async def stream(self) -> None:
        """Runs the sensor stream on the app's loop (bleak needs this loop)."""
        assert self._run_stream is not None
        error: str | None = None
        try:
            await self._run_stream()
        except Exception as exc:  # shown to the person; they can still leave with q
            error = str(exc) or type(exc).__name__
        self.post_message(StreamEnded(error))

    def pull(self) -> None:
        """One UI frame: the flow's view and new events; the fit once every pose is in."""
        for event in self.flow.take_events():
            self.post_message(FlowChanged(event))
        screen = self.screen_stack[0]
        if isinstance(screen, CalibrateScreen) and screen.is_mounted:
            with self.batch_update():
                screen.show(self.flow.view(), self.state.status)
            if self.flow.complete and not self._fitted:
                self._fitted = True
                self._fit(screen)
            elif self._stream_error and not self.flow.complete:
                error = self._stream_error.rstrip(".")
                screen.show_outcome(texts.CAL_STREAM_STOPPED.format(error=error), ok=False)

    def _fit(self, screen: CalibrateScreen) -> None:
        t = self.target
        try:
            profile = self.flow.fit(user=t.user, sensor_model=t.sensor_model)
        except UserError as exc:
            screen.show_outcome(texts.CAL_FAILED.format(error=str(exc).rstrip(".")), ok=False)
            self.post_message(CalibrationFinished(None, str(exc)))
            return
        problem = existing_problem(t.path)
        if problem is None or t.force:
            self._save(profile, replace=True)
        else:
            self.push_screen(
                ReplaceProfileScreen(problem), lambda yes: self._save(profile, replace=bool(yes))
            )

    def _save(self, profile: Profile, *, replace: bool) -> None:
        screen = self.screen_stack[0]
        assert isinstance(screen, CalibrateScreen)
        angles = angles_line(profile)
        if not replace:
            self.result = CalibrationResult(profile, None)
            screen.show_outcome(
                f"{angles}\n{texts.CAL_NOT_SAVED.format(path=self.target.path)}", ok=False
            )
            self.post_message(CalibrationFinished(self.result))
            return
        try:
            path = profiles.save(profile, self.target.path)
        except OSError as exc:
            error = f"cannot write {self.target.path} ({exc.strerror or exc})"
            screen.show_outcome(f"{angles}\n{error}", ok=False)
            self.post_message(CalibrationFinished(None, error))
            return
        self.result = CalibrationResult(profile, path)
        screen.show_outcome(f"{angles}\n{texts.CAL_SAVED.format(path=path)}", ok=True)
        self.post_message(CalibrationFinished(self.result))

    @on(StreamEnded)
    def _stream_ended(self, message: StreamEnded) -> None:
        self._stream_error = message.error
        self.pull()

    def action_redo(self) -> None:
        """Redo the last accepted position, unless the profile is already saved."""
        if self.result is not None and self.result.path is not None:
            return
        self.flow.redo()
        self.result, self._fitted = None, False
        screen = self.screen_stack[0]
        if isinstance(screen, CalibrateScreen):
            screen.show_outcome("", ok=True)
        self.pull()

    async def action_leave(self) -> None:
        """Stop the stream (the link disconnects cleanly), then leave with the result."""
        worker = self._stream_worker
        if worker is not None and not worker.is_finished:
            worker.cancel()
            with suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
        self.exit(self.result)


def create_calibration_app(
    flow: CalibrationFlow,
    state: SessionState,
    *,
    title: str,
    run_stream: RunStream | None,
    target: SaveTarget,
    tick_s: float = 0.1,
) -> CalibrationApp:
    """The app for one guided calibration: ``run_stream()`` is awaited in a worker on the app's
    loop and feeds ``flow`` (and ``state``'s link status); ``app.run()`` returns the result."""
    return CalibrationApp(
        flow, state, title=title, run_stream=run_stream, target=target, tick_s=tick_s
    )
