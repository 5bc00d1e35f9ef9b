"""SVG snapshots at 110x34 of the scripted session: no wall clock, no randomness, the pull timer
parked (frames are pulled explicitly)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sensorhold.tui.screens.checkin import CheckinScreen

SIZE = (110, 34)


def test_live_mid_hold(snap_compare: Any, scripted_app: Any) -> None:
    app, _ = scripted_app(60.0)
    assert snap_compare(app, terminal_size=SIZE)


async def answer(pilot: Pilot[Any], *keys: str) -> None:
    """Wait for the check-in the first frame asked for, then press ``keys``."""
    await pilot.pause()
    assert isinstance(pilot.app.screen, CheckinScreen)
    await pilot.press(*keys)
    await pilot.pause()


def test_symptom_checkin(snap_compare: Any, scripted_app: Any) -> None:
    app, _ = scripted_app(84.0)

    async def leg_worse(pilot: Pilot[Any]) -> None:
        await answer(pilot, "3")

    assert snap_compare(app, terminal_size=SIZE, run_before=leg_worse)


def test_sensor_lost_alert(snap_compare: Any, scripted_app: Any) -> None:
    app, session = scripted_app(118.0)

    async def lose_sensor(pilot: Pilot[Any]) -> None:
        await answer(pilot, "1", "2")
        session.advance(122.0)
        app.pull()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=lose_sensor)


def test_summary(snap_compare: Any, scripted_app: Any) -> None:
    app, session = scripted_app(60.0)

    async def run_session_then_quit(pilot: Pilot[Any]) -> None:
        for t in range(70, 171, 10):
            session.advance(float(t))
            app.pull()
            await pilot.pause()
        assert isinstance(pilot.app.screen, CheckinScreen)
        await pilot.press("2", "1", "q")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_session_then_quit)
