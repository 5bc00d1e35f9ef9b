"""Throughput of the signal chain and its peers, side by side on one hour of 100 Hz data.

Prints samples/s and µs/sample for: WitMotion frame decoding (sensorhold.protocol), our whole
pipeline in batch form, our streaming form in chunks of 10/25/50, VQF's updateBatch alone,
imufusion (step loop), and the ahrs Madgwick filter (on a subset, extrapolated).

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/throughput.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

import ahrs
import imufusion
import numpy as np
from vqf import VQF

from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.motion.exercise_scripts import demo_script
from sensorhold.motion.session import simulate_session
from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.spec import load_spec
from sensorhold.signal.pipeline import Pipeline, run

RATE = 100.0
G = 9.80665


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def line(name: str, n: int, seconds: float, note: str = "") -> None:
    print(f"{name:<44} {n / seconds:>13,.0f} samples/s {1e6 * seconds / n:>8.2f} µs/sample {note}")


def witmotion_payloads(acc: np.ndarray, gyr: np.ndarray, per_payload: int) -> list[bytes]:
    """20-byte ``55 61`` frames (acc, gyro, angles int16 LE) as the WT901BLE sends them."""
    spec = load_spec("witmotion")
    a = np.clip(np.rint(acc / float(spec.layout["acc"]["scale"])), -32768, 32767)
    g = np.clip(np.rint(gyr / float(spec.layout["gyr"]["scale"])), -32768, 32767)
    raw = np.column_stack((a, g, np.zeros((acc.shape[0], 3)))).astype("<i2")
    frames = [b"\x55\x61" + row.tobytes() for row in raw]
    return [b"".join(frames[i : i + per_payload]) for i in range(0, len(frames), per_payload)]


def main() -> None:
    ses = simulate_session(demo_script(), rate_hz=RATE, duration_s=3600.0, loop=True, seed=3)
    t, acc, gyr = ses.t, ses.acc, ses.gyr
    n = t.size
    prof = demo_profile()
    print(f"{n:,} samples ({n / RATE / 3600:.2f} h at {RATE:g} Hz)")

    spec = load_spec("witmotion")
    uuid = spec.notify[0] if hasattr(spec, "notify") else "0000ffe4-0000-1000-8000-00805f9a34fb"
    for per in (1, 10):
        payloads = witmotion_payloads(acc, gyr, per)
        dec = decoder_for(spec)
        line(f"decode WitMotion, {per} frame(s)/notification", n,
             timed(lambda dec=dec, payloads=payloads: [dec.decode(uuid, p) for p in payloads]))

    line("sensorhold pipeline, batch", n, timed(lambda: run(prof, t, acc, gyr)))
    for chunk in (10, 25, 50):
        cuts = np.arange(chunk, n, chunk)
        parts = list(zip(np.split(t, cuts), np.split(acc, cuts), np.split(gyr, cuts), strict=True))
        pipe = Pipeline(prof)
        line(f"sensorhold pipeline, streaming chunks of {chunk}", n,
             timed(lambda pipe=pipe, parts=parts: [pipe.step(*p) for p in parts]))

    gyr_r, acc_m = np.ascontiguousarray(np.radians(gyr)), np.ascontiguousarray(acc * G)
    line("VQF updateBatch alone (6D)", n, timed(lambda: VQF(1 / RATE).updateBatch(gyr_r, acc_m)))

    def fusion() -> None:
        f = imufusion.Ahrs()
        for k in range(n):
            f.update_no_magnetometer(gyr[k], acc[k])

    line("imufusion Ahrs, step loop", n, timed(fusion))

    m = 20_000
    line("ahrs Madgwick (IMU)", m,
         timed(lambda: ahrs.filters.Madgwick(gyr=gyr_r[:m], acc=acc_m[:m], frequency=RATE)),
         f"(first {m:,} samples, extrapolated)")


if __name__ == "__main__":
    main()
