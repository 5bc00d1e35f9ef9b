"""A CSV time column that does not always increase, made usable without losing rows.

A CSV's rows come in the order the samples were taken; it is their times that can be rough: an
app that stamps each Bluetooth notification's receive time gives the 2-4 samples it carried one
time, and receive times jitter, so a time can repeat or step back. Such times are noise on a
steady sample clock, so the rows stay, in file order, on a clock fitted to them: the sample
period from the times over many rows, and between losses (long time steps) the offset, the
median of each row's time less its place on that clock. A row that repeats the one before it
exactly is a duplicate and goes; a file written newest first is read the other way. A time more
than ``MAX_BACK_S`` back is no jitter: parts that each go on in time but come in the wrong order
are put in order; otherwise (a clock restarted) rows before the time is reached again are
skipped with a warning.
"""

from __future__ import annotations

import itertools

import numpy as np

from sensorhold.median import median
from sensorhold.recording.damage_log import DamageLog

MAX_BACK_S = 1.0
PERIOD_ROWS = 64
"""Rows over which the sample period is measured (jitter averages out, few losses inside)."""
NEWEST_FIRST = 0.9
"""A file whose times go down at more than this share of its steps was written newest first."""
GAP_S = 0.1
GAP_PERIODS = 10.0
"""A time step this long is lost packets: the clock's offset is fitted afresh after it."""


def in_time_order(
    rows: np.ndarray, lines: np.ndarray, log: DamageLog
) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` ((n, 7), time first) with increasing times, and their line numbers."""
    t = rows[:, 0]
    if t.size < 2 or bool(np.all(t[1:] > t[:-1])):
        return rows, lines
    dup = np.r_[False, np.all(rows[1:] == rows[:-1], axis=1)]
    if dup.any():
        log.note(f"{int(dup.sum())} rows repeat the row before them exactly (first line "
                 f"{int(lines[dup][0])}); the repeats are skipped")
        rows, lines = rows[~dup], lines[~dup]
        t = rows[:, 0]
    if np.mean(t[1:] < t[:-1]) > NEWEST_FIRST:
        log.note("the rows run newest first (time goes down the file); read in time order")
        rows, lines = rows[::-1], lines[::-1]
    rows, lines = _parts_in_order(rows, lines, log)
    t = rows[:, 0]
    before = np.r_[-np.inf, np.maximum.accumulate(t)[:-1]]
    jump = before - t > MAX_BACK_S
    for line in lines[jump].tolist():
        log.skip(line, f"time goes back more than {MAX_BACK_S:g} s")
    rows, lines = rows[~jump], lines[~jump]
    t = rows[:, 0]
    late = t <= np.r_[-np.inf, np.maximum.accumulate(t)[:-1]]
    if not late.any():
        return rows, lines
    spread = _spread(t, late)
    if spread is None:
        for line in lines[late].tolist():
            log.skip(line, "time does not increase")
        keep = ~late
        return rows[keep], lines[keep]
    log.note(f"{int(late.sum())} rows have a time that does not increase (first line "
             f"{int(lines[late][0])}): the times are read as jitter on a steady sample clock, "
             "rows kept in file order")
    rows = rows.copy()
    rows[:, 0] = _clock(t, spread)
    return rows, lines


def _parts_in_order(
    rows: np.ndarray, lines: np.ndarray, log: DamageLog
) -> tuple[np.ndarray, np.ndarray]:
    """Rows in parts that each go on in time but come in the wrong order (files joined the
    wrong way round, a logger's ring buffer), put in time order when the parts do not overlap
    in time; otherwise as they are (a clock restarted: the rows before the time is reached
    again are skipped)."""
    t = rows[:, 0]
    cuts = np.flatnonzero(t[1:] < t[:-1] - MAX_BACK_S) + 1
    if not cuts.size:
        return rows, lines
    parts = list(zip(np.r_[0, cuts].tolist(), np.r_[cuts, t.size].tolist(), strict=True))
    parts.sort(key=lambda ab: float(t[ab[0] : ab[1]].min()))
    ranges = [(float(t[a:b].min()), float(t[a:b].max())) for a, b in parts]
    if any(hi > lo + MAX_BACK_S for (_, hi), (lo, _) in itertools.pairwise(ranges)):
        return rows, lines
    log.note(f"the rows come in {len(parts)} parts out of time order (files joined the wrong "
             f"way round?): line {int(lines[parts[0][0]])} on comes first in time; the parts "
             "are used in time order")
    idx = np.concatenate([np.arange(a, b) for a, b in parts])
    return rows[idx], lines[idx]


def _spread(t: np.ndarray, late: np.ndarray) -> np.ndarray | None:
    """Times for the ``late`` rows evenly between the on-time rows around them, at most one
    sample period (the median time per row between on-time rows) apart; None if there is no
    on-time step."""
    on = np.flatnonzero(~late)
    steps = np.diff(t[on]) / np.diff(on)
    if not steps.size:
        return None
    period = median(steps)
    n = t.size
    idx = np.arange(n)
    prev = np.maximum.accumulate(np.where(late, 0, idx))
    nxt = np.minimum.accumulate(np.where(late, n, idx)[::-1])[::-1]
    run = np.maximum(nxt - prev, 1)
    room = np.where(nxt < n, t[np.minimum(nxt, n - 1)] - t[prev], np.inf)
    step = np.minimum(room / run, period)
    return np.where(late, t[prev] + (idx - prev) * step, t)


def _clock(t: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Increasing times for rough stamps ``t``: ``i · period + offset``, the offset the median
    of ``t - i · period`` over each stretch between losses (steps of ``GAP_PERIODS`` periods,
    and at least ``GAP_S``), the period their least-squares slope (``spread``, ``t`` made
    increasing, gives a first one to find the losses)."""
    n = t.size
    k = min(PERIOD_ROWS, n - 1)
    rough = median((spread[k:] - spread[:-k]) / k)
    if not rough > 0:
        return spread
    cuts = np.flatnonzero(np.diff(t) > max(GAP_S, GAP_PERIODS * rough)) + 1
    stretches = list(zip(np.r_[0, cuts].tolist(), np.r_[cuts, n].tolist(), strict=True))
    i = np.arange(n, dtype=float)
    # the period: one least-squares slope over all stretches, each about its own mean
    di = np.concatenate([i[a:b] - i[a:b].mean() for a, b in stretches])
    dt = np.concatenate([t[a:b] - t[a:b].mean() for a, b in stretches])
    period = float(di @ dt / (di @ di)) if di @ di > 0 else rough
    if not period > 0:
        return spread
    residual = t - i * period
    clock = np.empty(n)
    for a, b in stretches:
        clock[a:b] = i[a:b] * period + median(residual[a:b])
    if np.all(np.diff(clock) > 0):
        return clock
    late = clock <= np.r_[-np.inf, np.maximum.accumulate(clock)[:-1]]
    fixed = _spread(clock, late)
    return spread if fixed is None else fixed
