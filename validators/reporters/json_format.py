"""``--format json``: ``{"version": 1, "summary": {...}, "findings": [...]}``."""

from __future__ import annotations

import json
from typing import Any, TextIO

WRITE_CHUNK = 1 << 16


def report(result: Any, stream: TextIO) -> None:
    payload = {"version": 1, "summary": result.summary(),
               "findings": [f.as_dict() for f in result.findings]}
    # json.dump makes dozens of small writes per finding; one huge write, on the other hand,
    # can end silently with exit 0 when the reader closes the pipe: write 64 KiB pieces, encoded
    # as they go (the whole text of 300 000 findings would be another gigabyte in memory)
    pieces: list[str] = []
    size = 0
    for piece in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(payload):
        pieces.append(piece)
        size += len(piece)
        if size >= WRITE_CHUNK:
            stream.write("".join(pieces))
            pieces.clear()
            size = 0
    pieces.append("\n")
    stream.write("".join(pieces))
