"""``BumbleScanner``: bleak's scanner contract on the per-loop Bumble central."""

from __future__ import annotations

import struct
import uuid
from typing import Any

from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bumble.core import UUID as BumbleUUID
from bumble.core import AdvertisingData
from bumble.device import Advertisement

from sensorhold.ble.bumble_backend.radio import Radio, radio

_UUID_LISTS = {
    AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS: 2,
    AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS: 2,
    AdvertisingData.INCOMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS: 4,
    AdvertisingData.COMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS: 4,
    AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS: 16,
    AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS: 16,
}
_SERVICE_DATA = {
    AdvertisingData.SERVICE_DATA_16_BIT_UUID: 2,
    AdvertisingData.SERVICE_DATA_32_BIT_UUID: 4,
    AdvertisingData.SERVICE_DATA_128_BIT_UUID: 16,
}


def uuid_str(u: BumbleUUID) -> str:
    """Bleak's lower-case 128-bit form (Bumble stores UUIDs little-endian)."""
    return str(uuid.UUID(bytes=bytes(reversed(u.uuid_128_bytes))))


def to_advertisement_data(adv: Advertisement) -> AdvertisementData:
    """Bleak's view of one Bumble advertisement (UUIDs deduplicated: P6 echoes every AD twice)."""
    name: str | None = None
    uuids: dict[str, None] = {}
    service_data: dict[str, bytes] = {}
    manufacturer_data: dict[int, bytes] = {}
    tx_power: int | None = None
    for ad_type, data in adv.data.ad_structures:
        if ad_type == AdvertisingData.COMPLETE_LOCAL_NAME or (
            ad_type == AdvertisingData.SHORTENED_LOCAL_NAME and name is None
        ):
            name = data.decode("utf-8", errors="replace")
        elif ad_type in _UUID_LISTS:
            size = _UUID_LISTS[ad_type]
            for i in range(0, len(data) - size + 1, size):
                uuids[uuid_str(BumbleUUID.from_bytes(data[i : i + size]))] = None
        elif ad_type in _SERVICE_DATA:
            size = _SERVICE_DATA[ad_type]
            service_data[uuid_str(BumbleUUID.from_bytes(data[:size]))] = bytes(data[size:])
        elif ad_type == AdvertisingData.MANUFACTURER_SPECIFIC_DATA and len(data) >= 2:
            manufacturer_data[struct.unpack_from("<H", data)[0]] = bytes(data[2:])
        elif ad_type == AdvertisingData.TX_POWER_LEVEL and data:
            tx_power = struct.unpack_from("b", data)[0]
    return AdvertisementData(
        local_name=name,
        manufacturer_data=manufacturer_data,
        service_data=service_data,
        service_uuids=list(uuids),
        tx_power=tx_power,
        rssi=adv.rssi,
        platform_data=(adv,),
    )


class BumbleScanner(BaseBleakScanner):
    """Active scanning on the virtual radio; ``scanning_mode`` is ignored (always active)."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._radio: Radio | None = None

    async def start(self) -> None:
        self.seen_devices = {}
        self._radio = radio()
        device = await self._radio.device()
        device.on(device.EVENT_ADVERTISEMENT, self._on_advertisement)
        await self._radio.start_scanning()

    async def stop(self) -> None:
        if self._radio is None or self._radio.central is None:
            return
        self._radio.central.remove_listener(
            self._radio.central.EVENT_ADVERTISEMENT, self._on_advertisement
        )
        await self._radio.stop_scanning()
        self._radio = None

    def _on_advertisement(self, adv: Advertisement) -> None:
        ad = to_advertisement_data(adv)
        if not self.is_allowed_uuid(ad.service_uuids) or self._radio is None:
            return
        address = adv.address.to_string(False)
        self._radio.known_addresses[address] = adv.address
        device = self.create_or_update_device(
            address, address, ad.local_name, {"address": adv.address}, ad
        )
        self.call_detection_callbacks(device, ad)
