"""Discovery stage: expand PATH arguments into an ordered list of corpus files.

Deterministic (sorted) order; include/exclude globs with ``**``; directories are walked without
following directory symlinks, so a symlink loop cannot make the walk run forever.
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


def display_path(path: Path) -> str:
    """The path relative to the working directory. Only the folder is resolved: a symlinked
    file (or a symlink loop) is shown under its own name, not its target's."""
    try:
        shown = (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        shown = path.as_posix()
    return printable_path(shown)


def discover(paths: list[str], include: tuple[str, ...] | list[str] = DEFAULT_INCLUDE,
             exclude: tuple[str, ...] | list[str] = ()) -> list[CorpusFile]:
    """Corpus files under ``paths``; a missing path is a usage error (exit 2)."""
    found: dict[str, CorpusFile] = {}
    for arg in paths:
        root = Path(arg)
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames.sort()
                for name in filenames:
                    fs = Path(dirpath) / name
                    rel = fs.relative_to(root).as_posix()
                    if matches(rel, include) and not matches(rel, exclude):
                        shown = display_path(fs)
                        found.setdefault(shown, CorpusFile(shown, str(fs), printable_path(rel)))
        elif root.exists() or root.is_symlink():
            rel = root.name
            if not matches(root.as_posix(), exclude):
                shown = display_path(root) if root.exists() else printable_path(root.as_posix())
                found.setdefault(shown, CorpusFile(shown, str(root), printable_path(rel)))
        else:
            raise UsageError(f"{arg}: no such file or directory")
    return [found[key] for key in sorted(found)]
