"""The numpy first-order low-pass equals scipy.signal.lfilter, chunk by chunk too."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import lfilter

from sensorhold.first_order import first_order_lowpass, sequential_lowpass


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 500),
    a=st.floats(1e-4, 1.0),
    cols=st.sampled_from([0, 1, 3]),
    cut=st.integers(0, 500),
    seed=st.integers(0, 2**31),
)
def test_matches_lfilter_in_any_chunking(n: int, a: float, cols: int, cut: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, cols) if cols else n) * 10
    y0 = rng.normal(size=cols) if cols else float(rng.normal())
    zi = ((1 - a) * np.asarray(y0))[None, ...]
    want = lfilter([a], [1.0, a - 1.0], x, axis=0, zi=zi)[0] if n else x
    got = first_order_lowpass(x, a, y0)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    cut = min(cut, n)
    head = first_order_lowpass(x[:cut], a, y0)
    tail = first_order_lowpass(x[cut:], a, head[-1] if cut else y0)
    np.testing.assert_allclose(np.concatenate([head, tail]), want, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 300), a=st.floats(1e-4, 1.0), cut=st.integers(0, 300),
       seed=st.integers(0, 2**31))
def test_sequential_form_is_bit_identical_to_lfilter(n: int, a: float, cut: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y0 = rng.normal(size=n) * 10, float(rng.normal())
    want = lfilter([a], [1.0, a - 1.0], x, zi=[(1 - a) * y0])[0] if n else x
    cut = min(cut, n)
    head = sequential_lowpass(x[:cut], a, y0)
    tail = sequential_lowpass(x[cut:], a, float(head[-1]) if cut else y0)
    assert np.array_equal(np.concatenate([head, tail]), want)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), a=st.floats(1e-4, 0.999), seed=st.integers(0, 2**31))
def test_a_signal_filters_bit_identically_as_a_one_column_table(
    n: int, a: float, seed: int
) -> None:
    """The 1-D shortcut (a streamed chunk) computes what the general path does."""
    rng = np.random.default_rng(seed)
    x, y0 = rng.normal(size=n) * 10, float(rng.normal())
    column = first_order_lowpass(x[:, None], a, [y0])[:, 0]
    assert np.array_equal(first_order_lowpass(x, a, y0), column)
