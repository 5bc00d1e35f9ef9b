"""Fixtures for the Bluetooth tests: a simple IMU source and a running emulated world."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import numpy as np
import pytest

from sensorhold.emulator.world import World, emulated_world


class TiltedRest:
    """A sensor at rest, tilted 30 degrees about x: gravity (0, 0.5, 0.866) g, no rotation.

    Legitimate test data: the emulator must put exactly these values into its frames.
    """

    acc_g = np.array([0.0, 0.5, np.sqrt(3) / 2])

    def __init__(self) -> None:
        self.calls: list[np.ndarray] = []

    def sample(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.calls.append(t.copy())
        return np.tile(self.acc_g, (t.size, 1)), np.zeros((t.size, 3))


@pytest.fixture
def source() -> TiltedRest:
    return TiltedRest()


@pytest.fixture
async def world(source: TiltedRest) -> AsyncIterator[World]:
    """A WT901BLE67 at 10 Hz, one notification per frame (no connection-interval batching)."""
    async with emulated_world("witmotion", source, rate_hz=10, conn_interval_ms=0) as w:
        yield w


class Recorder:
    """Everything a callback delivered, in order; ``until`` wakes as soon as a predicate holds.

    ``notify`` is a bleak notification callback, ``packet`` a ``SensorLink`` on_packet, ``status``
    its on_status: each appends ``(time.monotonic(), value)``.
    """

    def __init__(self) -> None:
        self.items: list[tuple[float, Any]] = []
        self._waiters: list[
            tuple[Callable[[list[tuple[float, Any]]], bool], asyncio.Future[None]]
        ] = []

    def add(self, value: Any) -> None:
        self.items.append((time.monotonic(), value))
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(self.items):
                future.set_result(None)

    def notify(self, _char: Any, data: bytearray) -> None:
        self.add(bytes(data))

    def packet(self, _t_ns: int, _uuid: str, payload: bytes) -> None:
        self.add(payload)

    def status(self, kind: str, detail: str) -> None:
        self.add((kind, detail))

    @property
    def values(self) -> list[Any]:
        return [v for _, v in self.items]

    async def until(
        self, predicate: Callable[[list[tuple[float, Any]]], bool], timeout_s: float = 3.0
    ) -> None:
        if predicate(self.items):
            return
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(future, timeout_s)
        finally:
            self._waiters.remove(entry)

    async def count(self, n: int, timeout_s: float = 3.0) -> None:
        await self.until(lambda items: len(items) >= n, timeout_s)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def statuses() -> Recorder:
    """A second recorder, for a link's on_status."""
    return Recorder()
