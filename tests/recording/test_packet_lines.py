"""The block parser for packet lines takes exactly what the per-line regex takes, with the same
values, and leaves every other line (damaged, foreign, events) to the per-line path."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorhold.recording.format import dumps_line
from sensorhold.recording.packet_lines import PACKET, parse_packet_block

CHARS = ("0000ffe4-0000-1000-8000-00805f9a34fb", "15172001-4947-11e9-8646-d663bd873d93")


def _lines(seed: int, n: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        size = int(rng.choice([0, 20, 20, 20, 40]))
        record = {
            "type": "packet",
            "t_ns": 10**12 + int(rng.integers(0, 10**9)),
            "char": CHARS[int(rng.random() < 0.2)],
            "hex": rng.integers(0, 256, size, dtype=np.uint8).tobytes().hex(),
        }
        if rng.random() < 0.05:
            record = {"type": "event", "t_ns": record["t_ns"], "event": "marker"}
        out.append(dumps_line(record).encode())
    return out


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    damage=st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from(list(b'0123456789abcdefABCDEF"{} ,:x'))),
        max_size=12,
    ),
)
def test_block_parser_agrees_with_the_line_regex(seed: int, damage: list[tuple[int, int]]) -> None:
    lines = _lines(seed, 300)
    for where, byte in damage:  # overwrite one byte of a line (never its newline)
        k = where % len(lines)
        pos = (where // len(lines)) % (len(lines[k]) - 1)
        lines[k] = lines[k][:pos] + bytes([byte]) + lines[k][pos + 1 :]
    parsed = parse_packet_block(b"".join(lines))
    taken: dict[int, tuple[int, str, bytes]] = {}
    for rows in parsed.rows:
        for line, t, payload in zip(
            rows.lines.tolist(), rows.t_ns.tolist(), rows.payload, strict=True
        ):
            assert line not in taken
            taken[line] = (t, rows.char, payload.tobytes())
    others = set(parsed.others.tolist())
    assert not others & set(taken) and len(others) + len(taken) == len(lines)
    for k, line in enumerate(lines):
        m = PACKET.fullmatch(line.rstrip(b"\n"))
        if k in taken:
            assert m is not None
            assert taken[k] == (int(m[1]), m[2].decode().lower(), bytes.fromhex(m[3].decode()))
    if not damage:  # the writer's lines all go the fast way
        assert all(k in taken for k, line in enumerate(lines) if PACKET.fullmatch(line[:-1]))
