"""Throughput of the signal chain and its peers, side by side on one hour of 100 Hz data.

Prints samples/s and µs/sample of wall time and of this process's CPU time (best of ``--repeat``
runs; on a shared machine the best is the least disturbed, and CPU time is less inflated by
other jobs than wall time) for:

* the whole chain in batch form, decode -> orientation -> angle -> stage -> hold: the hour as
  WitMotion notifications (one 20-byte frame each) decoded as ``analyze`` decodes a recording
  (``decode_packets``), then ``pipeline.run``; and each part alone;
* the streaming form, as live: each chunk's notifications decoded one by one, then one
  ``Pipeline.step``, in chunks of 5/10/25/50 samples (on the first ``--stream-n`` samples);
* VQF's ``updateBatch`` alone (the orientation filter inside our chain), imufusion's AHRS (step
  loop) and the ahrs package's Madgwick filter (on the first 20,000 samples).

Sample times come from the simulation: the sample clock (arrival times -> sample times) is not
in these figures.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/throughput.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import ahrs
import imufusion
import numpy as np
from vqf import VQF

from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.motion.exercise_scripts import demo_script
from sensorhold.motion.session import simulate_session
from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.spec import load_spec
from sensorhold.recording.packet_decoding import decode_packets
from sensorhold.recording.reader import Recording
from sensorhold.signal.pipeline import Pipeline, run

RATE = 100.0
G = 9.80665
FRAME = 20


def best_time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The shortest wall time and the shortest CPU time of ``repeat`` runs (s)."""
    wall = cpu = np.inf
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def line(name: str, n: int, seconds: tuple[float, float], note: str = "") -> None:
    wall, cpu = seconds
    print(
        f"{name:<46} {n / wall:>11,.0f} samples/s {1e6 * wall / n:>8.2f} µs/sample "
        f"(CPU {1e6 * cpu / n:>7.2f}) {note}"
    )


def witmotion_recording(acc: np.ndarray, gyr: np.ndarray) -> Recording:
    """The samples as a recording of ``55 61`` frames (acc, gyro, angles int16 LE), one per
    notification as the WT901BLE sends them at 100 Hz."""
    spec = load_spec("witmotion")
    a = np.clip(np.rint(acc / float(spec.layout["acc"]["scale"])), -32768, 32767)
    g = np.clip(np.rint(gyr / float(spec.layout["gyr"]["scale"])), -32768, 32767)
    raw = np.column_stack((a, g, np.zeros((acc.shape[0], 3)))).astype("<i2")
    frames = np.empty((raw.shape[0], FRAME), np.uint8)
    frames[:, :2] = np.frombuffer(bytes.fromhex(spec.layout["sync"]), np.uint8)
    frames[:, 2:] = raw.view(np.uint8)
    n = raw.shape[0]
    return Recording(
        path=Path("throughput.sensorhold.jsonl"),
        header={"t0_ns": 0, "rate_hz": RATE},
        spec=spec,
        t_ns=np.rint(np.arange(n) * 1e9 / RATE).astype(np.int64),
        char_index=np.zeros(n, np.int64),
        chars=(spec.notify[0],),
        payloads=frames.tobytes(),
        offsets=np.arange(n + 1, dtype=np.int64) * FRAME,
        events=[],
        warnings=[],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is shown")
    ap.add_argument("--stream-n", type=int, default=20_000, help="samples for streaming figures")
    args = ap.parse_args()
    ses = simulate_session(demo_script(), rate_hz=RATE, duration_s=3600.0, loop=True, seed=3)
    t = ses.t
    n = t.size
    prof = demo_profile()
    rec = witmotion_recording(ses.acc, ses.gyr)
    decoded = decode_packets(rec)
    acc, gyr = decoded.acc_g, decoded.gyr_dps  # what the sensor sent, quantised
    print(f"{n:,} samples ({n / RATE / 3600:.2f} h at {RATE:g} Hz)")

    def whole() -> None:
        d = decode_packets(rec)
        run(prof, t, d.acc_g, d.gyr_dps)

    line("whole chain, batch (decode -> ... -> hold)", n, best_time(whole, args.repeat))
    line("  decode alone, batch (decode_packets)", n,
         best_time(lambda: decode_packets(rec), args.repeat))
    line("  pipeline alone, batch (pipeline.run)", n,
         best_time(lambda: run(prof, t, acc, gyr), args.repeat))

    m = min(n, args.stream_n)
    payloads = [rec.packet(i).payload for i in range(m)]
    uuid = rec.chars[0]
    for chunk in (5, 10, 25, 50):

        def stream(chunk: int = chunk) -> None:
            dec, pipe = decoder_for(rec.spec), Pipeline(prof)
            for lo in range(0, m, chunk):
                parts = [dec.decode(uuid, p) for p in payloads[lo : lo + chunk]]
                pipe.step(
                    t[lo : lo + chunk],
                    np.concatenate([p.acc_g for p in parts if p is not None]),
                    np.concatenate([p.gyr_dps for p in parts if p is not None]),
                )

        line(f"whole chain, streaming chunks of {chunk}", m, best_time(stream, args.repeat),
             f"(first {m:,} samples)")

    gyr_r, acc_m = np.ascontiguousarray(np.radians(gyr)), np.ascontiguousarray(acc * G)
    line("VQF updateBatch alone (6D)", n,
         best_time(lambda: VQF(1 / RATE).updateBatch(gyr_r, acc_m), args.repeat))

    def fusion() -> None:
        f = imufusion.Ahrs()
        for k in range(n):
            f.update_no_magnetometer(gyr[k], acc[k])

    line("imufusion Ahrs, step loop", n, best_time(fusion, 1))

    k = 20_000
    line("ahrs Madgwick (IMU)", k,
         best_time(lambda: ahrs.filters.Madgwick(gyr=gyr_r[:k], acc=acc_m[:k], frequency=RATE), 1),
         f"(first {k:,} samples)")


if __name__ == "__main__":
    main()
