"""Trunk pose -> what an ideal IMU on the back measures: specific force and angular rate.

Both come from the one orientation and position trajectory: the angular rate is the derivative of
the sensor's rotation, the acceleration the second derivative of its position (pivot motion plus
the lever arm's tangential and centripetal terms), by central differences of the closed-form
trajectory (error O(h²), far below any sensor noise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorhold.motion import quaternions as quat
from sensorhold.motion.body import PX, PZ, ROLL, THETA, YAW
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.trajectory import Trajectory

GRAVITY_MPS2 = 9.80665
_H = 1e-3  # s, difference step


@dataclass(frozen=True, slots=True)
class IdealImu:
    """Exact readings at times t: ``acc_g`` (n, 3) specific force in g (+1 g up when still),
    ``gyr_dps`` (n, 3) angular rate in deg/s, both in sensor axes; ``quat_ws`` (n, 4) the sensor's
    orientation in the world (scalar-last, z up); ``angle_deg`` (n,) the true extension angle."""

    acc_g: np.ndarray
    gyr_dps: np.ndarray
    quat_ws: np.ndarray
    angle_deg: np.ndarray


def trunk_rotation(pose: np.ndarray) -> np.ndarray:
    """R_wb = Rz(yaw) · Ry(-angle) · Rx(roll) from pose rows (angle, roll, yaw in deg), as (n, 4)
    scalar-last quaternions."""
    rad = np.radians(pose[:, [THETA, ROLL, YAW]])
    q = quat.multiply(quat.about_axis(rad[:, 2], 2), quat.about_axis(-rad[:, 0], 1))
    return quat.multiply(q, quat.about_axis(rad[:, 1], 0))


def ideal_imu(traj: Trajectory, mounting: Mounting, t: np.ndarray) -> IdealImu:
    """The exact IMU readings of a sensor mounted by ``mounting`` on the trunk of ``traj``."""
    t = np.asarray(t, dtype=float)
    n = t.size
    poses = traj.pose(np.concatenate((t - _H, t, t + _H)))
    q_wb = trunk_rotation(poses)
    q_ws = quat.multiply(q_wb, np.asarray(mounting.quat_bs))
    pos = poses[:, PX:PZ + 1] + quat.rotate(q_wb, np.asarray(mounting.lever_arm_m))
    before, now, after = (slice(k * n, (k + 1) * n) for k in range(3))
    acc_w = (pos[after] - 2.0 * pos[now] + pos[before]) / _H**2
    step = quat.multiply(quat.conjugate(q_ws[before]), q_ws[after])
    gyr = np.degrees(quat.to_rotvec(step)) / (2 * _H)
    f_w = acc_w / GRAVITY_MPS2
    f_w[:, 2] += 1.0
    acc = quat.rotate(quat.conjugate(q_ws[now]), f_w)
    return IdealImu(acc, gyr, q_ws[now], poses[now, THETA])
