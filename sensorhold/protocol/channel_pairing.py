"""Pairs accelerometer and gyroscope samples that a sensor sends in separate notifications.

Both streams run at the same rate (the spec configures them so); the i-th acc sample is paired
with the i-th gyro sample. A stream that runs more than ``max_pending`` samples ahead (the other
lost packets) drops its oldest samples, counted in ``dropped``.
"""

from __future__ import annotations

import numpy as np

from sensorhold.protocol.samples import ImuChunk


class ChannelPairing:
    """FIFO of unpaired acc and gyro samples (with optional sensor times from the acc side)."""

    def __init__(self, max_pending: int = 64) -> None:
        self.max_pending = max_pending
        self.dropped = 0
        self._acc = np.empty((0, 3))
        self._acc_t: np.ndarray | None = None
        self._gyr = np.empty((0, 3))

    def add_acc(self, acc_g: np.ndarray, t_s: np.ndarray | None = None) -> ImuChunk | None:
        self._acc = np.concatenate((self._acc, acc_g))
        if t_s is not None:
            self._acc_t = t_s if self._acc_t is None else np.concatenate((self._acc_t, t_s))
        return self._emit()

    def add_gyr(self, gyr_dps: np.ndarray) -> ImuChunk | None:
        self._gyr = np.concatenate((self._gyr, gyr_dps))
        return self._emit()

    def _emit(self) -> ImuChunk | None:
        for name in ("_acc", "_gyr"):
            extra = len(getattr(self, name)) - self.max_pending
            if extra > 0:
                self.dropped += extra
                setattr(self, name, getattr(self, name)[extra:])
                if name == "_acc" and self._acc_t is not None:
                    self._acc_t = self._acc_t[extra:]
        n = min(len(self._acc), len(self._gyr))
        if n == 0:
            return None
        t = None
        if self._acc_t is not None:
            t, self._acc_t = self._acc_t[:n], self._acc_t[n:]
        chunk = ImuChunk(acc_g=self._acc[:n], gyr_dps=self._gyr[:n], t_sensor_s=t)
        self._acc, self._gyr = self._acc[n:], self._gyr[n:]
        return chunk
