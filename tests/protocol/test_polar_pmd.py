"""Polar Verity Sense PMD decoder against the vendor unit-test vectors (sensors.md §8.3).

Sources: polarofficial/polar-ble-sdk@8fb5311c, PMDTEST/ = sources/Android/android-communications/
library/src/test/java/com/polar/androidcommunications/api/ble/model/gatt/client/pmd/.
"""

import contextlib
import os
import struct

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.errors import MalformedPacket
from sensorhold.protocol.polar_pmd import PolarPmdDecoder, parse_settings
from sensorhold.protocol.spec import load_spec

SPEC = load_spec("polar-verity")
CONTROL, DATA = SPEC.notify
FUZZ_SEED = int(os.environ.get("SENSORHOLD_FUZZ_SEED", "20240611"))

P1 = bytes.fromhex(
    "02009435770000000001"
    "f7ffffffe703f8fffeffe503f9ffffffe503faffffffe603fafffeffe603f9ffffffe503f8ffffffe603f8fffe"
    "ffe603faffffffe503faffffffe703faffffffe503f8ffffffe603f7ffffffe603f8fffeffe603f9fffeffe703"
    "f9ff0000e603f9ffffffe603f7fffeffe503f9ffffffe503f9ffffffe503faff0000e603f9fffeffe603f8ffff"
    "ffe603f8ffffffe503f9ffffffe603f9ffffffe503faffffffe603f9ffffffe503f9ffffffe503f8fffeffe603"
    "f9ffffffe603f9ffffffe603f9ff0000e503f9fffeffe603f8fffeffe603f7fffeffe603"
)
P2 = bytes.fromhex(
    "02009435770000000080"
    "7107f06a9e8d0a38be5cbeba2f96b3ee4be5adfb42b9ebbe4cfeba2f92bfee4be4b1fb12b9ecbd3c3ebb2f8fd3"
    "de4be3b5f7d2b8edbd307e7b2f8be3ce8be2baf7a2b8eebc20be7b2f88f3cecbe1bdef52f8efbc18fe3b2f8403"
    "bfcbe0c2ef32b8f0bb044ebc2e8113af0be0c6eff2f7f1b9fc7dbc2e7d279f4bdfcaebc2f7f2b8eccd7c2e7b37"
    "8f4bdecee392f7f3b8e00dfd2d774b7fcbddd2df6237f5b7d44dbd2d745b6fcbdcd7d73237f6b5c88d7d2d716b"
    "4f4bdcdcd3f236f7b4bcddfd2c6f7b3f4bdbe0cfd236f8b2b02dbe2c6c8f1fcbdae3c7a276f9"
)
P3 = bytes.fromhex("02650000000000000081f1ff1400f00306017b0f08")
P4 = bytes.fromhex("05ffffffffffffff7f80eaff08000d000301df00")
P5 = bytes.fromhex("050094357700000000810000803f000020410000a0411c010000a001000008cdccec0d")


def start_response(mtype: int, factor: float) -> bytes:
    """A START success response with a FACTOR setting (self-made from PmdControlPointResponse.kt
    and PmdSetting.kt: f0 02 type status more, then TLV 05 01 float32)."""
    return bytes([0xF0, 0x02, mtype, 0x00, 0x00, 0x05, 0x01]) + struct.pack("<f", factor)


def decoder_with_factor(mtype: int, factor: float) -> PolarPmdDecoder:
    decoder = PolarPmdDecoder(SPEC)
    assert decoder.decode(CONTROL, start_response(mtype, factor)) is None
    return decoder


def test_p1_raw_acc_frame_type_1() -> None:
    """P1: AccDataTest.kt L18 `process acc raw data frame type 1` (exact integers, mG)."""
    mtype, t_ns, acc = PolarPmdDecoder(SPEC).decode_frame(P1)
    assert mtype == 2 and t_ns == 2_000_000_000 and acc.shape == (36, 3)
    np.testing.assert_array_equal(
        np.round(acc[[0, 1, -1]] * 1000), [[-9, -1, 999], [-8, -2, 997], [-9, -2, 998]]
    )


def test_p2_compressed_acc_type_0_uses_the_start_factor() -> None:
    """P2: AccDataTest.kt L98 `process acc compressed data type 0`, factor 2.44e-4; the SDK
    outputs int(factor*raw*1000) mG."""
    _, t_ns, acc = decoder_with_factor(2, 2.44e-4).decode_frame(P2)
    assert t_ns == 2_000_000_000 and acc.shape == (57, 3)
    np.testing.assert_array_equal(
        np.round(acc[:2] * 1000), [[464, 6679, -7144], [511, 6654, -7165]]
    )
    np.testing.assert_array_equal(
        np.round(acc[-1] * 1000), np.trunc(np.array([12274, 20173, -32449]) * 0.244)
    )


def test_p3_compressed_acc_type_1() -> None:
    """P3: AccDataTest.kt L207 (factor 1.0; the assertions, not the comments: -15 and 1 delta)."""
    _, t_ns, acc = decoder_with_factor(2, 1.0).decode_frame(P3)
    assert t_ns == 101
    np.testing.assert_array_equal(np.round(acc * 1000), [[-15, 20, 1008], [-20, 17, 1008]])


def test_p4_compressed_gyro_type_0() -> None:
    """P4: GyrDataTest.kt L12, factor 1.0, timestamp 0x7FFFFFFFFFFFFFFF."""
    mtype, t_ns, gyr = decoder_with_factor(5, 1.0).decode_frame(P4)
    assert mtype == 5 and t_ns == 0x7FFFFFFFFFFFFFFF
    np.testing.assert_array_equal(gyr, [[-22, 8, 13], [-23, 11, 16]])


@pytest.mark.parametrize(("factor", "scale"), [(1.0, 1.0), (0.5, 0.5)])
def test_p5_p6_compressed_gyro_type_1_float_patterns(factor: float, scale: float) -> None:
    """P5/P6: GyrDataTest.kt L80 / L150 (float32 bit-pattern deltas), factor 1.0 and 0.5."""
    _, t_ns, gyr = decoder_with_factor(5, factor).decode_frame(P5)
    assert t_ns == 2_000_000_000
    np.testing.assert_allclose(
        gyr, np.array([[1.0, 10.0, 20.0], [10.0, 20.0, 1.1]]) * scale, rtol=1e-6
    )


def test_p7_settings_tlv() -> None:
    """P7: PmdSettingTest.kt L9."""
    settings_ = parse_settings(bytes.fromhex("00013400010110000204f500f401e803d007040103"))
    assert settings_ == {0: [52.0], 1: [16.0], 2: [245.0, 500.0, 1000.0, 2000.0], 4: [3.0]}


@pytest.mark.parametrize("response", ["f001020000ffffff", "f001060700"])
def test_p8_control_point_responses_carry_no_samples(response: str) -> None:
    """P8: BlePmdClientControlPointResponseTest.kt L17 / L61 (GET_SETTINGS ACC ok; MAG error 7)."""
    decoder = PolarPmdDecoder(SPEC)
    assert decoder.decode(CONTROL, bytes.fromhex(response)) is None
    assert decoder.factors == {}


def test_commands_in_the_spec() -> None:
    """sensors.md §5.3: Verity ACC start (derived) and stops `03 02` / `03 05`."""
    assert SPEC.start[0].data == "0202000134000101100002010800040103"
    assert [w.data for w in SPEC.stop] == ["0302", "0305"]
    assert all(w.char == CONTROL and w.response for w in (*SPEC.start, *SPEC.stop))


def acc_raw_frame(t_ns: int, mg: np.ndarray) -> bytes:
    """ACC raw type 1 (int16 mG), layout of P1 (AccDataTest.kt L18): header + samples."""
    return bytes([2]) + t_ns.to_bytes(8, "little") + b"\x01" + mg.astype("<i2").tobytes()


def gyr_compressed_frame(t_ns: int, dps: np.ndarray) -> bytes:
    """GYRO compressed type 0 (int16 x factor), layout of P4 (GyrDataTest.kt L12): reference
    sample, then one block of 16-bit deltas (LSB-first = int16 LE)."""
    deltas = np.diff(dps, axis=0).astype("<i2").tobytes()
    block = bytes([16, len(dps) - 1]) + deltas if len(dps) > 1 else b""
    header = bytes([5]) + t_ns.to_bytes(8, "little") + b"\x80"
    return header + dps[0].astype("<i2").tobytes() + block


def polar_session(offset: int, lost_gyr_frame: int | None = None) -> list[bytes]:
    """ACC frames of 3 and GYRO frames of 4 samples at 52 Hz, in arrival order (by the time of
    each frame's last sample); GYRO starts ``offset`` samples after ACC and its timestamps run
    0.3 periods late. Sample k carries x = k (mG for acc, deg/s for gyro)."""
    period = 1e9 / 52
    t0 = 800_000_000 * 10**9  # 2025, in ns since 2000

    def frames(first: int, size: int, count: int, late: float) -> list[tuple[float, np.ndarray]]:
        out = []
        for f in range(count):
            k = np.arange(first + f * size, first + (f + 1) * size)
            out.append((t0 + (k[-1] + late) * period, k))
        return out

    acc = [
        (t, acc_raw_frame(int(t), np.stack([k, 0 * k, 1000 + 0 * k], 1)))
        for t, k in frames(0, 3, 40, 0.0)
    ]
    gyr = [
        (t, gyr_compressed_frame(int(t), np.stack([k, -k, 0 * k], 1)))
        for f, (t, k) in enumerate(frames(offset, 4, 25, 0.3))
        if f != lost_gyr_frame
    ]
    return [frame for _, frame in sorted(acc + gyr, key=lambda tf: tf[0])]


@pytest.mark.parametrize(("offset", "lost_gyr_frame"), [(0, None), (5, None), (5, 10)])
def test_acc_and_gyro_pair_by_sensor_time(offset: int, lost_gyr_frame: int | None) -> None:
    """The gyro starts ``offset`` samples after the acc (its START is written ~0.1 s later):
    pairing by sensor time drops the unmatched leading acc samples instead of pairing acc k
    with gyro k - offset; a lost gyro frame drops its 4 acc partners and nothing shifts."""
    decoder = decoder_with_factor(5, 1.0)
    chunks = [decoder.decode(DATA, frame) for frame in polar_session(offset, lost_gyr_frame)]
    paired = [c for c in chunks if c is not None]
    acc_x = np.round(np.concatenate([c.acc_g[:, 0] for c in paired]) * 1000)
    gyr_x = np.concatenate([c.gyr_dps[:, 0] for c in paired])
    np.testing.assert_array_equal(acc_x, gyr_x)
    assert gyr_x[0] == offset
    lost = 4 if lost_gyr_frame is not None else 0
    assert len(gyr_x) == 100 - lost and decoder.pairing.dropped == offset + lost
    t = np.concatenate([c.t_sensor_s for c in paired if c.t_sensor_s is not None])
    periods = np.diff(t) * 52  # float64 s since 2000: ~1e-7 s resolution
    np.testing.assert_allclose(periods, np.where(np.diff(gyr_x) > 1, lost + 1, 1), atol=1e-4)


def test_pairing_memory_is_bounded_when_one_stream_is_silent() -> None:
    decoder = decoder_with_factor(5, 1.0)
    for frame in polar_session(0)[:80]:
        if frame[0] == 2:
            decoder.decode(DATA, frame)
    assert len(decoder.pairing._acc) <= decoder.pairing.max_pending


@pytest.mark.parametrize(
    "payload", ["", "02", "0200943577000000000a0102", "07009435770000000001010203"]
)
def test_bad_frames_are_malformed(payload: str) -> None:
    with pytest.raises(MalformedPacket):
        decoder_for(SPEC).decode(DATA, bytes.fromhex(payload))


@seed(FUZZ_SEED)
@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([b"\x02", b"\x05"]),
    st.binary(max_size=9),
    st.sampled_from([0, 1, 2, 0x80, 0x81, 0x7F]),
    st.binary(max_size=80),
)
def test_fuzz_raises_only_malformed_packet(
    mtype: bytes, ts: bytes, ftype: int, body: bytes
) -> None:
    """Frames with a plausible header and arbitrary bytes decode or raise MalformedPacket.
    The seed is pinned; rerun another with SENSORHOLD_FUZZ_SEED=<n>."""
    print(f"fuzz seed {FUZZ_SEED}")
    decoder = decoder_for(SPEC)
    for char, payload in (
        (DATA, mtype + ts.ljust(8, b"\0") + bytes([ftype]) + body),
        (DATA, body),
        (CONTROL, body),
    ):
        with contextlib.suppress(MalformedPacket):
            decoder.decode(char, payload)
