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
  (one code point for one code point, positions from the check itself, tags untouched).

Script conversion and mojibake repair are never applied (the messages suggest them). Files are
written with :func:`validators.atomic.write_bytes_atomic` (temporary file, fsync, rename;
permissions kept), so an interrupted fix leaves the original file intact.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from validators import load as load_module
from validators.atomic import write_bytes_atomic
from validators.checks._chars import REMOVABLE_INVISIBLE, common_han, is_control, is_han, is_private_use
from validators.discover import CorpusFile
from validators.load import decode, likely_encoding
from validators.rules import Rule, RuleSet

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
    endings = _wants(rules, "encoding_text", "line_endings")
    if endings and "\r" in text:
        count = text.count("\r")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        changes.append(f"{endings[0].id} converted {count} CRLF/CR line ending(s) to LF")
    for rule in _wants(rules, "encoding_text", "invisible"):
        allow = set(rule.options.get("allow", ""))
        keep_first = text.startswith("\ufeff")  # a BOM whose own rule is not fixing it
        body = text[1:] if keep_first else text
        removable = REMOVABLE_INVISIBLE - allow
        removed = sum(1 for c in body if c in removable)
        if removed:
            body = "".join(c for c in body if c not in removable)
            text = ("\ufeff" if keep_first else "") + body
            changes.append(f"{rule.id} removed {removed} invisible character(s)")
    for rule in _wants(rules, "punctuation_width"):
        from validators.checks.punctuation_width import edits

        doc = decode("fix.txt", text.encode("utf-8"))
        if doc.text is None:
            break
        todo = edits(doc, rule.options)
        if not todo:
            continue
        lines = doc.lines
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
    return text.encode("utf-8"), changes, ""


def fix_files(files: Iterable[CorpusFile], ruleset: RuleSet, write: bool) -> list[FixResult]:
    """Fix (``write``) or only compute (``--diff``) the fixes of ``files``."""
    results = []
    for corpus_file in files:
        target = os.path.realpath(corpus_file.fs_path)  # a symlink's target, not the link
        size = 0
        if not os.path.isfile(target):  # a FIFO, socket or device would block or never end
            results.append(FixResult(corpus_file.path, target, b"", b"",
                                     skipped="not a regular file"))
            continue
        with contextlib.suppress(OSError):  # a file that vanished is reported when read below
            size = os.path.getsize(target)
        if size > load_module.MAX_FILE_BYTES:
            results.append(FixResult(corpus_file.path, target, b"", b"",
                                     skipped="larger than max_file_bytes"))
            continue
        try:
            with open(target, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            results.append(FixResult(corpus_file.path, target, b"", b"",
                                     skipped=f"cannot read: {exc.strerror}"))
            continue
        fixed, changes, skipped = fix_bytes(data, ruleset)
        result = FixResult(corpus_file.path, target, data, fixed, changes, skipped)
        if write and result.changed:
            try:
                write_bytes_atomic(target, fixed)
            except OSError as exc:
                result.skipped = f"cannot write: {exc.strerror or exc}"
                result.fixed = data
                result.changes = []
        results.append(result)
    return results


def _display(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        decoded = unambiguous_decode(data)
        return decoded[1] if decoded else data.decode("utf-8", "replace")


def unified_diff(result: FixResult) -> str:
    """A unified diff of one file's fix (line endings and invisible characters made visible)."""
    def visible(text: str) -> list[str]:
        from validators.checks._chars import shown

        return [shown(line) + "\n" for line in text.split("\n")]

    before, after = _display(result.original), result.fixed.decode("utf-8")
    header = "".join(f"# {change}\n" for change in result.changes)
    body = "".join(difflib.unified_diff(visible(before), visible(after),
                                        f"a/{result.path}", f"b/{result.path}"))
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

