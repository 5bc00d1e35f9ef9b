"""The latch and hold-last helpers: a chunk's loop form equals the vectorised form."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorhold.signal.lowpass import SMALL, hold_last, latch

LONG = 3 * SMALL


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), prev=st.booleans(), cut=st.integers(0, SMALL))
def test_latch_of_a_short_chunk_is_the_start_of_the_long_one(
    seed: int, prev: bool, cut: int
) -> None:
    rng = np.random.default_rng(seed)
    on, off = rng.random(LONG) < 0.2, rng.random(LONG) < 0.2
    whole = latch(on, off, prev)
    part = latch(on[:cut], off[:cut], prev)
    assert part.dtype == whole.dtype
    np.testing.assert_array_equal(part, whole[:cut])


@pytest.mark.parametrize(
    ("values", "prev"),
    [
        (np.linspace(0.0, 9.0, LONG), np.nan),
        (np.linspace(0.0, 9.0, LONG), 2.5),
        (np.linspace(0.0, 9.0, LONG), np.float64(-1.0)),
        (np.arange(LONG, dtype=np.int8), 3),
        (np.arange(LONG, dtype=np.int8), np.int64(3)),
        (np.arange(LONG) % 2 == 0, False),
    ],
)
@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cut=st.integers(0, SMALL))
def test_hold_last_of_a_short_chunk_is_the_start_of_the_long_one(
    values: np.ndarray, prev: float, seed: int, cut: int
) -> None:
    defined = np.random.default_rng(seed).random(LONG) < 0.3
    whole = hold_last(values, defined, prev)
    part = hold_last(values[:cut], defined[:cut], prev)
    assert part.dtype == whole.dtype
    np.testing.assert_array_equal(part, whole[:cut])


CHUNK_CASES = pytest.mark.parametrize(
    ("values", "prev"),
    [
        (np.linspace(0.0, 9.0, LONG), np.nan),
        (np.arange(LONG, dtype=np.int8), np.int64(3)),
        (np.arange(LONG) % 2 == 0, False),
    ],
)


def _assert_chunk_is_the_start(
    values: np.ndarray, defined: np.ndarray, prev: float, n: int
) -> None:
    """``hold_last`` of the first ``n`` samples equals the start of the whole chunk's."""
    whole = hold_last(values, defined, prev)
    part = hold_last(values[:n], defined[:n], prev)
    assert part.dtype == whole.dtype
    np.testing.assert_array_equal(part, whole[:n])


@CHUNK_CASES
@pytest.mark.parametrize("n", [SMALL, LONG - 1])
def test_hold_last_with_nothing_defined_is_prev_as_when_something_follows(
    values: np.ndarray, prev: float, n: int
) -> None:
    """The shortcut for a chunk with nothing defined equals the general form's start."""
    defined = np.zeros(LONG, bool)
    defined[-1] = True
    _assert_chunk_is_the_start(values, defined, prev, n)


@CHUNK_CASES
@pytest.mark.parametrize("n", [SMALL, LONG - 1])
def test_hold_last_with_everything_defined_is_the_values_as_when_a_gap_follows(
    values: np.ndarray, prev: float, n: int
) -> None:
    """The shortcut for a chunk defined throughout equals the general form's start (a latch,
    which holds on or off set at every sample, too)."""
    defined = np.ones(LONG, bool)
    defined[-1] = False
    _assert_chunk_is_the_start(values, defined, prev, n)
    on = values.astype(bool)
    whole = latch(on, ~on & defined, True)
    part = latch(on[:n], ~on[:n], True)
    np.testing.assert_array_equal(part, whole[:n])
