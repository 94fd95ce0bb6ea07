"""What names and signs data kept outside the work tree: the per-user secret key and a hash of
this package's code.

Both the result cache (:mod:`validators.cache`) and the tables derived from installed libraries
(:mod:`validators.derived`) authenticate what they read back with the key, and name it by the code
that wrote it. Kept apart from the cache so that loading the script sets (used by the rules) needs
neither the cache nor the rules.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
import time
from functools import lru_cache
from pathlib import Path

KEY_SIZE = 32
KEY_DIR_ENV = "CORPUS_VALIDATE_KEY_DIR"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the package's Python sources: a changed check type invalidates the cache even
    when the version number did not change (an editable install during development)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def key_directory() -> Path | None:
    """Where the per-user key lives: ``$CORPUS_VALIDATE_KEY_DIR``, else
    ``$XDG_CACHE_HOME/corpus-validators`` (an absolute XDG path only, as the XDG spec says), else
    ``~/.cache/corpus-validators``; None when there is no home directory."""
    explicit = os.environ.get(KEY_DIR_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "corpus-validators"
    try:
        return Path.home() / ".cache" / "corpus-validators"
    except (RuntimeError, KeyError, OSError):
        return None


def _owned_by_me(info: os.stat_result) -> bool:
    return not hasattr(os, "geteuid") or info.st_uid == os.geteuid()


class _ShortKey(ValueError):
    """A key file of the wrong size: being written by another process, or damaged."""


def _read_key(path: Path) -> bytes:
    """The key in ``path``; FileNotFoundError when it is missing, ValueError when it exists but
    must not be used."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as the key must not block the open
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if os.path.islink(path):
            raise ValueError(f"the key {path} is a symlink") from None
        raise ValueError(f"the key {path} cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"the key {path} is not a regular file")
        if not _owned_by_me(info) or info.st_mode & 0o077:
            raise ValueError(f"the key {path} is not private to this user (it must be mode 0600)")
        data = os.read(fd, KEY_SIZE + 1)
    finally:
        os.close(fd)
    if len(data) != KEY_SIZE:
        raise _ShortKey(f"the key {path} is not {KEY_SIZE} bytes (damaged? delete it)")
    return data


def _create_key(folder: Path, path: Path) -> None:
    """Write a new random key to ``path`` unless one exists: written whole to a private temporary
    file, then hard-linked into place, which fails if another process won the race (its key is
    the one everybody then reads). Where hard links are not supported, ``path`` itself is created
    with O_EXCL."""
    excl = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    secret = secrets.token_bytes(KEY_SIZE)
    temp = folder / f".key.{os.getpid()}.{secrets.token_hex(8)}.tmp"
    fd = os.open(temp, excl, 0o600)
    try:
        try:
            with contextlib.suppress(AttributeError):
                os.fchmod(fd, 0o600)  # whatever the umask
            os.write(fd, secret)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)
        except FileExistsError:
            return
        except OSError:
            fd = os.open(path, excl, 0o600)  # FileExistsError: another process won
            try:
                os.write(fd, secret)
            finally:
                os.close(fd)
    except FileExistsError:
        return
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def load_key(folder: Path | None = None) -> tuple[bytes | None, str | None]:
    """The per-user secret key, created on first use: ``(key, None)``, or ``(None, reason)`` when
    there is none to be had (the caller then runs without the cache). ``folder``: see
    :func:`key_directory`."""
    folder = folder if folder is not None else key_directory()
    if folder is None:
        return None, "no home directory for the cache key"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode):
            return None, f"the key folder {folder} is not a directory (a symlink?)"
        if not _owned_by_me(info) or info.st_mode & 0o022:
            return None, f"the key folder {folder} is writable by others"
        path = folder / "key"
        for attempt in range(20):
            try:
                return _read_key(path), None
            except FileNotFoundError:
                _create_key(folder, path)
            except _ShortKey as exc:
                if attempt == 19:
                    return None, str(exc)
                time.sleep(0.02)  # another process is writing it (no-hard-link fallback only)
            except ValueError as exc:
                return None, str(exc)
        return None, f"the key {path} could not be created"
    except OSError as exc:
        return None, f"no cache key in {folder} ({exc.strerror or exc})"
