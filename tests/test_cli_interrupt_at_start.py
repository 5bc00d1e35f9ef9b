"""Ctrl-C in the first second, while ``main`` still imports the commands: status 130, no
traceback (found stopping ``sensorhold demo`` 0.6-1.5 s after its start, 4 runs in 30)."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from types import ModuleType

import pytest

import sensorhold
from sensorhold.cli import main


class InterruptedImport(importlib.abc.MetaPathFinder):
    """Ctrl-C arriving while ``sensorhold.commands`` is imported, as Python delivers it."""

    def __init__(self, wrapped: bool) -> None:
        self.wrapped = wrapped

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if fullname != "sensorhold.commands":
            return None
        if not self.wrapped:
            raise KeyboardInterrupt
        try:  # in a class body: Python wraps it (seen: bumble.hci's dataclass fields)
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance") from exc


@pytest.mark.parametrize("wrapped", [False, True])
def test_ctrl_c_while_importing_the_commands(
    wrapped: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "sensorhold.commands", raising=False)
    monkeypatch.delattr(sensorhold, "commands", raising=False)
    monkeypatch.setattr(sys, "meta_path", [InterruptedImport(wrapped), *sys.meta_path])
    try:
        status = main(["demo", "--headless", "--duration", "0.1"])
    except KeyboardInterrupt:  # it would end pytest itself
        pytest.fail("KeyboardInterrupt escaped main (a traceback for the user)")
    assert status == 130


def test_other_runtime_errors_still_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    import sensorhold.commands as commands

    def broken(_args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(commands, "demo", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["demo", "--headless", "--duration", "0.1"])
