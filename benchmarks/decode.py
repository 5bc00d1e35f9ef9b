"""Decoding throughput per sensor, against a naive struct.unpack-per-frame baseline (same run).

Run: ``UV_PYTHON_DOWNLOADS=never uv run python benchmarks/decode.py``. No vendor or third-party
Python decoder for these sensors is installed, so the peer figure is the naive baseline.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.polar_pmd import PolarPmdDecoder
from sensorhold.protocol.spec import load_spec

W2 = bytes.fromhex(
    "5561f3fff3ff0f0800000000000098ff0d00f8315561f9fff1ff100800000000000098ff0d00f831"
)
M2 = bytes.fromhex("031c62b7530de9fd16d04d0e57028affa1050a01")
M4 = bytes.fromhex("13070915ad2608de8a1a0d2665e48d20ac2773ec")
P4 = bytes.fromhex("05ffffffffffffff7f80eaff08000d000301df00")
P3 = bytes.fromhex("02650000000000000081f1ff1400f00306017b0f08")
DOT = struct.pack("<I6f", 1000, 0.0, 0.0, 9.8, 1.0, 2.0, 3.0).ljust(40, b"\0")


def naive_witmotion(payload: bytes) -> list[tuple[float, ...]]:
    out = []
    for off in range(0, len(payload), 20):
        v = struct.unpack_from("<2x6h", payload, off)
        out.append(tuple(x / 32768 * 16 for x in v[:3]) + tuple(x / 32768 * 2000 for x in v[3:]))
    return out


def naive_metawear(payload: bytes) -> list[tuple[float, ...]]:
    v = struct.unpack_from("<9h", payload, 2)
    return [tuple(x / 4096 for x in v[i : i + 3]) for i in range(0, 9, 3)]


def naive_dot(payload: bytes) -> tuple[float, ...]:
    t, *v = struct.unpack_from("<I6f", payload)
    return (t * 1e-6, *(x / 9.80665 for x in v[:3]), *v[3:])


def rate(fn: Callable[[], object], calls: int, min_s: float = 0.5) -> float:
    """Calls of ``fn`` per second (each call decodes ``calls`` notifications), best of 3."""
    best = 0.0
    for _ in range(3):
        n, t0 = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - t0) < min_s / 3:
            fn()
            n += 1
        best = max(best, n * calls / elapsed)
    return best


def main() -> None:
    rows: list[tuple[str, str, float, float]] = []

    wit = load_spec("witmotion")
    dec = decoder_for(wit)
    rows.append(("witmotion", "decoder", rate(lambda: dec.decode(wit.notify[0], W2), 1), 2))
    rows.append(("witmotion", "naive struct", rate(lambda: naive_witmotion(W2), 1), 2))

    mw = load_spec("metamotion")
    mdec = decoder_for(mw)
    c = mw.notify[0]
    rows.append(
        ("metamotion", "decoder", rate(lambda: (mdec.decode(c, M2), mdec.decode(c, M4)), 2), 1.5)
    )
    rows.append(
        (
            "metamotion",
            "naive struct",
            rate(lambda: (naive_metawear(M2), naive_metawear(M4)), 2),
            1.5,
        )
    )

    pol = load_spec("polar-verity")
    pdec = PolarPmdDecoder(pol)
    data = pol.layout["data_char"]
    rows.append(
        (
            "polar-verity",
            "decoder",
            rate(lambda: (pdec.decode(data, P3), pdec.decode(data, P4)), 2),
            1,
        )
    )

    dot = load_spec("movella-dot")
    ddec = decoder_for(dot)
    rows.append(
        ("movella-dot", "decoder", rate(lambda: ddec.decode(dot.layout["char"], DOT), 1), 1)
    )
    rows.append(("movella-dot", "naive struct", rate(lambda: naive_dot(DOT), 1), 1))

    print(f"{'sensor':<14}{'implementation':<16}{'notifications/s':>17}{'samples/s':>13}")
    for sensor, impl, per_s, samples in rows:
        print(f"{sensor:<14}{impl:<16}{per_s:>17,.0f}{per_s * samples:>13,.0f}")


if __name__ == "__main__":
    main()
