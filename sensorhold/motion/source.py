"""What an emulated sensor streams: IMU readings at given times."""

from typing import Protocol

import numpy as np


class ImuSource(Protocol):
    """Accelerometer (g) and gyroscope (deg/s) readings, in sensor axes, at times ``t`` (s).

    Calls come with increasing times; a source may keep state (noise, bias drift) between calls.
    """

    def sample(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...
