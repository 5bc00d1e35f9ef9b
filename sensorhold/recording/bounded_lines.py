"""A binary file as blocks of whole lines, read in fixed-size pieces so that memory stays bounded:
a line longer than the cap is skipped without ever being held whole."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO, NamedTuple

MAX_LINE = 64 * 1024
BLOCK = 1 << 20


class LineBlock(NamedTuple):
    """Lines starting at line ``first`` (1-based).

    ``data`` is one or more whole lines each ending in ``\\n`` (``ended`` True); or None for a
    single line longer than the cap; or, last in the file, a line without its ``\\n`` (``ended``
    False: the file may have been cut mid-write).
    """

    first: int
    data: bytes | None
    ended: bool


def line_blocks(f: BinaryIO, max_line: int = MAX_LINE, block: int = BLOCK) -> Iterator[LineBlock]:
    """The lines of ``f`` in blocks of about ``block`` bytes; see :class:`LineBlock`."""
    number = 1
    carry = b""
    too_long = False
    while chunk := f.read(block):
        if too_long:
            nl = chunk.find(b"\n")
            if nl < 0:
                continue
            yield LineBlock(number, None, True)
            number += 1
            too_long = False
            chunk = chunk[nl + 1 :]
        buf = carry + chunk
        last = buf.rfind(b"\n")
        if last >= 0:
            body, carry = buf[: last + 1], buf[last + 1 :]
            yield LineBlock(number, body, True)
            number += body.count(b"\n")
        else:
            carry = buf
        if len(carry) > max_line:
            too_long, carry = True, b""
    if too_long:
        yield LineBlock(number, None, False)
    elif carry:
        yield LineBlock(number, carry, False)


class FirstLine(NamedTuple):
    """The first non-blank line (``data`` None if longer than the cap) and the blocks after it."""

    number: int
    data: bytes | None
    ended: bool
    rest: Iterator[LineBlock]


def first_line(blocks: Iterator[LineBlock], max_line: int = MAX_LINE) -> FirstLine | None:
    """Split the first non-blank line off ``blocks``; None if there is none."""
    for block in blocks:
        if block.data is None:
            return FirstLine(block.first, None, block.ended, blocks)
        pos, number, data = 0, block.first, block.data
        while pos < len(data):
            nl = data.find(b"\n", pos)
            end = len(data) if nl < 0 else nl
            if data[pos:end].strip():
                line = data[pos:end] if end - pos <= max_line else None
                rest = data[end + 1 :]
                after = [LineBlock(number + 1, rest, block.ended)] if rest else []
                return FirstLine(number, line, nl >= 0, chain(after, blocks))
            pos = end + 1
            number += 1
    return None
