"""Load stage: read a file's bytes once and decode them strictly as UTF-8.

Nothing here raises on bad input: an unreadable, binary, empty or undecodable file becomes a
:class:`~validators.document.Document` carrying a :class:`LoadProblem`, reported by an ENC rule.
A file whose real path leads outside its corpus root is not opened at all (ENC004): a symlink
committed in a pull request must not put ``/etc/passwd`` into findings, reports and CI logs.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat

from validators.discover import is_inside, printable_path
from validators.document import Document, LoadProblem

BINARY_SNIFF_BYTES = 8192
# Unicode's White_Space characters, and U+FEFF (a byte-order mark, or a zero-width no-break
# space): a file of only these has no text (ENC003), whichever of them it holds
WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
               "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
# Encodings a Chinese corpus file that is not UTF-8 plausibly is (charset-normalizer names)
LEGACY_CANDIDATES = ("gb18030", "big5", "utf_16", "shift_jis")
ENCODING_NAMES = {"gb18030": "GB18030/GBK", "big5": "Big5", "utf_16": "UTF-16",
                  "shift_jis": "Shift_JIS"}


UTF32_BOMS = {b"\xff\xfe\x00\x00": "little", b"\x00\x00\xfe\xff": "big"}
UTF16_BOMS = {b"\xff\xfe": "little", b"\xfe\xff": "big"}
UNICODE_SNIFF_BYTES = 16384
MIN_TEXT_SHARE = 0.9  # of plausible characters in a UTF-32/UTF-16 decode without byte-order mark
# Characters a Chinese corpus text consists of: ASCII, Latin, general punctuation, the CJK
# blocks (radicals … unified ideographs), compatibility ideographs and forms, full-width forms,
# and the supplementary ideographs. Bytes in the wrong encoding or order decode to others.
PLAUSIBLE = re.compile("[\t\n\r -~\u00a0-\u024f\u2000-\u206f\u2e80-\u9fff\uf900-\ufaff"
                       "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]+")


def _plausible_share(text: str) -> float:
    return 1 - len(PLAUSIBLE.sub("", text)) / len(text) if text else 0.0


def unicode_encoding(data: bytes) -> str:
    """How bytes holding NULs read as UTF-32 or UTF-16 text ("" when they do not): by the
    byte-order mark, else by the byte order whose decode reads as text (a binary file decodes to
    control, unassigned and private-use characters and fails); on a tie, UTF-16 ASCII's NUL
    bytes say the order (odd offsets: little-endian)."""
    sample = data[:UNICODE_SNIFF_BYTES]
    for boms, name in ((UTF32_BOMS, "UTF-32"), (UTF16_BOMS, "UTF-16")):
        for bom, order in boms.items():
            if sample.startswith(bom):
                return f"{name} text ({order}-endian, byte-order mark {bom.hex(' ').upper()})"
    odd_nuls = sample[1::2].count(0)
    for unit, name in ((4, "UTF-32"), (2, "UTF-16")):
        body = sample[:len(sample) - len(sample) % unit]
        scores = {order: _plausible_share(body.decode(f"utf-{unit * 8}-{order[0]}e", "replace"))
                  for order in ("little", "big")}
        best = max(scores, key=lambda o: (scores[o], (odd_nuls * 2 >= sample.count(0)) == (o == "little")))
        if scores[best] >= MIN_TEXT_SHARE:
            return f"{name} text ({best}-endian, no byte-order mark)"
    return ""


def likely_encoding(data: bytes) -> str:
    """The likely legacy encoding of bytes that are not UTF-8 ("" when nothing fits).

    charset-normalizer, restricted to the encodings a Chinese corpus file plausibly has, so it
    cannot answer with an exotic code page. Imported only when a file fails to decode. UTF-32
    and UTF-16 are recognised first (byte-order mark, or NUL bytes where they would be).
    """
    found = unicode_encoding(data) if b"\x00" in data[:UNICODE_SNIFF_BYTES] else ""
    if found or data.startswith(tuple(UTF16_BOMS)):
        return found.split(" ", 1)[0] or "UTF-16"
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
        found = unicode_encoding(data)
        doc.problems.append(LoadProblem("binary", line, column, column + 1,
                                        detail=f"NUL byte: {found}" if found
                                        else "NUL byte: a binary file, or UTF-16/UTF-32 text",
                                        evidence="NUL"))
        return doc
    try:
        doc.text = data.decode("utf-8")
        if not doc.text.strip(WHITE_SPACE):  # U+3000, U+00A0 … are white space too
            only_bom = not doc.text.strip("\ufeff")
            doc.problems.append(LoadProblem("empty", detail="the file holds only a byte-order mark"
                                            if only_bom else "the file holds only white space"))
    except UnicodeDecodeError as exc:
        line, column = locate_byte(data, exc.start)
        bad = data[exc.start:exc.end]
        guess = doc.cache["encoding_guess"] = likely_encoding(data)
        doc.problems.append(LoadProblem("invalid_utf8", line, column, column + 1,
                                        detail=f"byte 0x{bad.hex()} at offset {exc.start}"
                                        + (f"; looks like {guess}" if guess else ""),
                                        evidence=bad.hex()))
    return doc


# Files above this size are reported (ENC012) instead of read. A run's limit (the configuration's
# ``max_file_bytes``) is ``Settings.max_file_bytes``, passed to :func:`load` with the work.
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024


def _file_kind(mode: int) -> str:
    """Why a corpus path that is not a regular file is not read."""
    return "is a directory" if stat.S_ISDIR(mode) else f"not a regular file: {kind_of(mode)}"


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


def _shown(text: str) -> str:
    """A path for a one-line message: undecodable bytes and control characters escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in printable_path(text))


def _inside(real: str, fs_path: str, root: str | None) -> bool:
    """Whether the real path ``real`` of ``fs_path`` is inside its root. A root that is already
    a real path (``CorpusFile.root`` is) needs no resolving: that costs a system call a folder."""
    base = os.path.abspath(root or os.path.dirname(os.path.abspath(fs_path)))
    return is_inside(real, base) or is_inside(real, os.path.realpath(base))


def outside_root(fs_path: str, root: str | None = None) -> str:
    """Why ``fs_path`` is not read ("" when it may be): its real path (every symlink resolved)
    is not inside the real path of ``root``, its corpus root. Without a root, the file's own
    folder is its root: a symlink then reaches only files beside it or below. Only metadata of
    an outside target is looked at, never its content."""
    real = os.path.realpath(fs_path)
    if _inside(real, fs_path, root):
        return ""
    try:
        mode = os.stat(real).st_mode
    except OSError:
        mode = None
    return _outside(fs_path, real, mode)


def _outside(fs_path: str, real: str, mode: int | None) -> str:
    """The finding's detail for a path leading outside the root: the link as written (what the
    pull request contains), else the real path; what kind of thing is there; never its content."""
    kind = "a missing file" if mode is None else kind_of(mode)
    if os.path.islink(fs_path):
        with contextlib.suppress(OSError):
            real = os.readlink(fs_path)
        return f"a symbolic link to {kind} outside the corpus root ({_shown(real)}), not read"
    return f"a path through a symbolic link to {kind} outside the corpus root ({_shown(real)}), not read"


def kind_of(mode: int) -> str:
    """What a file system entry is, in the words of findings and errors (outputs.py too)."""
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


def _open_inside(fs_path: str, root: str | None) -> int:
    """Open ``fs_path`` for reading only when it lies inside its corpus root. On Linux the path
    is first opened with O_PATH (no access to the content, no device driver called), the kernel
    says where that is (/proc/self/fd), and only a file inside the root is then opened for
    reading through that same descriptor: the check and the open see one file, so a symlink
    swapped in meanwhile gains nothing. Elsewhere: resolve, check, open the resolved path
    without following a final symlink. Raises :class:`OutsideRoot` or OSError."""
    o_path = getattr(os, "O_PATH", 0)
    nonblock = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO without a writer must not block
    if o_path:
        handle = os.open(fs_path, o_path | os.O_CLOEXEC)
        try:
            try:
                opened = os.readlink(f"/proc/self/fd/{handle}")
            except OSError:
                opened = None  # no /proc: the portable way below
            if opened is not None:
                if not _inside(opened.removesuffix(" (deleted)"), fs_path, root):
                    raise OutsideRoot(_outside(fs_path, opened, os.fstat(handle).st_mode))
                return os.open(f"/proc/self/fd/{handle}", os.O_RDONLY | nonblock | os.O_CLOEXEC)
        finally:
            os.close(handle)
    reason = outside_root(fs_path, root)
    if reason:
        raise OutsideRoot(reason)
    real = os.path.realpath(fs_path)
    fd = os.open(real, os.O_RDONLY | nonblock | getattr(os, "O_NOFOLLOW", 0))
    try:
        info, now = os.fstat(fd), os.stat(real, follow_symlinks=False)
        if (info.st_dev, info.st_ino) != (now.st_dev, now.st_ino):
            raise OutsideRoot("a path that changed while it was checked, not read")
    except BaseException:
        os.close(fd)
        raise
    return fd


class OutsideRoot(Exception):
    """A corpus file whose real path is outside its corpus root (never opened)."""


def read_bytes(path: str, fs_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES,
               root: str | None = None) -> bytes | Document:
    """Read a file once: its bytes, or the :class:`Document` of why it was not read (I/O errors,
    permissions, symlink loops, vanished files, too large, outside its root).

    Only regular files are read (a FIFO, socket or device in the corpus would block or never
    end), and at most ``max_bytes`` of them: a larger file, or one that grows past the limit
    while it is read, is reported as too large, never read whole. Only files inside ``root``
    (``CorpusFile.root``; default: the file's own folder) are opened.
    """
    limit = max_bytes
    try:
        fd = _open_inside(fs_path, root)
    except OutsideRoot as exc:
        return _unreadable(path, fs_path, str(exc))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, IsADirectoryError):
            reason = "is a directory"
        elif os.path.isdir(fs_path):  # discovery could not list it either
            reason = f"folder cannot be listed: {reason}"
        return _unreadable(path, fs_path, reason)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _unreadable(path, fs_path, _file_kind(info.st_mode))
        if info.st_size > limit:
            return too_large(path, fs_path, info.st_size, limit)
        data = _read_to_end(fd, info.st_size, limit + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return _unreadable(path, fs_path, reason)
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew past the limit while it was read
        return too_large(path, fs_path, len(data), limit)
    return data


def _read_to_end(fd: int, size: int, most: int) -> bytes:
    """What ``fd`` holds from where it stands to its end, but at most ``most`` bytes: first the
    ``size`` the file had when it was opened (one buffer of that size, not of ``most``: a read
    asked for 200 MB allocated that much for a 20 KB file), then whatever it grew by."""
    parts = []
    want = min(size + 1, most)
    while want > 0 and (piece := os.read(fd, want)):
        parts.append(piece)
        most -= len(piece)
        want = min(max(want - len(piece), 1 << 16), most)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def load(path: str, fs_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES,
         root: str | None = None) -> Document:
    """Read (:func:`read_bytes`) and decode a file once; what prevents reading is a finding."""
    got = read_bytes(path, fs_path, max_bytes, root)
    return got if isinstance(got, Document) else decode(path, got, fs_path)


def is_readable_file(fs_path: str) -> bool:
    return os.path.isfile(fs_path)
