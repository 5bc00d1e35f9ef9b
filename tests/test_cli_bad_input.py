"""Bad input through ``main()`` in-process (fast): one ``error:`` line and exit 1, usage errors
exit 2, never a traceback, and outputs never replace inputs."""

from __future__ import annotations

import itertools
import json
import math
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.calibration.profile import save
from sensorhold.cli import main
from sensorhold.motion.body import Person
from sensorhold.motion.exercise_scripts import calibration_script
from sensorhold.motion.session import simulate_session, to_csv


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit status and stderr of ``sensorhold ARGS``; a traceback fails the test by itself."""
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    return status, capsys.readouterr().err


def one_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, err = run_main(capsys, *args)
    assert status == 1, err
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


def analyzed(
    capsys: pytest.CaptureFixture[str], files: Path, source: Path, profile: Path | None = None
) -> tuple[list, str]:
    """The holds ``analyze --json`` finds in ``source`` with the good profile (or ``profile``),
    and its stderr."""
    profile = profile or files / "good.json"
    assert main(["analyze", str(source), "--json", "--profile", str(profile)]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out)["holds"], captured.err


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short calibration CSV (also used as analysis input) and a good profile."""
    d = tmp_path_factory.mktemp("files")
    cal = simulate_session(calibration_script(False), Person(), rate_hz=50, seed=5)
    to_csv(cal, d / "cal.csv")
    save(demo_profile(), d / "good.json")
    return d


@pytest.mark.parametrize("args", [  # --list-sensors: a wrongly accepted number cannot hang
    ("demo", "--list-sensors", "--duration", "nan"),
    ("demo", "--list-sensors", "--duration", "inf"),
    ("demo", "--list-sensors", "--inject", "radio-loss@nan"),
    ("demo", "--list-sensors", "--inject", "power-off@inf"),
    ("replay", "x.csv", "--speed", "nan"),
])
def test_numbers_that_are_not_finite_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    status, err = run_main(capsys, *args)
    assert status == 2
    assert "expected" in err


def _edit(change: Callable[[dict[str, Any]], None]) -> str:
    data = demo_profile().to_json()
    change(data)
    return json.dumps(data)


_BROKEN_PROFILES = {
    "angle too big for a float": (
        _edit(lambda d: d["stage_angles_deg"].update({"2": 10**400})), "broken"),
    "nested too deeply": ("[" * 100_000 + "]" * 100_000, "not a sensorhold profile"),
    "angles as a list": (_edit(lambda d: d.update(stage_angles_deg=[0, 14])), "broken"),
    "angle 1e300": (_edit(lambda d: d["stage_angles_deg"].update({"2": 1e300})), "forearms"),
    "forearms below prone": (
        _edit(lambda d: d["stage_angles_deg"].update({"2": -10.0})), "forearms -10°"),
    "hands below forearms": (
        _edit(lambda d: d["stage_angles_deg"].update({"3": 5.0})), "hands -13°"),
    "angle NaN": (
        _edit(lambda d: d["stage_angles_deg"].update({"2": math.nan})), "not a number"),
    "negative noise": (_edit(lambda d: d["noise"].update(rate_dps=-1.0)), "rate_dps -1"),
    # Accepted before, though calibration never writes them (it refuses forearms under 6°):
    "forearms at 0.5°": (
        _edit(lambda d: d["stage_angles_deg"].update({"2": 0.5})), "forearms 0.5° above"),
    "noise 1e6": (_edit(lambda d: d["noise"].update(rate_dps=1e6)), "rate_dps 1e+06"),
    "spread noise 50°": (_edit(lambda d: d["noise"].update(spread_deg=50.0)), "spread_deg 50"),
    "prone at 5°": (_edit(lambda d: d["stage_angles_deg"].update({"1": 5.0})), "prone at 5°"),
    "hands = forearms": (
        _edit(lambda d: d["stage_angles_deg"].update({"3": 18.0})), "hands 0° above"),
    "hands at 80°": (_edit(lambda d: d["stage_angles_deg"].update({"3": 80.0})), "hands 62°"),
    "stage3 as text": (_edit(lambda d: d.update(stage3_allowed="false")), "stage3_allowed"),
    "version true": (_edit(lambda d: d.update(format_version=True)), "format_version"),
    "version 0": (_edit(lambda d: d.update(format_version=0)), "format_version"),
}


@pytest.mark.parametrize(("text", "message"), _BROKEN_PROFILES.values(), ids=_BROKEN_PROFILES)
def test_broken_profiles_are_one_error_line(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path, text: str, message: str
) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(text)
    line = one_error(capsys, "analyze", str(files / "cal.csv"), "--profile", str(profile))
    assert message in line and "sensorhold calibrate" in line


def test_a_folder_or_binary_file_as_profile_says_so(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    line = one_error(capsys, "analyze", str(files / "cal.csv"), "--profile", str(tmp_path))
    assert "is a folder" in line and "Errno" not in line
    (tmp_path / "p.json").write_bytes(bytes(range(256)))
    line = one_error(capsys, "analyze", str(files / "cal.csv"), "--profile",
                     str(tmp_path / "p.json"))
    assert "not text" in line


def test_a_profile_saved_with_a_byte_order_mark_is_read(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    """Edited in Windows Notepad: UTF-8 with a BOM (was 'not valid JSON')."""
    profile = tmp_path / "p.json"
    profile.write_bytes(b"\xef\xbb\xbf" + (files / "good.json").read_bytes())
    holds = analyzed(capsys, files, files / "cal.csv")[0]
    assert holds and analyzed(capsys, files, files / "cal.csv", profile)[0] == holds


def test_calibrate_to_an_unwritable_or_folder_path_is_one_error_line(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    for target in (blocker / "p.json", tmp_path):
        for extra in ((), ("--force",)):
            line = one_error(capsys, "calibrate", "--from", str(files / "cal.csv"),
                             "--profile", str(target), *extra)
            assert str(target) in line


def test_replay_of_a_folder_says_it_is_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert "is a folder" in one_error(capsys, "replay", str(tmp_path), "--headless")


@pytest.mark.parametrize("command", ["export", "samples"])
def test_outputs_never_replace_the_input(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path, command: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes((files / "cal.csv").read_bytes())
    same = str(tmp_path / "." / "in.csv")
    good = str(files / "good.json")
    if command == "export":
        args = ("export", str(source), "--csv", same, "--profile", good)
    else:
        args = ("analyze", str(source), "--samples", same, "--profile", good)
    assert "is the input file" in one_error(capsys, *args)
    assert source.read_bytes() == (files / "cal.csv").read_bytes()


def _rescale(text: str, time: float = 1.0, acc: float = 1.0, gyr: float = 1.0) -> str:
    header, *rows = text.splitlines()
    scale = (time, acc, acc, acc, gyr, gyr, gyr)
    out = [",".join(f"{float(v) * k:.9g}" for v, k in zip(r.split(","), scale, strict=True))
           for r in rows]
    return "\n".join([header, *out]) + "\n"


_UNIT_MISTAKES = {
    "m/s2": ({"acc": 9.80665}, 1, "looks like m/s²"),
    "milli-g": ({"acc": 1000.0}, 1, "beyond any sensor's range"),
    "time in ms": ({"time": 1000.0}, 1, "milliseconds, divide them by 1000"),
    "time in us": ({"time": 1e6}, 1, "microseconds, divide them by 1000000"),
    "gravity removed": ({"acc": 0.02}, 1, "gravity looks removed"),
    "rad/s": ({"gyr": 0.0174533}, 0, "in rad/s?"),
}


@pytest.mark.parametrize(("scale", "status", "message"), _UNIT_MISTAKES.values(),
                         ids=_UNIT_MISTAKES)
def test_unit_mistakes_are_named(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path,
    scale: dict[str, float], status: int, message: str,
) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text(_rescale((files / "cal.csv").read_text(), **scale))
    got, err = run_main(capsys, "analyze", str(csv), "--profile", str(files / "good.json"))
    assert got == status and message in err, err


def test_right_units_raise_no_unit_warning(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    got, err = run_main(capsys, "analyze", str(files / "cal.csv"), "--profile",
                        str(files / "good.json"))
    assert got == 0 and "warning" not in err, err


def test_a_csv_written_newest_first_gives_the_same_holds(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    """Rows listed newest first (time running backwards down the file) are read the other way,
    with a warning (they were skipped, leaving 1 usable sample: an error)."""
    header, *rows = (files / "cal.csv").read_text().splitlines()
    csv = tmp_path / "in.csv"
    csv.write_text("\n".join([header, *reversed(rows)]) + "\n")
    plain = analyzed(capsys, files, files / "cal.csv")[0]
    holds, err = analyzed(capsys, files, csv)
    assert "newest first" in err
    assert holds == plain and plain


def test_an_exported_csv_reads_back_with_the_same_holds(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    good, out = str(files / "good.json"), tmp_path / "export.csv"
    assert run_main(capsys, "export", str(files / "cal.csv"), "--csv", str(out),
                    "--profile", good)[0] == 0
    plain = analyzed(capsys, files, files / "cal.csv")[0]
    assert analyzed(capsys, files, out)[0] == plain and plain


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_foreign_separator_is_named(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path, sep: str, name: str
) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text((files / "cal.csv").read_text().replace(",", sep))
    line = one_error(capsys, "analyze", str(csv), "--profile", str(files / "good.json"))
    assert f"separated by {name}" in line


def test_a_quoted_header_is_read(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    header, body = (files / "cal.csv").read_text().split("\n", 1)
    csv = tmp_path / "in.csv"
    csv.write_text(",".join(f'"{n}"' for n in header.split(",")) + "\n" + body)
    assert run_main(capsys, "analyze", str(csv), "--profile", str(files / "good.json"))[0] == 0


def test_a_csv_with_every_field_quoted_reads_like_the_plain_one(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    """As a spreadsheet saves it with 'quote all fields': every row was 'not a number'."""
    plain = (files / "cal.csv").read_text().splitlines()
    csv = tmp_path / "in.csv"
    csv.write_text("".join(",".join(f'"{v}"' for v in line.split(",")) + "\n" for line in plain))
    plain = analyzed(capsys, files, files / "cal.csv")
    assert analyzed(capsys, files, csv) == plain and plain[0]


@pytest.mark.parametrize("prefix", ["# ", "# exported by a phone app\n# rate: 50 Hz\n"])
def test_a_hash_header_or_comment_lines_before_it_are_read(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path, prefix: str
) -> None:
    """``np.savetxt(..., header="t,ax,...")`` writes the header as '# t,ax,...', and apps put
    notes before it: both failed as 'not a sensorhold CSV'."""
    csv = tmp_path / "in.csv"
    csv.write_text(prefix + (files / "cal.csv").read_text())
    plain = analyzed(capsys, files, files / "cal.csv")
    assert analyzed(capsys, files, csv) == plain and plain[0]


def test_lines_ending_in_cr_alone_are_read(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    """Excel's 'CSV (Macintosh)' ends lines in CR alone: the file read as one line, 'not a
    sensorhold CSV (header 'a very long line')'."""
    csv = tmp_path / "in.csv"
    csv.write_bytes((files / "cal.csv").read_bytes().replace(b"\n", b"\r"))
    plain = analyzed(capsys, files, files / "cal.csv")
    assert analyzed(capsys, files, csv) == plain and plain[0]


def test_a_csv_of_comment_lines_only_says_so(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text("# nothing was recorded\n")
    line = one_error(capsys, "analyze", str(csv), "--profile", str(files / "good.json"))
    assert "has only '#' comment lines" in line


def test_a_reader_that_stops_early_ends_the_session_quietly() -> None:
    """``sensorhold demo --headless | head -1``: no traceback when the pipe closes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sensorhold", "demo", "--headless", "--duration", "20",
         "--no-record"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 141, err
    assert "Traceback" not in err


def test_status_time_keeps_running_while_the_sensor_is_gone() -> None:
    """A status line at least once a second of session time, also with no data arriving."""
    proc = subprocess.run(
        [sys.executable, "-m", "sensorhold", "demo", "--headless", "--duration", "7",
         "--no-record", "--inject", "power-off@2"], capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    t = [r["t"] for r in records if r["type"] == "status"]
    assert any(r.get("event") == "disconnected" for r in records)
    assert max(b - a for a, b in itertools.pairwise(t)) <= 0.9
    assert t[-1] > 6.0


def test_outputs_into_a_pipe_or_link_keep_the_pipe_and_the_link(
    capsys: pytest.CaptureFixture[str], files: Path, tmp_path: Path
) -> None:
    """``export --csv /dev/stdout`` must write into it, not swap the device node for a file."""
    fifo, link = tmp_path / "fifo", tmp_path / "link.csv"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    good = str(files / "good.json")
    assert main(["export", str(files / "cal.csv"), "--csv", str(fifo), "--profile", good]) == 0
    reader.join(10)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and got[0].startswith(b"t_s,acc_x_g")
    link.symlink_to(tmp_path / "real.csv")
    assert main(["export", str(files / "cal.csv"), "--csv", str(link), "--profile", good]) == 0
    assert link.is_symlink() and (tmp_path / "real.csv").read_bytes() == got[0]
    line = one_error(capsys, "calibrate", "--from", str(files / "cal.csv"), "--profile",
                     str(fifo), "--force")
    assert "not a regular file" in line and stat.S_ISFIFO(fifo.stat().st_mode)
