"""The app's pull timer may tick while the app shuts down; that must not crash the exit.

Found by ``benchmarks/ui_latency.py``: with a 50 ms tick, leaving ``run_test`` raised
``NoMatches: No nodes match 'HoldClock'`` from a pull that ran while the live screen's
widgets were being removed.
"""

from __future__ import annotations

import numpy as np

from sensorhold.session.state import SessionState
from sensorhold.tui.app import create_app


async def test_pull_ticking_through_shutdown_is_harmless() -> None:
    for _ in range(5):  # a tick lands in the teardown most times; five makes it near certain
        state = SessionState()
        t = np.arange(0.0, 90.0, 0.01)
        state.history.extend(t, np.zeros(t.size), np.ones(t.size, dtype=np.int8))
        app = create_app(state, title="teardown", tick_s=0.001)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.1)
