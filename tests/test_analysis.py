"""Offline per-sample stage: consistent with the back-dated holds, the live reading kept."""

from __future__ import annotations

import numpy as np

from sensorhold.analysis import settled_stage
from sensorhold.signal.hold_timer import HoldEvent
from sensorhold.signal.pipeline import PipelineOutput


def _out(stage: list[int], events: list[HoldEvent]) -> PipelineOutput:
    n = len(stage)
    t = np.arange(n) * 0.1
    z = np.zeros(n)
    return PipelineOutput(t, z, np.array(stage, np.int8), z.astype(bool), z, events)


def test_holds_are_back_dated_and_stale_stage_cleared() -> None:
    # Live: stage 1 shown from 0.3 (confirmed late), kept until the end was known at 0.9;
    # then stage 2 shown from 1.2. The holds: stage 1 over [0.1, 0.6), stage 2 from 1.0 on.
    live = [0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2]
    events = [
        HoldEvent("hold_start", 0.3, 1, 0.1),
        HoldEvent("hold_end", 0.9, 1, 0.1, 0.6, 0.0, 0.0),
        HoldEvent("hold_start", 1.2, 2, 1.0),
        HoldEvent("hold_end", 1.4, 2, 1.0, 1.45, 15.0, 0.0),
    ]
    got = settled_stage(_out(live, events))
    assert got.tolist() == [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2, 2]


def test_without_holds_the_live_stage_stands() -> None:
    live = [0, 2, 2, 0, 3]
    assert settled_stage(_out(live, [])).tolist() == live


def test_times_out_of_order_settle_as_the_same_samples_in_order() -> None:
    live = [0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2]
    events = [
        HoldEvent("hold_end", 0.9, 1, 0.1, 0.6, 0.0, 0.0),
        HoldEvent("hold_end", 1.4, 2, 1.0, 1.45, 15.0, 0.0),
    ]
    ordered = _out(live, events)
    order = np.random.default_rng(0).permutation(len(live))
    shuffled = PipelineOutput(
        ordered.t[order], ordered.angle_deg, ordered.stage[order], ordered.stable,
        ordered.hold_s, events,
    )
    assert settled_stage(shuffled).tolist() == settled_stage(ordered)[order].tolist()
