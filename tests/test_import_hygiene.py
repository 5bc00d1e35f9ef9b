"""The pure layers load neither bleak nor textual (harlequin's import-hygiene test)."""

import subprocess
import sys

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
