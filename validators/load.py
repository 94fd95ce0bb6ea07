"""Load stage: read a file's bytes once and decode them strictly as UTF-8.

Nothing here raises on bad input: an unreadable, binary, empty or undecodable file becomes a
:class:`~validators.document.Document` carrying a :class:`LoadProblem`, reported by an ENC rule.
"""

from __future__ import annotations

import os
import stat

from validators.document import Document, LoadProblem

BINARY_SNIFF_BYTES = 8192
# Encodings a Chinese corpus file that is not UTF-8 plausibly is (charset-normalizer names)
LEGACY_CANDIDATES = ("gb18030", "big5", "utf_16", "shift_jis")
ENCODING_NAMES = {"gb18030": "GB18030/GBK", "big5": "Big5", "utf_16": "UTF-16",
                  "shift_jis": "Shift_JIS"}


def likely_encoding(data: bytes) -> str:
    """The likely legacy encoding of bytes that are not UTF-8 ("" when nothing fits).

    charset-normalizer, restricted to the encodings a Chinese corpus file plausibly has, so it
    cannot answer with an exotic code page. Imported only when a file fails to decode.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    lenient = data[:200_000].decode("utf-8", "replace")
    bad = lenient.count("\ufffd")
    if sum(1 for c in lenient if c > "\x7f") - bad >= 2 * bad:
        return f"UTF-8 with {bad} damaged byte sequence(s)"  # not a legacy encoding
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=list(LEGACY_CANDIDATES)).best()
    return ENCODING_NAMES.get(best.encoding, best.encoding) if best is not None else ""


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
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00\x00" not in data[:2]
        doc.problems.append(LoadProblem("binary", line, column, column + 1,
                                        detail="NUL byte: UTF-16 text (byte-order mark FF FE / FE FF)"
                                        if utf16 else "NUL byte: a binary file, or UTF-16/UTF-32 text",
                                        evidence="NUL"))
        return doc
    try:
        doc.text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = locate_byte(data, exc.start)
        bad = data[exc.start:exc.end]
        guess = doc.cache["encoding_guess"] = likely_encoding(data)
        doc.problems.append(LoadProblem("invalid_utf8", line, column, column + 1,
                                        detail=f"byte 0x{bad.hex()} at offset {exc.start}"
                                        + (f"; looks like {guess}" if guess else ""),
                                        evidence=bad.hex()))
    return doc


DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024
# Files above this size are reported (ENC012) instead of read; set from the configuration's
# ``max_file_bytes`` by :func:`set_max_file_bytes` (worker processes inherit it through fork).
MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES


def set_max_file_bytes(limit: int | None) -> None:
    global MAX_FILE_BYTES
    MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES if limit is None else int(limit)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "not a regular file: a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "not a regular file: a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file: a device"
    return "not a regular file"


def _unreadable(path: str, fs_path: str, reason: str) -> Document:
    doc = Document(path=path, data=b"", fs_path=fs_path)
    doc.problems.append(LoadProblem("unreadable", detail=reason, evidence=reason))
    return doc


def too_large(path: str, fs_path: str | None, size: int, limit: int) -> Document:
    """The document of a file that is not read because it is larger than ``limit`` bytes."""
    doc = Document(path=path, data=b"", fs_path=fs_path)
    doc.problems.append(LoadProblem("too_large", detail=f"{size} bytes, more than the limit of "
                                    f"{limit} (max_file_bytes)", evidence="too_large"))
    return doc


def load(path: str, fs_path: str, max_bytes: int | None = None) -> Document:
    """Read a file once; I/O errors (permissions, symlink loops, vanished files) become findings.

    Only regular files are read (a FIFO, socket or device in the corpus would block or never
    end), and at most ``max_bytes`` (default :data:`MAX_FILE_BYTES`) of them: a larger file, or
    one that grows past the limit while it is read, is reported as too large, never read whole.
    """
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    try:
        # O_NONBLOCK: opening a FIFO without a writer must not block (no effect on regular files)
        fd = os.open(fs_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, IsADirectoryError):
            reason = "is a directory"
        return _unreadable(path, fs_path, reason)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _unreadable(path, fs_path, _file_kind(info.st_mode))
        if info.st_size > limit:
            return too_large(path, fs_path, info.st_size, limit)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return _unreadable(path, fs_path, reason)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:  # it grew past the limit while it was read
        return too_large(path, fs_path, len(data), limit)
    return decode(path, data, fs_path)


def is_readable_file(fs_path: str) -> bool:
    return os.path.isfile(fs_path)
