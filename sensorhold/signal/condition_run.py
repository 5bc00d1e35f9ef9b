"""Runs of consecutive samples meeting a condition: start time and running sum, across chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(slots=True)
class RunCarry:
    """The run still open at the end of the previous chunk (``count`` 0: none)."""

    t0: float = np.nan
    total: np.ndarray = field(default_factory=lambda: np.zeros(3))
    count: int = 0


def first_long_run(
    cond: np.ndarray, t: np.ndarray, x: np.ndarray, min_s: float, carry: RunCarry
) -> tuple[int, np.ndarray | None, RunCarry]:
    """First sample where ``cond`` has held for ``min_s`` seconds, and the sum of ``x`` (3, n)
    over the run up to it; (-1, None, carry for the next chunk) when there is none."""
    n = cond.size
    if n == 0 or not cond.any():
        return -1, None, RunCarry()
    starts = cond & np.concatenate(([carry.count == 0], ~cond[:-1]))
    start_idx = np.maximum.accumulate(np.where(starts, np.arange(n), -1))
    # start_idx == -1 on a cond sample: the run began in an earlier chunk.
    t0 = np.where(start_idx >= 0, t[np.maximum(start_idx, 0)], carry.t0)
    hit = (cond & (t - t0 >= min_s)).nonzero()[0]
    if hit.size:
        i = int(hit[0])
        s = int(start_idx[i])
        total = x[:, : i + 1].sum(axis=1) + carry.total if s < 0 else x[:, s : i + 1].sum(axis=1)
        return i, total, RunCarry()
    if not cond[-1]:
        return -1, None, RunCarry()
    s = int(start_idx[-1])
    if s < 0:
        return -1, None, RunCarry(carry.t0, x.sum(axis=1) + carry.total, n + carry.count)
    return -1, None, RunCarry(float(t[s]), x[:, s:].sum(axis=1), n - s)
