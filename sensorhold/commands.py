"""The body of each CLI command: resolve inputs, then call into the layers."""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sensorhold.calibration import profile as profiles
from sensorhold.calibration.profile import Profile
from sensorhold.errors import InputError, ProfileError
from sensorhold.texts import NOTICE

if TYPE_CHECKING:
    import numpy as np

    from sensorhold.emulator.faults import FaultPlan
    from sensorhold.protocol.spec import SensorSpec
    from sensorhold.recording.sensor_data import SensorData


def _user(args: argparse.Namespace) -> str:
    if getattr(args, "user", None):
        return str(args.user)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "default"


def _profile_for(
    args: argparse.Namespace, header_calibration: dict[str, Any] | None = None,
    sensor_model: str | None = None,
) -> Profile:
    """``--profile``, else the calibration a recording carries, else the user's own profile;
    a warning if that profile was made with another model than the recording's ``sensor_model``
    (its mounting is in that model's axes)."""
    if args.profile is not None:
        return _same_model(profiles.load(args.profile), sensor_model)
    if header_calibration:
        try:
            return Profile.from_json(header_calibration, "the recording's calibration")
        except ProfileError as exc:
            raise ProfileError(f"{exc}, or pass --profile") from None
    path = profiles.default_path(_user(args))
    if not path.exists():
        raise ProfileError(
            f"no calibration profile for user {_user(args)!r} ({path}); run `sensorhold "
            "calibrate` first, or pass --profile"
        )
    return _same_model(profiles.load(path), sensor_model)


def _same_model(profile: Profile, sensor_model: str | None) -> Profile:
    if sensor_model is None or profile.sensor_model == sensor_model:  # a CSV: model unknown
        return profile
    from sensorhold.protocol.spec import all_specs

    known = all_specs()
    if sensor_model in known and profile.sensor_model in known:
        print(f"warning: the profile was made with a {known[profile.sensor_model].display_name}, "
              f"this recording is from a {known[sensor_model].display_name}: the mounting may not "
              "fit; calibrate with this sensor", file=sys.stderr)
    return profile


def _notice() -> None:
    print(NOTICE, file=sys.stderr)


def _faults(pairs: list[tuple[str, float]]) -> FaultPlan:
    from sensorhold.emulator.faults import DEFAULT_DURATION_S, Fault

    return tuple(Fault(kind, at, DEFAULT_DURATION_S[kind]) for kind, at in pairs)  # type: ignore[arg-type]


def demo(args: argparse.Namespace) -> int:
    from sensorhold.protocol.spec import all_specs, load_spec

    if args.list_sensors:
        from sensorhold.emulator.world import EMULATORS

        for model, spec in sorted(all_specs().items()):
            emulated = "" if model in EMULATORS else "  (no emulator yet)"
            print(f"{model}\t{spec.display_name}{emulated}")
        return 0
    spec = load_spec(args.sensor)
    from sensorhold.calibration.demo_profile import demo_profile
    from sensorhold.emulator import world  # noqa: F401  Bumble: imported before the clock starts
    from sensorhold.motion.exercise_scripts import demo_script
    from sensorhold.motion.scripted_source import ScriptedImu
    from sensorhold.runner.session import SessionPlan, run_session
    from sensorhold.runner.streams import demo_stream

    # Every emulated model is mounted alike: no warning for a --profile from another model.
    profile = profiles.load(args.profile) if args.profile else demo_profile(spec.model)
    rate = spec.default_rate_hz
    source = ScriptedImu(demo_script(), rate_hz=rate, loop=True)
    faults = _faults(args.inject)
    plan = SessionPlan(
        spec, profile, title=f"sensorhold demo — emulated {spec.display_name}", rate_hz=rate,
        record=not args.no_record, record_path=args.record, headless=args.headless,
        duration_s=args.duration, user="demo",
    )
    if not args.headless:
        _notice()
    return run_session(
        plan, partial(demo_stream, spec=spec, source=source, faults=faults, rate_hz=rate)
    )


def live(args: argparse.Namespace) -> int:
    from sensorhold.ble.backend import PLATFORM
    from sensorhold.protocol.spec import all_specs, load_spec
    from sensorhold.runner.known_sensors import remember_sensor
    from sensorhold.runner.session import SessionPlan, run_session
    from sensorhold.runner.streams import ble_stream

    profile = _profile_for(args)
    spec = load_spec(profile.sensor_model) if profile.sensor_model in all_specs() else None
    if spec is None:
        raise ProfileError(
            f"the profile was made with sensor model {profile.sensor_model!r}, which this "
            f"version does not support ({', '.join(sorted(all_specs()))}); recalibrate"
        )
    if not args.headless:
        _notice()
    user = _user(args)
    # Headless and no sensor named or remembered: the first one heard, found within the
    # session (its status lines run while scanning) rather than by a scan before it.
    target = args.address or args.name or _remembered_or_chosen(
        spec, user, args.timeout, scan=not args.headless)
    plan = SessionPlan(  # the session's clock starts here
        spec, profile, title=f"sensorhold — {spec.display_name}", rate_hz=spec.default_rate_hz,
        record=not args.no_record, record_path=args.record, headless=args.headless,
        duration_s=args.duration, user=user,
    )

    def remember(name: str, address: str) -> None:
        remember_sensor(user, name, address, spec.model)

    return run_session(
        plan, partial(ble_stream, spec=spec, backend=PLATFORM, target=target,
                      rate_hz=spec.default_rate_hz, scan_timeout_s=args.timeout,
                      on_connected=remember)
    )


def _remembered_or_chosen(
    spec: SensorSpec, user: str, timeout_s: float, *, scan: bool = True
) -> str | None:
    """The user's remembered sensor; the first time, the one they pick from a scan (without
    ``scan``: None, the first one the session's link finds)."""
    from sensorhold.runner.known_sensors import remembered_sensor

    known = remembered_sensor(user)
    if known and known["model"] == spec.model:
        print(f"connecting to your {known['name'] or spec.display_name} ({known['address']}); "
              "--name or --address picks another", file=sys.stderr)
        return known["address"]
    if not scan:
        print(f"looking for a {spec.display_name} for {timeout_s:g} s; it will be remembered",
              file=sys.stderr)
        return None
    import asyncio

    from sensorhold.ble.scan import scan as ble_scan

    print(f"looking for a {spec.display_name} for {timeout_s:g} s…", file=sys.stderr)
    found = [f for f in asyncio.run(ble_scan(timeout_s)) if f.model == spec.model]
    if not found:
        raise InputError(
            f"no {spec.display_name} found: switch it on, bring it closer and try again, or "
            "name it with --name or --address (see `sensorhold scan`)"
        )
    choice = 0
    if len(found) > 1 and sys.stdin.isatty():
        for i, f in enumerate(found, 1):
            print(f"  {i}. {f.name}  {f.address}  {f.rssi} dBm", file=sys.stderr)
        answer = input(f"which sensor is yours? [1-{len(found)}, Enter for 1] ").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(found):
            choice = int(answer) - 1
    chosen = found[choice]
    print(f"connecting to {chosen.name} ({chosen.address}); it will be remembered",
          file=sys.stderr)
    return chosen.address


def scan(args: argparse.Namespace) -> int:
    import asyncio

    from sensorhold.ble.scan import scan as ble_scan

    found = asyncio.run(ble_scan(args.timeout))
    if not found:
        print(f"no supported sensor heard within {args.timeout:g} s: switch it on and bring it "
              "closer", file=sys.stderr)
        return 1
    for f in found:
        print(f"{f.name}\t{f.address}\t{f.rssi} dBm\t{f.model}")
    return 0


def _load(path: Path) -> SensorData:
    from sensorhold.recording.sensor_data import load_input

    data = load_input(path)
    for warning in data.meta.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if len(data) < 2:
        after = " after the damage above" if data.meta.warnings else ""
        raise InputError(f"{path}: {len(data)} usable sample(s){after}, too few to analyse; "
                         "pass a whole session recording")
    return data


def analyze(args: argparse.Namespace) -> int:
    from sensorhold.analysis import SAMPLE_COLUMNS
    from sensorhold.analysis import analyze as run_analysis

    if args.samples is not None:
        _not_the_input(args.samples, args.file)
    data = _load(args.file)
    profile = _profile_for(args, data.meta.calibration, data.meta.sensor_model)
    result = run_analysis(data.t, data.acc, data.gyr, profile, clock_gaps=data.meta.gap_list)
    out = dict(result.result)
    out["input"] = {
        "kind": data.meta.kind, "sensor_model": data.meta.sensor_model,
        "packets": data.meta.packets, "malformed": data.meta.malformed,
        "warnings": data.meta.warnings,
    }
    if args.samples is not None:
        _write_samples(args.samples, SAMPLE_COLUMNS, result.sample_rows())
    if args.json:
        print(json.dumps(out))
    else:
        _print_holds(out)
    return 0


def _not_the_input(out: Path, source: Path) -> None:
    """Refuse an output path that is the input file itself (it would be replaced)."""
    if out.resolve() == source.resolve():
        raise InputError(f"{out} is the input file; choose another path for the output")


_SAMPLE_FORMATS = ("%.4f", "%.3f", "%d", "%d", "%.2f", "%d")
_SAMPLE_BLOCK = 1 << 16


def _write_samples(path: Path, columns: tuple[str, ...], rows: np.ndarray) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerow(columns)
            for lo in range(0, len(rows), _SAMPLE_BLOCK):
                f.write(_sample_lines(rows[lo : lo + _SAMPLE_BLOCK]))
    except OSError as e:
        raise InputError(f"cannot write {path}: {e.strerror or e}; choose another path") from None


def _sample_lines(rows: np.ndarray) -> str:
    """``rows`` as CSV lines (``csv.writer``'s: CRLF ends), a NaN as an empty field. One ``%``
    a row, where csv.writer and a format a value took 3x as long (~1.6 s for an hour)."""
    import numpy as np

    if np.isnan(rows).any():
        return "".join(
            ",".join(f % v if v == v else "" for f, v in zip(_SAMPLE_FORMATS, row, strict=True))
            + "\r\n"
            for row in rows.tolist()
        )
    line = ",".join(_SAMPLE_FORMATS) + "\r\n"
    return "".join(map(line.__mod__, zip(*rows.T.tolist(), strict=True)))


def _print_holds(result: dict[str, Any]) -> None:
    print(f"{result['samples']} samples over {result['duration_s']:.1f} s")
    if not result["holds"]:
        print("no holds found")
    for h in result["holds"]:
        print(f"stage {h['stage']}: {h['start_s']:8.1f} s – {h['end_s']:8.1f} s  "
              f"{h['duration_s']:6.1f} s  mean {h['mean_angle_deg']:5.1f}°  "
              f"unstable {h['unstable_s']:.1f} s")


def export(args: argparse.Namespace) -> int:
    from sensorhold.analysis import analyze as run_analysis
    from sensorhold.recording.csv_export import export_csv

    _not_the_input(args.csv, args.file)
    data = _load(args.file)
    profile = _profile_for(args, data.meta.calibration, data.meta.sensor_model)
    outputs = run_analysis(data.t, data.acc, data.gyr, profile).samples
    n = export_csv(data, args.csv, outputs)
    print(f"wrote {n} rows to {args.csv}", file=sys.stderr)
    return 0


def replay(args: argparse.Namespace) -> int:
    from sensorhold.recording.sensor_data import sniff
    from sensorhold.runner.replay_control import ReplayControl
    from sensorhold.runner.session import SessionPlan, run_session
    from sensorhold.runner.streams import recording_stream, samples_stream

    control = ReplayControl(speed=args.speed, end_s=args.duration)
    if sniff(args.file) == "recording":
        from sensorhold.recording.packet_decoding import decode_packets
        from sensorhold.recording.reader import read_recording
        from sensorhold.recording.sensor_data import checked_rate, no_samples

        rec = read_recording(args.file)
        counts = decode_packets(rec).counts
        if not counts.any():
            raise no_samples(args.file, rec)
        warnings = list(rec.warnings)
        rate_hz = checked_rate(rec, counts, warnings)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        profile = _profile_for(args, rec.header.get("calibration"), rec.spec.model)
        plan = SessionPlan(
            rec.spec, profile, title=f"sensorhold replay — {args.file.name}",
            rate_hz=rate_hz, headless=args.headless, t0_ns=rec.t0_ns, replay=control,
        )
        stream = partial(recording_stream, rec=rec, control=control)
    else:
        data = _load(args.file)
        profile = _profile_for(args)
        plan = SessionPlan(
            None, profile, title=f"sensorhold replay — {args.file.name}",
            headless=args.headless, t0_ns=0, replay=control,
        )
        stream = partial(samples_stream, data=data, control=control)
    return run_session(plan, stream)


def calibrate(args: argparse.Namespace) -> int:
    if args.from_file is None:
        from sensorhold.runner.calibration import guided_calibration

        user = (args.user or "demo") if args.demo else _user(args)
        _notice()
        return guided_calibration(
            user=user, stage3=args.stage3, path=args.profile or profiles.default_path(user),
            force=args.force, demo=args.demo,
        )
    from sensorhold.calibration.fit import fit_profile

    data = _load(args.from_file)
    user = _user(args)
    path = args.profile or profiles.default_path(user)
    if path.is_dir():
        raise ProfileError(f"{path} is a folder; pass the profile's file name with --profile")
    if path.exists() and not args.force:
        try:
            profiles.load(path)
        except ProfileError as exc:
            raise ProfileError(
                f"{exc}; it was left as it is: pass --force to replace it, or another --profile"
            ) from None
    model = data.meta.sensor_model or "witmotion"
    profile = fit_profile(data.t, data.acc, data.gyr, user=user, sensor_model=model,
                          stage3=args.stage3)
    try:
        profiles.save(profile, path)
    except OSError as exc:
        raise ProfileError(
            f"cannot write profile {path} ({exc.strerror or exc}); choose another --profile"
        ) from None
    angles = ", ".join(  # + 0.0: prone fitted at -0.0004° printed as '-0.0°'
        f"stage {k}: {round(v, 1) + 0.0:.1f}°" for k, v in sorted(profile.stage_angles.items()))
    print(f"saved profile for {user} to {path} ({angles})", file=sys.stderr)
    return 0
