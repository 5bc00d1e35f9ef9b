"""Inclination accuracy of the orientation layer on real IMU data with optical ground truth.

BROAD (Laidig, Caruso, Cereatti, Seel, *Data* 6(7):72, 2021, doi:10.3390/data6070072; data
CC-BY-4.0, github dlaidig/broad) trials, shipped as small extracts in ``benchmarks/data/broad``.
Per trial, on the same samples: (a) ``vqf.VQF`` 6D online with defaults, driven directly on the
data's SI units, and (b) ``sensorhold.signal.orientation`` on t = arange(n)/fs, acc in g, gyr in
deg/s. Inclination RMSE is taken over the ``movement`` samples as the angle between the estimated
and the optical "up" vector in sensor axes, R(q)^T e_z, NaN reference rows skipped (as in
BROAD's ``calculateRMSE``). Then our layer is run again with simulated packet loss: bursts of
samples removed, leaving time gaps, against the same data fed with the gaps closed up.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/broad.py
    # remake the extracts from a fetched snapshot (git dir, no work tree needed):
    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/broad.py --extract <broad git dir>
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io as spio
from scipy.spatial.transform import Rotation
from vqf import VQF

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sensorhold.signal import orientation as ori

DATA_DIR = Path(__file__).resolve().parent / "data" / "broad"
TRIALS = (
    "02_undisturbed_slow_rotation_B",
    "07_undisturbed_fast_rotation_B",
    "15_undisturbed_fast_translation_A",
    "24_disturbed_tapping_A",
)
LEAD_S = 10.0  # rest kept before the first movement sample (vs full lead: RMSE within 0.001 deg)
TAIL_S = 1.0  # kept after the last movement sample; later samples cannot change the RMSE
G = 9.80665
DEG = np.pi / 180.0


@dataclass(frozen=True, slots=True)
class Trial:
    """One extract: IMU in SI units (rad/s, m/s²), optical quaternion [w x y z] sensor->ENU."""

    name: str
    acc: np.ndarray
    gyr: np.ndarray
    quat: np.ndarray
    movement: np.ndarray
    fs: float

    @property
    def t(self) -> np.ndarray:
        return np.arange(self.movement.size) / self.fs

    def crop(self, start_s: float, stop_s: float) -> Trial:
        sl = slice(round(start_s * self.fs), round(stop_s * self.fs))
        return Trial(
            self.name, self.acc[sl], self.gyr[sl], self.quat[sl], self.movement[sl], self.fs
        )


def extract(git_dir: Path, out_dir: Path = DATA_DIR, trials: tuple[str, ...] = TRIALS) -> None:
    """Write ``<trial>.npz`` from ``data_mat/<trial>.mat`` at HEAD of a BROAD git dir: acc, gyr,
    quat as float32, movement as bool; cropped to LEAD_S before the first and TAIL_S after the
    last movement sample."""
    out_dir.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "-C", str(git_dir), "rev-parse", "HEAD"], check=True, capture_output=True,
        text=True,
    ).stdout.strip()
    for name in trials:
        with tempfile.NamedTemporaryFile(suffix=".mat") as tmp:
            subprocess.run(
                ["git", "-C", str(git_dir), "cat-file", "blob", f"HEAD:data_mat/{name}.mat"],
                check=True, stdout=tmp,
            )
            tmp.flush()
            d = spio.loadmat(tmp.name)
        mov = d["movement"].squeeze().astype(bool)
        fs = float(d["sampling_rate"].squeeze())
        on = np.flatnonzero(mov)
        sl = slice(
            max(0, int(on[0]) - round(LEAD_S * fs)),
            min(mov.size, int(on[-1]) + 1 + round(TAIL_S * fs)),
        )
        np.savez_compressed(
            out_dir / f"{name}.npz",
            imu_acc=d["imu_acc"][sl].astype(np.float32),
            imu_gyr=d["imu_gyr"][sl].astype(np.float32),
            opt_quat=d["opt_quat"][sl].astype(np.float32),
            movement=mov[sl],
            sampling_rate=np.float64(fs),
        )
        print(f"{name}: samples {sl.start}:{sl.stop} of {mov.size}, {commit}")


def load(name: str, data_dir: Path = DATA_DIR) -> Trial:
    """A shipped extract, as float64 C-contiguous arrays (VQF needs that)."""
    with np.load(data_dir / f"{name}.npz") as z:
        return Trial(
            name,
            np.ascontiguousarray(z["imu_acc"], dtype=float),
            np.ascontiguousarray(z["imu_gyr"], dtype=float),
            np.asarray(z["opt_quat"], dtype=float),
            z["movement"].astype(bool),
            float(z["sampling_rate"]),
        )


def up_in_sensor(quat: np.ndarray) -> np.ndarray:
    """R(q)^T e_z for sensor->earth [w x y z] quaternions, via scipy (independent of the layer's
    own ``up_from_quat``); NaN rows stay NaN."""
    up = np.full((quat.shape[0], 3), np.nan)
    ok = np.all(np.isfinite(quat), axis=1)
    up[ok] = Rotation.from_quat(quat[ok][:, [1, 2, 3, 0]]).inv().apply([0.0, 0.0, 1.0])
    return up


def inclination_rmse(up: np.ndarray, quat: np.ndarray, mask: np.ndarray) -> float:
    """RMS angle (deg) between estimated and reference up vectors over ``mask``, NaN-safe."""
    ref = up_in_sensor(quat[mask])
    est = up[mask] / np.linalg.norm(up[mask], axis=1, keepdims=True)
    ang = np.degrees(np.arccos(np.clip(np.sum(est * ref, axis=1), -1.0, 1.0)))
    return float(np.sqrt(np.nanmean(ang**2)))


def vqf_direct(tr: Trial) -> np.ndarray:
    """VQF 6D online with defaults (``updateBatch`` = the online update in a loop); up (n, 3)."""
    res = VQF(1.0 / tr.fs).updateBatch(tr.gyr, tr.acc)
    return up_in_sensor(res["quat6D"])


def ours(
    tr: Trial, keep: np.ndarray | None = None, chunk: int | None = None,
    params: ori.OrientationParams | None = None,
) -> tuple[np.ndarray, ori.OrientationState]:
    """The orientation layer on the kept samples (their true times, so drops leave gaps), in
    one batch or streamed in chunks of ``chunk`` samples; up (n_kept, 3) and the final state."""
    idx = np.arange(tr.movement.size) if keep is None else np.flatnonzero(keep)
    t, acc, gyr = tr.t[idx], tr.acc[idx] / G, tr.gyr[idx] / DEG
    params = params or ori.OrientationParams()
    state = ori.OrientationState()
    step = chunk or t.size
    ups = []
    for lo in range(0, t.size, step):
        hi = lo + step
        state, out = ori.step(params, state, t[lo:hi], acc[lo:hi], gyr[lo:hi])
        ups.append(out.up)
    return np.vstack(ups), state


def packet_loss(
    n: int, fs: float, rng: np.random.Generator, loss: float, burst_s: tuple[float, float],
    outages: int = 0, outage_s: float = 2.0,
) -> np.ndarray:
    """Keep-mask with bursts of ``burst_s`` (min, max) seconds dropped until about ``loss`` of the
    samples are gone, plus ``outages`` drops of ``outage_s`` (longer than the reset gap)."""
    keep = np.ones(n, dtype=bool)
    lo_n, hi_n = max(1, round(burst_s[0] * fs)), max(1, round(burst_s[1] * fs))
    while 1.0 - keep.mean() < loss:
        start, length = int(rng.integers(1, n)), int(rng.integers(lo_n, hi_n + 1))
        keep[start : start + length] = False
    for _ in range(outages):
        start = int(rng.integers(n // 4, n - round(outage_s * fs)))
        keep[start : start + round(outage_s * fs)] = False
    keep[0] = True
    return keep


LOSS_CASES: tuple[tuple[str, float, tuple[float, float], int], ...] = (
    ("1% in 10-30 ms bursts", 0.01, (0.01, 0.03), 0),
    ("5% in 20-100 ms bursts", 0.05, (0.02, 0.1), 0),
    ("20% in 20-300 ms bursts", 0.20, (0.02, 0.3), 0),
    ("1% bursts + 2 outages of 2 s", 0.01, (0.01, 0.03), 2),
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--extract", type=Path, metavar="GIT_DIR", help="remake the extracts")
    ap.add_argument("--chunk", type=int, default=10, help="samples per streamed chunk")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.extract:
        extract(args.extract)
        return 0

    trials = [load(name) for name in TRIALS]
    print("Inclination RMSE (deg) over movement samples, BROAD extracts at 285.714 Hz")
    print(f"VQF: vqf.VQF 6D defaults (tauAcc 3 s); ours: {ori.OrientationParams()}")
    head = (
        f"{'trial':36} {'samples':>7} {'VQF':>7} {'ours':>7} {'diff':>9} {'stream':>9} "
        f"{'time VQF / ours':>17}"
    )
    print(head + "\n" + "-" * len(head))
    rows = []
    for tr in trials:
        t0 = time.perf_counter()
        r_vqf = inclination_rmse(vqf_direct(tr), tr.quat, tr.movement)
        t1 = time.perf_counter()
        up, _ = ours(tr)
        r_ours = inclination_rmse(up, tr.quat, tr.movement)
        t2 = time.perf_counter()
        up_s, _ = ours(tr, chunk=args.chunk)
        stream = float(np.max(np.abs(up_s - up)))
        rows.append((r_vqf, r_ours))
        print(
            f"{tr.name:36} {tr.movement.size:7d} {r_vqf:7.3f} {r_ours:7.3f} "
            f"{r_ours - r_vqf:+9.5f} {stream:9.1e} {t1 - t0:7.2f} s / {t2 - t1:.2f} s"
        )
    m = np.mean(rows, axis=0)
    print(f"{'mean':36} {'':7} {m[0]:7.3f} {m[1]:7.3f} {m[1] - m[0]:+9.5f}")
    print(f"stream: max |up| difference, batch vs chunks of {args.chunk} samples")

    print(f"\nPacket loss (seed {args.seed}): our RMSE (deg) over the received movement samples;")
    print("'no loss' = the loss-free run on those samples, 'gaps kept' = true sample times (the")
    print("layer bridges or resets), 'closed up' = the same samples fed as if contiguous")
    head = (
        f"{'trial':36} {'loss case':30} {'lost':>5} {'no loss':>7} {'gaps kept':>9} "
        f"{'closed up':>9} {'gaps':>5} {'resets':>6}"
    )
    print(head + "\n" + "-" * len(head))
    rng = np.random.default_rng(args.seed)
    for tr in trials:
        up_full, _ = ours(tr)
        for label, loss, burst, outages in LOSS_CASES:
            keep = packet_loss(tr.movement.size, tr.fs, rng, loss, burst, outages)
            mask = tr.movement[keep]
            base = inclination_rmse(up_full[keep], tr.quat[keep], mask)
            up, st = ours(tr, keep=keep)
            closed = Trial(tr.name, tr.acc[keep], tr.gyr[keep], tr.quat[keep], mask, tr.fs)
            up_c, _ = ours(closed)
            print(
                f"{tr.name:36} {label:30} {1 - keep.mean():5.1%} {base:7.3f} "
                f"{inclination_rmse(up, tr.quat[keep], mask):9.3f} "
                f"{inclination_rmse(up_c, tr.quat[keep], mask):9.3f} {st.gaps:5d} {st.resets:6d}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
