"""``--format json``: ``{"version": 1, "summary": {...}, "findings": [...]}``."""

from __future__ import annotations

import json
from typing import Any, TextIO

WRITE_CHUNK = 1 << 16


def report(result: Any, stream: TextIO) -> None:
    payload = {"version": 1, "summary": result.summary(),
               "findings": [f.as_dict() for f in result.findings]}
    # json.dump makes dozens of small writes per finding; one huge write, on the other hand,
    # can end silently with exit 0 when the reader closes the pipe: write 64 KiB pieces
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    for start in range(0, len(text), WRITE_CHUNK):
        stream.write(text[start:start + WRITE_CHUNK])
