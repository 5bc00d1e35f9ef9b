"""Decoded IMU samples, in the sensor's own axes and the units the whole pipeline uses."""

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class ImuChunk:
    """Samples decoded from one notification (possibly several frames).

    Not frozen: a frozen dataclass's ``__init__`` costs ~0.5 µs more, a quarter of decoding a
    one-sample notification. Nothing assigns to a chunk's fields.

    ``acc_g`` (n, 3) in g and ``gyr_dps`` (n, 3) in deg/s, float64, sensor axes.
    ``t_sensor_s`` (n,) is the sensor's own per-sample clock in seconds where the sensor sends
    timestamps (None otherwise); ``counter`` (n,) a packet or sample counter where it has one.
    """

    acc_g: np.ndarray
    gyr_dps: np.ndarray
    t_sensor_s: np.ndarray | None = None
    counter: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.acc_g.shape[0])
