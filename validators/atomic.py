"""Atomic file writes: a temporary file in the same folder, fsync, then rename over the target.

An interrupted write (a killed process, a full disk) leaves either the old file or the new one,
never a half-written corpus file, cache entry or report. Permissions of an existing file are kept,
and so are its owner and group where the process may set them (root, or a group it belongs to).
Only a regular file (or nothing) is ever renamed over: a device node, FIFO, socket or folder at
the target is an ``OSError``, never replaced (``--html /dev/null`` as root once replaced
``/dev/null``). Writing *into* a device or FIFO is :mod:`validators.outputs`' business.

The temporary file is ``.<name>.cv<pid>.<random>.tmp``: a process killed with SIGKILL (or a
machine that lost power) cannot remove it, so the name carries the writer's process id, and
:func:`leftover_temp_files` finds those whose writer is gone (``check`` reports them in the corpus,
``check --fix`` removes them).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

TEMP_MARK = ".cv"  # .<name>.cv<pid>.<random>.tmp
LEFTOVER = re.compile(r"\A\.(?P<name>.+)\.cv(?P<pid>[0-9]+)\.[A-Za-z0-9_]+\.tmp\Z", re.S)


@dataclass(frozen=True)
class Leftover:
    """A temporary file of an atomic write whose process is gone."""

    path: str
    target: str  # the file it was going to replace
    pid: int


def _process_gone(pid: int) -> bool:
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it exists, another user's
        return False
    return False


def leftover_temp_files(folders: Iterable[str | os.PathLike[str]]) -> list[Leftover]:
    """The temporary files of interrupted atomic writes in ``folders`` (not below them) whose
    writing process no longer exists; a live writer's file is left alone (a concurrent run)."""
    found: list[Leftover] = []
    for folder in sorted({os.fspath(f) for f in folders}):
        try:
            with os.scandir(folder) as entries:
                names = [(e.name, e.path) for e in entries
                         if e.name.endswith(".tmp") and e.is_file(follow_symlinks=False)]
        except OSError:
            continue
        for name, path in sorted(names):
            match = LEFTOVER.match(name)
            if match and _process_gone(int(match["pid"])):
                found.append(Leftover(path, os.path.join(folder, match["name"]), int(match["pid"])))
    return found


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _chown_as(fd: int, original: os.stat_result) -> None:
    """Give the new file the original's owner and group; without the right to (EPERM: not root),
    at least its group when the process belongs to it; else keep what the process created."""
    for uid in (original.st_uid, -1):
        try:
            os.fchown(fd, uid, original.st_gid)
            return
        except PermissionError:
            continue


CHUNK = 1 << 20


def chunks(data: bytes | BinaryIO) -> Iterator[bytes]:
    """``data`` itself, or a binary file's content from where it stands, a MiB at a time."""
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data) if not isinstance(data, bytes) else data
        return
    while piece := data.read(CHUNK):
        yield piece


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes | BinaryIO, *,
                       durable: bool = True, new_mode: int | None = None) -> None:
    """``data``: bytes, or a binary file copied from where it stands to its end. ``durable=False``
    skips the fsync: still all-or-nothing for concurrent readers, but a power loss may leave an
    empty or partial file (fine for a checksummed cache entry). ``new_mode``: the permissions of
    a file that did not exist (less the umask); default 0600, mkstemp's."""
    with atomic_writer(path, durable=durable, new_mode=new_mode) as handle:
        for piece in chunks(data):
            handle.write(piece)


def _replaceable(target: Path) -> os.stat_result | None:
    """The status of the regular file at ``target`` (through a symlink: the link itself is
    replaced, a regular file behind it lends its mode and owner), None when there is none;
    OSError when something else is there (only a regular file is ever replaced)."""
    existing = None
    with contextlib.suppress(FileNotFoundError):
        existing = target.lstat()
    if existing is not None and stat.S_ISLNK(existing.st_mode):
        try:
            existing = target.stat()
        except OSError:
            existing = None
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            existing = None
    elif existing is not None and not stat.S_ISREG(existing.st_mode):
        raise OSError(errno.EINVAL, "not a regular file (only a regular file is ever replaced)",
                      str(target))
    return existing


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *, durable: bool = True,
                  new_mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary file to write the new content of ``path`` into (a temporary file in its folder),
    renamed over ``path`` when the block ends without an exception and removed when it raises:
    a large report is written once, straight into place, never held or copied. The target is
    checked when the block starts and again right before the rename (it may have been replaced
    by a device or a folder meanwhile); ``durable`` and ``new_mode`` as for
    :func:`write_bytes_atomic`."""
    target = Path(path)
    existing = _replaceable(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{TEMP_MARK}{os.getpid()}.", suffix=".tmp",
                               dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            existing = _replaceable(target) if existing is not None else existing
            if existing is not None:
                mine = os.fstat(handle.fileno())
                if (mine.st_uid, mine.st_gid) != (existing.st_uid, existing.st_gid):
                    _chown_as(handle.fileno(), existing)
                os.fchmod(handle.fileno(), stat.S_IMODE(existing.st_mode))  # after chown: it clears set-id bits
            elif new_mode is not None:
                os.fchmod(handle.fileno(), new_mode & ~_umask())
            if durable:
                os.fsync(handle.fileno())
        if existing is None:
            _replaceable(target)  # nothing was there: nor may a device or folder be now
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
