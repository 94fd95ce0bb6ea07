"""``encoding_text``: byte-order marks, U+FFFD, control, invisible and private-use characters,
and line endings, in documents that did decode as UTF-8.

Positions are raw-line columns (tags included): these characters matter inside tags too. Runs of
the same kind of character are one finding. Line endings are one finding per document: a file
saved with Windows line endings is one problem, not one per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.checks._chars import INVISIBLE, describe, shown
from validators.document import Document
from validators.findings import Hit

PROBLEMS = ("bom", "replacement", "control", "invisible", "private_use", "line_endings")
BOM = b"\xef\xbb\xbf"


def line_endings(data: bytes) -> dict[str, int]:
    """Counts of CRLF, LF and lone CR line breaks in raw bytes."""
    crlf = data.count(b"\r\n")
    return {"crlf": crlf, "lf": data.count(b"\n") - crlf, "cr": data.count(b"\r") - crlf}


def line_ending_style(data: bytes) -> str:
    """lf | crlf | cr | mixed | none: the document statistic."""
    counts = line_endings(data)
    used = [k for k, v in counts.items() if v]
    return used[0] if len(used) == 1 else ("none" if not used else "mixed")


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


def _runs(doc: Document, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
    """(line, 0-based start column, run text) for maximal runs of the pattern's characters."""
    for line_no, raw in enumerate(doc.lines, 1):
        for m in pattern.finditer(raw):
            yield line_no, m.start(), m.group()


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
        for line, start, run in _runs(doc, _pattern(problem, "".join(sorted(allow)))):
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
