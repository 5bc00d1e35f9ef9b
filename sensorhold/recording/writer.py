"""Append-only recording writer that keeps disk I/O off the event loop.

``packet()`` and ``event()`` only format a line and append it to a bounded in-memory list (a few
microseconds, safe to call from a BLE notification callback). A writer thread writes the list to
the OS every ``flush_interval_s`` (so ``kill -9`` loses at most that much) and fsyncs at least every
``fsync_interval_s`` and on close (so a power cut loses at most about a second).
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

from sensorhold.errors import UserError
from sensorhold.recording.format import FORMAT, dumps_line
from sensorhold.recording.paths import default_recording_path


class RecordingWriter:
    """Writes one ``*.sensorhold.jsonl`` file; create it with :meth:`open`.

    A disk error in the writer thread stops recording: :attr:`error` says why (for the UI) and
    :meth:`close` raises it. Lines that arrive while ``max_pending`` lines wait for a stalled disk
    are dropped, counted in :attr:`dropped` and noted in the file as a ``recording_dropped`` event.
    """

    def __init__(
        self,
        path: Path,
        file: BinaryIO,
        *,
        flush_interval_s: float,
        fsync_interval_s: float,
        max_pending: int,
    ) -> None:
        self.path = path
        self.dropped = 0
        self.error: UserError | None = None
        self._file = file
        self._flush_s = flush_interval_s
        self._fsync_s = fsync_interval_s
        self._max_pending = max_pending
        self._pending: list[str] = []
        self._unreported_drops = 0
        self._closed = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._char_json: dict[str, str] = {}
        self._thread = threading.Thread(target=self._run, name="sensorhold-recording", daemon=True)
        self._thread.start()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None,
        header: dict[str, Any],
        *,
        flush_interval_s: float = 0.2,
        fsync_interval_s: float = 1.0,
        max_pending: int = 200_000,
    ) -> Self:
        """Create ``path`` (default: :func:`default_recording_path`) and write ``header`` to it.

        The header is on disk (fsync'ed) when this returns. Refuses to overwrite a file.
        """
        if header.get("type") != "header" or header.get("format") != FORMAT:
            raise ValueError("header must come from sensorhold.recording.make_header")
        target = default_recording_path(header["sensor"]["model"]) if path is None else Path(path)
        cannot = (
            f"cannot write recording {target}: {{}}; "
            "choose a writable path with --record, or --no-record"
        )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UserError(cannot.format(e.strerror or e)) from None
        try:
            file = target.open("xb", buffering=0)
        except FileExistsError:
            raise UserError(
                f"recording {target} already exists; choose another path with --record"
            ) from None
        except OSError as e:
            raise UserError(cannot.format(e.strerror or e)) from None
        try:
            _write_all(file, dumps_line(header).encode())
            os.fsync(file.fileno())
            _fsync_dir(target.parent)
        except OSError as e:
            file.close()
            raise UserError(
                f"cannot write recording {target}: {e.strerror or e}; "
                "free some disk space or choose another path with --record"
            ) from None
        return cls(
            target,
            file,
            flush_interval_s=flush_interval_s,
            fsync_interval_s=fsync_interval_s,
            max_pending=max_pending,
        )

    def packet(self, t_ns: int, char: str, payload: bytes) -> None:
        """Record one notification: host receive time (monotonic ns), characteristic, raw bytes."""
        cj = self._char_json.get(char)
        if cj is None:
            cj = self._char_json[char] = json.dumps(char)
        self._put(f'{{"type":"packet","t_ns":{int(t_ns)},"char":{cj},"hex":"{payload.hex()}"}}\n')

    def event(self, t_ns: int, event: str, **data: Any) -> None:
        """Record a discrete event (connected, stage, hold_start, marker...) with JSON data."""
        self._put(dumps_line({"type": "event", "t_ns": int(t_ns), "event": event, **data}))

    def close(self) -> None:
        """Write what is pending, fsync and close; raises the writer thread's error if any."""
        with self._lock:
            self._closed = True
        self._stop.set()
        self._thread.join()
        if self.error is not None:
            raise self.error

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _put(self, line: str) -> None:
        with self._lock:
            if self._closed or self.error is not None:
                return
            if len(self._pending) >= self._max_pending:
                self.dropped += 1
                self._unreported_drops += 1
                return
            self._pending.append(line)

    def _take(self) -> str:
        with self._lock:
            lines, self._pending = self._pending, []
            drops, self._unreported_drops = self._unreported_drops, 0
        if drops:
            note = {"type": "event", "t_ns": time.monotonic_ns(), "event": "recording_dropped"}
            lines.append(dumps_line({**note, "lines": drops}))
        return "".join(lines)

    def _run(self) -> None:
        last_sync = time.monotonic()
        try:
            while True:
                stopping = self._stop.wait(self._flush_s)
                text = self._take()
                if text:
                    _write_all(self._file, text.encode())
                now = time.monotonic()
                if stopping or now - last_sync >= self._fsync_s:
                    os.fsync(self._file.fileno())
                    last_sync = now
                if stopping:
                    break
        except OSError as e:
            self.error = UserError(
                f"recording to {self.path} stopped: {e.strerror or e}; "
                "free some disk space or record elsewhere with --record"
            )
        finally:
            self._file.close()


def _write_all(file: BinaryIO, data: bytes) -> None:
    """An unbuffered write may be partial: loop until every byte is with the OS."""
    view = memoryview(data)
    while view:
        view = view[file.write(view) or 0 :]


def _fsync_dir(folder: Path) -> None:
    """Make a new file's directory entry durable (POSIX only; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
