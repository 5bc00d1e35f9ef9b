"""Time and memory of reading, decoding and analysing 10-minute and one-hour 100 Hz recordings.

Builds recordings of the demo exercise (sensorhold.motion, looped) as WitMotion ``55 61`` frames
with BLE-like arrival times, writes them with ``RecordingWriter``, then in a fresh process per
file times each stage and reports peak memory (tracemalloc for Python/numpy allocations, peak
RSS). Peers from the same run: a plain ``json.loads``-per-line reader, and for the CSV input
``np.loadtxt`` / ``np.genfromtxt``, and (issue 4) the whole ``sensorhold analyze`` of the
one-hour CSV against ``np.loadtxt`` + VQF's batch filter, side by side.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/analyze_recording.py [--csv-only]

The fresh-process figures depend on ``PYTHONDONTWRITEBYTECODE`` (printed): set, every process
compiles from source whatever has no cached bytecode yet (ours after an edit, and a package
installed without compiled bytecode), the peer's numpy included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sensorhold.motion.exercise_scripts import demo_script
from sensorhold.motion.session import simulate_session
from sensorhold.protocol.spec import load_spec
from sensorhold.recording import RecordingWriter, make_header, read_csv

RATE_HZ = 100.0
T0_NS = 5_000_000_000_000


def witmotion_frames(acc: np.ndarray, gyr: np.ndarray) -> np.ndarray:
    """(n, 20) uint8: ``55 61`` + int16 LE acc, gyr (spec scales) and zero angles."""
    spec = load_spec("witmotion")
    raw = np.zeros((acc.shape[0], 9), "<i2")
    raw[:, 0:3] = np.clip(np.round(acc / spec.layout["acc"]["scale"]), -32768, 32767)
    raw[:, 3:6] = np.clip(np.round(gyr / spec.layout["gyr"]["scale"]), -32768, 32767)
    frames = np.empty((acc.shape[0], 20), np.uint8)
    frames[:, 0], frames[:, 1] = 0x55, 0x61
    frames[:, 2:] = raw.view(np.uint8).reshape(-1, 18)
    return frames


def make_recording(path: Path, minutes: float, seed: int = 0) -> int:
    """A ``minutes``-long recording at 100 Hz, one frame per notification; returns packets."""
    sim = simulate_session(demo_script(), rate_hz=RATE_HZ, duration_s=minutes * 60, loop=True)
    frames = witmotion_frames(sim.acc, sim.gyr)
    rng = np.random.default_rng(seed)
    latency_ns = (8e6 + rng.exponential(6e6, sim.t.size)).astype(np.int64)
    arrival = T0_NS + (sim.t * 1e9).astype(np.int64) + latency_ns
    arrival = np.maximum.accumulate(arrival)  # notifications arrive in order
    spec = load_spec("witmotion")
    header = make_header(spec, rate_hz=RATE_HZ, t0_ns=T0_NS, name="WT901BLE68")
    with RecordingWriter.open(path, header, max_pending=10**8) as w:
        w.event(T0_NS, "connected")
        for t_ns, frame in zip(arrival.tolist(), frames, strict=True):
            w.packet(t_ns, spec.notify[0], frame.tobytes())
    return int(sim.t.size)


def make_csv(path: Path, minutes: float) -> None:
    sim = simulate_session(demo_script(), rate_hz=RATE_HZ, duration_s=minutes * 60, loop=True)
    with path.open("w") as f:
        f.write("t,ax,ay,az,gx,gy,gz\n")
        np.savetxt(f, np.column_stack((sim.t, sim.acc, sim.gyr)), fmt="%.6g", delimiter=",")


CHILD = """
import json, sys, time
from sensorhold.analysis import analyze
from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.protocol.sample_clock import ClockParams, run_clock
from sensorhold.recording.packet_decoding import decode_packets
from sensorhold.recording.reader import read_recording
from sensorhold.recording.sensor_data import load_input

def rss_mb(field):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field)) / 1024

path, stage = sys.argv[1], sys.argv[2]
out = {"rss_after_imports_mb": rss_mb("VmRSS:")}
t = time.perf_counter()
if stage == "stages":
    rec = read_recording(path)
    out["read_s"] = time.perf_counter() - t
    t = time.perf_counter()
    dec = decode_packets(rec)
    out["decode_s"] = time.perf_counter() - t
    t = time.perf_counter()
    params = ClockParams.for_spec(rec.spec, rec.rate_hz)
    run_clock(params, rec.t_ns, dec.counts, origin_ns=rec.t0_ns)
    out["clock_s"] = time.perf_counter() - t
elif stage == "load+analyze":
    cpu = time.process_time()
    data = load_input(path)
    out["load_input_s"] = time.perf_counter() - t
    out["load_input_cpu_s"] = time.process_time() - cpu  # what a loaded machine does not inflate
    t, cpu = time.perf_counter(), time.process_time()
    result = analyze(data.t, data.acc, data.gyr, demo_profile()).result
    out["analyze_s"] = time.perf_counter() - t
    out["analyze_cpu_s"] = time.process_time() - cpu
    out["holds"] = len(result["holds"])
elif stage == "naive json":
    n = 0
    with open(path, "rb") as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "packet":
                bytes.fromhex(r["hex"])
                n += 1
    out["naive_read_s"] = time.perf_counter() - t
out["peak_rss_mb"] = rss_mb("VmHWM:")
print(json.dumps(out))
"""


def child(path: Path, stage: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), stage], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


PEER = """
import sys, time
t = time.perf_counter()
import numpy as np
from vqf import VQF
data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
ts = float(np.median(np.diff(data[:, 0])))
acc = np.ascontiguousarray(data[:, 1:4] * 9.81)
gyr = np.ascontiguousarray(np.deg2rad(data[:, 4:7]))
VQF(ts).updateBatch(gyr, acc)
print(time.perf_counter() - t)
"""


def analyze_vs_batch_vqf(csv: Path, profile_path: Path, repeat: int = 3) -> None:
    """Issue 4: ``sensorhold analyze`` of the one-hour CSV (the whole command in a fresh process,
    and in-process) against reading it with ``np.loadtxt`` and running VQF's batch filter (also
    a fresh process, imports included, and in-process); best of ``repeat``, in one run."""
    from vqf import VQF

    from sensorhold.analysis import analyze
    from sensorhold.calibration.demo_profile import demo_profile
    from sensorhold.calibration.profile import save

    save(demo_profile(), profile_path)
    cli = [sys.executable, "-m", "sensorhold", "analyze", str(csv), "--profile", str(profile_path)]

    def run_cli() -> None:
        subprocess.run(cli, capture_output=True, check=True)

    def run_peer() -> None:
        subprocess.run([sys.executable, "-c", PEER, str(csv)], capture_output=True, check=True)

    def in_process() -> None:
        t, acc, gyr = read_csv(csv)
        analyze(t, acc, gyr, demo_profile())

    def peer_in_process() -> None:
        data = np.loadtxt(csv, delimiter=",", skiprows=1)
        ts = float(np.median(np.diff(data[:, 0])))
        acc = np.ascontiguousarray(data[:, 1:4] * 9.81)
        gyr = np.ascontiguousarray(np.deg2rad(data[:, 4:7]))
        VQF(ts).updateBatch(gyr, acc)

    # Set, every fresh process compiles the modules that have no cached bytecode from source.
    dont_write = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    print(f"\none-hour CSV: sensorhold analyze vs np.loadtxt + VQF.updateBatch, best of {repeat} "
          f"(PYTHONDONTWRITEBYTECODE={dont_write!r}):")
    for name, ours, peer in (
        ("fresh process", run_cli, run_peer),
        ("in-process", in_process, peer_in_process),
    ):
        # Taken in turns, so that both see the same load on a shared machine.
        (a, a_cpu), (b, b_cpu) = best_of_each((ours, peer), repeat)
        print(f"  {name:13s} sensorhold analyze {a:.2f} s   loadtxt + VQF batch {b:.2f} s"
              f"   ratio {a / b:.2f}   (CPU {a_cpu:.2f} s vs {b_cpu:.2f} s, ratio "
              f"{a_cpu / b_cpu:.2f})")


def best_of_each(fns: tuple[Callable[[], object], ...], repeat: int) -> list[tuple[float, float]]:
    """Each function's shortest wall time and shortest CPU time (this process and its children,
    threads included) over ``repeat`` rounds of one run each."""
    best = [(np.inf, np.inf)] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            r0, w0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            c0 = time.process_time()
            fn()
            wall, r1 = time.perf_counter() - w0, resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = time.process_time() - c0 + (r1.ru_utime - r0.ru_utime) + (
                r1.ru_stime - r0.ru_stime
            )
            best[k] = (min(best[k][0], wall), min(best[k][1], cpu))
    return best


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv-only", action="store_true",
                    help="only the one-hour CSV figures (issue 4), not the recordings")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in () if args.csv_only else (10, 60):
            path = Path(tmp) / f"{minutes}min.sensorhold.jsonl"
            t = time.perf_counter()
            packets = make_recording(path, minutes)
            made = time.perf_counter() - t
            size = path.stat().st_size
            print(
                f"\n{minutes}-minute recording: {packets} packets, {size / 1e6:.1f} MB "
                f"({size / packets:.0f} B/packet, {size / 1e6 * 60 / minutes:.1f} MB/hour); "
                f"simulated + written in {made:.1f} s"
            )
            for stage in ("stages", "load+analyze", "naive json"):
                figures = child(path, stage)
                print(f"  {stage:13s} " + ", ".join(f"{k}={v:.3g}" for k, v in figures.items()))
        csv = Path(tmp) / "60min.csv"
        make_csv(csv, 60)
        analyze_vs_batch_vqf(csv, Path(tmp) / "demo-profile.json")
        print(f"\none-hour CSV, {csv.stat().st_size / 1e6:.1f} MB, best of 3:")
        print(f"  sensorhold read_csv  {best_of(lambda: read_csv(csv)):.3f} s")
        loadtxt = best_of(lambda: np.loadtxt(csv, delimiter=",", skiprows=1))
        print(f"  np.loadtxt           {loadtxt:.3f} s")
        genfromtxt = best_of(lambda: np.genfromtxt(csv, delimiter=",", skip_header=1), 1)
        print(f"  np.genfromtxt        {genfromtxt:.3f} s (one run)")
        tracemalloc.start()
        read_csv(csv)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  read_csv tracemalloc peak {peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
