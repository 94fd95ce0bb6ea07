"""Where a report, a table or a baseline may be written, and how: the one gate every writer uses.

``check --output`` / ``--html``, ``baseline --output`` and ``extract --out`` write through an
:class:`OutputGuard` made from the run's corpus files (``check --fix`` uses :func:`replace_file`).
The rules, by what the target is:

* a regular file, or nothing yet: replaced atomically (a temporary file in the same folder, then a
  rename; missing parent folders are created), keeping its permissions and, where the process may,
  its owner and group; a new file gets 0666 less the umask, like the shell's ``>``;
* a character device or a FIFO (``/dev/stdout``, ``/dev/null``, a named pipe another program
  reads): opened for writing without creating, truncating or renaming anything, and written into.
  A FIFO that no program reads is an error, not a hang;
* a folder, a socket, a block device or any other special file: a one-line usage error (exit 2),
  nothing written;
* a file of the corpus being checked, however it is spelled: refused (exit 2), the corpus
  untouched. Files are compared by identity (device and inode), so ``./corpus/a.txt``, an absolute
  path, a hard link and a symlink to a corpus file are all caught.

A symlink as the target is followed, as the shell's ``>`` follows it: the rules apply to the file
it points to (a link to a device writes into the device, a link to a corpus file is refused), a
regular file behind it is replaced in its own folder and the link stays a link, and a dangling link
creates the file it names.

Commands :meth:`~OutputGuard.check` their targets before the run does its work (a refused output
fails at once, not after checking 10 GB); :meth:`~OutputGuard.write` checks again right before
writing, so a file swapped in meanwhile is caught too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from validators.atomic import atomic_writer, chunks, write_bytes_atomic
from validators.errors import UsageError
from validators.load import kind_of

NEW_FILE_MODE = 0o666  # less the umask
SPOOL_BYTES = 8 << 20  # a report for a device or FIFO is kept in memory up to this, then on disk


def _writes_into(mode: int) -> bool:
    """Targets written into rather than replaced: a rename would destroy them."""
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


class OutputGuard:
    """The output targets of one run; ``corpus`` are the paths of its corpus files (``fs_path``),
    none of which is ever written."""

    def __init__(self, corpus: Iterable[str | os.PathLike[str]] = ()) -> None:
        self._corpus = [os.fspath(p) for p in corpus]

    @classmethod
    def for_files(cls, files: Iterable[Any]) -> OutputGuard:
        """From :class:`validators.discover.CorpusFile` objects."""
        return cls(f.fs_path for f in files)

    def corpus_file_at(self, st: os.stat_result) -> str | None:
        """The corpus file that *is* the file ``st`` describes (same device and inode), if any.
        Stats the corpus files now, not at construction: ``--fix`` gives them new inodes."""
        for path in self._corpus:
            try:
                other = os.stat(path)
            except OSError:
                continue
            if other.st_ino == st.st_ino and other.st_dev == st.st_dev:
                return path
        return None

    def _inspect(self, path: str | os.PathLike[str], what: str) -> tuple[Path, os.stat_result | None]:
        """(the file to write, its status or None when it does not exist yet), or UsageError."""
        shown = os.fspath(path)
        try:
            st = os.stat(path)  # the kernel follows links, /proc's pipe links included
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise UsageError(f"{shown}: cannot write the {what}: {exc.strerror or exc}") from None
        if st is not None:
            corpus = self.corpus_file_at(st)
            if corpus is not None:
                spelled = "" if os.path.normpath(corpus) == os.path.normpath(shown) else f" ({corpus})"
                raise UsageError(f"{shown}: is a file of the corpus being checked{spelled}; "
                                 f"refusing to overwrite it with the {what}")
            if _writes_into(st.st_mode):
                return Path(path), st
            if not stat.S_ISREG(st.st_mode):
                raise UsageError(f"{shown}: is {kind_of(st.st_mode)}; the {what} can only be written to "
                                 "a file, a FIFO or a character device")
        resolved = Path(os.path.realpath(path))
        if st is not None:  # the regular file, reached through any links: replace it where it is
            try:
                same = os.stat(resolved)
            except OSError:
                same = None
            if same is None or (same.st_dev, same.st_ino) != (st.st_dev, st.st_ino):
                raise UsageError(f"{shown}: cannot tell which file that is; give the {what} a plain "
                                 "file name")
        folder = next((p for p in resolved.parents if os.path.lexists(p)), None)
        if folder is not None and not folder.is_dir():
            raise UsageError(f"{shown}: cannot write the {what} there: {folder} is not a folder")
        if folder is not None and not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"{shown}: cannot write the {what}: no permission to write in {folder}")
        return resolved, st

    def check(self, path: str | os.PathLike[str], what: str) -> Path:
        """Refuse (UsageError) a target the rules forbid; the file that would be written."""
        return self._inspect(path, what)[0]

    def write(self, path: str | os.PathLike[str], data: bytes | BinaryIO, what: str) -> Path:
        """Check ``path`` again and write ``data`` (bytes, or a binary file read from where it
        stands to its end) there (atomically, or into a device or FIFO)."""
        target, st = self._inspect(path, what)
        shown = os.fspath(path)
        if st is not None and _writes_into(st.st_mode):
            _write_into(target, data, shown, what)
            return target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, data, new_mode=NEW_FILE_MODE)
        except OSError as exc:
            raise UsageError(f"{shown}: cannot write the {what}: {exc.strerror or exc}") from None
        return target


    @contextlib.contextmanager
    def writer(self, path: str | os.PathLike[str], what: str) -> Iterator[BinaryIO]:
        """A binary file to write ``path``'s new content into as it is made: for a regular file
        (or none yet) the temporary file of an atomic write, renamed into place when the block
        ends (the target is checked again first) and removed if it raises, so a report of
        300 000 findings is written once and never held or copied; for a device or FIFO a spool
        (memory up to :data:`SPOOL_BYTES`, then an anonymous temporary file) written into it
        once whole, so a reader never sees half a report."""
        target, st = self._inspect(path, what)
        shown = os.fspath(path)
        if st is not None and _writes_into(st.st_mode):
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as spool:
                yield spool  # type: ignore[misc]
                spool.seek(0)
                self.write(path, spool, what)  # type: ignore[arg-type]  # (checked again)
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_writer(target, new_mode=NEW_FILE_MODE) as handle:
                yield handle
                if self._inspect(path, what)[0] != target:
                    raise UsageError(f"{shown}: changed while the run was working; the {what} "
                                     "was not written")
        except OSError as exc:
            raise UsageError(f"{shown}: cannot write the {what}: {exc.strerror or exc}") from None


def _write_into(path: Path, data: bytes | BinaryIO, shown: str, what: str) -> None:
    """Write into a character device or FIFO: no O_CREAT/O_TRUNC, no rename; O_NONBLOCK so that
    a FIFO without a reader fails (ENXIO) instead of blocking forever."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise UsageError(f"{shown}: no program is reading that FIFO; start the reader first "
                             f"(the {what} was not written)") from None
        raise UsageError(f"{shown}: cannot write the {what}: {exc.strerror or exc}") from None
    try:
        if not _writes_into(os.fstat(fd).st_mode):  # swapped for a regular file since the check
            raise UsageError(f"{shown}: changed while the run was working; the {what} was not "
                             "written")
        os.set_blocking(fd, True)
        for piece in chunks(data):
            view = memoryview(piece)
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError(errno.EIO, "the device accepts no more data")
                view = view[written:]
    except BrokenPipeError:
        raise UsageError(f"{shown}: the reader closed the FIFO before the {what} was complete") from None
    except OSError as exc:
        raise UsageError(f"{shown}: cannot write the {what}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def replace_file(path: str | os.PathLike[str], data: bytes, original: os.stat_result) -> None:
    """Replace the regular file ``path`` (``check --fix``), which must still be the file
    ``original`` describes: never through a symlink, never a special file; the temporary file gets
    the original's permissions, owner and group before the rename. Raises OSError."""
    current = os.lstat(path)
    if stat.S_ISLNK(current.st_mode):
        raise OSError(errno.ELOOP, "became a symbolic link; not written through", os.fspath(path))
    if not stat.S_ISREG(current.st_mode) or (current.st_dev, current.st_ino) != (
            original.st_dev, original.st_ino):
        raise OSError(errno.ESTALE, "changed while it was being fixed; left alone", os.fspath(path))
    write_bytes_atomic(path, data)
