"""Soak: a long emulated session with random faults through the real BLE path, in virtual time.

A 100 Hz emulated WitMotion on the Bumble virtual radio, reached by ``SensorLink`` through bleak,
feeding a ``StreamProcessor`` that records with a ``RecordingWriter``; a seeded fault (radio-loss,
power-off, silence or malformed) every one to three minutes. Everything time-driven (the virtual
controllers, the emulator's deadlines, the link's watchdog and backoff, asyncio timeouts) runs on
one event loop whose clock jumps to the next timer when nothing is ready, so 30 simulated minutes
take a few minutes of CPU. Prints reconnect times, samples sent / received / recorded, malformed
packets, the sample clock's gaps against the truth, and RSS along the way.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/soak.py [--minutes 30] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import selectors
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

from sensorhold.ble.link import SensorLink
from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.emulator.faults import Fault, FaultKind, inject
from sensorhold.emulator.world import World, emulated_world
from sensorhold.motion.exercise_scripts import demo_script
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.protocol.spec import load_spec
from sensorhold.recording.reader import read_recording
from sensorhold.recording.sensor_data import load_input
from sensorhold.runner.session import SessionPlan, open_recorder
from sensorhold.session.processor import StreamProcessor
from sensorhold.session.state import SessionState

RATE_HZ = 100.0
KINDS: tuple[FaultKind, ...] = ("radio-loss", "power-off", "silence", "malformed")


class _SkippingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """Polls without blocking; where the loop would sleep, advances its virtual clock instead."""

    loop: VirtualTimeLoop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # nothing scheduled: only another thread can wake the loop
            return super().select(1.0)
        self.loop.virtual_s += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose ``time()`` advances only to the next due timer, never by waiting.

    Valid while nothing off the loop (threads, other processes) is waited for with a timeout.
    """

    def __init__(self) -> None:
        self.virtual_s = 1000.0
        selector = _SkippingSelector()
        super().__init__(selector)
        selector.loop = self

    def time(self) -> float:
        return self.virtual_s


class CountingSource:
    """Wraps the emulator's ``ImuSource`` and keeps the truth, in constant memory: samples sent,
    those sent into a muted radio (lost on the way), and the gaps between the others."""

    def __init__(self, source: ScriptedImu) -> None:
        self.source = source
        self.world: World | None = None
        self.sent = self.into_muted = self.gaps = self.missing = 0
        self._last_t: float | None = None

    @property
    def delivered(self) -> int:
        return self.sent - self.into_muted

    def sample(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.sent += t.size
        if self.world is not None and self.world.link.muted:
            self.into_muted += t.size
        elif t.size:
            prev = t[0] - 1.0 / RATE_HZ if self._last_t is None else self._last_t
            steps = np.diff(np.concatenate(([prev], t))) * RATE_HZ
            jumps = steps[steps > 1.5]
            self.gaps += jumps.size
            self.missing += int(np.round(jumps).sum()) - jumps.size
            self._last_t = float(t[-1])
        return self.source.sample(t)


@dataclass
class FaultRecord:
    fault: Fault
    back_at: float = 0.0
    """Loop time at which the sensor was usable again (in range, advertising, or talking)."""
    reconnects: int = 0
    """Reconnections of the link between this fault and the next (or the end)."""
    resumed_s: float | None = None
    """From ``back_at`` to the first samples processed after it."""


@dataclass
class Observed:
    """What the app side saw: packet times (loop s), reconnection marks, samples processed."""

    samples: int = 0
    awaiting: list[FaultRecord] = field(default_factory=list)
    """Faults whose sensor is back (or due back) and no samples were processed since."""


def plan_faults(rng: random.Random, minutes: float) -> list[Fault]:
    """A fault every 60-180 s (after the previous one ends), random kind and duration."""
    faults: list[Fault] = []
    t = rng.uniform(60, 180)
    while t < minutes * 60 - 20:
        kind = rng.choice(KINDS)
        duration = 0.0 if kind == "malformed" else round(rng.uniform(1.0, 5.0), 2)
        faults.append(Fault(kind, round(t, 2), duration))
        t += duration + rng.uniform(60, 180)
    return faults


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


async def soak(minutes: float, seed: int, out: Path) -> None:
    loop = asyncio.get_running_loop()
    spec, profile = load_spec("witmotion"), demo_profile()

    def clock_ns() -> int:
        return round(loop.time() * 1e9)

    t0_ns = clock_ns()
    plan = SessionPlan(spec, profile, title="soak", rate_hz=RATE_HZ, record=True,
                       record_path=out, t0_ns=t0_ns, user="soak")
    state = SessionState()
    writer = open_recorder(plan, state)
    assert writer is not None
    processor = StreamProcessor(spec, profile, state, t0_ns=t0_ns, rate_hz=RATE_HZ, sink=writer)
    seen = Observed()
    process_samples = processor.samples

    def counted_samples(t, acc, gyr):  # type: ignore[no-untyped-def]
        seen.samples += len(t)
        for r in [r for r in seen.awaiting if loop.time() >= r.back_at]:
            r.resumed_s = loop.time() - r.back_at
            seen.awaiting.remove(r)
        return process_samples(t, acc, gyr)

    processor.samples = counted_samples  # type: ignore[method-assign]

    source = CountingSource(ScriptedImu(demo_script(), rate_hz=RATE_HZ, loop=True, seed=seed))
    faults = plan_faults(random.Random(seed), minutes)
    records = [FaultRecord(f) for f in faults]
    rss = [(0.0, rss_mb())]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    async with emulated_world("witmotion", source, rate_hz=RATE_HZ) as world:
        source.world = world
        link = SensorLink(spec, processor.packet, target=world.name, rate_hz=RATE_HZ,
                          backend=world.backend, on_status=processor.link, clock_ns=clock_ns)
        run = asyncio.ensure_future(link.run())

        async def faults_on_schedule() -> None:
            for i, r in enumerate(records):
                await asyncio.sleep(max(0.0, world.t0 + r.fault.at_s - loop.time()))
                if i:
                    records[i - 1].reconnects += link.stats.reconnects
                r.reconnects = -link.stats.reconnects
                await inject(r.fault, world.sensor)  # returns at once for silence
                r.back_at = max(loop.time(), world.t0 + r.fault.at_s + r.fault.duration_s)
                seen.awaiting.append(r)

        async def sample_rss() -> None:
            while True:
                await asyncio.sleep(60.0)
                rss.append((loop.time() - world.t0, rss_mb()))

        tasks = [asyncio.ensure_future(faults_on_schedule()), asyncio.ensure_future(sample_rss())]
        await asyncio.sleep(max(0.0, world.t0 + minutes * 60 - loop.time()))
        for task in tasks:
            task.cancel()
        sent_before_stop = source.sent
        await link.stop()
        await run
        records[-1].reconnects += link.stats.reconnects
        sim_s = loop.time() - world.t0
    processor.finish()
    writer.close()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    rss.append((sim_s, rss_mb()))
    report(minutes, seed, sim_s, wall, cpu, link, sent_before_stop, source, seen, records, state,
           out, rss)


def report(
    minutes: float, seed: int, sim_s: float, wall: float, cpu: float, link: SensorLink,
    sent_before_stop: int, source: CountingSource, seen: Observed, records: list[FaultRecord],
    state: SessionState, out: Path, rss: list[tuple[float, float]],
) -> None:
    st = state.status
    print(f"soak: {minutes:g} simulated min at {RATE_HZ:g} Hz, seed {seed}: {sim_s:.0f} s "
          f"simulated in {wall:.1f} s wall ({sim_s / wall:.1f}x real time), {cpu:.1f} s CPU; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 shared cores: noisy)")
    print(f"faults: {len(records)} (time on the world clock, kind, duration; then how long after "
          "the sensor was back (in range / on / talking) samples flowed again)")
    reconnect_s = []
    for r in records:
        resumed = float("nan") if r.resumed_s is None else r.resumed_s
        if r.reconnects:
            reconnect_s.append(resumed)
        how = f"after {r.reconnects} reconnection(s)" if r.reconnects else "same connection"
        print(f"  {r.fault.at_s:8.2f} s  {r.fault.kind:<10} {r.fault.duration_s:4.2f} s  "
              f"samples again {resumed:.3f} s later, {how}")
    if reconnect_s:
        print(f"reconnect, sensor back -> samples flowing: median "
              f"{statistics.median(reconnect_s):.3f} s, max {max(reconnect_s):.3f} s over "
              f"{len(reconnect_s)} faults that needed one (goal: median < 2 s)")
    print(f"link: connects {link.stats.connects}, reconnects {link.stats.reconnects}, "
          f"disconnects {link.stats.disconnects}, watchdog trips {link.stats.watchdog_trips}")

    sent, delivered = source.sent, source.delivered
    data = load_input(out)
    rec = read_recording(out)
    print(f"samples: sent by the emulator {sent} (of which into a muted radio "
          f"{source.into_muted}), received by the processor {seen.samples}, "
          f"in the recording {len(data)} (goal: received == recorded: "
          f"{'yes' if seen.samples == len(data) else 'NO'}); sent after stop() began "
          f"{sent - sent_before_stop} (in flight at the disconnection)")
    n_malformed = sum(r.fault.kind == "malformed" for r in records)
    print(f"packets: received {st.packets}, recorded {len(rec)}; malformed counted {st.malformed}"
          f" (injected {n_malformed}), in the recording {data.meta.malformed}")
    print(f"gaps: sample clock {st.gaps} gaps, {st.lost_samples} lost samples; truth (sent while "
          f"the radio was up) {source.gaps} gaps, {source.missing} missing; not sent or lost "
          f"in the air: {round(sim_s * RATE_HZ) - delivered} "
          f"of {round(sim_s * RATE_HZ)} due")
    print("RSS (MB) by simulated minute: "
          + ", ".join(f"{t / 60:.0f}:{m:.1f}" for t, m in rss)
          + f"; start {rss[0][1]:.1f}, end {rss[-1][1]:.1f} (goal: flat)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the recording here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "soak.sensorhold.jsonl"
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            runner.run(soak(args.minutes, args.seed, out))


if __name__ == "__main__":
    main()
