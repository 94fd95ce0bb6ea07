"""``check --fix`` / ``--diff``: the changes that lose nothing, applied atomically.

Only enabled rules marked ``fix: true`` are applied, and only for check types that know a
lossless repair:

* ``load_problem`` (invalid_utf8): a legacy-encoded file (GB18030/GBK, Big5, UTF-16 with a BOM)
  is converted to UTF-8, and only when the decode is unambiguous: exactly one candidate decodes
  strictly into (at least ten, mostly common) Chinese characters, the others do not, and
  charset-normalizer agrees;
* ``encoding_text``: the BOM (``bom``), CRLF/CR line endings (``line_endings``), zero-width
  characters (``invisible``: zero-width space/joiners, direction marks, word joiner, U+FEFF,
  soft hyphen; respecting the rule's ``allow``);
* ``punctuation_width``: half-width punctuation in Han context, and the configured width policy
  (one code point for one code point, positions from the check itself, tags untouched);
* ``regional_forms`` (SCR004, with ``script: traditional-tw`` / ``traditional-hk``): in a
  Traditional document, the other region's forms are replaced with the corpus's own, one code
  point for one code point, by OpenCC's variant tables (hk2t then t2tw: 户 → 戶; tw2t then t2hk:
  裡 → 裏); a form with more than one counterpart is never in the table.

Conversion between Simplified and Traditional and mojibake repair are never applied (one form
can stand for several: the messages suggest the OpenCC conversion instead). Files are
written with :func:`validators.outputs.replace_file` (temporary file, fsync, rename; permissions,
owner and group kept), so an interrupted fix leaves the original file intact. Only regular files
are fixed: a corpus file that is a symlink is skipped with a reason, its target left alone.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field

from validators.checks._chars import (
    JOINERS,
    REMOVABLE_INVISIBLE,
    common_han,
    is_control,
    is_han,
    is_private_use,
    joiner_in_use,
)
from validators.discover import CorpusFile
from validators.load import DEFAULT_MAX_FILE_BYTES, decode, likely_encoding, outside_root
from validators.outputs import replace_file
from validators.rules import Rule, RuleSet
from validators.script_sets import REGION_OF_POLICY, REGIONS, foreign_forms, profile, script_sets

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
LEGACY = {"gb18030": "GB18030/GBK", "big5": "Big5"}
MIN_COMMON = 0.9      # share of common characters in the one acceptable decode
MAX_OTHER = 0.6       # any other decode must look like garbage
MIN_HAN = 10          # too little text to tell encodings apart: never converted


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


def _common_share(text: str) -> float:
    han = [c for c in text if is_han(c)]
    if not han:
        return 0.0
    common = common_han()
    return sum(c in common for c in han) / len(han)


def unambiguous_decode(data: bytes) -> tuple[str, str] | None:
    """(encoding name, text) when the bytes have exactly one plausible legacy decode."""
    if data.startswith(UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        if any(is_control(c) or c == "\x00" for c in text):
            return None
        return "UTF-16", text
    scores: dict[str, tuple[float, str]] = {}
    for encoding in LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(is_private_use(c) or is_control(c) for c in text):
            continue  # unassigned/user-defined areas: not this encoding
        if sum(1 for c in text if is_han(c)) >= MIN_HAN:
            scores[encoding] = (_common_share(text), text)
    good = [e for e, (share, _) in scores.items() if share >= MIN_COMMON]
    if len(good) != 1 or any(share >= MAX_OTHER for e, (share, _) in scores.items() if e != good[0]):
        return None
    if likely_encoding(data) != LEGACY[good[0]]:
        return None
    return LEGACY[good[0]], scores[good[0]][1]


def fixable_rules(ruleset: RuleSet) -> list[Rule]:
    return [r for r in ruleset.enabled() if r.fix]


def _wants(rules: Iterable[Rule], check: str, problem: str | None = None) -> list[Rule]:
    return [r for r in rules if r.check.name == check
            and (problem is None or r.options.get("problem") == problem)]


def fix_bytes(data: bytes, ruleset: RuleSet) -> tuple[bytes, list[str], str]:
    """The fixed bytes, what was changed, and why a wanted fix was skipped ("" if none)."""
    rules = fixable_rules(ruleset)
    changes: list[str] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        wanted = _wants(rules, "load_problem", "invalid_utf8")
        if not wanted or (b"\x00" in data and not data.startswith(UTF16_BOMS)):
            return data, [], ""
        decoded = unambiguous_decode(data)
        if decoded is None:
            return data, [], (f"not converted to UTF-8: the encoding is ambiguous or the bytes "
                              f"are damaged (likely: {likely_encoding(data) or 'unknown'})")
        name, text = decoded
        changes.append(f"{wanted[0].id} converted from {name} to UTF-8")
        if text.startswith("\ufeff") and name == "UTF-16":
            text = text[1:]
    if _wants(rules, "encoding_text", "bom") and text.startswith("\ufeff"):
        text = text[1:]
        changes.append(f"{_wants(rules, 'encoding_text', 'bom')[0].id} removed the byte-order mark")
    for rule in _wants(rules, "encoding_text", "invisible"):
        allow = set(rule.options.get("allow", ""))
        keep_first = text.startswith("\ufeff")  # a BOM whose own rule is not fixing it
        body = text[1:] if keep_first else text
        removable = REMOVABLE_INVISIBLE - allow
        if not removable:
            continue
        removed = 0

        def drop(m: re.Match[str], body: str = body) -> str:
            """Nothing for clutter; a joiner that binds an emoji sequence or a script stays."""
            nonlocal removed
            if m.group() in JOINERS and joiner_in_use(body[m.start() - 1:m.start()], body[m.end():m.end() + 1]):
                return m.group()
            removed += 1
            return ""

        body = re.sub("[" + "".join(sorted(removable)) + "]", drop, body)
        if removed:
            text = ("\ufeff" if keep_first else "") + body
            changes.append(f"{rule.id} removed {removed} invisible character(s)")
    # after the invisible characters: removing one between a CR and an LF makes a CRLF
    endings = _wants(rules, "encoding_text", "line_endings")
    if endings and "\r" in text:
        # a lone CR is a line ending only in a file that has no LF at all (classic Mac); in a
        # file with LF or CRLF endings it is inside a paragraph, and a line break there would
        # split the paragraph (and its sentences and <a> pairs) in two
        count = text.count("\r\n") if "\n" in text else text.count("\r")
        text = text.replace("\r\n", "\n") if "\n" in text else text.replace("\r", "\n")
        if count:
            changes.append(f"{endings[0].id} converted {count} CRLF/CR line ending(s) to LF")
    for rule in _wants(rules, "punctuation_width"):
        from validators.checks.punctuation_width import edits

        doc = decode("fix.txt", text.encode("utf-8"))
        if doc.text is None:
            break
        todo = edits(doc, rule.options)
        if not todo:
            continue
        lines = list(doc.lines)
        by_line: dict[int, list[tuple[int, str]]] = {}
        for line_no, col, repl in todo:
            by_line.setdefault(line_no, []).append((col, repl))
        for line_no, replacements in by_line.items():
            chars = list(lines[line_no - 1])
            for col, repl in replacements:
                chars[col] = repl
            lines[line_no - 1] = "".join(chars)
        text = "\n".join(lines)
        changes.append(f"{rule.id} replaced {len(todo)} character(s)")
    for rule in _wants(rules, "regional_forms"):
        text, change = _regional_fix(rule, text)
        if change:
            changes.append(change)
    return text.encode("utf-8"), changes, ""


def _regional_fix(rule: Rule, text: str) -> tuple[str, str]:
    """The text with the other region's forms replaced by the corpus's own (SCR004), and what
    was done ("" if nothing): only for a regional ``script`` policy and a Traditional document,
    as the check itself reports."""
    region = REGION_OF_POLICY.get(rule.options.get("script", ""))
    if region is None:
        return text, ""
    doc = decode("fix.txt", text.encode("utf-8"))
    if doc.text is None or profile(doc.plain_text).classify() != "traditional":
        return text, ""
    found = foreign_forms(text, region)
    if not found:
        return text, ""
    own = script_sets().foreign[region]
    other = next(name for code, name in REGIONS.items() if code != region)
    return (text.translate({ord(c): own[c] for c in found}),
            f"{rule.id} replaced {sum(found.values())} {other} form(s) with the {REGIONS[region]} "
            f"standard's ({', '.join(f'{c}→{own[c]}' for c, _ in found.most_common(5))})")


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
             max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> tuple[FixResult, bytes | None]:
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
    fixed, changes, skipped = fix_bytes(data, ruleset)
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


def fix_files(files: Iterable[CorpusFile], ruleset: RuleSet, write: bool,
              max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[FixResult]:
    """:func:`fix_file` of each file (the pipeline fixes each file as it reads it)."""
    return [fix_file(corpus_file, ruleset, write, max_bytes)[0] for corpus_file in files]


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

