"""UI latency and CPU: from a notification's arrival to the screen showing it, and what it costs.

Arrival is the link's stamp (``time.monotonic_ns`` in its notification callback). The app pulls
``SessionState`` every ``tick_s``; the benchmark wraps ``app.pull`` and, after each pull that
read new samples, asks Textual for ``call_after_refresh``: the screen has then been composed
and written to the driver. Latency of a packet = that moment minus its arrival.

The emulator shares the process (the Bumble virtual radio needs one loop), so CPU is measured
in three set-ups over the same window and subtracted: ``radio`` (emulator, both virtual BLE
stacks, bleak and the link; packets dropped), ``headless`` (+ decoding, clock and pipeline) and
``tui`` (+ the Textual app, headless ``run_test`` or a real terminal with ``--terminal``). The
history ring is pre-filled with 90 s of samples so the plot draws a full window from the start.

    UV_PYTHON_DOWNLOADS=never uv run python benchmarks/ui_latency.py [--seconds 15]
    tmux new-session -d -x 120 -y 40 'uv run python benchmarks/ui_latency.py --terminal \\
        --rates 100 --ticks 0.1 --out /tmp/ui.txt'
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

from sensorhold.ble.link import SensorLink
from sensorhold.calibration.demo_profile import demo_profile
from sensorhold.emulator.world import emulated_world
from sensorhold.motion.exercise_scripts import demo_script
from sensorhold.motion.scripted_source import ScriptedImu
from sensorhold.protocol.spec import load_spec
from sensorhold.session.processor import StreamProcessor
from sensorhold.session.state import History, SessionState
from sensorhold.tui.app import SensorholdApp, create_app

WARMUP_S = 3.0
PREFILL_S = 90.0
SPEC_MAX_HZ = 100.0
"""The WT901BLE's fastest rate; 200 Hz runs set the emulator's rate after the start sequence."""


@dataclass
class Run:
    """One measurement: set-up, rate, pull period; CPU over the window; UI latencies (ms)."""

    mode: str
    rate_hz: float
    tick_s: float
    wall_s: float = 0.0
    cpu_s: float = 0.0
    samples: int = 0
    pulls: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def cpu_pct(self) -> float:
        return 100.0 * self.cpu_s / self.wall_s if self.wall_s else float("nan")


def prefill(history: History, rate_hz: float, seconds: float) -> None:
    """``seconds`` of a slow angle wave before the session's t = 0."""
    t = np.arange(-seconds, 0.0, 1.0 / rate_hz)
    history.extend(t, 10.0 + 8.0 * np.sin(t / 7.0), np.ones(t.size, dtype=np.int8))


class Probe:
    """Arrival stamps of the packets that carried samples, not yet shown on screen."""

    def __init__(self) -> None:
        self.pending: list[int] = []
        self.samples = 0
        self.measuring = False


async def stream(
    run: Run, state: SessionState, probe: Probe, ready: asyncio.Event
) -> None:
    """The emulated sensor through the real BLE path into ``state``, until cancelled."""
    spec, profile = load_spec("witmotion"), demo_profile()
    processor = StreamProcessor(spec, profile, state, t0_ns=time.monotonic_ns(),
                                rate_hz=run.rate_hz)
    process_samples = processor.samples

    def counted(t, acc, gyr):  # type: ignore[no-untyped-def]
        probe.samples += t.size
        return process_samples(t, acc, gyr)

    processor.samples = counted  # type: ignore[method-assign]

    def on_packet(t_ns: int, char: str, payload: bytes) -> None:
        if run.mode == "radio":
            probe.samples += len(payload) // 20
            return
        if probe.measuring:  # every notification's own arrival, however it is later chunked
            probe.pending.append(t_ns)
        processor.packet(t_ns, char, payload)

    source = ScriptedImu(demo_script(), rate_hz=run.rate_hz, loop=True)
    link_hz = min(run.rate_hz, SPEC_MAX_HZ)
    async with emulated_world("witmotion", source, rate_hz=link_hz) as world:

        def on_status(kind: str, detail: str) -> None:
            if kind == "streaming":
                world.sensor.rate_hz = run.rate_hz
                ready.set()
            processor.link(kind, detail)

        link = SensorLink(spec, on_packet, target=world.name, rate_hz=link_hz,
                          backend=world.backend, on_status=on_status)
        task = asyncio.ensure_future(link.run())
        try:
            await asyncio.shield(task)
        finally:
            await link.stop()
            await task


async def measure(
    run: Run, seconds: float, app_runner: Callable[[SensorholdApp, Callable[[], Awaitable[None]]],
                                                   Awaitable[None]] | None,
    profile: cProfile.Profile | None = None,
) -> Run:
    """Stream for WARMUP_S + ``seconds``; CPU and latencies over the last ``seconds``."""
    state, probe, ready = SessionState(), Probe(), asyncio.Event()
    prefill(state.history, run.rate_hz, PREFILL_S)
    proc = psutil.Process()

    async def window() -> None:
        await ready.wait()
        await asyncio.sleep(WARMUP_S)
        probe.pending.clear()
        probe.measuring = True
        c0, w0, s0 = proc.cpu_times(), time.perf_counter(), probe.samples
        if profile is not None:
            profile.enable()
        await asyncio.sleep(seconds)
        if profile is not None:
            profile.disable()
        c1, w1 = proc.cpu_times(), time.perf_counter()
        probe.measuring = False
        run.wall_s = w1 - w0
        run.cpu_s = (c1.user + c1.system) - (c0.user + c0.system)
        run.samples = probe.samples - s0

    if app_runner is None:
        task = asyncio.ensure_future(stream(run, state, probe, ready))
        await window()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return run

    async def run_stream(s: SessionState) -> None:
        await stream(run, s, probe, ready)

    app = create_app(state, title="ui latency", run_stream=run_stream, tick_s=run.tick_s)
    pull = app.pull

    def instrumented_pull() -> None:
        pull()  # catches the state up to every notification that has arrived
        batch, probe.pending = probe.pending, []
        if probe.measuring:
            run.pulls += 1
        if batch:

            def shown() -> None:
                now = time.monotonic_ns()
                run.latencies_ms.extend((now - a) / 1e6 for a in batch)

            app.call_after_refresh(shown)

    app.pull = instrumented_pull  # type: ignore[method-assign]
    await app_runner(app, window)
    return run


async def headless_app(app: SensorholdApp, window: Callable[[], Awaitable[None]]) -> None:
    async with app.run_test(size=(120, 40)):
        await window()


async def terminal_app(app: SensorholdApp, window: Callable[[], Awaitable[None]]) -> None:
    async def close_after() -> None:
        await window()
        app.exit()

    task = asyncio.ensure_future(close_after())
    await app.run_async()
    await task


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def line(r: Run) -> str:
    lat = (f"latency p50 {percentile(r.latencies_ms, 50):6.1f} ms  "
           f"p99 {percentile(r.latencies_ms, 99):6.1f} ms  max {max(r.latencies_ms):6.1f} ms  "
           f"({len(r.latencies_ms)} packets, {r.pulls / r.wall_s:4.1f} pulls/s)"
           if r.latencies_ms else "")
    return (f"{r.mode:<9} {r.rate_hz:5.0f} Hz  tick {r.tick_s:.2f} s  CPU {r.cpu_pct:5.1f} % "
            f"of a core ({r.cpu_s:.2f} s / {r.wall_s:.1f} s, {r.samples / r.wall_s:5.0f} "
            f"samples/s)  {lat}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rates", type=float, nargs="+", default=[100.0, 200.0])
    parser.add_argument("--ticks", type=float, nargs="+", default=[0.1, 0.05])
    parser.add_argument("--terminal", action="store_true",
                        help="the app in this terminal (run it inside tmux) instead of run_test")
    parser.add_argument("--profile", type=Path, help="cProfile the tui window, stats to this file")
    parser.add_argument("--out", type=Path, help="also write the figures here")
    args = parser.parse_args()
    lines = [f"ui_latency: {'real terminal' if args.terminal else 'headless run_test'} "
             f"(TERM={os.environ.get('TERM')}), {args.seconds:g} s windows after {WARMUP_S:g} s, "
             f"history pre-filled with {PREFILL_S:g} s"]
    profiler = cProfile.Profile() if args.profile else None
    runs: list[Run] = []
    for rate in args.rates:
        if not args.terminal:
            for mode in ("radio", "headless"):
                runs.append(asyncio.run(measure(Run(mode, rate, 0.0), args.seconds, None)))
                print(line(runs[-1]), file=sys.stderr)
        for tick in args.ticks:
            app_runner = terminal_app if args.terminal else headless_app
            runs.append(asyncio.run(measure(Run("tui", rate, tick), args.seconds, app_runner,
                                            profiler)))
            print(line(runs[-1]), file=sys.stderr)
    lines += [line(r) for r in runs]
    for rate in args.rates:
        base = {r.mode: r for r in runs if r.rate_hz == rate and r.mode != "tui"}
        for r in (r for r in runs if r.rate_hz == rate and r.mode == "tui"):
            if "radio" in base:
                lines.append(
                    f"  {rate:g} Hz tick {r.tick_s:g}: app without the emulator and virtual radio "
                    f"(tui - radio) {r.cpu_pct - base['radio'].cpu_pct:5.1f} % of a core; "
                    f"the Textual app alone (tui - headless) "
                    f"{r.cpu_pct - base['headless'].cpu_pct:5.1f} %")
    lines.append(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
                 "(2 cores shared with other engineers: CPU figures are noisy)")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if profiler is not None:
        profiler.dump_stats(str(args.profile))
        pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
