"""``--format json``: ``{"version": 1, "summary": {...}, "findings": [...]}``.

The text is exactly ``json.dumps(payload, ensure_ascii=False, indent=2)``, but each finding's
text comes from :mod:`validators.finding_json` (the C encoder): a document's findings were
encoded by the worker that found them, or are read from the cache as they were encoded then, and
are written as they are (:meth:`Findings.texts`). The summary is small and encoded here.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from validators.finding_blocks import Findings
from validators.finding_json import FINDING, INDENT, SEPARATOR

WRITE_CHUNK = 1 << 16


def report(result: Any, stream: TextIO) -> None:
    head = json.dumps({"version": 1, "summary": result.summary()}, ensure_ascii=False,
                      indent=INDENT)
    # json.dump makes dozens of small writes per finding; one huge write, on the other hand,
    # can end silently with exit 0 when the reader closes the pipe: write 64 KiB pieces or
    # a document's findings at a time (the whole text of 300 000 findings would be another
    # gigabyte in memory)
    pieces = [head[:-2], ',\n  "findings": [']  # head ends with "\n}"
    size = sum(map(len, pieces))
    separator = "\n" + FINDING
    any_finding = False
    for text in Findings.of(result.findings).texts():
        any_finding = True
        pieces.append(separator)
        pieces.append(text)
        separator = SEPARATOR
        size += len(text)
        if size >= WRITE_CHUNK:
            stream.write("".join(pieces))
            pieces.clear()
            size = 0
    pieces.append("\n  ]\n}\n" if any_finding else "]\n}\n")
    stream.write("".join(pieces))
