"""MetaWear (MetaMotion R/RL) decoder against the vendor unit-test vectors (sensors.md §8.2).

Source: mbientlab/MetaWear-SDK-Cpp@f67699e5 test/. Tolerance as the vendor's is_close
(bindings/python/mbientlab/metawear/cbindings.py L42-43): relative 0.1 % or absolute 0.001.
"""

import contextlib
import os

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.metawear_registers import MetaWearDecoder
from sensorhold.protocol.spec import load_spec

SPEC = load_spec("metamotion")
NOTIFY = SPEC.notify[0]
FUZZ_SEED = int(os.environ.get("SENSORHOLD_FUZZ_SEED", "20240611"))


def assert_vendor_close(actual: np.ndarray, expected: list) -> None:
    expected_ = np.asarray(expected, dtype=float)
    tol = np.maximum(0.001 * np.maximum(np.abs(actual), np.abs(expected_)), 0.001)
    assert np.all(np.abs(actual - expected_) <= tol), (actual, expected_)


def configured(*writes: str) -> MetaWearDecoder:
    decoder = MetaWearDecoder(SPEC)
    for w in writes:
        decoder.observe_write(bytes.fromhex(w))
    return decoder


def paired(decoder: MetaWearDecoder, acc_hex: str, gyr_hex: str):
    assert decoder.decode(NOTIFY, bytes.fromhex(acc_hex)) is None
    chunk = decoder.decode(NOTIFY, bytes.fromhex(gyr_hex))
    assert chunk is not None
    return chunk


def test_m1_acc_at_4g_and_m3_gyro_at_500dps() -> None:
    """M1: test_accelerometer_bmi160.py:123 (4 g: config range code 0x05); M3:
    test_gyro_bmi160.py:93 (500 deg/s: range code 2)."""
    decoder = configured("03032805", "13032802")
    chunk = paired(decoder, "030416c494a22ad0", "13053e43ff7f0080")
    assert_vendor_close(chunk.acc_g[0], [-1.872, -2.919, -1.495])
    assert_vendor_close(chunk.gyr_dps[0], [262.409, 499.497, -499.512])


@pytest.mark.parametrize("acc_register", ["1c", "05"])
def test_m2_m2b_packed_acc_at_8g_and_m4_packed_gyro_at_1000dps(acc_register: str) -> None:
    """M2 (test_accelerometer_bmi160.py:160, reg 0x1c) / M2b (test_accelerometer_bmi270.py:160,
    reg 0x05), 8 g; M4 (test_gyro_bmi160.py:161), packed gyro at 1000 deg/s."""
    decoder = configured("03032808", "13032801")
    chunk = paired(
        decoder,
        f"03{acc_register}62b7530de9fd16d04d0e57028affa1050a01",
        "13070915ad2608de8a1a0d2665e48d20ac2773ec",
    )
    assert len(chunk) == 3
    assert_vendor_close(
        chunk.acc_g, [[-4.539, 0.833, -0.131], [-2.995, 0.894, 0.146], [-0.029, 0.352, 0.065]]
    )
    assert_vendor_close(
        chunk.gyr_dps,
        [[164.177, 301.860, -265.122], [207.134, 296.982, -215.457], [254.055, 309.634, -152.591]],
    )


@pytest.mark.parametrize("first", ["acc", "gyr"])
@pytest.mark.parametrize("per", [1, 3])
def test_the_stream_that_starts_first_loses_its_leading_samples(first: str, per: int) -> None:
    """Registers as M1/M3 (single, 0x04/0x05) and M2/M4 (packed, 0x1c/0x07), spec ranges.
    One stream starts 5 (packed: 6) samples before the other; sample k carries raw x = k on
    both. Pairing by arrival order keeps acc k with gyro k."""
    decoder = decoder_for(SPEC)
    registers = {
        "acc": (0x03, 0x04 if per == 1 else 0x1C),
        "gyr": (0x13, 0x05 if per == 1 else 0x07),
    }
    late = "gyr" if first == "acc" else "acc"

    def packet(name: str, k0: int) -> bytes:
        k = np.arange(k0, k0 + per)
        return bytes(registers[name]) + np.stack([k, -k, 0 * k], 1).astype("<i2").tobytes()

    lead = 5 if per == 1 else 6  # samples, a whole number of packets
    out = [decoder.decode(NOTIFY, packet(first, k)) for k in range(0, lead, per)]
    for k in range(lead, lead + 45, per):
        out.append(decoder.decode(NOTIFY, packet(first, k)))
        out.append(decoder.decode(NOTIFY, packet(late, k)))
    chunks = [c for c in out if c is not None]
    acc = np.round(np.concatenate([c.acc_g[:, 0] for c in chunks]) * decoder.lsb["acc"])
    gyr = np.round(np.concatenate([c.gyr_dps[:, 0] for c in chunks]) * decoder.lsb["gyr"])
    np.testing.assert_array_equal(acc, gyr)
    assert acc[0] == lead and len(acc) == 45 and decoder.pairing.dropped == lead


def test_m9_battery_reply() -> None:
    """M9: test_settings.py:183,192: `11 8c 63 34 10` -> 99 %, 4148 mV."""
    decoder = decoder_for(SPEC)
    assert decoder.decode(NOTIFY, bytes.fromhex("118c633410")) is None
    assert decoder.battery is not None
    assert decoder.battery.percent == 99 and decoder.battery.volts == pytest.approx(4.148)


@pytest.mark.parametrize("reply", ["03800101", "198b000102", "1904203e53c50cfe79460cfe79c600"])
def test_m10_m11_and_fusion_notifications_carry_no_raw_samples(reply: str) -> None:
    """M11 module info (common.py:42), M10 calibration state and M5 fusion output
    (test_sensor_fusion.py:207, :18) are not raw acc/gyro: no samples."""
    assert decoder_for(SPEC).decode(NOTIFY, bytes.fromhex(reply)) is None


def test_spec_start_configures_ranges_and_sequences_match_the_vendor_tests() -> None:
    """MC*: subscribe `031c01`, interrupt enable `03020100`, start `030101`; stop `030100`,
    `03020001`; all written without response (metawearboard.cpp L547-557)."""
    decoder = decoder_for(SPEC)
    assert decoder.lsb == {"acc": 4096.0, "gyr": 65.6}
    starts = [w.data for w in SPEC.start]
    assert starts.index("031c01") < starts.index("03020100") < starts.index("030101")
    assert [w.data for w in SPEC.stop][:4] == ["030100", "130100", "03020001", "13020001"]
    assert not any(w.response for w in (*SPEC.start, *SPEC.stop))


@pytest.mark.parametrize("payload", ["", "03", "031c0102", "13050102030405"])
def test_bad_lengths_are_malformed(payload: str) -> None:
    with pytest.raises(MalformedPacket):
        decoder_for(SPEC).decode(NOTIFY, bytes.fromhex(payload))


@seed(FUZZ_SEED)
@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([b"\x03\x04", b"\x03\x1c", b"\x13\x07", b"\x11\x8c", b""]),
    st.binary(max_size=24),
)
def test_fuzz_raises_only_malformed_packet(head: bytes, body: bytes) -> None:
    """The seed is pinned; rerun another with SENSORHOLD_FUZZ_SEED=<n>."""
    print(f"fuzz seed {FUZZ_SEED}")
    decoder = decoder_for(SPEC)
    for _ in range(2):
        with contextlib.suppress(MalformedPacket):
            decoder.decode(NOTIFY, head + body)
