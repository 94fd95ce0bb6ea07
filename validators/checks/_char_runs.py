"""Runs of unwanted characters (U+FFFD, control, invisible, private use) in decoded documents:
what the four character-run check types share (no check type here).

Positions are raw-line columns (tags included): these characters matter inside tags too. A run
of the same kind of character is one finding. The document's character scan names the lines
holding any of these characters, in one query per document for all four kinds; only those lines
are searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from validators.checks import CheckOptions, CheckType, option
from validators.checks._chars import INVISIBLE, describe, is_control, shown
from validators.document import Document
from validators.facts import char_scan
from validators.findings import Hit

if TYPE_CHECKING:
    from validators.char_scan import CharClass, CharScan

# each kind of character as a regex class
CLASSES = {
    "replacement": "\ufffd",
    "control": "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f",
    "invisible": "".join(sorted(INVISIBLE)),
    "private_use": "\ue000-\uf8ff\U000f0000-\U0010ffff",
}


@lru_cache(maxsize=32)
def run_pattern(kind: str, allow: str) -> re.Pattern[str]:
    """A regex for runs of the kind's characters (C speed on a 200 MB line), minus ``allow``."""
    cls = CLASSES[kind]
    if allow:
        return re.compile("(?:(?![" + re.escape(allow) + "])[" + cls + "])+")
    return re.compile("[" + cls + "]+")


@lru_cache(maxsize=8)
def scan_class(kind: str) -> CharClass:
    """The kind's characters as a class of the character scan (validators.char_scan); "any" is
    all four kinds."""
    from validators.char_scan import INVISIBLE_CHAR, PRIVATE_USE, char_class

    control = "".join(chr(c) for c in range(0xA0) if is_control(chr(c)))
    return {"invisible": char_class(bits=INVISIBLE_CHAR), "private_use": char_class(bits=PRIVATE_USE),
            "control": char_class(control), "replacement": char_class("\ufffd"),
            "any": char_class(control + "\ufffd", INVISIBLE_CHAR | PRIVATE_USE)}[kind]


def lines_holding(doc: Document, scan: CharScan, kind: str) -> list[int]:
    """The 0-based lines holding a character of the kind: one query of the scan for all four
    kinds, once per document (most documents have none)."""
    from validators.char_scan import distinct_sorted

    key = ("char_runs", "lines")
    if key not in doc.cache:
        at = scan.positions(scan_class("any"))
        values = scan.values[at]
        doc.cache[key] = {name: distinct_sorted(scan.line_of(at[scan_class(name).contains(values)])).tolist()
                          for name in CLASSES} if len(at) else {}
    return doc.cache[key].get(kind, [])


def runs(doc: Document, kind: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
    """(line, 0-based start column, run text) for maximal runs of the pattern's characters. With
    the character scan, only the lines it names are searched (a run never crosses a line end)."""
    scan = char_scan(doc)
    if scan is None:
        for line_no, raw in enumerate(doc.lines, 1):
            for m in pattern.finditer(raw):
                yield line_no, m.start(), m.group()
        return
    raw_lines = doc.lines
    for index in lines_holding(doc, scan, kind):
        for m in pattern.finditer(raw_lines[index]):
            yield index + 1, m.start(), m.group()


def run_hit(line: int, start: int, run: str) -> Hit:
    """The finding of one run: its characters shown, named and counted."""
    names = sorted({describe(c) for c in run})
    return Hit(line, start + 1, line, start + len(run) + 1,
               {"text": shown(run), "name": ", ".join(names), "count": len(run),
                "codepoints": " ".join(f"U+{ord(c):04X}" for c in run)},
               evidence=" ".join(f"U+{ord(c):04X}" for c in run))


class CharRunCheck(CheckType):
    """A check type reporting each run of one kind of character (``kind``, a key of
    :data:`CLASSES`), except the characters its rule allows."""

    kind: ClassVar[str] = ""

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        allow: str = option("chars", "", help="characters of the class that are allowed anyway")

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        for line, start, run in runs(doc, self.kind, run_pattern(self.kind, "".join(sorted(set(options.allow))))):
            yield run_hit(line, start, run)
