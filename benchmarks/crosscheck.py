"""Cross-check on sessions from an independent simulator, scored through the command line.

`benchmarks/accuracy.py` scores the signal chain on sessions from `sensorhold.motion`, the
simulator the chain was developed against, whose moves are all minimum-jerk curves. Here the
sessions come from a second, deliberately simple model written apart from it: the trunk pitches
about the hip with moves of several shapes (minimum-jerk, cubic, raised cosine), the sensor sits
on a 0.25 m lever arm under a random mounting (re-stuck a little between calibration and
session), with per-session noise, gyro bias up to ``--bias`` deg/s an axis, scale errors,
accelerometer offsets, side leans, sag, wobbles and lost-packet bursts, at 50, 100 or 200 Hz.
Each session goes through the real commands, as a user would run them:
``sensorhold calibrate --from cal.csv [--stage3]`` then
``sensorhold analyze ses.csv --json --samples out.csv``, and is scored like accuracy.py.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/crosscheck.py --n 12 --seed 1
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.accuracy import match_holds, session_scores, summary

LEVER_M = 0.25
G = 9.80665


def _shape(s: np.ndarray, kind: str) -> np.ndarray:
    """Progress 0 -> 1 of a move over s in [0, 1]."""
    if kind == "cubic":
        return s * s * (3 - 2 * s)
    if kind == "cosine":
        return 0.5 - 0.5 * np.cos(np.pi * s)
    return s**3 * (10 - 15 * s + 6 * s * s)  # minimum jerk


@dataclass(frozen=True)
class TrueHold:
    stage: int
    start_s: float
    end_s: float


@dataclass
class Motion:
    """Trunk pitch (extension, deg) and roll (deg) over time, and the true holds."""

    t: np.ndarray
    pitch: np.ndarray
    roll: np.ndarray
    holds: list[TrueHold]


Plan = list[tuple[str, float, float, int]]


def _motion(plan: Plan, rate: float, rng: np.random.Generator, lean_deg: float = 8.0) -> Motion:
    """``plan``: (kind, target pitch, duration, stage) with kind "hold", "move" or "stand".

    Continuous in pitch and roll: a move starts where the person is (after any sag) and carries
    the roll to the next hold's side lean (up to ``lean_deg``); breathing runs throughout."""
    breath_deg, breath_hz = rng.uniform(0.1, 0.6), rng.uniform(0.15, 0.35)
    leans = [rng.uniform(-lean_deg, lean_deg) if k == "hold" and rng.random() < 0.4 else 0.0
             for k, *_ in plan]
    ts, ps, rs, holds = [], [], [], []
    t0, pitch0, roll0 = 0.0, plan[0][1], 0.0
    for i, (kind, target, dur, stage) in enumerate(plan):
        tt = t0 + np.arange(round(dur * rate)) / rate
        u = (tt - t0) / dur
        if kind == "move":
            shape = _shape(u, str(rng.choice(["minjerk", "cubic", "cosine"])))
            nxt = leans[i + 1] if i + 1 < len(plan) else 0.0
            pitch = pitch0 + (target - pitch0) * shape
            roll = roll0 + (nxt - roll0) * shape
        elif kind == "stand":
            sway = np.sin(np.pi * u)
            pitch = target + 3 * np.sin(2 * np.pi * 0.3 * (tt - t0)) * sway
            roll = roll0 + 5 * np.sin(2 * np.pi * 0.2 * (tt - t0)) * sway
        else:
            pitch = target + (rng.uniform(-2, 0) if stage > 1 else 0.0) * u
            roll = np.full(tt.size, roll0)
            if rng.random() < 0.3 and dur > 20:
                w0 = t0 + rng.uniform(5, dur - 8)
                inside = (tt > w0) & (tt < w0 + 2)
                pitch = pitch + np.where(inside, 3 * np.sin(2 * np.pi * 1.5 * (tt - w0)), 0.0)
            holds.append(TrueHold(stage, t0, t0 + dur))
        pitch0, roll0 = float(pitch[-1]), float(roll[-1])
        ts.append(tt)
        ps.append(pitch)
        rs.append(roll)
        t0 += dur
    t = np.concatenate(ts)
    breath = breath_deg * np.sin(2 * np.pi * breath_hz * t)
    return Motion(t, np.concatenate(ps) + breath, np.concatenate(rs), holds)


def _fidget(m: Motion, rng: np.random.Generator) -> Motion:
    """``m`` with a fidgeting person's moves inside each hold: one or two brief shifts (0.6-1.5 s,
    pitch up to 4°, roll up to 6°) that come back, and a lasting roll shift up to 3°."""
    pitch, roll = m.pitch.copy(), m.roll.copy()
    for h in m.holds:
        for _ in range(int(rng.integers(1, 3))):
            d = rng.uniform(0.6, 1.5)
            t0 = rng.uniform(h.start_s + 1.0, h.end_s - d - 1.0)
            u = np.clip((m.t - t0) / d, 0.0, 1.0)
            bump = np.sin(np.pi * u) ** 2
            pitch += rng.uniform(-4, 4) * bump
            roll += rng.uniform(-6, 6) * bump
        t1 = rng.uniform(h.start_s + 2.0, h.end_s - 2.0)
        inside = (m.t >= h.start_s) & (m.t < h.end_s)
        roll += np.where(inside, rng.uniform(-3, 3) * _shape(np.clip(m.t - t1, 0, 1), ""), 0.0)
    return Motion(m.t, pitch, roll, m.holds)

@dataclass(frozen=True)
class Sensor:
    """One physical sensor: noise (per-sample sd) and the errors it keeps between recordings."""

    acc_sd: float
    gyr_sd: float
    acc_scale: np.ndarray
    acc_offset: np.ndarray
    gyr_scale: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, noise: float, acc_error: float) -> Sensor:
        e = 0.02 * acc_error
        return cls(
            rng.uniform(0.002, 0.01) * noise, rng.uniform(0.05, 0.4) * noise,
            rng.uniform(1 - e, 1 + e, 3), rng.uniform(-e, e, 3), rng.uniform(0.98, 1.02, 3),
        )


def _imu(
    m: Motion, mount: Rotation, rate: float, rng: np.random.Generator, sensor: Sensor,
    bias_dps: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Accelerometer (g) and gyro (deg/s) in sensor axes, with a gyro bias drawn for this power-on
    (up to ``bias_dps`` an axis). Body axes: x to the head, y to the left, z out of the back when
    prone; extension turns the head up (about -y)."""
    body = Rotation.from_euler("yx", np.column_stack((-m.pitch, m.roll)), degrees=True)
    frame = body * mount
    dt = 1.0 / rate
    arm = body.apply([LEVER_M, 0.0, 0.0])
    lin = np.gradient(np.gradient(arm, dt, axis=0), dt, axis=0) / G
    acc = frame.inv().apply(np.array([0.0, 0.0, 1.0]) + lin)
    acc = acc * sensor.acc_scale + sensor.acc_offset + rng.normal(0.0, sensor.acc_sd, acc.shape)
    rv = (frame[:-1].inv() * frame[1:]).as_rotvec() / dt
    gyr = np.degrees(np.vstack((rv[:1], rv))) * sensor.gyr_scale
    gyr += rng.uniform(-bias_dps, bias_dps, 3) + rng.normal(0.0, sensor.gyr_sd, gyr.shape)
    return acc, gyr


def _write_csv(path: Path, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> None:
    rows = np.column_stack((t, acc, gyr))
    np.savetxt(path, rows, delimiter=",", header="t,ax,ay,az,gx,gy,gz", comments="",
               fmt=["%.4f"] + ["%.5f"] * 3 + ["%.3f"] * 3)


@dataclass
class Case:
    name: str
    stage3: bool
    rate: float
    motion: Motion
    t: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray
    cal: tuple[np.ndarray, np.ndarray, np.ndarray]
    offset: float


@dataclass(frozen=True)
class Extras:
    """Options beyond the default figures (each at its default draws the same sessions as
    without it): fixed stage angles, a session that starts on the forearms instead of lying
    prone, samples stamped with their notification's receive time (``stamp`` a time, as some
    apps write them), time-stamp jitter (s), a fixed sample rate, the largest side lean, mounting
    tilt (off the back's surface) and re-mounting (deg an axis), a sensor worn upside down, the
    longest loss burst (s), session hold durations (s), a calibration by someone who fidgets,
    and a standing break mid-session (s)."""

    stage_angles: tuple[float, float] | None = None
    no_prone_first: bool = False
    stamp: int = 0
    jitter_s: float = 0.0
    rate: float | None = None
    lean_deg: float = 8.0
    tilt_deg: float = 15.0
    remount_deg: float = 6.0
    upside_down: bool = False
    burst_s: float = 0.8
    hold_s: tuple[float, float] = (15.0, 60.0)
    fidget: bool = False
    stand_break_s: float = 0.0


def make_case(
    seed: int, noise: float, bias: float, losses: int, acc_error: float,
    extras: Extras = Extras(),
) -> Case:
    rng = np.random.default_rng(seed)
    rate = float(rng.choice([50.0, 100.0, 200.0]))
    rate = extras.rate or rate
    other = np.random.default_rng([seed, 1])  # the options' own draws
    stage3 = bool(rng.random() < 0.7)
    a2 = rng.uniform(12, 22)
    a3 = a2 + rng.uniform(10, 20)
    if extras.stage_angles is not None:
        a2, a3 = extras.stage_angles
    tilt = extras.tilt_deg
    mount = Rotation.from_euler(
        "zyx", [rng.uniform(-180, 180), *rng.uniform(-tilt, tilt, 2)], degrees=True
    )
    if extras.upside_down:
        mount = mount * Rotation.from_euler("x", 180, degrees=True)
    cal_s = 12.0 if extras.fidget else 8.0
    cal_plan = [("hold", 0.0, cal_s, 1), ("move", a2, 2.0, 0), ("hold", a2, cal_s, 2)]
    if stage3:
        cal_plan += [("move", a3, 2.0, 0), ("hold", a3, cal_s, 3)]
    cm = _motion(cal_plan, rate, rng)
    if extras.fidget:
        cm = _fidget(cm, other)
    sensor = Sensor.draw(rng, noise, acc_error)
    cal_acc, cal_gyr = _imu(cm, mount, rate, rng, sensor, bias)
    stages = [1, 2, 1, 2, 3, 1] if stage3 else [1, 2, 1, 2, 1]
    if stage3 and rng.random() < 0.4:
        stages = [1, 2, 3, 2, 1]
    if extras.no_prone_first:
        stages = stages[1:]
    plan: Plan = [("stand", 80.0, 5.0, 0)]
    get_down_s = rng.uniform(2.5, 4.0)
    for k, s in enumerate(stages):
        target = {1: 0.0, 2: a2, 3: a3}[s] + (rng.normal(0, 1.0) if s > 1 else 0.0)
        plan.append(("move", target, rng.uniform(1.5, 3.0) if k else get_down_s, 0))
        plan.append(("hold", target, rng.uniform(*extras.hold_s), s))
    plan += [("move", 80.0, 3.0, 0), ("stand", 80.0, 5.0, 0)]
    if extras.stand_break_s:  # up after the second hold, back down to lie prone first
        brk: Plan = [("move", 80.0, 3.0, 0), ("stand", 80.0, extras.stand_break_s, 0),
                     ("move", 0.0, get_down_s, 0)]
        if plan[6][3] != 1:
            brk += [("hold", 0.0, other.uniform(15, 30), 1), plan[5]]
        plan[5:6] = brk
    m = _motion(plan, rate, rng, extras.lean_deg)
    remount = mount * Rotation.from_euler(
        "zyx", rng.uniform(-extras.remount_deg, extras.remount_deg, 3), degrees=True)
    acc, gyr = _imu(m, remount, rate, rng, sensor, bias)
    keep = np.ones(m.t.size, bool)
    for _ in range(losses):
        i = int(rng.integers(0, m.t.size))
        keep[i : i + int(rng.uniform(0.1, extras.burst_s) * rate)] = False
    start = rng.uniform(0, 5000)
    t = m.t[keep]
    if extras.stamp > 1:  # each group's receive time: its last sample's, plus 0-10 ms latency
        group = np.arange(t.size) // extras.stamp
        last = np.minimum((group + 1) * extras.stamp, t.size) - 1
        t = t[last] + rng.uniform(0.0, 0.01, group[-1] + 1)[group]
    if extras.jitter_s:
        t = t + rng.normal(0.0, extras.jitter_s, t.size)
    return Case(
        f"x{seed}", stage3, rate, m, t + start, acc[keep], gyr[keep],
        (cm.t + 100.0, cal_acc, cal_gyr), start,
    )


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "sensorhold", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def score(case: Case, work: Path) -> dict:
    cal_csv, ses_csv, prof, out_csv = (work / n for n in ("cal.csv", "ses.csv", "p.json", "s.csv"))
    _write_csv(cal_csv, *case.cal)
    _write_csv(ses_csv, case.t, case.acc, case.gyr)
    cal = _cli("calibrate", "--from", str(cal_csv), *(["--stage3"] if case.stage3 else []),
               "--profile", str(prof), "--force")
    if cal.returncode:
        return {"failed": cal.stderr.strip()}
    res = _cli("analyze", str(ses_csv), "--json", "--profile", str(prof), "--samples", str(out_csv))
    if res.returncode:
        return {"failed": res.stderr.strip()}
    found = json.loads(res.stdout)["holds"]
    with out_csv.open() as f:
        rows = list(csv.DictReader(f))
    st = np.array([float(r["t"]) for r in rows])
    angle = np.array([float(r["angle_deg"]) for r in rows])
    stage = np.array([int(r["stage"]) for r in rows])
    offset = case.offset
    truth = [TrueHold(h.stage, h.start_s + offset, h.end_s + offset) for h in case.motion.holds]
    true_pitch = np.interp(st, case.motion.t + offset, case.motion.pitch)
    in_hold = np.zeros(st.size, bool)
    true_stage = np.zeros(st.size, int)
    for h in truth:
        inside = (st >= h.start_s) & (st < h.end_s)
        in_hold |= inside
        true_stage[inside] = h.stage
    pairs, missed, extra = match_holds(truth, found)
    return session_scores(
        (angle - true_pitch)[in_hold], stage[in_hold] == true_stage[in_hold], pairs, missed, extra
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--noise", type=float, default=1.0, help="noise scale (1: typical MEMS)")
    ap.add_argument("--bias", type=float, default=1.5, help="max gyro bias, deg/s an axis")
    ap.add_argument("--losses", type=int, default=3, help="lost-packet bursts a session")
    ap.add_argument("--acc-error", type=float, default=1.0,
                    help="accelerometer offset and scale error scale (1: up to 20 mg and 2 %%)")
    ap.add_argument("--stage-angles", type=float, nargs=2, metavar=("FOREARMS", "HANDS"),
                    help="every person's stage angles (deg; default: drawn)")
    ap.add_argument("--no-prone-first", action="store_true",
                    help="sessions start on the forearms instead of lying prone")
    ap.add_argument("--stamp", type=int, default=0, metavar="K",
                    help="K samples share one time stamp (a notification's receive time)")
    ap.add_argument("--jitter", type=float, default=0.0, metavar="S",
                    help="time-stamp jitter (s, standard deviation)")
    ap.add_argument("--rate", type=float, help="sample rate (Hz; default: 50, 100 or 200)")
    ap.add_argument("--lean", type=float, default=8.0, help="largest side lean in a hold (deg)")
    ap.add_argument("--tilt", type=float, default=15.0,
                    help="largest mounting tilt off the back's surface (deg an axis)")
    ap.add_argument("--remount", type=float, default=6.0,
                    help="largest re-mounting between calibration and session (deg an axis)")
    ap.add_argument("--upside-down", action="store_true", help="the sensor worn upside down")
    ap.add_argument("--burst", type=float, default=0.8, help="longest lost-packet burst (s)")
    ap.add_argument("--hold-s", type=float, nargs=2, default=(15.0, 60.0), metavar=("MIN", "MAX"),
                    help="session hold durations (s)")
    ap.add_argument("--fidget", action="store_true", help="a calibration by someone who fidgets")
    ap.add_argument("--stand-break", type=float, default=0.0, metavar="S",
                    help="stand up for S seconds after the second hold, then lie prone again")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    extras = Extras(
        tuple(args.stage_angles) if args.stage_angles else None, args.no_prone_first,
        args.stamp, args.jitter, args.rate, args.lean, args.tilt, args.remount, args.upside_down,
        args.burst, tuple(args.hold_s), args.fidget, args.stand_break,
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.n):
            case = make_case(
                1000 * args.seed + k, args.noise, args.bias, args.losses, args.acc_error, extras
            )
            r = score(case, Path(tmp))
            rows.append(r)
            if args.verbose or "failed" in r:
                print(f"  {case.name} {case.rate:.0f} Hz: {r}")
    ok = [r for r in rows if "failed" not in r]
    print(
        f"crosscheck noise x{args.noise:g}, gyro bias <= {args.bias:g} deg/s, acc error "
        f"x{args.acc_error:g}, {args.losses} losses: "
        f"{len(rows)} sessions ({len(rows) - len(ok)} failed), "
        f"{sum(r['holds'] for r in ok):.0f} true holds\n{summary(ok)}"
    )


if __name__ == "__main__":
    main()
