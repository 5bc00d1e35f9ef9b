"""Pilot tests: the test drives ``SessionState`` (the UI's input) and pulls a frame explicitly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.message import Message
from textual.widgets import DataTable, Digits, Static

from sensorhold import texts
from sensorhold.session.state import SessionState
from sensorhold.tui.coaching import Checkin
from sensorhold.tui.messages import CheckinDue, CoachAlerted
from sensorhold.tui.screens.checkin import CheckinScreen
from sensorhold.tui.screens.help import HelpScreen
from sensorhold.tui.screens.summary import SummaryScreen
from sensorhold.tui.widgets.hold_clock import HoldClock

SIZE = (110, 34)


def alerts(messages: list[Message]) -> list[str]:
    return [m.alert.kind for m in messages if isinstance(m, CoachAlerted)]


async def test_live_screen_shows_a_stage1_hold(scripted_app: Any) -> None:
    app, session = scripted_app(60.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one("#hold-digits", Digits).value == "0:54"
        assert app.query_one("#angle-digits", Digits).value.endswith("°")
        assert app.query_one("#rung-1").has_class("-current")
        assert app.query_one("#rung-3").has_class("-locked")
        assert "0:06 to go" in str(app.query_one("#coach", Static).render())
        assert app.query_one("#stability").has_class("-steady")
        session.advance(67.0)
        app.pull()
        await pilot.pause()
        assert app.query_one(HoldClock).has_class("-complete")
        assert "continue up to 3:00" in str(app.query_one("#coach", Static).render())


async def test_sensor_loss_pauses_the_clock_alerts_and_recovers(scripted_app: Any) -> None:
    messages: list[Message] = []
    app, session = scripted_app(118.0)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        await pilot.press("escape")  # the stage 1 check-in from before
        assert not isinstance(app.screen, CheckinScreen)
        session.advance(122.0)
        app.pull()
        await pilot.pause()
        clock = app.query_one(HoldClock)
        assert clock.has_class("-paused")
        paused_at = app.query_one("#hold-digits", Digits).value
        assert app.query_one("#angle-digits", Digits).value == "—"
        assert "paused" in str(app.query_one("#coach", Static).render())
        session.advance(125.0)
        app.pull()
        await pilot.pause()
        assert app.query_one("#hold-digits", Digits).value == paused_at
        session.advance(128.0)
        app.pull()
        await pilot.pause()
        assert not clock.has_class("-paused")
        assert alerts(messages) == ["lost", "back"]
        assert len(bells) == 2
        recorded = [e.data["kind"] for e in session.state.events if e.event == "coach_alert"]
        assert recorded == ["lost", "back"]  # alerts reach the recording as events


async def test_hold_end_asks_symptoms_and_worse_leg_advises(scripted_app: Any) -> None:
    messages: list[Message] = []
    app, _ = scripted_app(84.0)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        assert [m.checkin.stage for m in messages if isinstance(m, CheckinDue)] == [1]
        await pilot.press("3", "2")
        await pilot.pause()
        assert not isinstance(app.screen, CheckinScreen)
        symptom = [e for e in app.state.events if e.event == "symptom"]
        assert [(e.data["leg"], e.data["back"], e.data["reason"]) for e in symptom] == [
            ("worse", "same", "hold_end")
        ]
        assert alerts(messages) == ["come_down"]
        app.pull()
        await pilot.pause()
        assert app.query_one("#coach").has_class("-come_down")


@pytest.mark.parametrize(
    ("keys", "leg"),
    [
        (("1", "2", "q"), "better"),  # the check-in answered, then q
        (("q",), None),  # q on the open check-in: the modal screen once hid the app's binding
    ],
)
async def test_quit_shows_summary_then_returns_it(
    scripted_app: Any, keys: tuple[str, ...], leg: str | None
) -> None:
    ended: list[dict[str, Any]] = []
    app, _ = scripted_app(170.0, on_session_end=ended.append)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        await pilot.press(*keys)
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert len(ended) == 1
        assert [h["stage"] for h in ended[0]["holds"]] == [1, 2]
        assert ended[0]["holds"][0]["leg"] == leg
        assert app.screen.query_one("#holds-table", DataTable).row_count == 2
        assert app.screen.query_one("#progress-table", DataTable).row_count == 3
        await pilot.press("q")
    assert app.return_value is ended[0]


async def test_summary_title_counts_one_hold_in_the_singular(scripted_app: Any) -> None:
    app, _ = scripted_app(100.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if isinstance(app.screen, CheckinScreen):
            await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.query_one("#holds-table", DataTable).row_count == 1
        title = str(app.screen.query_one("#summary-title", Static).render())
        assert ", 1 hold (" in title, title


async def test_stream_end_shows_summary_and_cancel_runs_the_streams_cleanup() -> None:
    state = SessionState()
    finished: list[str] = []

    async def short_stream(s: SessionState) -> None:
        s.status.link = "replay"
        await asyncio.sleep(0)

    from sensorhold.tui.app import create_app

    app = create_app(state, title="t", run_stream=short_stream, tick_s=3600)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)

    async def endless_stream(s: SessionState) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            finished.append("stream closed")

    app = create_app(
        SessionState(),
        title="t",
        run_stream=endless_stream,
        on_session_end=lambda summary: finished.append("session end"),
        tick_s=3600,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert finished == ["stream closed", "session end"]


async def test_failed_stream_is_reported(scripted_app: Any) -> None:
    async def broken(_: SessionState) -> None:
        raise OSError("adapter off")

    app, _ = scripted_app(1.0, run_stream=broken)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert any("adapter off" in str(n.message) for n in app._notifications)


async def test_help_opens_and_closes(scripted_app: Any) -> None:
    app, _ = scripted_app(10.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_an_arrival_checkin_follows_the_person_on_to_the_next_stage(
    scripted_app: Any,
) -> None:
    """Asked on arriving in stage 2 and still open when the person has moved on to stage 1, the
    check-in says where they are now and its answers are recorded for that stage, at the time
    they reached it (the title kept "Now at stage 2"; then the answers kept the time of the
    first question, between holds, and the summary showed none on the hold)."""
    app, session = scripted_app(100.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")  # the stage-1 hold's end-of-hold check-in
        app.post_message(CheckinDue(Checkin("stage", 2, 88.0)))
        await pilot.pause()
        title = app.screen.query_one("#checkin-title", Static)
        assert "stage 2" in str(title.render())
        session.advance(172.0)
        app.pull()
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        assert "stage 1" in str(title.render())
        await pilot.press("1", "2")
        await pilot.pause()
        symptom = [e.data for e in app.state.events if e.event == "symptom"]
        assert [(d["reason"], d["stage"], d["leg"], d["back"]) for d in symptom] == [
            ("stage", 1, "better", "same")
        ]
        assert symptom[0]["at_s"] > 160.0


async def test_the_fixed_coach_lines_fit_the_coach_panel(scripted_app: Any) -> None:
    """The coach panel shows one line: a longer one is cut off (the start line, grown to ask
    for standing first, lost its 'stage 1.' at 120 columns in tmux)."""
    fixed = [v for k, v in vars(texts).items() if k.startswith("COACH_") and "{" not in v]
    app, _ = scripted_app(2.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        coach = app.query_one("#coach", Static)
        assert str(coach.render()) == texts.COACH_START
        too_long = [line for line in fixed if len(line) > coach.content_region.width]
        assert too_long == []
