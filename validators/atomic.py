"""Atomic file writes: a temporary file in the same folder, fsync, then rename over the target.

An interrupted write (a killed process, a full disk) leaves either the old file or the new one,
never a half-written corpus file, cache entry or report. Permissions of an existing file are kept.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """``durable=False`` skips the fsync: still all-or-nothing for concurrent readers, but a power
    loss may leave an empty or partial file (fine for a checksummed cache entry)."""
    target = Path(path)
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = target.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
