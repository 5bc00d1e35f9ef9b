"""Movella DOT record decoder against sensors.md §8.4 (real captures D1-D3, spec bytes DC)."""

import contextlib
import os
import struct

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.field_layout import Field, read_records
from sensorhold.protocol.spec import load_spec

SPEC = load_spec("movella-dot")
PAYLOAD = SPEC.layout["char"]
FUZZ_SEED = int(os.environ.get("SENSORHOLD_FUZZ_SEED", "20240611"))

# DOTSPEC Table 13, mode 6 (free acceleration, short char): timestamp + free acc m/s^2.
FREE_ACC = {"t": Field(0, "<u4"), "free_acc": Field(4, "<f4", 3)}


@pytest.mark.parametrize(
    ("hex_", "t_us", "free_acc"),
    [
        (
            "d8052244af9640406b2aa7405add14c000000000",
            1_143_080_408,
            [3.009197, 5.223928, -2.326010],
        ),
        (
            "f34622440da53c409c13a640f01009c000000000",
            1_143_097_075,
            [2.947574, 5.189894, -2.141659],
        ),
    ],
)
def test_d1_d2_real_free_acc_captures(hex_: str, t_us: int, free_acc: list[float]) -> None:
    """D1/D2: protobioengineering/xsens-dot-python-examples@3ddc1b21
    stream_free_acceleration_data.py docstring (a real DOT in mode 6, 20 bytes incl. padding),
    read with the same field reader the spec's layout uses."""
    values = read_records(bytes.fromhex(hex_)[:16], FREE_ACC, 16)
    assert values["t"][0, 0] == t_us
    np.testing.assert_allclose(values["free_acc"][0], free_acc, atol=1e-6)


def test_d3_and_dc_control_bytes() -> None:
    """D3 (`01 00 04`: type 1, stopped, mode 4) fixes the control layout; DC: DOTSPEC Table 13,
    DOTSRV bleHandler.js L261/L309: Rate quantities start `010115`, stop `010015`."""
    control = SPEC.write_char
    assert [w.data for w in SPEC.start if w.char == control] == ["010115"]
    assert [w.data for w in SPEC.stop] == ["010015"]
    assert bytes.fromhex("010004")[0] == bytes.fromhex(SPEC.stop[0].data)[0] == 1
    rate = SPEC.rate_bytes(60)
    assert len(rate) == 32 and rate[0] == 0x10 and int.from_bytes(rate[24:26], "little") == 60


def rate_quantities(t_us: int, acc_ms2: list[float], gyr_dps: list[float]) -> bytes:
    """A mode-21 notification built from DOTSPEC Table 13 (self-made: no public capture)."""
    return struct.pack("<I6f", t_us, *acc_ms2, *gyr_dps).ljust(40, b"\0")


def test_rate_quantities_converts_acc_to_g_and_keeps_the_sensor_clock() -> None:
    chunk = decoder_for(SPEC).decode(
        PAYLOAD, rate_quantities(4_294_000_000, [0.0, 0.0, 9.80665], [1.5, -2.0, 90.0])
    )
    assert chunk is not None and len(chunk) == 1
    np.testing.assert_allclose(chunk.acc_g, [[0.0, 0.0, 1.0]], atol=1e-6)
    np.testing.assert_allclose(chunk.gyr_dps, [[1.5, -2.0, 90.0]], rtol=1e-6)
    assert chunk.t_sensor_s is not None and chunk.t_sensor_s[0] == pytest.approx(4294.0)
    assert SPEC.clock_wrap_s == pytest.approx(2**32 / 1e6)


def test_battery_characteristic() -> None:
    decoder = decoder_for(SPEC)
    assert decoder.decode(SPEC.battery.read_char, bytes([87, 1])) is None
    assert (
        decoder.battery is not None and decoder.battery.percent == 87 and decoder.battery.charging
    )


def test_short_notification_is_malformed() -> None:
    with pytest.raises(MalformedPacket):
        decoder_for(SPEC).decode(PAYLOAD, bytes(20))


@seed(FUZZ_SEED)
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64), st.sampled_from([PAYLOAD, SPEC.battery.read_char]))
def test_fuzz_raises_only_malformed_packet(payload: bytes, char: str) -> None:
    """The seed is pinned; rerun another with SENSORHOLD_FUZZ_SEED=<n>."""
    print(f"fuzz seed {FUZZ_SEED}")
    with contextlib.suppress(MalformedPacket):
        decoder_for(SPEC).decode(char, payload)
