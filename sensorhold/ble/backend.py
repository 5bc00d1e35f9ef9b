"""Which bleak backend the app talks through.

Production code always goes through bleak's public ``BleakScanner``/``BleakClient``; only the
``backend=`` argument differs. ``PLATFORM`` (both None) is the operating system's stack, for
``sensorhold live`` and ``scan``; ``EMULATED`` is the Bumble virtual radio, for ``demo`` and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner


@dataclass(frozen=True, slots=True)
class Backend:
    """A scanner and client backend pair for bleak; None means the platform's own."""

    name: str
    scanner: type[BaseBleakScanner] | None = None
    client: type[BaseBleakClient] | None = None


PLATFORM = Backend("platform")


def emulated() -> Backend:
    """The Bumble backend (imported on demand: ``live`` never loads Bumble)."""
    from sensorhold.ble.bumble_backend import BumbleClient, BumbleScanner

    return Backend("bumble", BumbleScanner, BumbleClient)
