"""A bleak backend on Google Bumble over an in-process virtual radio (no Bluetooth hardware).

Production code keeps using bleak's public ``BleakScanner``/``BleakClient``; passing
``backend=BumbleScanner`` / ``backend=BumbleClient`` swaps the OS stack for two real Bumble host
stacks (HCI, L2CAP, ATT) on virtual controllers. See ``shared/reference/bleak-over-bumble.md``.
"""

from sensorhold.ble.bumble_backend.client import BumbleClient
from sensorhold.ble.bumble_backend.radio import Radio, make_device, radio
from sensorhold.ble.bumble_backend.scanner import BumbleScanner
from sensorhold.ble.bumble_backend.simlink import SimLink

__all__ = ["BumbleClient", "BumbleScanner", "Radio", "SimLink", "make_device", "radio"]
