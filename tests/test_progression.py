"""What a user's data folder keeps between sessions: earlier sessions, their sensor."""

from pathlib import Path

import pytest

from sensorhold.runner.known_sensors import known_sensor_path, remember_sensor, remembered_sensor
from sensorhold.runner.progression import append_progression, load_progression, progression_path


def test_sessions_accumulate_and_damage_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert load_progression("ann") == []
    append_progression("ann", {"best_hold_s": {"1": 62.0}, "holds": [{}]}, "a.jsonl")
    with progression_path("ann").open("a") as f:
        f.write("{broken\n")
    append_progression("ann", {"best_hold_s": {"1": 75.5, "2": 30.0}, "holds": []}, None)
    sessions = load_progression("ann")
    assert [s["best_hold_s"] for s in sessions] == [{"1": 62.0}, {"1": 75.5, "2": 30.0}]
    assert load_progression("bob") == []


def test_the_users_sensor_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert remembered_sensor("ann") is None
    remember_sensor("ann", "WT901BLE67", "C0:98:E5:49:00:67", "witmotion")
    assert remembered_sensor("ann") == {
        "name": "WT901BLE67", "address": "C0:98:E5:49:00:67", "model": "witmotion"}
    known_sensor_path("ann").write_text("{damaged")
    assert remembered_sensor("ann") is None
