"""Discovery stage: expand PATH arguments into an ordered list of corpus files.

Deterministic (sorted) order; include/exclude globs with ``**``; directories are walked without
following directory symlinks, so a symlink loop cannot make the walk run forever.

The corpus ends at its root: every :class:`CorpusFile` carries the real path of the root it was
found under, and the load stage does not open a file whose real path (symlinks resolved) leads
outside it (ENC004, the link is named, the target never read). The root of a folder argument is
that folder. The root of a file argument is the working directory when the file's folder lies
inside it (``check corpus/a.txt`` run from the project, as pre-commit does), else the file's own
folder; so ``corpus/x.txt -> /etc/passwd`` is never read, whichever way it is named. A folder
that cannot be listed is not skipped silently: it becomes a corpus file of its own, which loads
as an ENC004 finding ("folder cannot be listed").
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from validators.errors import UsageError

DEFAULT_INCLUDE = ("**/*.txt",)


@dataclass(frozen=True, slots=True)
class CorpusFile:
    path: str      # display path and finding path: relative to the working directory when possible
    fs_path: str   # what to open
    doc_id: str    # relative to the corpus root it was found under
    root: str = ""  # real path of that corpus root; "" (unknown): the load stage uses the file's folder


@lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob with ``**`` (any number of directories) into a regex on POSIX paths."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(rel: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """A pattern with a '/' matches the relative path; one without also matches the file name."""
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        regex = glob_to_regex(pattern)
        if regex.match(rel) or ("/" not in pattern and regex.match(name)):
            return True
    return False


def printable_path(text: str) -> str:
    """A path every report can encode: the bytes of a file name that is not UTF-8 (which Python
    carries as lone surrogates) are shown as ``\\xNN``; the file is still opened by its real name
    (``CorpusFile.fs_path``)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def display_path(path: Path, folders: dict[Path, str | None] | None = None) -> str:
    """The path relative to the working directory. Only the folder is resolved: a symlinked
    file (or a symlink loop) is shown under its own name, not its target's. ``folders``: the
    shown form of folders already resolved in this walk (one ``resolve`` per folder, not per
    file: a folder of 10 000 files)."""
    folders = {} if folders is None else folders
    parent = path.parent
    if parent not in folders:
        try:
            folders[parent] = parent.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            folders[parent] = None
    shown_folder = folders[parent]
    if shown_folder is None:
        shown = path.as_posix()
    else:
        shown = path.name if shown_folder == "." else f"{shown_folder}/{path.name}"
    return printable_path(shown)


def is_inside(real_path: str, real_root: str) -> bool:
    """Whether ``real_path`` is ``real_root`` or below it (both already resolved)."""
    prefix = real_root if real_root.endswith(os.sep) else real_root + os.sep
    return real_path == real_root or real_path.startswith(prefix)


def file_root(path: Path) -> str:
    """The corpus root of a file given by itself: the working directory when the file's folder
    lies inside it, else that folder (see the module docstring)."""
    folder = os.path.realpath(path.parent)
    here = os.path.realpath(os.getcwd())
    return here if is_inside(folder, here) else folder


def discover(paths: list[str], include: tuple[str, ...] | list[str] = DEFAULT_INCLUDE,
             exclude: tuple[str, ...] | list[str] = ()) -> list[CorpusFile]:
    """Corpus files under ``paths``; a missing path is a usage error (exit 2)."""
    found: dict[str, CorpusFile] = {}
    folders: dict[Path, str | None] = {}  # display_path's resolved folders, for this walk
    for arg in paths:
        root = Path(arg)
        if root.is_dir():
            real_root = os.path.realpath(root)
            unlisted: list[OSError] = []
            for dirpath, dirnames, filenames in os.walk(root, onerror=unlisted.append,
                                                        followlinks=False):
                dirnames.sort()
                for name in filenames:
                    fs = Path(dirpath) / name
                    rel = fs.relative_to(root).as_posix()
                    if matches(rel, include) and not matches(rel, exclude):
                        shown = display_path(fs, folders)
                        found.setdefault(shown, CorpusFile(shown, str(fs), printable_path(rel), real_root))
            for error in unlisted:  # a folder os.walk could not list: reported, not skipped
                folder = Path(error.filename if error.filename is not None else root)
                rel = folder.relative_to(root).as_posix()
                if not (matches(rel, exclude) or matches(rel + "/", exclude)):
                    shown = display_path(folder)
                    found.setdefault(shown, CorpusFile(shown, str(folder), printable_path(rel), real_root))
        elif root.exists() or root.is_symlink():
            rel = root.name
            if not matches(root.as_posix(), exclude):
                shown = display_path(root) if root.exists() else printable_path(root.as_posix())
                found.setdefault(shown, CorpusFile(shown, str(root), printable_path(rel), file_root(root)))
        else:
            raise UsageError(f"{arg}: no such file or directory")
    return [found[key] for key in sorted(found)]
