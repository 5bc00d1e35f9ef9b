"""``SampleClock.step_many`` gives exactly the times of ``step`` on each notification in turn."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorhold.protocol.sample_clock import SampleClock
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
