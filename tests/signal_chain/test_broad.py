"""The orientation layer on real IMU data (a BROAD extract) matches VQF run directly.

Fast translation is where linear acceleration leaks into tilt, so it separates a filter with
VQF's accuracy from a retuned or broken one. The crop keeps 10 s of rest and 50 s of motion.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.broad import DATA_DIR, inclination_rmse, load, ours, packet_loss, vqf_direct

TRIAL = "15_undisturbed_fast_translation_A"

pytestmark = pytest.mark.skipif(
    not (DATA_DIR / f"{TRIAL}.npz").exists(), reason="BROAD extract not shipped"
)


@pytest.fixture(scope="module")
def trial():
    return load(TRIAL).crop(0.0, 60.0)


def test_inclination_matches_vqf_on_broad(trial) -> None:
    assert trial.movement.sum() > 40 * trial.fs  # the crop really holds motion
    ref = inclination_rmse(vqf_direct(trial), trial.quat, trial.movement)
    up, state = ours(trial)
    got = inclination_rmse(up, trial.quat, trial.movement)
    assert state.gaps == 0 and state.resets == 0
    assert got <= ref + 0.1, f"ours {got:.3f} deg vs VQF {ref:.3f} deg"
    assert got < 1.5


def test_streaming_equals_batch_on_broad(trial) -> None:
    up, _ = ours(trial)
    up_s, _ = ours(trial, chunk=7)
    np.testing.assert_allclose(up_s, up, atol=1e-9)


def test_short_packet_bursts_barely_cost_accuracy(trial) -> None:
    """1 % of the samples lost in 10-30 ms bursts: the bridged gaps add little error, while
    feeding the same samples as if contiguous does not."""
    keep = packet_loss(trial.movement.size, trial.fs, np.random.default_rng(0), 0.01, (0.01, 0.03))
    mask = trial.movement[keep]
    up_full, _ = ours(trial)
    base = inclination_rmse(up_full[keep], trial.quat[keep], mask)
    up, state = ours(trial, keep=keep)
    got = inclination_rmse(up, trial.quat[keep], mask)
    assert state.gaps > 10 and state.resets == 0
    assert got <= base + 0.5, f"with gaps {got:.3f} deg vs {base:.3f} deg without"
