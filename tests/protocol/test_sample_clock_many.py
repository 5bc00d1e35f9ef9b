"""``SampleClock.step_many`` gives exactly the times of ``step`` on each notification in turn."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorhold.protocol.sample_clock import ClockParams, SampleClock, run_clock
from sensorhold.protocol.samples import ImuChunk
from sensorhold.protocol.spec import load_spec


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), model=st.sampled_from(["witmotion", "movella-dot"]))
def test_many_equals_one_by_one(seed: int, model: str) -> None:
    rng = np.random.default_rng(seed)
    spec = load_spec(model)
    rate = spec.default_rate_hz
    n = int(rng.integers(50, 400))
    counts = rng.integers(1, 4, n)
    t_sample = np.cumsum(np.ones(counts.sum()) / rate)
    keep = rng.random(n) > 0.03  # some notifications lost
    ends = np.cumsum(counts)
    arrivals = (t_sample[ends - 1] + rng.exponential(0.01, n)) * 1e9
    timed = spec.timestamps == "sensor"
    chunks, stamps = [], []
    for i in np.flatnonzero(keep):
        k = int(counts[i])
        t = t_sample[ends[i] - k : ends[i]] if timed else None
        chunks.append(ImuChunk(np.zeros((k, 3)), np.zeros((k, 3)), t))
        stamps.append(int(arrivals[i]))
    one = SampleClock.for_spec(spec)
    want = np.concatenate([one.step(t, c) for t, c in zip(stamps, chunks, strict=True)])
    many = SampleClock.for_spec(spec)
    cuts = np.unique(np.concatenate(([0, len(chunks)], rng.integers(0, len(chunks), 8))))
    got = np.concatenate([
        many.step_many(stamps[a:b], chunks[a:b]) for a, b in itertools.pairwise(cuts)
    ])
    assert np.array_equal(got, want)
    assert (many.gaps, many.lost_samples) == (one.gaps, one.lost_samples)


@pytest.mark.parametrize("timed", [False, True])
def test_a_long_run_in_one_pass_equals_small_chunks(timed: bool) -> None:
    """Two minutes with drift, jitter, two loss runs, a stall and (timed) a resync: clocked in
    one pass (many rate blocks at once) and in 0.2-2 s chunks, the same times bit for bit."""
    rng = np.random.default_rng(7)
    hz, n = 50.0, 6000
    counts = rng.integers(1, 4, n // 2)
    t_sample = 2.0 + np.arange(counts.sum()) / hz * (1 + 3e-3)
    ends = np.cumsum(counts)
    arrivals = t_sample[ends - 1] + 0.008 + rng.exponential(0.006, ends.size)
    arrivals[1000:1020] = arrivals[1020]  # a stall's burst
    keep = np.ones(ends.size, bool)
    keep[600:630] = keep[2000:2012] = False  # lost runs
    stamps = np.maximum.accumulate((arrivals * 1e9).astype(np.int64))[keep]
    sizes = counts[keep]
    t_sensor = None
    if timed:
        kept = [t_sample[e - k : e] for e, k in zip(ends[keep], sizes, strict=True)]
        t_sensor = np.concatenate(kept)
        t_sensor[t_sensor.size // 2 :] -= 30.0  # the sensor clock restarts
    params = ClockParams(period_s=1 / hz, timestamps=timed)
    want, state = run_clock(params, stamps, sizes, t_sensor)
    assert state.gaps >= 2 and state.rate_locked
    starts = np.cumsum(sizes) - sizes
    chunks = [
        ImuChunk(
            np.zeros((k, 3)), np.zeros((k, 3)), None if t_sensor is None else t_sensor[s : s + k]
        )
        for s, k in zip(starts.tolist(), sizes.tolist(), strict=True)
    ]
    clock = SampleClock(params)
    cuts = np.cumsum(rng.integers(10, 100, sizes.size))
    cuts = np.unique(np.concatenate(([0], cuts[cuts < sizes.size], [sizes.size])))
    got = [
        clock.step_many(stamps[a:b].tolist(), chunks[a:b])
        for a, b in itertools.pairwise(cuts.tolist())
    ]
    assert np.array_equal(np.concatenate(got), want)
    assert (clock.gaps, clock.lost_samples) == (state.gaps, state.lost_samples)



def test_a_loss_at_any_place_in_a_rate_block_clocks_the_same_in_one_pass() -> None:
    """A loss after each packet of a two-second rate block in turn (so once exactly at a block's
    end): clocked in one pass, or in two with the second starting at the first packet after the
    loss (where the arrivals run ahead), the same times."""
    rng = np.random.default_rng(3)
    hz, n = 25.0, 600
    stamps = ((2.0 + np.arange(n) / hz + 0.008 + rng.exponential(0.004, n)) * 1e9).astype(np.int64)
    params = ClockParams(period_s=1 / hz)
    for start in range(400, 452):
        t = np.concatenate((stamps[:start], stamps[start + 10 :]))
        ones = np.ones(t.size, np.int64)
        want, state = run_clock(params, t, ones)
        clock = SampleClock(params)
        chunks = [ImuChunk(np.zeros((1, 3)), np.zeros((1, 3)))] * t.size
        got = np.concatenate(
            (clock.step_many(t[:start].tolist(), chunks[:start]),
             clock.step_many(t[start:].tolist(), chunks[start:]))
        )
        assert state.gaps == 1 and clock.gaps == 1
        assert np.array_equal(got, want)
