"""Minimum of every window ``values[lo[k] : hi[k] + 1]`` at once (sparse table, O(n log w))."""

from __future__ import annotations

import numpy as np


def window_minimum(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``min(values[lo[k] : hi[k] + 1])`` for each ``k`` (``lo <= hi``); exact, as ``min`` is."""
    width = hi - lo + 1
    levels = max(1, int(width.max()).bit_length()) if width.size else 1
    table = np.full((levels, values.size), np.inf)
    table[0] = values
    for j in range(1, levels):
        half = 1 << (j - 1)
        table[j, : values.size - half] = np.minimum(table[j - 1, :-half], table[j - 1, half:])
    level = np.frexp(width)[1] - 1  # floor(log2(width)), exactly
    return np.minimum(table[level, lo], table[level, hi - (1 << level) + 1])
