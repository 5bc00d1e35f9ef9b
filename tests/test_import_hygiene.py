"""The pure layers load neither bleak nor textual (harlequin's import-hygiene test)."""

import subprocess
import sys
from pathlib import Path

import pytest

PURE = [
    "sensorhold.protocol",
    "sensorhold.signal",
    "sensorhold.calibration",
    "sensorhold.recording",
    "sensorhold.motion",
    "sensorhold.session",
]


@pytest.mark.parametrize("package", PURE)
def test_pure_layer_loads_no_io_framework(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in ('bleak', 'textual', 'bumble') if n in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{package} loaded {out.stdout.strip()}"


def test_analyze_of_a_csv_loads_only_what_it_uses(tmp_path: Path) -> None:
    # Each costs start-up time (numpy.ma ~0.15 s) that the one-hour analysis is measured with.
    from sensorhold.calibration.demo_profile import demo_profile
    from sensorhold.calibration.profile import save
    from sensorhold.motion.exercise_scripts import demo_script
    from sensorhold.motion.session import simulate_session, to_csv

    to_csv(simulate_session(demo_script(), rate_hz=50, duration_s=30), tmp_path / "s.csv")
    save(demo_profile(), tmp_path / "p.json")
    code = (
        "import sys\n"
        "from sensorhold.cli import main\n"
        f"main(['analyze', {str(tmp_path / 's.csv')!r}, '--profile', "
        f"{str(tmp_path / 'p.json')!r}, '--json'])\n"
        "unused = ('asyncio', 'numpy.ma', 'sensorhold.protocol.sample_clock',\n"
        "          'sensorhold.recording.reader', 'sensorhold.recording.writer',\n"
        "          'sensorhold.protocol.spec', 'sensorhold.runner.known_sensors')\n"
        "print(','.join(n for n in unused if n in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == ""
