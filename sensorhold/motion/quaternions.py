"""Vectorised unit-quaternion arithmetic, scalar-last ``[x, y, z, w]`` as scipy's `Rotation`.

Hand-written because the batch simulator rotates millions of samples and these few numpy
expressions are an order of magnitude faster than building `Rotation` objects.
"""

from __future__ import annotations

import numpy as np


def about_axis(angle_rad: np.ndarray, axis: int) -> np.ndarray:
    """(n, 4) rotations by ``angle_rad`` about the coordinate axis 0 (x), 1 (y) or 2 (z)."""
    q = np.zeros((*np.shape(angle_rad), 4))
    q[..., axis] = np.sin(0.5 * angle_rad)
    q[..., 3] = np.cos(0.5 * angle_rad)
    return q


def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The composition a·b (apply b first, then a)."""
    ax, ay, az, aw = np.moveaxis(a, -1, 0)
    bx, by, bz, bw = np.moveaxis(b, -1, 0)
    return np.stack(
        (
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ),
        axis=-1,
    )


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ax, ay, az = np.moveaxis(a, -1, 0)
    bx, by, bz = np.moveaxis(b, -1, 0)
    return np.stack((ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx), axis=-1)


def conjugate(q: np.ndarray) -> np.ndarray:
    """The inverse of a unit quaternion."""
    return q * np.array([-1.0, -1.0, -1.0, 1.0])


def rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``v`` rotated by ``q`` (from the rotated frame into the reference frame)."""
    u, w = q[..., :3], q[..., 3:]
    c = _cross(u, v)
    return v + 2.0 * (w * c + _cross(u, c))


def to_rotvec(q: np.ndarray) -> np.ndarray:
    """Rotation vectors (rad) of unit quaternions, the short way round."""
    q = np.where(q[..., 3:] < 0, -q, q)
    u = q[..., :3]
    s = np.linalg.norm(u, axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, q[..., 3:])
    scale = np.where(s > 1e-12, angle / np.maximum(s, 1e-300), 2.0)
    return u * scale
