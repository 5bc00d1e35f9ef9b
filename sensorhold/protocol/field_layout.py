"""Fixed-offset binary records described by a spec's ``[layout]`` field tables.

A field is ``{ offset, type, count, scale }``: ``count`` values of numpy ``type`` (e.g. ``"<i2"``,
``"<f4"``, ``"<u4"``) starting at byte ``offset`` of the record, multiplied by ``scale``.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from operator import mul
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


# numpy (kind, itemsize) -> struct code, for reading one record without numpy's per-call cost.
_STRUCT_CODES = {
    ("i", 1): "b", ("u", 1): "B", ("i", 2): "h", ("u", 2): "H", ("i", 4): "i", ("u", 4): "I",
    ("i", 8): "q", ("u", 8): "Q", ("f", 2): "e", ("f", 4): "f", ("f", 8): "d",
}  # fmt: skip
_NATIVE = "<" if sys.byteorder == "little" else ">"


def _one_record_struct(fields: list[Field]) -> struct.Struct | None:
    """A struct reading ``fields`` (sorted by offset) in one call, or None where one format
    cannot say it (fields that overlap or mix byte orders, or a type struct lacks)."""
    orders = {_NATIVE if o == "=" else o for o in (np.dtype(f.dtype).byteorder for f in fields)}
    orders.discard("|")  # single bytes: either order
    if len(orders) > 1:
        return None
    fmt, pos = "", 0
    for f in fields:
        dt = np.dtype(f.dtype)
        code = _STRUCT_CODES.get((dt.kind, dt.itemsize))
        if code is None or f.offset < pos:
            return None
        fmt += "x" * (f.offset - pos) + code * f.count
        pos = f.end
    return struct.Struct((orders.pop() if orders else "<") + fmt)


class RecordReader:
    """The fields of ``itemsize``-byte records, compiled once per decoder.

    ``one`` reads a single record (a live notification) with one ``struct`` call and one small
    array, ~1 µs where numpy's per-call overheads cost ~5 µs, and ``few`` a few back-to-back
    records likewise; ``many`` reads any number with numpy (a recording in bulk). All give the
    same float64 values.
    """

    def __init__(self, fields: Mapping[str, Field], itemsize: int) -> None:
        self.fields = dict(fields)
        self.itemsize = itemsize
        record_dtype(self.fields, itemsize)  # a field past the record's end fails here, not later
        ordered = sorted(self.fields.items(), key=lambda item: item[1].offset)
        self._order = [name for name, _ in ordered]
        self._struct = _one_record_struct([f for _, f in ordered])
        self._scales = [f.scale for _, f in ordered for _ in range(f.count)]
        ends = np.cumsum([f.count for _, f in ordered]).tolist()
        self.columns = {
            name: slice(end - f.count, end) for (name, f), end in zip(ordered, ends, strict=True)
        }
        self._few: dict[int, Callable[[bytes], tuple[Any, ...]]] = {}

    def many(self, buffer: bytes) -> dict[str, np.ndarray]:
        """Every field of the ``len(buffer) // itemsize`` records, as in ``read_records``."""
        return read_records(buffer, self.fields, self.itemsize)

    def one(self, buffer: bytes) -> np.ndarray:
        """The record at the start of ``buffer`` (at least ``itemsize`` bytes) as one flat row
        of values, fields by offset: field ``name`` as ``many`` gives it is
        ``row[None, columns[name]]``."""
        if self._struct is None:
            values = self.many(buffer[: self.itemsize])
            return np.concatenate([values[name][0] for name in self._order])
        return np.array(list(map(mul, self._struct.unpack_from(buffer), self._scales)))

    def few(self, buffer: bytes, count: int) -> np.ndarray:
        """``count`` back-to-back records at the start of ``buffer`` as (count, values) rows,
        fields by offset: field ``name`` is ``rows[:, columns[name]]``."""
        if self._struct is None:
            return np.stack([self.one(buffer[k * self.itemsize :]) for k in range(count)])
        unpack = self._few.get(count)
        if unpack is None:
            fmt = self._struct.format
            record = fmt[1:] + "x" * (self.itemsize - self._struct.size)
            unpack = self._few[count] = struct.Struct(fmt[0] + record * count).unpack_from
        values = list(map(mul, unpack(buffer), self._scales * count))
        return np.array(values).reshape(count, len(self._scales))
