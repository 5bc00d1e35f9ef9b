"""Accuracy of the signal chain on simulated scenarios with ground truth.

For each scenario: fit a profile on its calibration recording, analyse its session, and compare
with the truth. Prints per kind: angle RMSE during true holds, stage accuracy over true hold
time, hold-duration error (median / max over matched holds), missed and extra holds, and the
error of each hold's unstable (wobbling) time against the simulated wobbles.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/accuracy.py --n 12 --seed 1

``--worst K`` also lists, per kind, the K holds with the largest duration error (true start and
end relative to the session start, found minus true start and end) and the K true holds with
the most wrong-stage time (seconds wrong in the first 3 s, the last 3 s and between, and the
stages shown instead).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.scenarios import Kind, Scenario, make_scenarios
from sensorhold.analysis import analyze
from sensorhold.calibration.fit import fit_profile
from sensorhold.errors import UserError


def match_holds(truth: list, found: list[dict]) -> tuple[list[tuple], int, int]:
    """Pair true and found holds of the same stage that overlap most; (pairs, missed, extra)."""
    pairs, used = [], set()
    for h in truth:
        best, best_ov = None, 0.0
        for k, f in enumerate(found):
            if k in used or f["stage"] != h.stage:
                continue
            ov = min(h.end_s, f["end_s"]) - max(h.start_s, f["start_s"])
            if ov > best_ov:
                best, best_ov = k, ov
        if best is not None:
            used.add(best)
            pairs.append((h, found[best]))
    return pairs, len(truth) - len(pairs), len(found) - len(used)


def _wrong_stage(
    sc: Scenario, t: np.ndarray, stage: np.ndarray, dt: np.ndarray
) -> list[tuple[float, str]]:
    """Per true hold with a wrong stage: (seconds wrong, description)."""
    rows = []
    for h in sc.session.holds:
        bad = (t >= h.start_s) & (t < h.end_s) & (stage != h.stage)
        if not bad.any():
            continue
        rel = t[bad] - h.start_s
        head, tail = rel < 3.0, rel >= h.end_s - h.start_s - 3.0
        parts = [float(np.sum(dt[bad][m])) for m in (head, tail & ~head, ~head & ~tail)]
        shown = sorted({int(k) for k in stage[bad]})
        rows.append((sum(parts), (
            f"{sc.name} stage {h.stage} {h.start_s - t[0]:.2f}-{h.end_s - t[0]:.2f} s: wrong "
            f"{parts[0]:.2f} s first 3 s, {parts[1]:.2f} s last 3 s, {parts[2]:.2f} s between; "
            f"shown {shown}"
        )))
    return rows


def evaluate(sc: Scenario) -> dict[str, float]:
    cal = sc.calibration
    try:
        profile = fit_profile(
            cal.t, cal.acc, cal.gyr, user="bench", sensor_model="sim", stage3=sc.stage3
        )
    except UserError as exc:
        print(f"  {sc.name}: calibration failed: {exc}")
        return {"failed": 1.0}
    ses = sc.session
    res = analyze(ses.t, ses.acc, ses.gyr, profile)
    out = res.samples
    in_hold = np.zeros(ses.t.size, bool)
    for h in ses.holds:
        in_hold |= (ses.t >= h.start_s) & (ses.t < h.end_s)
    err = (out.angle_deg - ses.angle_deg)[in_hold]
    pairs, missed, extra = match_holds(list(ses.holds), res.result["holds"])
    dur_err = [abs(f["duration_s"] - (h.end_s - h.start_s)) for h, f in pairs]
    t0 = float(ses.t[0])
    worst = [(d, (
        f"{sc.name} stage {h.stage}: true {h.start_s - t0:.2f}-{h.end_s - t0:.2f} s, found "
        f"start {f['start_s'] - h.start_s:+.2f} s, end {f['end_s'] - h.end_s:+.2f} s"
    )) for d, (h, f) in zip(dur_err, pairs, strict=True)]
    dt = np.diff(ses.t, append=ses.t[-1])
    return {
        **session_scores(err, out.stage[in_hold] == ses.stage[in_hold], pairs, missed, extra),
        "worst": worst, "wrong": _wrong_stage(sc, ses.t, out.stage, dt),  # type: ignore[dict-item]
    }


def session_scores(
    err: np.ndarray, right_stage: np.ndarray, pairs: list[tuple], missed: int, extra: int
) -> dict:
    """One session's sums behind ``summary``: angle errors and right-stage flags over the true
    hold samples, and the matched (true, found) holds."""
    return {
        "sq_err": float(np.sum(err**2)), "n_err": float(err.size),
        "stage_ok": float(np.sum(right_stage)),
        "dur": [abs(f["duration_s"] - (h.end_s - h.start_s)) for h, f in pairs],
        "start": [f["start_s"] - h.start_s for h, f in pairs],
        "end": [f["end_s"] - h.end_s for h, f in pairs],
        "unstable": [
            (f["unstable_s"] - h.unstable_s, h.unstable_s)
            for h, f in pairs if getattr(h, "unstable_s", None) is not None
        ],
        "missed": float(missed), "extra": float(extra), "holds": float(len(pairs) + missed),
        "rmse": float(np.sqrt(np.mean(err**2))) if err.size else float("nan"),
    }


def _unstable_lines(unstable: np.ndarray) -> str:
    """Found minus true unstable time per hold, ``unstable`` rows (error, true), split by
    whether the truth has a wobble in the hold; empty if the truth has no wobble times."""
    if not unstable.size:
        return ""
    err, true = unstable.T
    w = true > 0
    wobbly = (
        f"error median {np.median(np.abs(err[w])):.2f} s, max {np.abs(err[w]).max():.2f} s, "
        f"total {true[w].sum():.0f} s true, {(err[w] + true[w]).sum():.0f} s found"
        if w.any() else "none"
    )
    calm = f"{(err[~w] > 0).sum()} given some (max {err[~w].max(initial=0.0):.2f} s)"
    return (
        f"  unstable time, {w.sum()} holds with a wobble: {wobbly}\n"
        f"  unstable time, {(~w).sum()} holds without: {calm}\n"
    )


def summary(ok: list[dict]) -> str:
    """The metric lines over sessions scored by ``session_scores``."""
    n_err = sum(r["n_err"] for r in ok)
    dur = np.array([d for r in ok for d in r["dur"]])
    start = np.array([d for r in ok for d in r["start"]])
    end = np.array([d for r in ok for d in r["end"]])
    unstable = np.array([d for r in ok for d in r["unstable"]]).reshape(-1, 2)
    return (
        f"  angle RMSE in true holds: {np.sqrt(sum(r['sq_err'] for r in ok) / n_err):.2f}° "
        f"(worst scenario {max(r['rmse'] for r in ok):.2f}°)\n"
        f"  right stage over true hold time: {100 * sum(r['stage_ok'] for r in ok) / n_err:.2f} %\n"
        f"  hold duration error: median {np.median(dur):.2f} s, max {dur.max():.2f} s "
        f"(start bias {np.median(start):+.2f} s, end bias {np.median(end):+.2f} s)\n"
        + _unstable_lines(unstable)
        + f"  missed holds {sum(r['missed'] for r in ok):.0f}, extra holds "
        f"{sum(r['extra'] for r in ok):.0f}"
    )


def report(kind: Kind, n: int, seed: int, verbose: bool, worst: int = 0) -> None:
    rows = []
    for sc in make_scenarios(n, seed, kind):
        r = evaluate(sc)
        rows.append(r)
        if verbose and "failed" not in r:
            print(
                f"  {sc.name}: rmse {r['rmse']:.2f}° stage {r['stage_ok'] / r['n_err']:.4f} "
                f"dur max {max(r['dur'], default=0):.2f} s missed {r['missed']:.0f} "
                f"extra {r['extra']:.0f} | {sc.description}"
            )
    ok = [r for r in rows if "failed" not in r]
    print(
        f"{kind}: {len(rows)} scenarios ({len(rows) - len(ok)} calibrations failed), "
        f"{sum(r['holds'] for r in ok):.0f} true holds\n{summary(ok)}"
    )
    if worst:
        for title, key in (("hold duration error", "worst"), ("wrong stage", "wrong")):
            rows = sorted((x for r in ok for x in r[key]), key=lambda x: -x[0])[:worst]
            print(f"  worst {title}:")
            for value, text in rows:
                print(f"    {value:.2f} s  {text}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12, help="scenarios per kind")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kind", choices=("clean", "hard", "both"), default="both")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--worst", type=int, default=0, metavar="K", help="list the K worst holds")
    args = ap.parse_args()
    kinds: list[Kind] = ["clean", "hard"] if args.kind == "both" else [args.kind]
    for kind in kinds:
        report(kind, args.n, args.seed, args.verbose, args.worst)


if __name__ == "__main__":
    main()
