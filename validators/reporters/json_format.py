"""``--format json``: ``{"version": 1, "summary": {...}, "findings": [...]}``.

The text is exactly ``json.dumps(payload, ensure_ascii=False, indent=2)``, but each finding's
text comes from :mod:`validators.finding_json` (the C encoder): a document's findings were
encoded by the worker that found them, or are read from the cache as they were encoded then, and
are written as they are (:meth:`Findings.texts`; into a UTF-8 file, as the bytes they were
packed as: :meth:`Findings.utf8_texts`). The summary is small and encoded here.
"""

from __future__ import annotations

import codecs
import functools
import json
import os
import shutil
from collections.abc import Callable, Iterable
from typing import Any, AnyStr, BinaryIO, TextIO

from validators.finding_blocks import Findings, same_text, utf8
from validators.finding_json import FINDING, INDENT, SEPARATOR, SEPARATOR_UTF8

WRITE_CHUNK = 1 << 16
FIRST = "\n" + FINDING  # before the first finding's text (SEPARATOR between the others)
SHARED_REPORT_BYTES = 1 << 20  # compressed findings past which a second process writes half


def report(result: Any, stream: TextIO) -> None:
    head = json.dumps({"version": 1, "summary": result.summary()}, ensure_ascii=False,
                      indent=INDENT)
    findings = Findings.of(result.findings)
    raw = utf8_buffer(stream)
    if raw is None:
        _write(stream.write, head, findings.texts(), same_text)
        return
    # the blocks' UTF-8 straight into the file: not decoded and encoded again
    stream.flush()
    halves = None
    if findings.packed_size() >= SHARED_REPORT_BYTES:  # (a run's --jobs says whether it may)
        halves = _halves_in_two_processes(findings, getattr(result, "jobs", 1))
    if halves is None:
        _write(raw.write, head, findings.utf8_texts(), utf8)
        return
    with halves[0], halves[1]:
        _write_halves(raw, head, halves)


def _halves_in_two_processes(findings: Findings, jobs: int) -> tuple[BinaryIO, BinaryIO] | None:
    """The texts of each half of ``findings`` (:meth:`Findings.halves`), joined, each written
    by one of this process and a fork of it into an anonymous temporary file (decompressing
    the blocks and placing the corpus findings is most of a large report's time, and the other
    core was idle). None when no second process can be had: the caller writes the report
    alone."""
    import tempfile
    import threading

    from validators.executors.local import in_two_processes, two_processes_allowed

    # (a fork copies one thread: with others alive, say a Dask client's, a lock one of them
    # holds would never be released in the fork)
    if not two_processes_allowed(jobs) or threading.active_count() > 1:
        return None
    files: list[BinaryIO] = []
    try:
        for _ in range(2):
            files.append(tempfile.TemporaryFile(prefix="corpus-validate-report-"))  # noqa: SIM115 (closed by the caller)
    except OSError:
        for file in files:
            file.close()
        return None

    def write_half(half: Findings, into: BinaryIO) -> None:
        _write(into.write, None, half.utf8_texts(), utf8)
        into.flush()

    first, second = findings.halves()
    done = in_two_processes([functools.partial(write_half, first, files[0]),
                             functools.partial(write_half, second, files[1])], give_back=False)
    if done is None:
        for file in files:
            file.close()
        return None
    return files[0], files[1]


def _write_halves(raw: BinaryIO, head: str, halves: tuple[BinaryIO, BinaryIO]) -> None:
    """The report: ``head``, then each half's file copied as it is, then the end."""
    raw.write(utf8(_opening(head)))
    between = utf8(FIRST)
    any_finding = False
    for half in halves:
        if half.seek(0, os.SEEK_END) == 0:
            continue
        raw.write(between)
        between, any_finding = SEPARATOR_UTF8, True
        half.seek(0)
        shutil.copyfileobj(half, raw, 1 << 20)
    raw.write(utf8(_closing(any_finding)))


def _opening(head: str) -> str:
    """The summary, and the findings' list opened."""
    return head[:-2] + ',\n  "findings": ['  # head ends with "\n}"


def _closing(any_finding: bool) -> str:
    return "\n  ]\n}\n" if any_finding else "]\n}\n"


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


def _write(write: Callable[[AnyStr], Any], head: str | None, texts: Iterable[AnyStr],
           encode: Callable[[str], AnyStr]) -> None:
    """The report: ``head`` (the summary) and the findings' ``texts``, each piece of its own
    made by ``encode`` (a str, or the UTF-8 of it); without a head, only the texts and the
    separators between them (a half of the report)."""
    # json.dump makes dozens of small writes per finding; one huge write, on the other hand,
    # can end silently with exit 0 when the reader closes the pipe: write 64 KiB pieces or
    # a document's findings at a time (the whole text of 300 000 findings would be another
    # gigabyte in memory)
    pieces = [encode("" if head is None else _opening(head))]
    size = len(pieces[0])
    between, separator, nothing = encode("" if head is None else FIRST), encode(SEPARATOR), \
        encode("")
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
    if head is not None:
        pieces.append(encode(_closing(any_finding)))
    write(nothing.join(pieces))
