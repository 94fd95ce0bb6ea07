"""``--format json``: ``{"version": 1, "summary": {...}, "findings": [...]}``.

The text is exactly ``json.dumps(payload, ensure_ascii=False, indent=2)``, but each finding's
text comes from :mod:`validators.finding_json` (the C encoder): a document's findings were
encoded by the worker that found them, or are read from the cache as they were encoded then, and
are written as they are (:meth:`Findings.texts`; into a UTF-8 file, as the bytes they were
packed as: :meth:`Findings.utf8_texts`). The summary is small and encoded here.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable
from typing import Any, AnyStr, BinaryIO, TextIO

from validators.finding_blocks import Findings, utf8
from validators.finding_json import FINDING, INDENT, SEPARATOR

WRITE_CHUNK = 1 << 16


def report(result: Any, stream: TextIO) -> None:
    head = json.dumps({"version": 1, "summary": result.summary()}, ensure_ascii=False,
                      indent=INDENT)
    findings = Findings.of(result.findings)
    raw = utf8_buffer(stream)
    if raw is None:
        _write(stream.write, head, findings.texts(), _as_it_is)
    else:  # the blocks' UTF-8 straight into the file: not decoded and encoded again
        stream.flush()
        _write(raw.write, head, findings.utf8_texts(), utf8)


def utf8_buffer(stream: TextIO) -> BinaryIO | None:
    """The binary file under ``stream`` when the stream writes UTF-8 and escapes what it cannot
    encode with backslashes (:func:`validators.finding_blocks.utf8`: the report's file, and a
    standard output so reconfigured), so that bytes written there read as the text would."""
    buffer = getattr(stream, "buffer", None)
    encoding = getattr(stream, "encoding", None)
    if buffer is None or not encoding or getattr(stream, "errors", None) != "backslashreplace":
        return None
    try:
        return buffer if codecs.lookup(encoding).name == "utf-8" else None
    except LookupError:
        return None


def _as_it_is(text: str) -> str:
    return text


def _write(write: Callable[[AnyStr], Any], head: str, texts: Iterable[AnyStr],
           encode: Callable[[str], AnyStr]) -> None:
    """The report: ``head`` (the summary) and the findings' ``texts``, each piece of its own
    made by ``encode`` (a str, or the UTF-8 of it)."""
    # json.dump makes dozens of small writes per finding; one huge write, on the other hand,
    # can end silently with exit 0 when the reader closes the pipe: write 64 KiB pieces or
    # a document's findings at a time (the whole text of 300 000 findings would be another
    # gigabyte in memory)
    pieces = [encode(head[:-2] + ',\n  "findings": [')]  # head ends with "\n}"
    size = len(pieces[0])
    between, separator, nothing = encode("\n" + FINDING), encode(SEPARATOR), encode("")
    any_finding = False
    for text in texts:
        any_finding = True
        pieces.append(between)
        pieces.append(text)
        between = separator
        size += len(text)
        if size >= WRITE_CHUNK:
            write(nothing.join(pieces))
            pieces.clear()
            size = 0
    pieces.append(encode("\n  ]\n}\n" if any_finding else "]\n}\n"))
    write(nothing.join(pieces))
