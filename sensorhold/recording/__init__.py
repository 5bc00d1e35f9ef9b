"""Append-only session recordings, readers that survive damage, CSV input and export.

Pure file I/O on top of ``sensorhold.protocol``: no bleak, no textual. The names below load
their module on first use, so reading a CSV does not import the recording reader and writer.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sensorhold.recording.csv_export import EXPORT_COLUMNS, export_csv
    from sensorhold.recording.csv_input import read_csv
    from sensorhold.recording.format import FORMAT, SUFFIX, VERSION, make_header
    from sensorhold.recording.paths import default_recording_path, recordings_dir
    from sensorhold.recording.reader import (
        RecordedEvent,
        RecordedPacket,
        Recording,
        read_recording,
    )
    from sensorhold.recording.sensor_data import InputMeta, SensorData, load_input
    from sensorhold.recording.writer import RecordingWriter

_MODULE = {
    "EXPORT_COLUMNS": "csv_export",
    "export_csv": "csv_export",
    "read_csv": "csv_input",
    "FORMAT": "format",
    "SUFFIX": "format",
    "VERSION": "format",
    "make_header": "format",
    "default_recording_path": "paths",
    "recordings_dir": "paths",
    "RecordedEvent": "reader",
    "RecordedPacket": "reader",
    "Recording": "reader",
    "read_recording": "reader",
    "InputMeta": "sensor_data",
    "SensorData": "sensor_data",
    "load_input": "sensor_data",
    "RecordingWriter": "writer",
}

__all__ = [
    "EXPORT_COLUMNS",
    "FORMAT",
    "SUFFIX",
    "VERSION",
    "InputMeta",
    "RecordedEvent",
    "RecordedPacket",
    "Recording",
    "RecordingWriter",
    "SensorData",
    "default_recording_path",
    "export_csv",
    "load_input",
    "make_header",
    "read_csv",
    "read_recording",
    "recordings_dir",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULE[name]}"), name)
