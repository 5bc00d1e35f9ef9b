"""WitMotion WT901BLE frames decoder against the vectors of sensors.md §8.1."""

import os

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.spec import load_spec

SPEC = load_spec("witmotion")
NOTIFY = SPEC.notify[0]
FUZZ_SEED = int(os.environ.get("SENSORHOLD_FUZZ_SEED", "20240611"))

W1_FULL = bytes.fromhex(
    "5561fcffefff110800000000000098ff0d00f831"
    "5561fdffecff0e0800000000000098ff0d00f831"
    "5561fdffecff0e0800000000000098ff0d00f831"
    "5561feffe9ff0f0800000000000098ff0d00f831"
)
W2 = bytes.fromhex(
    "5561f3fff3ff0f0800000000000098ff0d00f8315561f9fff1ff100800000000000098ff0d00f831"
)
W3 = bytes.fromhex("55713a00680169007a0000000000000000000000")


def decode(payload: bytes):
    return decoder_for(SPEC).decode(NOTIFY, payload)


def test_w1_real_80_byte_notification_holds_4_frames() -> None:
    """W1-full: byy-yby/pingpong-rtgr tests/test_imu.py test_ble_80b_notify_4_packets (a real
    WT901BLE5.0 capture); the test asserts az 1.008 +-0.01."""
    chunk = decode(W1_FULL)
    assert chunk is not None and len(chunk) == 4
    np.testing.assert_allclose(chunk.acc_g[0], [-0.00195, -0.00830, 1.00830], atol=1e-5)
    np.testing.assert_allclose(chunk.acc_g[1], [-0.00146, -0.00977, 1.00684], atol=1e-5)
    np.testing.assert_array_equal(chunk.acc_g[1], chunk.acc_g[2])
    np.testing.assert_array_equal(chunk.acc_g[3] * 32768 / 16, [-2, -23, 2063])
    np.testing.assert_array_equal(chunk.gyr_dps, np.zeros((4, 3)))
    assert chunk.acc_g[0, 2] == pytest.approx(1.008, abs=0.01)
    assert chunk.t_sensor_s is None and chunk.counter is None


def test_w2_real_40_byte_notification_holds_2_frames() -> None:
    """W2: pingpong-rtgr tests/test_imu.py test_ble_40b_notify_2_packets (captured at 50 Hz)."""
    chunk = decode(W2)
    assert chunk is not None and len(chunk) == 2
    np.testing.assert_allclose(chunk.acc_g[0], [-0.00635, -0.00635, 1.00732], atol=1e-5)
    np.testing.assert_allclose(chunk.acc_g[1], [-0.00342, -0.00732, 1.00781], atol=1e-5)


def test_w3_register_reply_is_not_a_sample_and_not_battery() -> None:
    """W3: WIT-DS §6.1.2.1 (page 16), the reply to `ff aa 27 3a 00` (magnetometer registers)."""
    decoder = decoder_for(SPEC)
    assert decoder.decode(NOTIFY, W3) is None
    assert decoder.battery is None and decoder.skipped_bytes == 0


def test_w4_command_bytes_come_from_the_spec() -> None:
    """W4: pingpong-rtgr test_write_cmd_bytes_official; WIT-SDK device_model.py."""
    assert SPEC.start[0].data == "ffaa6988b5"
    assert SPEC.rate_bytes(50) == bytes.fromhex("ffaa030800")
    assert SPEC.rate_bytes(10) == bytes.fromhex("ffaa030600")
    assert SPEC.rate_bytes(100) == bytes.fromhex("ffaa030900")
    assert SPEC.battery is not None and SPEC.battery.write is not None
    assert SPEC.write_bytes(SPEC.battery.write, 50) == bytes.fromhex("ffaa276400")


@pytest.mark.parametrize(
    ("raw", "percent"), [(0x01A4, 100.0), (0x0186, 75.0), (0x0172, 15.0), (0x0154, 0.0)]
)
def test_battery_register_reply_maps_volts_with_the_android_table(raw: int, percent: float) -> None:
    """Reply to `ff aa 27 64 00`: volts = raw/100 (4.20, 3.90, 3.70, 3.40), then the SDK's
    GetBatteryPercent step table (strictly greater than each threshold)."""
    decoder = decoder_for(SPEC)
    reply = bytes.fromhex("55716400") + raw.to_bytes(2, "little") + bytes(14)
    assert decoder.decode(NOTIFY, reply + W2[:20]) is not None
    assert decoder.battery is not None
    assert decoder.battery.volts == pytest.approx(raw / 100)
    assert decoder.battery.percent == percent


def test_garbage_between_frames_is_skipped_and_counted() -> None:
    decoder = decoder_for(SPEC)
    chunk = decoder.decode(NOTIFY, b"\x01\x55\x02" + W2[:20] + b"\xff" * 5 + W2[20:] + b"\x55\x61")
    assert chunk is not None and len(chunk) == 2
    assert decoder.skipped_bytes == 3 + 5 + 2 and decoder.salvaged == 1


@pytest.mark.parametrize(
    "payload", [b"", W2[:19], b"\x00" * 20, W3[:10], bytes.fromhex("5561") + bytes(10)]
)
def test_notification_without_a_complete_frame_is_malformed(payload: bytes) -> None:
    with pytest.raises(MalformedPacket):
        decode(payload)


def test_other_characteristics_carry_no_samples() -> None:
    assert decoder_for(SPEC).decode(SPEC.write_char or "", W2) is None


@seed(FUZZ_SEED)
@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=120), st.lists(st.sampled_from([W2[:20], W3]), max_size=3))
def test_fuzz_raises_only_malformed_packet(noise: bytes, frames: list[bytes]) -> None:
    """Arbitrary bytes (mixed with real frames) decode or raise MalformedPacket, nothing else.
    The seed is pinned; rerun another with SENSORHOLD_FUZZ_SEED=<n>."""
    print(f"fuzz seed {FUZZ_SEED}")
    decoder = decoder_for(SPEC)
    for payload in (noise, noise + b"".join(frames), b"".join(frames) + noise):
        try:
            chunk = decoder.decode(NOTIFY, payload)
        except MalformedPacket:
            continue
        if chunk is not None:
            assert chunk.acc_g.shape == chunk.gyr_dps.shape == (len(chunk), 3)
            assert np.all(np.abs(chunk.acc_g) <= 16) and np.all(np.abs(chunk.gyr_dps) <= 2000)
