"""Hold timer on hand-made flags: where holds are dated."""

from __future__ import annotations

import numpy as np

from sensorhold.signal import hold_timer


def test_a_quiet_glide_into_the_band_dates_the_hold_at_the_band_entry() -> None:
    """Still and quiet throughout, gliding from the stage-2 band into stage 1 at 10 s: the
    stage-1 hold starts at the entry, not back in the stage-2 hold's quiet run."""
    t = np.arange(0.0, 20.0, 0.01)
    band = np.where(t < 10.0, 2, 1).astype(np.int8)
    on, off = np.ones(t.size, bool), np.zeros(t.size, bool)
    params = hold_timer.HoldParams()
    _, out = hold_timer.step(params, hold_timer.HoldState(), t, band, on, on, t * 0, off, off)
    starts = [(e.stage, e.start_s) for e in out.events if e.kind == "hold_start"]
    assert starts[0] == (2, 0.0)
    assert starts[1][0] == 1 and abs(starts[1][1] - 10.0) < 0.02
