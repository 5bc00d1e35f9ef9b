"""Finding supported sensors nearby (``sensorhold scan``) and the rule that says which is which."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from sensorhold.ble.backend import PLATFORM, Backend
from sensorhold.ble.errors import platform_error
from sensorhold.protocol.spec import SensorSpec, all_specs


@dataclass(frozen=True, slots=True)
class Found:
    """One advertising sensor of a supported model (``model`` is the spec's model name)."""

    name: str
    address: str
    rssi: int
    model: str


def spec_of(adv: AdvertisementData, specs: Iterable[SensorSpec]) -> SensorSpec | None:
    """The first spec whose service UUID is advertised or whose name pattern matches."""
    uuids = {u.lower() for u in adv.service_uuids}
    for spec in specs:
        if spec.service in uuids or spec.matches_name(adv.local_name):
            return spec
    return None


async def scan(timeout_s: float = 5.0, backend: Backend = PLATFORM) -> list[Found]:
    """Every supported sensor heard within ``timeout_s``, strongest signal first."""
    specs = list(all_specs().values())
    try:
        seen: dict[str, tuple[BLEDevice, AdvertisementData]] = await BleakScanner.discover(
            timeout=timeout_s, return_adv=True, backend=backend.scanner
        )
    except Exception as e:
        if (err := platform_error(e)) is not None:
            raise err from e
        raise
    found = [
        Found(adv.local_name or device.name or "", device.address, adv.rssi, spec.model)
        for device, adv in seen.values()
        if (spec := spec_of(adv, specs)) is not None
    ]
    return sorted(found, key=lambda f: -f.rssi)
