"""Pairs accelerometer and gyroscope samples that a sensor sends in separate notifications.

Both streams run at the same rate (the spec configures them so), but they are started by
separate commands, so one stream's first samples precede the other's. ``TimedPairing`` (sensor
timestamps on both streams, e.g. Polar PMD) pairs samples whose times agree within a tolerance
and drops the samples the other stream has no partner for. ``ArrivalPairing`` (no timestamps,
e.g. MetaWear) pairs by arrival order once both streams have started. Either way a stream that
runs more than ``max_pending`` samples ahead (the other lost packets) drops its oldest samples;
every sample dropped unpaired is counted in ``dropped``.
"""

from __future__ import annotations

import numpy as np

from sensorhold.protocol.samples import ImuChunk

# Shared empty arrays (never written to: pending arrays are replaced, never changed in place).
_NO_VALUES, _NO_TIMES = np.empty((0, 3)), np.empty(0)


class _Pending:
    """Unpaired samples of one stream (and their sensor times, where sent)."""

    def __init__(self) -> None:
        self.values, self.times = _NO_VALUES, _NO_TIMES
        self.started = False

    def add(self, values: np.ndarray, times: np.ndarray | None) -> None:
        """Append float64 ``values`` (n, 3) (kept, not copied, when none are pending: the
        decoders hand over new arrays) and their times."""
        empty = not len(self.values)
        self.values = values if empty else np.concatenate((self.values, values))
        if times is not None:
            self.times = times if empty else np.concatenate((self.times, times))
        self.started = self.started or len(values) > 0

    def drop(self, n: int) -> int:
        """Drop the ``n`` oldest samples; returns ``n``."""
        if n >= len(self.values):
            self.values, self.times = _NO_VALUES, _NO_TIMES
        elif n:
            self.values, self.times = self.values[n:], self.times[n:]
        return n

    def __len__(self) -> int:
        return len(self.values)


class _Pairing:
    def __init__(self, max_pending: int = 64) -> None:
        self.max_pending = max_pending
        self.dropped = 0
        self._acc, self._gyr = _Pending(), _Pending()

    def _bound(self, side: _Pending) -> None:
        """Drop ``side``'s oldest samples beyond ``max_pending``: the side just added to is the
        only one that can be over (the other only shrank since it was last bounded)."""
        excess = len(side.values) - self.max_pending
        if excess > 0:
            self.dropped += side.drop(excess)


class ArrivalPairing(_Pairing):
    """Pairs the i-th acc sample with the i-th gyro sample, counted from when both run.

    Assumption (no timestamps to check it): the other stream's first notification of k samples
    was sampled at the same time as the k samples of the first stream that arrived last, i.e.
    both streams' samples reach the host in order and within one notification of each other.
    The first stream's earlier samples have no partner and are dropped.
    """

    def add_acc(self, acc_g: np.ndarray) -> ImuChunk | None:
        return self._add(self._acc, self._gyr, acc_g)

    def add_gyr(self, gyr_dps: np.ndarray) -> ImuChunk | None:
        return self._add(self._gyr, self._acc, gyr_dps)

    def _add(self, side: _Pending, other: _Pending, values: np.ndarray) -> ImuChunk | None:
        first = not side.started and len(values) > 0
        side.add(values, None)
        if first and other.started:
            self.dropped += other.drop(max(0, len(other) - len(values)))
        self._bound(side)
        acc, gyr = self._acc.values, self._gyr.values
        n = min(len(acc), len(gyr))
        if n == 0:
            return None
        chunk = ImuChunk(acc[:n], gyr[:n])
        self._acc.drop(n)
        self._gyr.drop(n)
        return chunk


class TimedPairing(_Pairing):
    """Pairs acc and gyro samples whose sensor times differ by at most ``tolerance_s`` (half a
    sample period); a sample older than the other stream's oldest pending one by more than that
    can never be paired (times only grow) and is dropped."""

    def __init__(self, tolerance_s: float, max_pending: int = 64) -> None:
        super().__init__(max_pending)
        self.tolerance_s = tolerance_s

    def add_acc(self, acc_g: np.ndarray, t_s: np.ndarray) -> ImuChunk | None:
        self._acc.add(acc_g, t_s)
        return self._emit(self._acc)

    def add_gyr(self, gyr_dps: np.ndarray, t_s: np.ndarray) -> ImuChunk | None:
        self._gyr.add(gyr_dps, t_s)
        return self._emit(self._gyr)

    def _emit(self, added: _Pending) -> ImuChunk | None:
        self._bound(added)
        acc, gyr, tol = self._acc, self._gyr, self.tolerance_s
        keep_a, keep_g = [], []
        i = j = 0
        while i < len(acc) and j < len(gyr):
            gap = float(acc.times[i] - gyr.times[j])
            if gap < -tol:
                i += 1
            elif gap > tol:
                j += 1
            else:
                keep_a.append(i)
                keep_g.append(j)
                i, j = i + 1, j + 1
        self.dropped += i + j - 2 * len(keep_a)
        chunk = None
        if keep_a:
            chunk = ImuChunk(
                acc_g=acc.values[keep_a], gyr_dps=gyr.values[keep_g], t_sensor_s=acc.times[keep_a]
            )
        acc.drop(i)
        gyr.drop(j)
        return chunk
