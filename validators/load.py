"""Load stage: read a file's bytes once and decode them strictly as UTF-8.

Nothing here raises on bad input: an unreadable, binary, empty or undecodable file becomes a
:class:`~validators.document.Document` carrying a :class:`LoadProblem`, reported by an ENC rule.
"""

from __future__ import annotations

import os

from validators.document import Document, LoadProblem

BINARY_SNIFF_BYTES = 8192


def locate_byte(data: bytes, index: int) -> tuple[int, int]:
    """1-based line and code-point column of byte ``index`` (the line is decoded leniently)."""
    line = data.count(b"\n", 0, index) + 1
    line_start = data.rfind(b"\n", 0, index) + 1
    column = len(data[line_start:index].decode("utf-8", "replace")) + 1
    return line, column


def decode(path: str, data: bytes, fs_path: str | None = None) -> Document:
    """Build a Document from bytes: strict UTF-8, or a load problem saying why not."""
    doc = Document(path=path, data=data, fs_path=fs_path)
    if not data.strip():
        doc.text = data.decode("utf-8", "replace")
        doc.problems.append(LoadProblem("empty", detail="the file is empty" if not data
                                        else "the file holds only white space"))
        return doc
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        index = data.index(b"\x00")
        line, column = locate_byte(data, index)
        doc.problems.append(LoadProblem("binary", line, column, column + 1,
                                        detail="NUL byte: a binary file, or UTF-16/UTF-32 text",
                                        evidence="NUL"))
        return doc
    try:
        doc.text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = locate_byte(data, exc.start)
        bad = data[exc.start:exc.end]
        doc.problems.append(LoadProblem("invalid_utf8", line, column, column + 1,
                                        detail=f"byte 0x{bad.hex()} at offset {exc.start}",
                                        evidence=bad.hex()))
    return doc


def load(path: str, fs_path: str) -> Document:
    """Read a file once; I/O errors (permissions, symlink loops, vanished files) become findings."""
    try:
        with open(fs_path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        doc = Document(path=path, data=b"", fs_path=fs_path)
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, IsADirectoryError):
            reason = "is a directory"
        doc.problems.append(LoadProblem("unreadable", detail=reason, evidence=reason))
        return doc
    return decode(path, data, fs_path)


def is_readable_file(fs_path: str) -> bool:
    return os.path.isfile(fs_path)
