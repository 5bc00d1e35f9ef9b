"""IMU error model: white noise, gyro bias (constant + random walk), scale and cross-axis error,
accelerometer bias, quantisation. `SensorSpec` is the model; `SensorErrors` one realisation of it,
stateful so that a stream of chunks reads exactly like one batch (same seed, same samples).

Noise is given as a density, so its per-sample standard deviation grows with the sampling rate as
on a real part: sd = density · sqrt(rate / 2). Typical MEMS densities: gyro 0.007-0.01 °/s/√Hz,
accelerometer 120-400 µg/√Hz (BMI160, MPU-6050 datasheets).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class SensorSpec:
    """Error-model parameters of one sensor type (per-axis standard deviations), and ``unit``:
    which physical sensor of that type. A unit keeps its accelerometer bias, scale and cross-axis
    errors and most of its gyro bias across recordings; each power-on adds a gyro turn-on bias
    (30 % of ``gyro_bias_dps``) and fresh noise and bias walk."""

    gyro_density_dps: float = 0.01
    acc_density_g: float = 150e-6
    gyro_bias_dps: float = 0.3
    gyro_bias_walk_dps: float = 0.002  # °/s per √s
    acc_bias_g: float = 0.005
    scale_sd: float = 0.005
    cross_axis_sd: float = 0.002
    acc_lsb_g: float = 0.0  # 0: no quantisation
    gyro_lsb_dps: float = 0.0
    unit: int = 0

    @classmethod
    def ideal(cls) -> SensorSpec:
        """No error at all: the readings are the exact kinematics."""
        return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

    @classmethod
    def clean(cls) -> SensorSpec:
        """A good, factory-calibrated MEMS IMU."""
        return cls()

    @classmethod
    def noisy(cls) -> SensorSpec:
        """A cheap IMU: 3-4x the noise, ~1 °/s bias, 2 % scale error, int16 quantisation
        of a ±16 g / ±2000 °/s range (WitMotion WT901BLE)."""
        return cls(
            gyro_density_dps=0.035,
            acc_density_g=500e-6,
            gyro_bias_dps=1.0,
            gyro_bias_walk_dps=0.01,
            acc_bias_g=0.02,
            scale_sd=0.02,
            cross_axis_sd=0.01,
            acc_lsb_g=16.0 / 32768,
            gyro_lsb_dps=2000.0 / 32768,
        )


class SensorErrors:
    """One sensor's realised errors (drawn from ``seed``), applied to chunks in time order."""

    def __init__(
        self, spec: SensorSpec, rate_hz: float, seed: int | np.random.SeedSequence
    ) -> None:
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        turn_on, self._gyr_rng, self._acc_rng, self._walk_rng = (
            np.random.default_rng(s) for s in ss.spawn(4)
        )
        const = np.random.default_rng([spec.unit, 0x5E4503])
        self.spec = spec
        self._gyr_sd = spec.gyro_density_dps * np.sqrt(rate_hz / 2)
        self._acc_sd = spec.acc_density_g * np.sqrt(rate_hz / 2)
        self.gyro_bias0 = const.normal(0.0, spec.gyro_bias_dps, 3) + turn_on.normal(
            0.0, 0.3 * spec.gyro_bias_dps, 3
        )
        self.acc_bias = const.normal(0.0, spec.acc_bias_g, 3)
        self.gyro_matrix = self._sensitivity(const)
        self.acc_matrix = self._sensitivity(const)
        self._bias = self.gyro_bias0.copy()
        self._t_last: float | None = None

    def _sensitivity(self, rng: np.random.Generator) -> np.ndarray:
        m = np.eye(3) + np.diag(rng.normal(0.0, self.spec.scale_sd, 3))
        off = rng.normal(0.0, self.spec.cross_axis_sd, (3, 3))
        return m + off - np.diag(np.diag(off))

    def apply(
        self, t: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Readings from the exact specific force (g) and angular rate (deg/s) at times ``t``."""
        n = t.size
        if n == 0:
            return np.empty((0, 3)), np.empty((0, 3))
        dt = np.diff(t, prepend=t[0] if self._t_last is None else self._t_last)
        steps = self._walk_rng.standard_normal((n, 3)) * (
            self.spec.gyro_bias_walk_dps * np.sqrt(np.maximum(dt, 0.0))[:, None]
        )
        bias = self._bias + np.cumsum(steps, axis=0)
        self._bias, self._t_last = bias[-1].copy(), float(t[-1])
        gyr = gyr_dps @ self.gyro_matrix.T + bias
        gyr += self._gyr_rng.standard_normal((n, 3)) * self._gyr_sd
        acc = acc_g @ self.acc_matrix.T + self.acc_bias
        acc += self._acc_rng.standard_normal((n, 3)) * self._acc_sd
        return _quantise(acc, self.spec.acc_lsb_g), _quantise(gyr, self.spec.gyro_lsb_dps)


def _quantise(x: np.ndarray, lsb: float) -> np.ndarray:
    return np.round(x / lsb) * lsb if lsb > 0 else x
