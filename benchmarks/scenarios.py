"""Varied, seeded test scenarios for the signal chain: a calibration and an exercise session from
the same person, each with ground truth (`sensorhold.motion.session.SimSession`).

    from benchmarks.scenarios import make_scenarios
    for sc in make_scenarios(20, seed=1, kind="hard"):
        profile = calibrate(sc.calibration.t, sc.calibration.acc, sc.calibration.gyr, sc.stage3)
        result = analyze(sc.session.t, sc.session.acc, sc.session.gyr, profile)
        ...  # compare with sc.session.angle_deg, .stage, .holds

CLI: ``uv run python benchmarks/scenarios.py --n 5 --seed 1 --kind hard [--out DIR]`` prints one
line per scenario and, with ``--out``, writes ``DIR/<name>/{calibration,session}.csv`` (the CLI.md
CSV) and ``truth.json`` (hold lists in the shape of ``analyze --json``).

Kinds (both: a random person, any mounting incl. upside down and tilted up to 20°, stage 3 for
about half the people):

* ``clean``: good sensor, 50 or 100 Hz, no re-mounting, at most light packet loss, occasional
  wobbles and small sag, a standing break in about half of the sessions.
* ``hard``: cheap noisy sensor (often) with ~1 °/s gyro bias and quantisation, 50-200 Hz,
  timestamp jitter, loss bursts, the sensor re-mounted 2-15° between calibration and session,
  wobbles, side leans, sag, a walk during a standing break, repeated short press-ups; half of the
  calibrations start standing and have movement in a pose.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from sensorhold.motion.body import Person
from sensorhold.motion.exercise_scripts import calibration_script, random_exercise_script
from sensorhold.motion.mounting import Mounting
from sensorhold.motion.script import Script
from sensorhold.motion.sensor_errors import SensorSpec
from sensorhold.motion.session import Loss, SimSession, simulate_session, to_csv

Kind = Literal["clean", "hard"]
_RATES_HZ = (50.0, 52.0, 60.0, 100.0, 104.0, 120.0, 200.0)


@dataclass(frozen=True)
class Scenario:
    """One person's calibration recording and exercise session, both with truth."""

    name: str
    description: str
    stage3: bool
    person: Person
    calibration_mounting: Mounting
    session_mounting: Mounting
    calibration: SimSession
    session: SimSession


def make_scenario(index: int, seed: int = 0, kind: Kind = "clean") -> Scenario:
    """Scenario ``index`` of the family ``(seed, kind)``; the same arguments give the same one."""
    hard = kind == "hard"
    rng = np.random.default_rng([seed, index, int(hard)])
    person = Person.random(rng)
    stage3 = bool(rng.random() < 0.5)
    noisy = hard and rng.random() < 0.6
    spec = SensorSpec.noisy() if noisy else SensorSpec.clean()
    sensor = replace(spec, unit=int(rng.integers(2**31)))  # one physical sensor for both
    rate = float(rng.choice(_RATES_HZ)) if hard else float(rng.choice((50.0, 100.0)))
    mount_cal = Mounting.random(rng)
    mount_ses = mount_cal.remounted(rng, max_deg=15.0) if hard else mount_cal
    if hard:
        loss: Loss | None = Loss(rng.uniform(1.0, 6.0), rng.uniform(0.1, 0.5), 3.0)
    else:
        loss = Loss(0.5, 0.1, 0.5) if rng.random() < 0.5 else None
    jitter = 0.002 if hard else 0.0
    cal_script = calibration_script(
        stage3,
        lead_in=hard and rng.random() < 0.5,
        imperfect=hard and rng.random() < 0.5,
        still_s=float(rng.uniform(8.0, 10.0)),
    )

    def record(script: Script, mounting: Mounting, t0_max: float) -> SimSession:
        return simulate_session(
            script, person, sensor, mounting, rate_hz=rate, seed=int(rng.integers(2**31)),
            loss=loss, t0_s=float(rng.uniform(5.0, t0_max)), jitter_s=jitter,
        )

    calibration = record(cal_script, mount_cal, 500.0)
    session = record(random_exercise_script(rng, stage3, hard), mount_ses, 5000.0)
    name = f"{kind}-{seed}-{index:03d}"
    desc = (
        f"{name}: stage2 {person.stage2_deg:.1f}°, stage3 {person.stage3_deg:.1f}°"
        f"{' (prescribed)' if stage3 else ' (not prescribed)'}; {rate:g} Hz "
        f"{'noisy' if noisy else 'clean'} sensor; mount {mount_ses.description}; "
        f"{session.lost_samples} samples lost; session {session.duration_s:.0f} s, "
        f"{len(session.holds)} holds"
    )
    return Scenario(name, desc, stage3, person, mount_cal, mount_ses, calibration, session)


def make_scenarios(n: int, seed: int = 0, kind: Kind = "clean") -> list[Scenario]:
    """``n`` varied scenarios (see the module docstring for what ``kind`` varies)."""
    return [make_scenario(i, seed, kind) for i in range(n)]


def write_scenario(scenario: Scenario, out_dir: Path) -> Path:
    """Write the two CSVs and truth.json under ``out_dir/<name>``; return that directory."""
    d = out_dir / scenario.name
    d.mkdir(parents=True, exist_ok=True)
    to_csv(scenario.calibration, d / "calibration.csv")
    to_csv(scenario.session, d / "session.csv")
    truth = {
        "description": scenario.description,
        "stage3": scenario.stage3,
        "stage_angles_deg": {"2": scenario.person.stage2_deg, "3": scenario.person.stage3_deg},
        "calibration": scenario.calibration.truth_summary(),
        "session": scenario.session.truth_summary(),
    }
    (d / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")
    return d


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kind", choices=("clean", "hard"), default="clean")
    parser.add_argument("--out", type=Path, help="write CSVs and truth.json here")
    args = parser.parse_args(argv)
    for sc in make_scenarios(args.n, args.seed, args.kind):
        print(sc.description)
        if args.out:
            print(f"  -> {write_scenario(sc, args.out)}")


if __name__ == "__main__":
    main()
