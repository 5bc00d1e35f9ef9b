"""Command-line parsing only: every command is a thin call into the layers below."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sensorhold import __version__
from sensorhold.errors import UserError
from sensorhold.texts import NOTICE

FAULT_KINDS = ("radio-loss", "power-off", "silence", "malformed")


def _fault(text: str) -> tuple[str, float]:
    kind, sep, at = text.partition("@")
    try:
        seconds = float(at)
    except ValueError:
        seconds = -1.0
    if not sep or kind not in FAULT_KINDS or not 0 <= seconds < math.inf:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected KIND@SECONDS with KIND one of {', '.join(FAULT_KINDS)}"
        )
    return kind, seconds


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a positive number")
    return value


def _add_session_options(p: argparse.ArgumentParser, *, record: bool = True) -> None:
    p.add_argument("--profile", type=Path, help="calibration profile to use instead of the user's")
    p.add_argument("--user", default=None, help="whose profile and recordings (default: you)")
    p.add_argument("--headless", action="store_true", help="no terminal UI: JSON lines on stdout")
    p.add_argument(
        "--duration", type=_positive, metavar="S",
        help="stop after S seconds: live, from the start (looking for the sensor and "
        "connecting included); a replay, S seconds of its data from the first sample, at any "
        "--speed",
    )
    if record:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--record", type=Path, metavar="PATH", help="where the recording goes")
        g.add_argument("--no-record", action="store_true", help="do not record this session")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sensorhold",
        description="Biofeedback coach for prone lumbar extension exercise with a BLE IMU "
        "worn on the lower back.",
        epilog=NOTICE,
    )
    parser.add_argument("--version", action="version", version=f"sensorhold {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="the whole live path against a built-in emulated sensor (no hardware)",
        epilog=NOTICE,
    )
    demo.add_argument("--sensor", default="witmotion", metavar="MODEL", help="emulated model")
    demo.add_argument("--list-sensors", action="store_true", help="list supported models")
    demo.add_argument(
        "--inject", type=_fault, action="append", default=[], metavar="KIND@S",
        help=f"fault at second S ({', '.join(FAULT_KINDS)}); repeatable",
    )
    _add_session_options(demo)

    live = sub.add_parser("live", help="the monitor with a real sensor", epilog=NOTICE)
    target = live.add_mutually_exclusive_group()
    target.add_argument("--name", help="advertised name of the sensor")
    target.add_argument("--address", help="Bluetooth address of the sensor")
    live.add_argument("--timeout", type=_positive, default=15.0, metavar="S",
                      help="how long to look for the sensor")
    _add_session_options(live)

    scan = sub.add_parser("scan", help="list nearby supported sensors")
    scan.add_argument("--timeout", type=_positive, default=5.0, metavar="S")

    cal = sub.add_parser("calibrate", help="fit your sensor mounting and stage angles",
                         epilog=NOTICE)
    cal.add_argument("--user", default=None, help="whose profile (default: you)")
    cal.add_argument("--stage3", action="store_true",
                     help="also calibrate stage 3 (on the hands): only when prescribed")
    cal.add_argument("--from", dest="from_file", type=Path, metavar="FILE",
                     help="calibrate offline from a recording or CSV")
    cal.add_argument("--demo", action="store_true", help="guided flow on the emulated sensor")
    cal.add_argument("--profile", type=Path, help="write this profile file")
    cal.add_argument("--force", action="store_true",
                     help="replace an existing profile that cannot be read")

    replay = sub.add_parser("replay", help="a recording through the same pipeline and UI")
    replay.add_argument("file", type=Path)
    replay.add_argument("--speed", type=_positive, default=1.0, metavar="X")
    _add_session_options(replay, record=False)

    analyze = sub.add_parser("analyze", help="headless analysis of a recording or CSV")
    analyze.add_argument("file", type=Path)
    analyze.add_argument("--profile", type=Path)
    analyze.add_argument("--user", default=None)
    analyze.add_argument("--json", action="store_true", help="one JSON object on stdout")
    analyze.add_argument("--samples", type=Path, metavar="OUT.csv", help="per-sample output")

    export = sub.add_parser("export", help="a recording as CSV, units in the headers")
    export.add_argument("file", type=Path)
    export.add_argument("--csv", type=Path, required=True, metavar="OUT")
    export.add_argument("--profile", type=Path)
    export.add_argument("--user", default=None)
    return parser


def _interrupted(exc: BaseException) -> bool:
    """Ctrl-C, possibly wrapped by Python (a class being created while it came: RuntimeError)."""
    while exc is not None and not isinstance(exc, KeyboardInterrupt):
        exc = exc.__cause__
    return exc is not None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from sensorhold import commands  # Ctrl-C right after the start comes in these imports

        return int(getattr(commands, args.command.replace("-", "_"))(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:
        if _interrupted(exc):
            return 130
        raise
    except BrokenPipeError:
        # The reader of stdout went away (`| head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
