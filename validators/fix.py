"""``check --fix`` / ``--diff``: each enabled rule marked ``fix: true`` repairs what it reports,
through its check type's own ``fix`` (see :class:`validators.checks.CheckType`).

A check type's fix is *safe* when it never changes what the text says (``--fix`` applies it:
converting an unambiguous legacy encoding to UTF-8, removing a BOM or zero-width clutter, LF
line endings, punctuation width, one region's variant forms for the other's) and *unsafe* when
it may (applied only with ``--unsafe-fixes``, as in ruff). Fixes run in rule-id order, each on
the text the previous one left. Mojibake repair (ENC011) is unsafe: only ``--unsafe-fixes``
applies it. Conversion between Simplified and Traditional is never applied (one form can stand
for several: the message suggests the conversion instead). Files are written with
:func:`validators.outputs.replace_file` (temporary file, fsync, rename; permissions, owner and
group kept), so an interrupted fix leaves the original file intact. Only regular files are
fixed: a corpus file that is a symlink is skipped with a reason, its target left alone.
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass, field

from validators.checks import FixTarget
from validators.checks.load_problem import unambiguous_decode
from validators.discover import CorpusFile
from validators.load import DEFAULT_MAX_FILE_BYTES, outside_root
from validators.outputs import replace_file
from validators.rules import RuleSet


@dataclass
class FixResult:
    path: str
    fs_path: str
    original: bytes
    fixed: bytes
    changes: list[str] = field(default_factory=list)
    skipped: str = ""          # why a wanted fix was not made (ambiguous encoding, I/O error)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fixing_rules(ruleset: RuleSet, unsafe: bool = False) -> RuleSet:
    """The rules whose fixes apply: enabled, marked ``fix: true``, their check type has a fix,
    and it is safe (or ``unsafe`` fixes are allowed); in rule-id order (ENC before PUN before
    SCR: the text is decoded, then cleaned, then corrected)."""
    allowed = ("safe", "unsafe") if unsafe else ("safe",)
    return RuleSet({r.id: r for r in sorted(ruleset.enabled(), key=lambda r: r.id)
                    if r.fix and r.fix_safety in allowed})


def unsafe_fixes_left(ruleset: RuleSet) -> list[str]:
    """Ids of enabled ``fix: true`` rules whose fixes only ``--unsafe-fixes`` applies."""
    return [r.id for r in ruleset.enabled() if r.fix and r.fix_safety == "unsafe"]


def fix_bytes(data: bytes, ruleset: RuleSet, unsafe: bool = False) -> tuple[bytes, list[str], str]:
    """The fixed bytes, what was changed, and why a wanted fix was skipped ("" if none), by the
    :func:`fixing_rules` of ``ruleset``."""
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    changes: list[str] = []
    skipped = ""
    for rule in fixing_rules(ruleset, unsafe):
        fix = rule.check.fix(FixTarget(data, text), rule.options)
        if fix is None:
            continue
        if fix.skipped:
            skipped = fix.skipped
        elif fix.text is not None and fix.text != text:
            text = fix.text
            changes.append(f"{rule.id} {fix.description}")
    if text is None:
        return data, changes, skipped
    return text.encode("utf-8"), changes, skipped


def _read_regular(corpus_file: CorpusFile, max_bytes: int = DEFAULT_MAX_FILE_BYTES
                  ) -> tuple[bytes, os.stat_result | None, str]:
    """(bytes, status, "") of a corpus file that is a regular file and not a symlink, else
    (b"", None, why it is skipped). Opened with O_NOFOLLOW and O_NONBLOCK: a link swapped in is
    not followed, a FIFO swapped in does not block."""
    path = corpus_file.fs_path
    try:
        st = os.lstat(path)
    except OSError as exc:
        return b"", None, f"cannot read: {exc.strerror}"
    if stat.S_ISLNK(st.st_mode):
        return b"", None, ("a symbolic link: not fixed (--fix never writes through a link; "
                           "fix the file it points to where it lives)")
    if not stat.S_ISREG(st.st_mode):  # a FIFO, socket or device would block or never end
        return b"", None, "not a regular file"
    if st.st_size > max_bytes:
        return b"", None, "larger than max_file_bytes"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino) or not stat.S_ISREG(opened.st_mode):
                return b"", None, "changed while it was being read; left alone"
            data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:  # it grew past the limit while it was read
                return b"", None, "larger than max_file_bytes"
            return data, opened, ""
    except OSError as exc:
        return b"", None, f"cannot read: {exc.strerror}"


def fix_file(corpus_file: CorpusFile, ruleset: RuleSet, write: bool,
             max_bytes: int = DEFAULT_MAX_FILE_BYTES, unsafe: bool = False
             ) -> tuple[FixResult, bytes | None]:
    """Fix (``write``) or only compute (``--diff``) the fixes of one file: its result, and the
    bytes the file now holds (None when it was not read here: the check's own load reports
    why). Only regular files are fixed, in place of the file itself (a symlinked corpus file is
    skipped, its target untouched), keeping permissions, owner and group
    (:func:`validators.outputs.replace_file`)."""
    # the corpus ends at its root: a file in a linked-out folder is never rewritten (a
    # symlinked file itself is skipped below, with its own reason)
    outside = "" if os.path.islink(corpus_file.fs_path) else outside_root(
        corpus_file.fs_path, corpus_file.root or None)
    if outside:
        return FixResult(corpus_file.path, corpus_file.fs_path, b"", b"",
                         skipped=f"not fixed: {outside}"), None
    data, st, skipped = _read_regular(corpus_file, max_bytes)
    if st is None:
        return FixResult(corpus_file.path, corpus_file.fs_path, b"", b"", skipped=skipped), None
    fixed, changes, skipped = fix_bytes(data, ruleset, unsafe)
    result = FixResult(corpus_file.path, corpus_file.fs_path, data, fixed, changes, skipped)
    if not (write and result.changed):
        return result, data
    try:
        replace_file(corpus_file.fs_path, fixed, st)
    except OSError as exc:
        result.skipped = f"cannot write: {exc.strerror or exc}"
        result.fixed = data
        result.changes = []
        return result, data
    return result, fixed


def _decoded(data: bytes) -> tuple[str | None, str]:
    """(the legacy encoding the bytes were decoded from, None for UTF-8; the text to show)."""
    try:
        return None, data.decode("utf-8")
    except UnicodeDecodeError:
        decoded = unambiguous_decode(data)
        return decoded if decoded else (None, data.decode("utf-8", "replace"))


def unified_diff(result: FixResult) -> str:
    """A unified diff of one file's fix (line endings and invisible characters made visible)."""
    def visible(text: str) -> list[str]:
        from validators.checks._chars import shown

        return [shown(line) + "\n" for line in text.split("\n")]

    legacy, before = _decoded(result.original)
    after = result.fixed.decode("utf-8")
    header = "".join(f"# {change}\n" for change in result.changes)
    body = "".join(difflib.unified_diff(visible(before), visible(after),
                                        f"a/{result.path}", f"b/{result.path}",
                                        fromfiledate=legacy or "", tofiledate="UTF-8" if legacy else ""))
    if not body and result.changed:  # only the bytes change (the encoding): name the file anyway
        body = (f"--- a/{result.path}\t{legacy or 'bytes'}\n+++ b/{result.path}\tUTF-8\n"
                "# the text is unchanged: only its encoding changes\n")
    return header + body


def summary_lines(results: list[FixResult], written: bool) -> list[str]:
    lines: list[str] = []
    for r in results:
        if r.skipped:
            lines.append(f"{r.path}: {r.skipped}")
    changed = [r for r in results if r.changed]
    verb = "fixed" if written else "would fix"
    lines.append(f"{verb} {len(changed)} file(s): "
                 + (", ".join(f"{r.path} ({'; '.join(r.changes)})" for r in changed[:5])
                    + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
                    if changed else "nothing to fix"))
    return lines

