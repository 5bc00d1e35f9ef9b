"""Polar PMD delta-compressed frames: a reference sample, then blocks of bit-packed deltas.

POLAR polarofficial/polar-ble-sdk@8fb5311c BlePMDClient.kt L527-600: the reference is
``channels`` values of ``ref_bits`` (LE, signed); each block is ``[delta_bits u8][count u8]`` and
``ceil(delta_bits*count*channels/8)`` bytes of signed deltas read LSB-first, added cumulatively.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from sensorhold.protocol.errors import MalformedPacket


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def decode_delta_frame(body: bytes, channels: int, ref_bits: int) -> np.ndarray:
    """Integer samples, shape (n, channels), of a delta-compressed frame body."""
    ref_len = channels * -(-ref_bits // 8)
    if len(body) < ref_len:
        raise MalformedPacket(f"delta frame of {len(body)} bytes has no reference sample")
    step = ref_len // channels
    ref = [
        _signed(int.from_bytes(body[i : i + step], "little"), step * 8)
        for i in range(0, ref_len, step)
    ]
    rows = [np.array([ref], np.int64)]  # the reference, then each block's deltas
    pos = ref_len
    while pos < len(body):
        if pos + 2 > len(body):
            raise MalformedPacket("delta block header cut short")
        bits, count = body[pos], body[pos + 1]
        size = -(-bits * count * channels // 8)
        if bits == 0 or bits > 32 or pos + 2 + size > len(body):
            raise MalformedPacket(f"bad delta block: {bits} bits x {count}")
        deltas = _packed_signed(body[pos + 2 : pos + 2 + size], bits, count * channels)
        rows.append(deltas.reshape(count, channels))
        pos += 2 + size
    # Each sample is the previous plus its delta: a running sum from the reference on.
    return np.cumsum(np.concatenate(rows), axis=0)


def _packed_signed(data: bytes, bits: int, n: int) -> np.ndarray:
    """``n`` signed ``bits``-bit integers packed LSB-first in ``data`` (numpy: a frame holds
    tens of them, ~0.5 µs each read one by one in Python)."""
    flags = np.unpackbits(np.frombuffer(data, np.uint8), count=n * bits, bitorder="little")
    return flags.reshape(n, bits) @ _bit_weights(bits)


@cache
def _bit_weights(bits: int) -> np.ndarray:
    """What each bit of a ``bits``-bit two's complement number is worth, LSB first (the top
    one negative: the sum is the signed value)."""
    weights = 1 << np.arange(bits, dtype=np.int64)
    weights[-1] = -weights[-1]
    weights.flags.writeable = False  # cached: shared by every call
    return weights


def as_float32_patterns(samples: np.ndarray) -> np.ndarray:
    """Samples whose integers are float32 bit patterns (gyro compressed type 1), as floats."""
    return (samples & 0xFFFFFFFF).astype(np.uint32).view(np.float32).astype(np.float64)
