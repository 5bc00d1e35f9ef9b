"""The pure coaching rules: lines, alerts and check-ins, without Textual."""

from sensorhold import texts
from sensorhold.session.state import SessionEvent, Status
from sensorhold.tui.coaching import Coach, HoldTargets, clock


def status(**kw: object) -> Status:
    base: dict[str, object] = {"link": "streaming", "connected": True}
    base.update(kw)
    return Status(**base)  # type: ignore[arg-type]


def test_clock_formats_minutes_and_seconds() -> None:
    assert [clock(s) for s in (0, 9.9, 60, 185, -3)] == ["0:00", "0:09", "1:00", "3:05", "0:00"]


def test_targets_live_in_one_place() -> None:
    t = HoldTargets(stage2_s=90)
    assert (t.target(1), t.ceiling(1), t.target(2), t.ceiling(2), t.target(0)) == (
        60,
        180,
        90,
        90,
        0,
    )


def test_phases_follow_the_protocol_through_a_stage1_hold() -> None:
    coach = Coach()
    phases = [
        coach.observe(status(stage=0)).phase,
        coach.observe(status(stage=1, hold_s=0.0)).phase,
        coach.observe(status(stage=1, hold_s=5.0, stable=True)).phase,
        coach.observe(status(stage=1, hold_s=61.0, stable=True)).phase,
        coach.observe(status(stage=1, hold_s=181.0, stable=True)).phase,
        coach.observe(status(stage=0)).phase,
    ]
    assert phases == ["rest", "settle", "hold", "complete", "done", "rest"]
    assert "1:00 to go" not in coach.observe(status(stage=1, hold_s=5, stable=True)).line
    assert "0:55 to go" in coach.observe(status(stage=1, hold_s=5, stable=True)).line


def test_stage2_hold_complete_says_come_down() -> None:
    coach = Coach(HoldTargets(stage2_s=30))
    assert coach.observe(status(stage=2, hold_s=29, stable=True)).phase == "hold"
    advice = coach.observe(status(stage=2, hold_s=30, stable=True))
    assert advice.phase == "done"
    assert [a.kind for a in advice.alerts] == ["complete"]
    assert coach.observe(status(stage=2, hold_s=31, stable=True)).alerts == ()


def test_wobble_alerts_once_per_gap() -> None:
    coach = Coach()
    coach.observe(status(t=1, stage=1, hold_s=5, stable=True))
    first = coach.observe(status(t=2, stage=1, hold_s=6, stable=False))
    coach.observe(status(t=3, stage=1, hold_s=7, stable=True))
    soon = coach.observe(status(t=4, stage=1, hold_s=8, stable=False))
    coach.observe(status(t=20, stage=1, hold_s=24, stable=True))
    later = coach.observe(status(t=21, stage=1, hold_s=25, stable=False))
    assert [a.kind for a in first.alerts] == ["unstable"]
    assert soon.alerts == ()
    assert [a.kind for a in later.alerts] == ["unstable"]


def test_sensor_loss_pauses_and_alerts_then_resumes() -> None:
    coach = Coach()
    coach.observe(status(t=10, stage=1, hold_s=30, stable=True))
    lost = coach.observe(
        status(t=11, stage=1, hold_s=31, stable=True, link="lost", connected=False),
        [SessionEvent(11, "disconnected")],
    )
    assert lost.phase == "paused"
    assert "paused at 0:31" in lost.line
    assert [(a.kind, a.severity) for a in lost.alerts] == [("lost", "error")]
    back = coach.observe(
        status(t=15, stage=1, hold_s=31, stable=True), [SessionEvent(15, "reconnected")]
    )
    assert back.phase == "hold"
    assert [a.kind for a in back.alerts] == ["back"]


def test_dropping_out_before_target_alerts_and_asks_for_symptoms() -> None:
    coach = Coach()
    advice = coach.observe(
        status(t=40, stage=0), [SessionEvent(40, "hold_end", {"stage": 1, "duration_s": 35.0})]
    )
    assert [a.kind for a in advice.alerts] == ["dropped"]
    assert advice.phase == "rest" and advice.line == texts.COACH_BETWEEN
    assert "0:35" in advice.alerts[0].message
    assert [(c.reason, c.stage) for c in advice.checkins] == [("hold_end", 1)]


def test_full_hold_end_asks_without_alert_and_short_blip_asks_nothing() -> None:
    coach = Coach()
    full = coach.observe(
        status(t=70), [SessionEvent(70, "hold_end", {"stage": 1, "duration_s": 62})]
    )
    blip = coach.observe(
        status(t=90), [SessionEvent(90, "hold_end", {"stage": 1, "duration_s": 3})]
    )
    assert full.alerts == ()
    assert len(full.checkins) == 1
    assert blip.checkins == ()


def test_stage_change_asks_unless_just_asked() -> None:
    coach = Coach()
    ev = [
        SessionEvent(5, "stage", {"stage": 1}),
        SessionEvent(70, "hold_end", {"stage": 1, "duration_s": 62}),
        SessionEvent(75, "stage", {"stage": 2}),
    ]
    assert [c.reason for c in coach.observe(status(t=75), ev).checkins] == ["hold_end"]
    later = coach.observe(status(t=200), [SessionEvent(200, "stage", {"stage": 1})])
    assert [(c.reason, c.stage) for c in later.checkins] == [("stage", 1)]


def test_worse_leg_advises_coming_down_then_stopping() -> None:
    coach = Coach()
    assert coach.answer(2, "better", "worse") == []
    first = coach.answer(2, "worse", "same")
    assert [a.kind for a in first] == ["come_down"]
    assert "stage 2 to stage 1" in first[0].message
    assert coach.observe(status(stage=1, hold_s=3, stable=True)).phase == "come_down"
    second = coach.answer(1, "worse", "same")
    assert [(a.kind, a.severity) for a in second] == [("stop", "error")]
    assert coach.observe(status(stage=1, hold_s=3, stable=True)).phase == "stop"
    assert coach.answer(1, "same", "same") == []
    assert coach.observe(status(stage=1, hold_s=3, stable=True)).phase == "hold"


def test_stream_alert_event_is_passed_on() -> None:
    advice = Coach().observe(status(), [SessionEvent(1, "alert", {"message": "battery low"})])
    assert [(a.kind, a.message) for a in advice.alerts] == [("stream", "battery low")]
