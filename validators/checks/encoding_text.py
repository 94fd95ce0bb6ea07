"""``encoding_text``: byte-order marks, U+FFFD, control, invisible and private-use characters,
and line endings, in documents that did decode as UTF-8.

Positions are raw-line columns (tags included): these characters matter inside tags too. Runs of
the same kind of character are one finding. Line endings are one finding per document: a file
saved with Windows line endings is one problem, not one per line. The document's character scan
names the lines holding any of these characters; only those are searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from validators.checks import CheckType, Fix, FixTarget, Option, register
from validators.checks._chars import (
    INVISIBLE,
    JOINERS,
    REMOVABLE_INVISIBLE,
    describe,
    is_control,
    joiner_in_use,
    shown,
)
from validators.document import Document
from validators.facts import BOM, char_scan, line_endings
from validators.findings import Hit

if TYPE_CHECKING:
    from validators.char_scan import CharClass, CharScan

PROBLEMS = ("bom", "replacement", "control", "invisible", "private_use", "line_endings")


CLASSES = {
    "replacement": "\ufffd",
    "control": "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f",
    "invisible": "".join(sorted(INVISIBLE)),
    "private_use": "\ue000-\uf8ff\U000f0000-\U0010ffff",
}


@lru_cache(maxsize=32)
def _pattern(problem: str, allow: str) -> re.Pattern[str]:
    """A regex for runs of the problem's characters (C speed on a 200 MB line), minus ``allow``."""
    cls = CLASSES[problem]
    if allow:
        return re.compile("(?:(?![" + re.escape(allow) + "])[" + cls + "])+")
    return re.compile("[" + cls + "]+")


@lru_cache(maxsize=8)
def _scan_class(problem: str) -> CharClass:
    """The problem's characters as a class of the character scan (validators.char_scan)."""
    from validators.char_scan import INVISIBLE_CHAR, PRIVATE_USE, char_class

    control = "".join(chr(c) for c in range(0xA0) if is_control(chr(c)))
    return {"invisible": char_class(bits=INVISIBLE_CHAR), "private_use": char_class(bits=PRIVATE_USE),
            "control": char_class(control), "replacement": char_class("\ufffd"),
            "any": char_class(control + "\ufffd", INVISIBLE_CHAR | PRIVATE_USE)}[problem]


def _problem_lines(doc: Document, scan: CharScan, problem: str) -> list[int]:
    """The 0-based lines holding a character of the problem: one query of the scan for all four
    problems, once per document (most documents have none)."""
    from validators.char_scan import distinct_sorted

    key = ("encoding_text", "lines")
    if key not in doc.cache:
        at = scan.positions(_scan_class("any"))
        values = scan.values[at]
        doc.cache[key] = {name: distinct_sorted(scan.line_of(at[_scan_class(name).contains(values)])).tolist()
                          for name in CLASSES} if len(at) else {}
    return doc.cache[key].get(problem, [])


def _runs(doc: Document, problem: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
    """(line, 0-based start column, run text) for maximal runs of the pattern's characters. With
    the character scan, only the lines it names are searched (a run never crosses a line end)."""
    scan = char_scan(doc)
    if scan is None:
        for line_no, raw in enumerate(doc.lines, 1):
            for m in pattern.finditer(raw):
                yield line_no, m.start(), m.group()
        return
    raw_lines = doc.lines
    for index in _problem_lines(doc, scan, problem):
        for m in pattern.finditer(raw_lines[index]):
            yield index + 1, m.start(), m.group()


def _run_hit(line: int, start: int, run: str) -> Hit:
    names = sorted({describe(c) for c in run})
    return Hit(line, start + 1, line, start + len(run) + 1,
               {"text": shown(run), "name": ", ".join(names), "count": len(run),
                "codepoints": " ".join(f"U+{ord(c):04X}" for c in run)},
               evidence=" ".join(f"U+{ord(c):04X}" for c in run))


@register
class EncodingTextCheck(CheckType):
    name: ClassVar[str] = "encoding_text"
    summary: ClassVar[str] = "BOM, U+FFFD, control/invisible/private-use characters, line endings"
    fix_safety: ClassVar[str | None] = "safe"  # bom, invisible and line_endings
    options: ClassVar[dict[str, Option]] = {
        "problem": Option("choice", choices=PROBLEMS, help="which character problem to report"),
        "allow": Option("chars", "", help="characters of the class that are allowed anyway"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        problem = options["problem"]
        allow = set(options["allow"])
        if problem == "bom":
            if doc.data.startswith(BOM):
                yield Hit(1, 1, 1, 2, {"text": "⟨U+FEFF⟩", "name": describe("\ufeff"), "count": 1,
                                       "codepoints": "U+FEFF"}, evidence="BOM")
            return
        if problem == "line_endings":
            yield from self._line_endings(doc)
            return
        bom = doc.data.startswith(BOM)
        for line, start, run in _runs(doc, problem, _pattern(problem, "".join(sorted(allow)))):
            if bom and line == 1 and start == 0 and problem == "invisible":
                run = run[1:]  # the BOM itself is the bom rule's finding
                start = 1
                if not run:
                    continue
            yield _run_hit(line, start, run)

    def _line_endings(self, doc: Document) -> Iterator[Hit]:
        counts = line_endings(doc.data)
        used = {k: v for k, v in counts.items() if v}
        if not used or set(used) == {"lf"}:
            return
        majority = max(used, key=lambda k: used[k])
        # where a line ends in a way other than LF (or, when mixed, other than the majority)
        expected = "lf" if len(used) == 1 else majority
        for line_no, raw in enumerate(doc.lines, 1):
            last = line_no == len(doc.lines)
            kinds = []
            if "\r" in raw.rstrip("\r") or (raw.endswith("\r") and last):
                kinds.append("cr")
            if raw.endswith("\r") and not last:
                kinds.append("crlf")
            elif not last and not raw.endswith("\r"):
                kinds.append("lf")
            found = next((k for k in kinds if k != expected), None)
            if found is None:
                continue
            col = (raw.index("\r") if "\r" in raw else len(raw)) + 1
            names = {"crlf": "CRLF (Windows)", "lf": "LF", "cr": "CR (old Mac)"}
            if len(used) == 1:
                detail = f"{names[found]} line endings ({used[found]} line breaks)"
            else:
                detail = "mixed line endings: " + ", ".join(
                    f"{v} {names[k]}" for k, v in sorted(used.items(), key=lambda kv: -kv[1]))
            yield Hit(line_no, col, line_no, col + 1,
                      {"text": detail, "detail": detail, "count": sum(used.values())},
                      evidence="line-endings")
            return

    def fix(self, target: FixTarget, options: dict[str, Any]) -> Fix | None:
        """bom: the byte-order mark removed; invisible: zero-width characters removed (zero-width
        space/joiners, direction marks, word joiner, U+FEFF, soft hyphen; respecting ``allow``;
        a joiner that binds an emoji sequence or a script stays); line_endings: CRLF/CR to LF."""
        text = target.text
        if text is None:
            return None
        problem = options["problem"]
        if problem == "bom" and text.startswith("\ufeff"):
            return Fix(text[1:], "removed the byte-order mark")
        if problem == "invisible":
            return _remove_invisible(text, set(options["allow"]))
        if problem == "line_endings" and "\r" in text:
            # a lone CR is a line ending only in a file that has no LF at all (classic Mac); in
            # a file with LF or CRLF endings it is inside a paragraph, and a line break there
            # would split the paragraph (and its sentences and <a> pairs) in two
            count = text.count("\r\n") if "\n" in text else text.count("\r")
            fixed = text.replace("\r\n", "\n") if "\n" in text else text.replace("\r", "\n")
            return Fix(fixed, f"converted {count} CRLF/CR line ending(s) to LF") if count else None
        return None


def _remove_invisible(text: str, allow: set[str]) -> Fix | None:
    keep_first = text.startswith("\ufeff")  # a BOM whose own rule is not fixing it
    body = text[1:] if keep_first else text
    removable = REMOVABLE_INVISIBLE - allow
    if not removable:
        return None
    removed = 0

    def drop(m: re.Match[str]) -> str:
        """Nothing for clutter; a joiner that binds an emoji sequence or a script stays."""
        nonlocal removed
        if m.group() in JOINERS and joiner_in_use(body[m.start() - 1:m.start()], body[m.end():m.end() + 1]):
            return m.group()
        removed += 1
        return ""

    fixed = re.sub("[" + "".join(sorted(removable)) + "]", drop, body)
    if not removed:
        return None
    return Fix(("\ufeff" if keep_first else "") + fixed, f"removed {removed} invisible character(s)")
