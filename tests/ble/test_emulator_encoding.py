"""Emulator encoding -> real decoder: the same values back, within each format's quantisation.

The emulators encode from the spec layout and the vendor documents, independently of the
decoders, so a mismatch in either shows here. Values span each configured range.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import numpy as np
import pytest

from sensorhold.ble.bumble_backend import radio
from sensorhold.emulator.metamotion import MetaMotionEmulator
from sensorhold.emulator.movella_dot import MovellaDotEmulator
from sensorhold.emulator.polar_verity import PolarVerityEmulator, compress
from sensorhold.emulator.sensor import EmulatedSensor
from sensorhold.protocol.decoders import decoder_for
from sensorhold.protocol.polar_delta import decode_delta_frame
from sensorhold.protocol.samples import ImuChunk

N = 240


class Still:
    """Unused by these tests (they call the encoders directly); emulators need a source."""

    def sample(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros((t.size, 3)), np.zeros((t.size, 3))


@pytest.fixture
async def made() -> AsyncIterator[list[EmulatedSensor]]:
    """Emulators built here are unplugged from the radio afterwards (never powered on)."""
    sensors: list[EmulatedSensor] = []
    yield sensors
    for s in sensors:
        radio().link.remove_controller(s.controller)


def readings(acc_g: float, gyr_dps: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(N) / 100.0
    return t, rng.uniform(-acc_g, acc_g, (N, 3)), rng.uniform(-gyr_dps, gyr_dps, (N, 3))


def ticks(
    sensor: EmulatedSensor, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray, per: int = 6
) -> list[bytes]:
    """The notifications for the samples, produced a few at a time as the stream does (the
    decoders pair acc with gyro through a bounded FIFO)."""
    dt = float(t[1] - t[0])
    out: list[bytes] = []
    for i in range(0, len(t), per):
        out += sensor.payloads(t[i : i + per], acc[i : i + per], gyr[i : i + per], dt, 247)
    return out


def joined(chunks: list[ImuChunk | None]) -> ImuChunk:
    got = [c for c in chunks if c is not None]
    t = [c.t_sensor_s for c in got if c.t_sensor_s is not None]
    return ImuChunk(
        np.concatenate([c.acc_g for c in got]),
        np.concatenate([c.gyr_dps for c in got]),
        np.concatenate(t) if t else None,
    )


async def test_metamotion_packed_round_trip(made) -> None:
    mw = MetaMotionEmulator(Still(), radio().link)
    made.append(mw)
    for w in mw.spec.start:  # 8 g (4096 LSB/g), 500 deg/s (65.6 LSB/deg/s), packed, running
        mw.apply(bytes.fromhex(w.data))
    assert mw.measuring() and mw.rate_hz == 100
    t, acc, gyr = readings(7.9, 490, seed=1)
    decoder = decoder_for(mw.spec)
    payloads = ticks(mw, t, acc, gyr)
    assert {len(p) for p in payloads} == {20} and len(payloads) == 2 * N // 3
    got = joined([decoder.decode(mw.spec.notify[0], p) for p in payloads])
    np.testing.assert_allclose(got.acc_g, acc, atol=0.5 / 4096 + 1e-12)
    np.testing.assert_allclose(got.gyr_dps, gyr, atol=0.5 / 65.6 + 1e-12)


async def test_metamotion_single_sample_registers(made) -> None:
    """Data registers (one xyz per notification) at 2 g and 125 deg/s."""
    mw = MetaMotionEmulator(Still(), radio().link)
    made.append(mw)
    decoder = decoder_for(mw.spec)
    configs = ("03032803", "13032804")
    for command in (*configs, "030401", "130501", "03020100", "13020100", "030101", "130101"):
        mw.apply(bytes.fromhex(command))
    for command in configs:
        decoder.observe_write(bytes.fromhex(command))  # type: ignore[attr-defined]
    t, acc, gyr = readings(1.99, 124, seed=2)
    payloads = ticks(mw, t, acc, gyr)
    assert {p[:2] for p in payloads} == {b"\x03\x04", b"\x13\x05"} and len(payloads) == 2 * N
    got = joined([decoder.decode(mw.spec.notify[0], p) for p in payloads])
    np.testing.assert_allclose(got.acc_g, acc, atol=0.5 / 16384 + 1e-12)
    np.testing.assert_allclose(got.gyr_dps, gyr, atol=0.5 / 262.4 + 1e-12)


async def test_polar_compressed_round_trip_with_frame_timestamps(made) -> None:
    polar = PolarVerityEmulator(Still(), radio().link)
    made.append(polar)
    decoder = decoder_for(polar.spec)
    control = polar.spec.layout["control_char"]
    for w in polar.spec.start:
        reply, start = polar.command(bytes.fromhex(w.data), 247)
        assert reply[3] == 0 and start is not None
        assert decoder.decode(control, reply) is None  # the FACTOR, learnt from the response
        polar.begin(start)
    t = np.arange(N) / 52.0
    _, acc, gyr = readings(7.99, 1999, seed=3)
    payloads = ticks(polar, t, acc, gyr)
    n_frames = N // polar.samples_per_frame
    assert len(payloads) == 2 * n_frames and all(p[9] == 0x80 for p in payloads)
    got = joined([decoder.decode(polar.spec.layout["data_char"], p) for p in payloads])
    kept = n_frames * polar.samples_per_frame
    # ACC: raw x factor is g, truncated to whole mG (AccData.kt); GYRO: raw x factor deg/s.
    np.testing.assert_allclose(got.acc_g, acc[:kept], atol=4 / 32768 + 1e-3)
    np.testing.assert_allclose(got.gyr_dps, gyr[:kept], atol=1000 / 32768 + 1e-9)
    assert got.t_sensor_s is not None
    expected_t = (polar.clock_start_ns + np.rint(t[:kept] * 1e9)) * 1e-9
    np.testing.assert_allclose(got.t_sensor_s, expected_t, rtol=0, atol=1e-6)


def test_polar_delta_block_widths() -> None:
    """Deltas across the whole int16 span need 17 bits; a constant signal needs one."""
    extremes = np.array([[-32768, 0, 32767], [32767, 0, -32768], [0, 1, -1]])
    for raw in (extremes, np.zeros((5, 3), np.int64)):
        body = compress(raw)
        assert body[6] == (17 if raw is extremes else 1)
        np.testing.assert_array_equal(decode_delta_frame(body, 3, 16), raw)


async def test_movella_dot_round_trip(made) -> None:
    dot = MovellaDotEmulator(Still(), radio().link, clock_start_us=(1 << 32) - 1_000_000)
    made.append(dot)
    t, acc, gyr = readings(15.9, 1999, seed=4)
    payloads = ticks(dot, t, acc, gyr)
    assert {len(p) for p in payloads} == {40} and all(p[28:] == bytes(12) for p in payloads)
    decoder = decoder_for(dot.spec)
    got = joined([decoder.decode(dot.spec.layout["char"], p) for p in payloads])
    np.testing.assert_allclose(got.acc_g, acc, rtol=1e-6)
    np.testing.assert_allclose(got.gyr_dps, gyr, rtol=1e-6)
    assert got.t_sensor_s is not None
    expected_us = ((1 << 32) - 1_000_000 + np.rint(t * 1e6)) % (1 << 32)
    np.testing.assert_allclose(got.t_sensor_s, expected_us * 1e-6, rtol=0, atol=1e-9)
