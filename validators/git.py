"""Git-aware discovery: files changed since a ref, and the files of a repository.

Paths come from git with ``-z`` (NUL-separated, never quoted), so a Chinese file name arrives as
its bytes and is decoded with the file-system encoding, exactly like a path from ``os.walk``.
Every git failure (no git, not a repository, an unknown ref, no merge base in a shallow clone)
is a :class:`~validators.errors.UsageError` with a one-line reason (exit 2).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from validators.discover import CorpusFile, display_path, matches
from validators.errors import UsageError

GIT_TIMEOUT = 120  # seconds; a git call that takes longer is reported, not waited on forever


class GitError(UsageError):
    """A git command failed; the message is git's last line of stderr."""


def _git(args: list[str], cwd: Path) -> bytes:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env,
                              timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed (needed for --changed-since and the hooks)") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"`git {' '.join(args[:2])}` did not finish in {GIT_TIMEOUT} s") from None
    if proc.returncode != 0:
        reason = os.fsdecode(proc.stderr).strip().splitlines()
        raise GitError(reason[-1] if reason else f"git {args[0]} failed")
    return proc.stdout


def _split_z(output: bytes) -> list[str]:
    return [os.fsdecode(part) for part in output.split(b"\0") if part]


def toplevel(cwd: Path | None = None) -> Path:
    here = Path.cwd() if cwd is None else cwd
    try:
        out = _git(["rev-parse", "--show-toplevel"], here)
    except GitError:
        raise UsageError(f"{here}: not inside a git repository") from None
    return Path(os.fsdecode(out.rstrip(b"\n")))


def merge_base(ref: str, cwd: Path | None = None) -> str:
    """The merge base of ``ref`` and HEAD (what a pull request's diff is computed against)."""
    here = Path.cwd() if cwd is None else cwd
    if ref.startswith("-"):
        raise UsageError(f"--changed-since: {ref!r} is not a git revision")
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], here)
    except GitError:
        raise UsageError(f"--changed-since: unknown git revision {ref!r} (in CI, fetch it first, "
                         "e.g. `git fetch origin main`)") from None
    try:
        return os.fsdecode(_git(["merge-base", "--end-of-options", ref, "HEAD"], here)).strip()
    except GitError:
        raise UsageError(f"--changed-since: {ref!r} and HEAD have no merge base (in a shallow "
                         "clone, fetch more history: `git fetch --unshallow`, or "
                         "actions/checkout with fetch-depth: 0)") from None


def changed_files(ref: str, cwd: Path | None = None) -> list[Path]:
    """Absolute paths of files that exist and differ from the merge base of ``ref`` and HEAD:
    committed since then, staged, modified in the work tree, or untracked but not ignored."""
    here = Path.cwd() if cwd is None else cwd
    top = toplevel(here)
    base = merge_base(ref, top)
    diff = _git(["-c", "core.quotepath=false", "diff", "-z", "--name-only", "--no-renames",
                 "--no-ext-diff", "--diff-filter=d", base, "--"], top)
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], top)
    found = {top / rel for rel in (*_split_z(diff), *_split_z(untracked))}
    return sorted(p for p in found if p.is_file())


def repository_files(cwd: Path | None = None) -> list[Path]:
    """Absolute paths of the repository's files: tracked (staged included) and untracked but not
    ignored, as a corpus-wide hook sees the corpus when no ``paths`` are configured."""
    top = toplevel(Path.cwd() if cwd is None else cwd)
    out = _git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], top)
    return sorted({top / rel for rel in _split_z(out) if (top / rel).is_file()})


def repository_root(folder: Path) -> Path | None:
    """The top of the git repository that holds ``folder``; None when it is in none (git itself
    missing is still an error: without it, ignored files cannot be told apart)."""
    try:
        out = _git(["rev-parse", "--show-toplevel"], folder)
    except GitError:
        return None
    return Path(os.fsdecode(out.rstrip(b"\n")))


def corpus_files_under(folder: Path, include: list[str] | tuple[str, ...],
                       exclude: list[str] | tuple[str, ...]) -> list[CorpusFile]:
    """The corpus of a configuration without ``paths``: the files under ``folder`` (the
    configuration's folder) that its repository tracks or that are untracked but not ignored,
    matching include/exclude relative to ``folder``. A folder outside any git repository is
    walked like a PATH argument (nothing can be ignored there)."""
    from validators.discover import discover

    folder = folder.resolve()
    top = repository_root(folder)
    if top is None:
        return discover([str(folder)], include, exclude)
    found = {}
    for path in repository_files(top):
        try:
            rel = path.relative_to(folder).as_posix()
        except ValueError:
            continue
        if matches(rel, include) and not matches(rel, exclude):
            shown = display_path(path)
            found[shown] = CorpusFile(shown, str(path), rel, str(folder))
    return [found[key] for key in sorted(found)]


def paths_repository(paths: list[str]) -> Path:
    """The one repository that holds every PATH (``--changed-since`` diffs in that repository,
    not in the working directory's); a one-line error when they lie in none or in several."""
    tops: dict[Path, str] = {}
    for name in paths:
        path = Path(name)
        folder = path if path.is_dir() else path.parent
        top = repository_root(folder.resolve() if str(folder) else Path.cwd())
        if top is None:
            raise UsageError(f"--changed-since: {name} is not inside a git repository")
        tops.setdefault(top, name)
    if len(tops) > 1:
        (a, first), (b, second) = list(tops.items())[:2]
        raise UsageError(f"--changed-since: the paths lie in different git repositories ({first} "
                         f"in {a}, {second} in {b}); check one repository at a time")
    return next(iter(tops))


def corpus_files_in_repository(include: list[str] | tuple[str, ...],
                               exclude: list[str] | tuple[str, ...],
                               cwd: Path | None = None) -> list[CorpusFile]:
    """The corpus of a repository without configured paths: its files matching include/exclude."""
    top = toplevel(Path.cwd() if cwd is None else cwd)
    found = {}
    for path in repository_files(top):
        rel = path.relative_to(top).as_posix()
        if matches(rel, include) and not matches(rel, exclude):
            shown = display_path(path)
            found[shown] = CorpusFile(shown, str(path), rel, os.path.realpath(top))
    return [found[key] for key in sorted(found)]
