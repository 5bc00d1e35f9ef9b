"""Fixed-offset binary records described by a spec's ``[layout]`` field tables.

A field is ``{ offset, type, count, scale }``: ``count`` values of numpy ``type`` (e.g. ``"<i2"``,
``"<f4"``, ``"<u4"``) starting at byte ``offset`` of the record, multiplied by ``scale``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Field:
    """``count`` values of ``dtype`` at byte ``offset``, times ``scale``."""

    offset: int
    dtype: str
    count: int = 1
    scale: float = 1.0

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Field:
        return cls(
            offset=int(table["offset"]),
            dtype=str(table["type"]),
            count=int(table.get("count", 1)),
            scale=float(table.get("scale", 1.0)),
        )

    @property
    def end(self) -> int:
        return self.offset + np.dtype(self.dtype).itemsize * self.count


@cache
def _record_dtype(fields: tuple[tuple[str, Field], ...], itemsize: int) -> np.dtype:
    return np.dtype(
        {
            "names": [n for n, _ in fields],
            "formats": [(f.dtype, (f.count,)) for _, f in fields],
            "offsets": [f.offset for _, f in fields],
            "itemsize": itemsize,
        }
    )


def record_dtype(fields: Mapping[str, Field], itemsize: int) -> np.dtype:
    """A numpy structured dtype reading every field of a record of ``itemsize`` bytes."""
    return _record_dtype(tuple(fields.items()), itemsize)


def read_records(
    buffer: bytes, fields: Mapping[str, Field], itemsize: int
) -> dict[str, np.ndarray]:
    """Every field of ``len(buffer) // itemsize`` back-to-back records, scaled, as float64
    arrays of shape (n, count)."""
    records = np.frombuffer(buffer, dtype=record_dtype(fields, itemsize))
    return {n: records[n].astype(np.float64) * f.scale for n, f in fields.items()}
