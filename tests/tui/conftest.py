"""Builds apps on the scripted session, with the pull timer parked so tests pull explicitly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sensorhold.session.state import SessionState
from sensorhold.tui.app import SensorholdApp, create_app
from sensorhold.tui.preview import ScriptedSession

HISTORY = [
    {"date": "2025-05-01", "best_hold_s": {"1": 45.0}},
    {"date": "2025-05-03", "best_hold_s": {"1": 70.0, "2": 20.0}},
]


@pytest.fixture
def scripted_app() -> Callable[..., tuple[SensorholdApp, ScriptedSession]]:
    """An app on a scripted session advanced to ``at_s``; advance it further from the test."""

    def build(at_s: float, **kw: Any) -> tuple[SensorholdApp, ScriptedSession]:
        session = ScriptedSession(SessionState())
        session.advance(at_s)
        kw.setdefault("history", HISTORY)
        app = create_app(session.state, title="sensorhold test", tick_s=3600, **kw)
        return app, session

    return build
