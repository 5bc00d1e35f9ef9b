"""Hold timer on hand-made flags: where holds are dated."""

from __future__ import annotations

import numpy as np
import pytest

from sensorhold.signal import hold_timer


def _events(
    t: np.ndarray, band: np.ndarray, still: np.ndarray, quiet: np.ndarray, chunk: int = 0,
    angle: np.ndarray | None = None, easing: np.ndarray | None = None,
    resting: np.ndarray | None = None, close: bool = False,
) -> list[hold_timer.HoldEvent]:
    """The hold events of flags fed in chunks of ``chunk`` samples (0: all at once), the pelvis
    neither raised nor lowered; with ``close``, the hold left open at the end too."""
    off = np.zeros(t.size, bool)
    angle = t * 0 if angle is None else angle
    params, state, events = hold_timer.HoldParams(), hold_timer.HoldState(), []
    step = chunk or t.size
    for i in range(0, t.size, step):
        sl = slice(i, i + step)
        state, out = hold_timer.step(
            params, state, t[sl], band[sl], still[sl], quiet[sl], angle[sl], off[sl], off[sl],
            None if easing is None else easing[sl], None if resting is None else resting[sl],
        )
        events += out.events
    end = hold_timer.close(params, state) if close else None
    return events + ([end] if end else [])


def _holds_chunked(
    t: np.ndarray, band: np.ndarray, still: np.ndarray, chunk: int
) -> list[tuple[int, float, float]]:
    events = _events(t, band, still, still, chunk, close=True)
    return [(e.stage, e.start_s, e.end_s) for e in events if e.kind == "hold_end"]


def _starts(events: list[hold_timer.HoldEvent]) -> list[tuple[int, float]]:
    return [(e.stage, e.start_s) for e in events if e.kind == "hold_start"]



def test_a_quiet_glide_into_the_band_dates_the_hold_at_the_band_entry() -> None:
    """Still and quiet throughout, gliding from the stage-2 band into stage 1 at 10 s: the
    stage-1 hold starts at the entry, not back in the stage-2 hold's quiet run."""
    t = np.arange(0.0, 20.0, 0.01)
    band = np.where(t < 10.0, 2, 1).astype(np.int8)
    on = np.ones(t.size, bool)
    starts = _starts(_events(t, band, on, on))
    assert starts[0] == (2, 0.0)
    assert starts[1][0] == 1 and abs(starts[1][1] - 10.0) < 0.02


@pytest.mark.parametrize("chunk", [0, 37])
def test_a_slow_lowering_that_reads_still_dates_the_hold_where_it_turns_quiet(chunk: int) -> None:
    """hard-11-001: lowering slowly from forearms into the prone band at 10 s, still (the tilt
    changes too smoothly for the stillness test) but not quiet until 12.5 s: the stage-1 hold
    starts at 12.5 s, not at the band entry (it was confirmed at 11 s, dated 2 s early)."""
    t = np.arange(0.0, 20.0, 0.01)
    band = np.where(t < 10.0, 2, 1).astype(np.int8)
    on = np.ones(t.size, bool)
    quiet = (t < 9.5) | (t >= 12.5)
    events = _events(t, band, on, quiet, chunk)
    starts = [(e.stage, e.start_s) for e in events if e.kind == "hold_start"]
    assert starts[1][0] == 1 and starts[1][1] == pytest.approx(12.5, abs=0.02)


@pytest.mark.parametrize("chunk", [0, 37])
def test_a_lowering_at_rest_before_it_is_quiet_dates_the_hold_at_its_first_rest(
    chunk: int,
) -> None:
    """hard-12-008 (noisy sensor): lowering slowly from forearms into the prone band at 10 s,
    still throughout, within the person's resting level from 10.8 s but quiet only from 12 s,
    after the hold was confirmed: the hold starts at 10.8 s, not at the band entry (the body
    was still moving there at 6°/s; dated 2 s early)."""
    t = np.arange(0.0, 20.0, 0.01)
    band = np.where(t < 10.0, 2, 1).astype(np.int8)
    on = np.ones(t.size, bool)
    quiet = (t < 9.5) | (t >= 12.0)
    resting = (t < 9.5) | (t >= 10.8)
    starts = _starts(_events(t, band, on, quiet, chunk, resting=resting))
    assert starts[1] == (1, pytest.approx(10.8, abs=0.011))


def test_a_lie_down_still_on_arrival_is_dated_where_it_turned_still() -> None:
    """A noisy sensor: lying down (not still) until 10 s, still in the prone band from then,
    within the person's resting level from 10.4 s, never quiet: the body stopped where it
    turned still (crosscheck x3010: dating it at the first rest made it 0.9 s late)."""
    t = np.arange(0.0, 20.0, 0.01)
    band = np.where(t < 9.0, 0, 1).astype(np.int8)
    still = t >= 10.0
    never = np.zeros(t.size, bool)
    resting = t >= 10.4
    starts = _starts(_events(t, band, still, never, resting=resting))
    assert starts == [(1, pytest.approx(10.0, abs=0.011))]


@pytest.mark.parametrize("chunk", [0, 37])
def test_a_lie_down_at_the_persons_rest_level_before_quiet_is_dated_at_that_rest(
    chunk: int,
) -> None:
    """Crosscheck x4011 (gyro noise above the fixed quiet rate): lying down, still in the prone
    band from 10 s, within the person's resting level from 10.2 s, quiet only from 10.8 s: the
    hold starts at 10.2 s (it was dated at the quiet run; x4011 1.45 s late)."""
    t = np.arange(0.0, 20.0, 0.01)
    band = np.where(t < 9.0, 0, 1).astype(np.int8)
    still, resting, quiet = t >= 10.0, t >= 10.2, t >= 10.8
    starts = _starts(_events(t, band, still, quiet, chunk, resting=resting))
    assert starts == [(1, pytest.approx(10.2, abs=0.011))]


@pytest.mark.parametrize("chunk", [0, 7, 26])
@pytest.mark.parametrize(("blip_s", "start"), [(0.02, 10.5), (0.1, 10.5), (0.4, 11.9)])
def test_a_noise_blip_does_not_cut_the_settling_run(
    chunk: int, blip_s: float, start: float
) -> None:
    """hard-4-007 (noisy sensor, 50 Hz): lying down into the prone band at 10 s, easing from
    10.5 s, quiet and still from 12 s, the decaying jolt rising over its trend for a sample or
    two at 11 and 11.5 s: the hold starts at 10.5 s (it was dated after the last blip, 1.3 s
    late). A break of 0.4 s is a movement and cuts the run."""
    t = np.arange(0.0, 20.0, 0.02)
    band = np.where(t < 10.0, 0, 1).astype(np.int8)
    calm = t >= 12.0
    blips = ((t >= 11.0) & (t < 11.0 + blip_s)) | ((t >= 11.5) & (t < 11.5 + blip_s))
    easing = (t >= 10.5) & ~blips
    starts = _starts(_events(t, band, calm, calm, chunk, easing=easing))
    assert starts == [(1, pytest.approx(start, abs=0.011))]


def test_a_hold_settled_in_a_data_gap_is_dated_at_its_middle() -> None:
    """Moving into the prone band at 10 s, then no data from 10.5 to 13 s; the filters read
    quiet again 0.4 s after the gap: the person settled unseen in it, the hold starts at its
    middle (11.75 s), not at 13.4 s."""
    t = np.arange(0.0, 30.0, 0.01)
    t = t[(t < 10.5) | (t >= 13.0)]
    band = np.where(t < 10.0, 0, 1).astype(np.int8)
    calm = t >= 13.4
    starts = _starts(_events(t, band, calm, calm))
    assert starts == [(1, pytest.approx(11.75, abs=0.02))]


def test_a_short_still_spell_mid_departure_does_not_resume_the_hold() -> None:
    """Leaving at 10 s, still again in the band for 0.6 s mid-push (the jolt dips), then out of
    the band for good at 11.5 s: the hold ends where the person first left."""
    t = np.arange(0.0, 20.0, 0.01)
    band = np.where(t < 11.5, 1, 0).astype(np.int8)
    still = (t < 10.0) | ((t >= 10.6) & (t < 11.2))
    lag = hold_timer.HoldParams().leave_lag_s
    assert _holds_chunked(t, band, still, 0) == [(1, 0.0, pytest.approx(10.0 - lag, abs=0.02))]


def test_a_wobble_settled_for_resettle_s_resumes_the_hold() -> None:
    """The same spell held for longer than ``resettle_s`` was a wobble: the hold goes on and
    ends at the later departure."""
    t = np.arange(0.0, 20.0, 0.01)
    band = np.where(t < 13.5, 1, 0).astype(np.int8)
    still = (t < 10.0) | ((t >= 10.6) & (t < 12.0))
    lag = hold_timer.HoldParams().leave_lag_s
    assert _holds_chunked(t, band, still, 0) == [(1, 0.0, pytest.approx(12.0 - lag, abs=0.02))]


@pytest.mark.parametrize("chunk", [0, 37, 1000])
@pytest.mark.parametrize("gap_s", [30.0, 86400.0])
def test_a_hold_ends_at_a_long_gap_and_the_one_after_counts_from_it(
    chunk: int, gap_s: float
) -> None:
    """Still in the stage-2 band throughout, no data for ``gap_s`` after 10 s (a dropped link, a
    cut file): no one knows what happened in it, so the hold ends at the last sample before it
    and a new one starts at the first after it (it was one 86,415 s hold)."""
    t = np.arange(0.0, 20.0, 0.01)
    t = np.where(t < 10.0, t, t + gap_s)
    on = np.ones(t.size, bool)
    after = 10.0 + gap_s
    assert _holds_chunked(t, np.full(t.size, 2, np.int8), on, chunk) == [
        (2, 0.0, pytest.approx(9.99)), (2, pytest.approx(after), pytest.approx(t[-1])),
    ]


@pytest.mark.parametrize("chunk", [0, 37])
def test_a_short_gap_inside_a_hold_is_bridged(chunk: int) -> None:
    """A 3 s loss burst inside a still hold (the link kept) is within the hold."""
    t = np.arange(0.0, 20.0, 0.01)
    t = t[(t < 10.0) | (t >= 13.0)]
    on = np.ones(t.size, bool)
    assert _holds_chunked(t, np.full(t.size, 2, np.int8), on, chunk) == [
        (2, 0.0, pytest.approx(t[-1]))
    ]


def test_a_candidate_cut_by_a_long_gap_starts_afresh_after_it() -> None:
    """Still in the prone band for 0.5 s before a 20 s gap: that settling is not carried over
    the gap (it dated the hold 20 s before any data showed it), the hold starts after it."""
    t = np.arange(0.0, 40.0, 0.01)
    t = t[(t < 10.0) | (t >= 30.0)]
    band = np.where(t < 9.5, 0, 1).astype(np.int8)
    assert _holds_chunked(t, band, band > 0, 0) == [
        (1, pytest.approx(30.0), pytest.approx(t[-1]))
    ]


@pytest.mark.parametrize("chunk", [0, 37])
def test_a_hold_left_in_a_data_gap_ends_at_its_middle(chunk: int) -> None:
    """hard-1-003: at rest on the hands (30°) until a 1.5 s loss at 10 s, found at 25° after it
    and leaving; the filters, not having seen the move, still read rest for 0.1 s after the
    gap: the hold ends at the gap's middle, not at that rest (it ended 0.9 s late)."""
    t = np.arange(0.0, 20.0, 0.01)
    t = t[(t < 10.0) | (t >= 11.5)]
    after = t >= 11.5
    band = np.where(t < 11.6, 3, 2).astype(np.int8)
    rest = ~after | (t < 11.6) | (t >= 12.5)
    angle = np.where(after, 25.0, 30.0)
    events = _events(t, band, rest, rest, chunk, angle=angle, resting=rest)
    ends = [(e.stage, e.end_s) for e in events if e.kind == "hold_end"]
    assert ends[0] == (3, pytest.approx(10.745, abs=0.011))


@pytest.mark.parametrize("chunk", [0, 37])
def test_a_hold_left_early_in_a_data_gap_ends_at_its_middle(chunk: int) -> None:
    """hard-4-001: at rest on the hands (30°) up to a 1.5 s loss at 10 s; the filters, which
    decay over the gap, read motion from its first sample on (the angle there only 0.5° off:
    the move had just begun), out of the band 0.4 s after it: the hold ends at the gap's
    middle, not at the last rest before it (1.1 s early)."""
    t = np.arange(0.0, 20.0, 0.01)
    t = t[(t < 10.0) | (t >= 11.5)]
    after = t >= 11.5
    band = np.where(t < 11.9, 3, 2).astype(np.int8)
    rest = ~after | (t >= 13.0)
    still = rest | (t < 11.9)
    angle = np.where(after, np.where(t < 11.9, 29.5, 20.0), 30.0)
    events = _events(t, band, still, rest, chunk, angle=angle, resting=rest)
    ends = [(e.stage, e.end_s) for e in events if e.kind == "hold_end"]
    assert ends[0] == (3, pytest.approx(10.745, abs=0.011))


def test_a_person_leaving_before_a_long_gap_ends_the_hold_where_they_left() -> None:
    """Leaving the band at 8 s, gone before the gap from 9 s: the hold ends where they left."""
    t = np.arange(0.0, 20.0, 0.01)
    t = np.where(t < 9.0, t, t + 60.0)
    band = np.where((t < 8.0) | (t > 60.0), 1, 0).astype(np.int8)
    lag = hold_timer.HoldParams().leave_lag_s
    assert _holds_chunked(t, band, band > 0, 0)[0] == (1, 0.0, pytest.approx(8.0 - lag, abs=0.02))


def test_a_hold_never_at_rest_does_not_end_before_it_started() -> None:
    """A rate that never came down to the quiet level (a gyro bias over what calibration saw)
    left the hold's last rest before its start, and its end was dated 0.35 s before its
    start: a negative duration."""
    t = np.arange(0.0, 10.0, 0.01)
    band = np.where((t > 1.0) & (t < 5.0), 1, 0).astype(np.int8)
    before = t < 0.5  # at rest once, before the hold, then never again
    holds = [e for e in _events(t, band, (t > 1.0) & (t < 5.0), before) if e.kind == "hold_end"]
    assert len(holds) == 1
    assert holds[0].end_s is not None and holds[0].end_s >= holds[0].start_s


@pytest.mark.parametrize("chunk", [0, 37])
def test_a_hold_resting_above_the_quiet_level_ends_where_the_person_left(chunk: int) -> None:
    """crosscheck x12 at --bias 5: the rate rested at 3-3.5 °/s, over the quiet level, so the
    stage-2 hold's last quiet sample was 1.5 s into it and its end was dated there, 26 s early.
    Its end is the last sample at the rest the hold showed."""
    t = np.arange(0.0, 40.0, 0.01)
    inside = (t > 1.0) & (t < 30.0)
    band = np.where(inside, 2, 0).astype(np.int8)
    rate = np.where(inside, 3.2 + 0.2 * np.sin(2 * np.pi * 0.25 * t), 20.0)
    down = np.tile([0.0, 0.0, 1.0], (t.size, 1))
    params, state, events = hold_timer.HoldParams(), hold_timer.HoldState(), []
    off = np.zeros(t.size, bool)
    step = chunk or t.size
    for i in range(0, t.size, step):
        sl = slice(i, i + step)
        state, out = hold_timer.step(
            params, state, t[sl], band[sl], inside[sl], (t < 1.5)[sl], t[sl] * 0, off[sl],
            off[sl], None, None, rate[sl], down[sl],
        )
        events += out.events
    ends = [e for e in events if e.kind == "hold_end"]
    assert len(ends) == 1 and ends[0].end_s == pytest.approx(30.0 - params.leave_lag_s, abs=0.1)
