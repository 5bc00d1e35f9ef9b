"""Decoding throughput per sensor, against a naive struct.unpack-per-frame baseline (same run),
and the CPU time of one live notification per model (``decoder.decode``, as live calls it).

Run: ``UV_PYTHON_DOWNLOADS=never uv run python benchmarks/decode.py``. No vendor or third-party
Python decoder for these sensors is installed, so the peer figure is the naive baseline.
"""

from __future__ import annotations

import struct
import time
import timeit
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
W1 = W2[:20]
M1_ACC, M1_GYR = bytes.fromhex("0304010002000300"), bytes.fromhex("1305fdff00800300")
# 36 samples (0.7 s at 52 Hz) as the emulator compresses them: a reference and one 10-bit block.
P_ACC = bytes.fromhex("02650000000000000080f1ff1400f003") + bytes([10, 35]) + bytes(range(132))


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
    per_notification()


def cpu_us(fn: Callable[[], object], number: int = 5000, repeat: int = 7) -> float:
    """CPU µs a call of ``fn``, best of ``repeat`` (CPU time: a loaded machine inflates less)."""
    best = min(timeit.repeat(fn, number=number, repeat=repeat, timer=time.process_time))
    return best / number * 1e6


def per_notification() -> None:
    """One live notification per model, decoded as the live link does (``decoder.decode``)."""
    models = ("witmotion", "metamotion", "polar-verity", "movella-dot")
    wit, mw, pol, dot = (load_spec(m) for m in models)
    wdec, mdec, pdec, ddec = (decoder_for(s) for s in (wit, mw, pol, dot))
    c = mw.notify[0]
    pdec.decode(pol.layout["control_char"], bytes.fromhex("f00202000005010000803f"))  # FACTOR 1
    n_polar = len(pdec.decode_frame(P_ACC)[2])
    cases = [
        ("witmotion", "one 20-byte frame", 1, lambda: wdec.decode(wit.notify[0], W1)),
        ("witmotion", "two frames", 2, lambda: wdec.decode(wit.notify[0], W2)),
        ("movella-dot", "one record", 1, lambda: ddec.decode(dot.layout["char"], DOT)),
        ("metamotion", "acc + gyro registers", 2,
         lambda: (mdec.decode(c, M1_ACC), mdec.decode(c, M1_GYR))),
        ("metamotion", "packed acc + gyro", 6, lambda: (mdec.decode(c, M2), mdec.decode(c, M4))),
        ("polar-verity", f"delta frame ({n_polar})", n_polar, lambda: pdec.decode_frame(P_ACC)),
    ]  # fmt: skip
    print(f"\n{'sensor':<14}{'one notification of':<26}{'CPU us/call':>12}{'us/sample':>11}")
    for sensor, what, samples, fn in cases:
        us = cpu_us(fn)
        print(f"{sensor:<14}{what:<26}{us:>12.2f}{us / samples:>11.2f}")


if __name__ == "__main__":
    main()
