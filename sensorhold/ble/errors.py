"""Bluetooth problems a person can fix, each as one line that says what to do.

``platform_error`` turns what bleak 3.1.0's backends raise when the radio is off, missing or
forbidden into a ``UserError``; anything else is left to the caller's retry policy.
"""

from __future__ import annotations

from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
)

from sensorhold.errors import UserError


class BluetoothUnavailableError(UserError):
    """No usable Bluetooth: off, no adapter, no permission, or the system service is down."""


class SensorNotFoundError(UserError):
    """No matching sensor advertised within the scan timeout, or it never let us connect."""


class WrongDeviceError(UserError):
    """A device that looks like the sensor (its name) but lacks its GATT service (spoofing)."""


_Reason = BleakBluetoothNotAvailableReason
_ADVICE = {
    _Reason.NO_BLUETOOTH: "no Bluetooth adapter found: plug one in (Bluetooth 4.0 or newer), "
    "or try `sensorhold demo`",
    _Reason.NO_BLE_CENTRAL_ROLE: "this Bluetooth adapter cannot talk to BLE sensors: "
    "use a Bluetooth 4.0 (Low Energy) adapter",
    _Reason.POWERED_OFF: "Bluetooth is turned off: turn it on and try again",
    _Reason.DENIED_BY_USER: "this terminal may not use Bluetooth: allow it in the system "
    "privacy settings and try again",
    _Reason.DENIED_BY_SYSTEM: "the system does not allow this user to use Bluetooth: ask an "
    "administrator (Linux: add the user to the 'bluetooth' group)",
    _Reason.DENIED_BY_UNKNOWN: "permission to use Bluetooth was denied: allow it in the system "
    "settings and try again",
    _Reason.UNKNOWN: "Bluetooth is not available: check that it is on and try again",
}
_DBUS_ADVICE = {
    "org.freedesktop.DBus.Error.ServiceUnknown": "the Bluetooth service is not running: start "
    "it (Linux: `sudo systemctl start bluetooth`) and try again",
    "org.freedesktop.DBus.Error.AccessDenied": "this user may not use Bluetooth: add it to the "
    "'bluetooth' group (Linux) and log in again",
    "org.bluez.Error.NotReady": "Bluetooth is turned off: turn it on (`bluetoothctl power on`) "
    "and try again",
    "org.bluez.Error.NotAuthorized": "this user may not use Bluetooth: add it to the "
    "'bluetooth' group (Linux) and log in again",
}
_NO_SERVICE = (
    "cannot reach the system's Bluetooth service (BlueZ over D-Bus): start it (Linux: "
    "`sudo systemctl start bluetooth`), or try `sensorhold demo` to run without hardware"
)


def platform_error(exc: BaseException) -> BluetoothUnavailableError | None:
    """The user-facing error for ``exc`` if it means Bluetooth itself is unusable, else None."""
    if isinstance(exc, BleakBluetoothNotAvailableError):
        return BluetoothUnavailableError(_ADVICE.get(exc.reason, _ADVICE[_Reason.UNKNOWN]))
    if isinstance(exc, BleakDBusError) and exc.dbus_error in _DBUS_ADVICE:
        return BluetoothUnavailableError(_DBUS_ADVICE[exc.dbus_error])
    if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)):
        # BlueZ backend: no system D-Bus socket (no bluetoothd, e.g. in a container).
        return BluetoothUnavailableError(_NO_SERVICE)
    if isinstance(exc, PermissionError):
        return BluetoothUnavailableError(_DBUS_ADVICE["org.freedesktop.DBus.Error.AccessDenied"])
    return None
