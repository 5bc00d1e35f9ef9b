"""Event cursor, whole-session trace and summary, without Textual."""

from __future__ import annotations

from collections import deque

import numpy as np

from sensorhold.session.state import SessionEvent, Status
from sensorhold.tui.session_record import EventCursor, SessionTrace, build_summary


def test_cursor_returns_only_new_events_even_when_the_deque_drops_old_ones() -> None:
    events: deque[SessionEvent] = deque(maxlen=3)
    cursor = EventCursor()
    assert cursor.take(events) == []
    events.extend(SessionEvent(i, "stage") for i in range(2))
    assert [e.t for e in cursor.take(events)] == [0, 1]
    events.extend(SessionEvent(i, "stage") for i in range(2, 4))
    assert [e.t for e in cursor.take(events)] == [2, 3]
    assert cursor.take(events) == []


def test_trace_thins_to_one_mean_per_step_and_skips_repeats() -> None:
    trace = SessionTrace(step_s=1.0)
    t = np.arange(0, 3, 0.25)
    trace.add(t, t)
    trace.add(t, t)  # the same ring window pulled again
    trace.add(np.array([3.0, 3.5]), np.array([np.nan, np.nan]))
    tt, a = trace.arrays()
    assert tt.tolist() == [0.375, 1.375, 2.375, 3.25]
    assert a[:3].tolist() == [0.375, 1.375, 2.375] and np.isnan(a[3])


def test_summary_attaches_symptoms_to_their_holds_and_best_holds() -> None:
    """An answer at a hold's end goes with that hold; one asked on arriving in a stage goes
    with the hold of that stage it was asked in (the second hold had no end-of-hold answer and
    showed none)."""
    holds = [
        {"stage": 1, "start_s": 5, "end_s": 70, "duration_s": 65, "unstable_s": 6.5},
        {"stage": 2, "start_s": 80, "end_s": 100, "duration_s": 20, "unstable_s": 0},
        {"stage": 1, "start_s": 110, "end_s": 150, "duration_s": 40, "unstable_s": 0},
    ]
    events = [
        SessionEvent(
            75, "symptom", {"leg": "better", "back": "same", "reason": "hold_end", "at_s": 70}
        ),
        SessionEvent(
            82, "symptom", {"leg": "same", "back": "same", "reason": "stage", "stage": 2,
                            "at_s": 79.5},
        ),
        SessionEvent(  # asked on arriving in stage 2, answered after moving on: no hold of it
            112, "symptom", {"leg": "same", "back": "better", "reason": "stage", "stage": 2,
                             "at_s": 108},
        ),
        SessionEvent(
            160, "symptom", {"leg": "worse", "back": "worse", "reason": "hold_end", "at_s": 150}
        ),
    ]
    s = build_summary(Status(t=170, packets=9), holds, events)
    assert [(h["leg"], h["stability_pct"]) for h in s["holds"]] == [
        ("better", 90.0),
        ("same", 100.0),
        ("worse", 100.0),
    ]
    assert s["best_hold_s"] == {"1": 65.0, "2": 20.0}
    assert (s["duration_s"], s["packets"], len(s["symptoms"])) == (170, 9, 4)
