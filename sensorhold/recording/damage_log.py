"""Readable warnings about skipped input lines, without flooding: the first few, then a count."""

from __future__ import annotations


class DamageLog:
    """Collects ``line N: what`` warnings; after ``limit`` of them only counts the rest."""

    def __init__(self, limit: int = 10) -> None:
        self.skipped = 0
        self._limit = limit
        self._messages: list[str] = []

    def skip(self, line: int, what: str) -> None:
        """A line that was skipped, and why."""
        self.skipped += 1
        if self.skipped <= self._limit:
            self._messages.append(f"line {line}: {what}, skipped")

    def note(self, message: str) -> None:
        """A warning that is not about one skipped line."""
        self._messages.append(message)

    def warnings(self) -> list[str]:
        more = self.skipped - self._limit
        tail = [f"... and {more} more damaged lines skipped"] if more > 0 else []
        return [*self._messages, *tail]
