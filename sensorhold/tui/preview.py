"""A scripted session for looking at the app without a sensor (dev aid and test fixture).

``uv run python -m sensorhold.tui.preview [--speed X]`` animates it at 200 Hz; the tests use
``ScriptedSession.advance`` to put a ``SessionState`` at an exact moment, with no clock.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

import numpy as np

from sensorhold.session.state import SessionState

RATE_HZ = 200.0
STAGE_ANGLES = {1: 0.0, 2: 22.0, 3: 38.0}
# (start_s, end_s, stage, angle) pieces; stage 0 pieces ramp linearly between the angles.
SCRIPT = (
    (0.0, 6.0, 0, (45.0, 0.0)),
    (6.0, 80.0, 1, (0.0, 0.0)),
    (80.0, 86.0, 0, (0.0, 22.0)),
    (86.0, 160.0, 2, (22.0, 22.0)),
    (160.0, 166.0, 0, (22.0, 0.0)),
    (166.0, 1e9, 1, (0.0, 0.0)),
)
WOBBLE = ((40.0, 43.0), (100.0, 102.0))
LOST = ((120.0, 126.0),)
SETTLE_S = 2.0


def _within(t: float, spans: tuple[tuple[float, float], ...]) -> bool:
    return any(a <= t < b for a, b in spans)


@dataclass
class ScriptedSession:
    """Writes the script into a ``SessionState`` the way a stream would."""

    state: SessionState
    t: float = 0.0
    _stage: int = 0
    _hold_start: float | None = None
    _unstable_s: float = 0.0
    _lost: bool = False
    _last_sample_t: float = 0.0

    def __post_init__(self) -> None:
        s = self.state
        s.stage_angles = dict(STAGE_ANGLES)
        s.status.sensor = "WT901BLE67 (scripted)"
        s.status.battery_pct = 87
        s.status.recording = "recordings/preview.jsonl"
        s.status.link, s.status.connected = "streaming", True
        s.emit("connected")

    def advance(self, until_s: float) -> None:
        """Produce every sample up to ``until_s``, then update the status once."""
        n = int((until_s - self.t) * RATE_HZ)
        if n <= 0:
            return
        t = self.t + (np.arange(n) + 1) / RATE_HZ
        self.t = float(t[-1])
        lost = np.array([_within(x, LOST) for x in t])
        stage = np.zeros(n, dtype=np.int8)
        angle = np.zeros(n)
        for a, b, k, (y0, y1) in SCRIPT:
            m = (t >= a) & (t < b)
            stage[m] = k
            angle[m] = y0 + (y1 - y0) * (t[m] - a) / (b - a) if k == 0 else y0
        wobble = np.array([_within(x, WOBBLE) for x in t])
        angle += np.where(wobble, 3.0, 0.4) * np.sin(2 * np.pi * 0.25 * t)
        keep = ~lost
        self.state.history.extend(t[keep], angle[keep], stage[keep])
        for i in np.flatnonzero(keep):
            self._step(float(t[i]), int(stage[i]), bool(wobble[i]))
        self._set_link(bool(lost[-1]))
        s = self.state.status
        s.t = self.t
        if keep[-1]:
            s.angle_deg = float(angle[-1])
        s.packets += int(keep.sum()) // 2

    def _set_link(self, lost: bool) -> None:
        s = self.state.status
        if lost and not self._lost:
            s.link, s.connected = "lost", False
            self.state.emit("disconnected")
        elif self._lost and not lost:
            s.link, s.connected = "streaming", True
            s.gaps += 1
            s.lost_samples += int(LOST[0][1] - LOST[0][0]) * int(RATE_HZ)
            self.state.emit("reconnected")
        self._lost = lost

    def _step(self, t: float, stage: int, wobbling: bool) -> None:
        s = self.state.status
        if self._hold_start is not None and t - self._last_sample_t > 1.5 / RATE_HZ:
            self._hold_start += t - self._last_sample_t  # the clock paused while lost
        self._last_sample_t = t
        if stage != self._stage:
            if self._hold_start is not None:
                self._end_hold(t)
            self._stage = stage
            s.t = t
            self.state.emit("stage", stage=stage)
            self._hold_start = t if stage >= 1 else None
            self._unstable_s = 0.0
        s.stage = stage
        s.stable = stage >= 1 and not wobbling and t - (self._hold_start or t) >= SETTLE_S
        if self._hold_start is not None:
            s.hold_s = t - self._hold_start
            self._unstable_s += wobbling / RATE_HZ
        else:
            s.hold_s = 0.0

    def _end_hold(self, t: float) -> None:
        assert self._hold_start is not None
        hold = {
            "stage": self._stage,
            "start_s": self._hold_start,
            "end_s": t,
            "duration_s": t - self._hold_start,
            "unstable_s": self._unstable_s,
        }
        self.state.holds.append(hold)
        self.state.status.t = t
        self.state.emit("hold_end", **hold)


def main() -> None:
    from sensorhold.tui.app import create_app

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="script seconds per second")
    parser.add_argument("--start", type=float, default=0.0, help="begin at this script second")
    args = parser.parse_args()
    session = ScriptedSession(SessionState())
    session.advance(args.start)

    async def run_stream(state: SessionState) -> None:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        while True:
            await asyncio.sleep(0.05)
            session.advance(args.start + (loop.time() - t0) * args.speed)

    summary = create_app(session.state, title="sensorhold preview", run_stream=run_stream).run()
    print(summary)


if __name__ == "__main__":
    main()
