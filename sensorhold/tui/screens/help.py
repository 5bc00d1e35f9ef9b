"""Keyboard help (``?``)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from sensorhold import texts


class HelpScreen(ModalScreen[None]):
    """What the keys do and what the live screen shows; any listed key closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "close"),
        Binding("question_mark", "dismiss", "close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(texts.HELP_TEXT, id="help-text")
            yield Static(texts.NOTICE, id="help-notice")
