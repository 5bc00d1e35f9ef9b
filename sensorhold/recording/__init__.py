"""Append-only session recordings, readers that survive damage, CSV input and export.

Pure file I/O on top of ``sensorhold.protocol``: no bleak, no textual.
"""

from sensorhold.recording.csv_export import EXPORT_COLUMNS, export_csv
from sensorhold.recording.csv_input import read_csv
from sensorhold.recording.format import FORMAT, SUFFIX, VERSION, make_header
from sensorhold.recording.paths import default_recording_path, recordings_dir
from sensorhold.recording.reader import RecordedEvent, RecordedPacket, Recording, read_recording
from sensorhold.recording.sensor_data import InputMeta, SensorData, load_input
from sensorhold.recording.writer import RecordingWriter

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
