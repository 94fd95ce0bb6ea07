"""``masked_chars``: ``*``, ``＊``, ``×``, ``□`` standing for a Han character a web page censored
or an OCR step could not read (``*的原因``, ``王××``, ``习□平``).

Runs on plain lines (tags masked). Not masking, and never reported:

* ``×`` between digits, Latin letters or spaces: multiplication and dimensions (3×4, 1920×1080);
* ``*`` pairs enclosing text in one line (Markdown emphasis ``**重点**``), ``*`` list bullets
  (``* item``), footnote markers at the end of a line (``数据来源*``) and footnote lines (``*注：``);
* runs longer than ``max_run`` (separators such as ``******``).

Only the lines holding a mask character (the document's character scan names them) are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import regex

from validators.checks import CheckOptions, CheckType, option, register
from validators.checks._chars import is_han
from validators.document import Document
from validators.facts import plain_char_scan
from validators.findings import Hit

STARS = "*＊"
CJK_PUNCT = "，。、；：？！“”‘’《》（）「」『』【】…—"
LATIN_OR_DIGIT = regex.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ\s.]")
FOOTNOTE_START = ("注", "Note", "note", "※")


def _emphasis_spans(plain: str, runs: list[tuple[int, int]]) -> set[int]:
    """Start offsets of star runs that pair up as Markdown emphasis (*x* / **x**)."""
    paired: set[int] = set()
    pending: dict[str, int] = {}
    for start, end in runs:
        run = plain[start:end]
        if not all(c in STARS for c in run):
            continue
        if run in pending:
            opened = pending.pop(run)
            inner = plain[opened + len(run):start]
            if inner and not inner[0].isspace() and not inner[-1].isspace():
                paired.update((opened, start))
                continue
        pending[run] = start
    return paired


@lru_cache(maxsize=32)
def _runs_of(chars: str) -> regex.Pattern[str]:
    return regex.compile("[" + regex.escape(chars) + "]+")


def masked_runs(plain: str, chars: str, max_run: int) -> list[tuple[int, int]]:
    """(start, end) plain columns of runs of mask characters that stand for Han characters."""
    runs = [(m.start(), m.end()) for m in _runs_of(chars).finditer(plain)]
    emphasis = _emphasis_spans(plain, runs)
    found = []
    for start, end in runs:
        run = plain[start:end]
        if end - start > max_run or start in emphasis:
            continue
        before = plain[start - 1] if start else ""
        after = plain[end] if end < len(plain) else ""
        if all(c in STARS for c in run):
            if start == 0 and (not after or after.isspace() or plain[end:].startswith(FOOTNOTE_START)):
                continue  # a bullet or a footnote line
            if after == "" or after.isspace():
                continue  # a footnote marker at the end of a word/line
            ok_before = before == "" or is_han(before) or before in CJK_PUNCT
            ok_after = is_han(after) or after in CJK_PUNCT
            if (is_han(after) and ok_before) or (is_han(before) and ok_after):
                found.append((start, end))
        elif "×" in run:
            if (before and LATIN_OR_DIGIT.match(before)) or (after and LATIN_OR_DIGIT.match(after)):
                continue  # 3×4, 1920 × 1080, A×B
            if is_han(before) or is_han(after):
                found.append((start, end))
        else:  # □ and other placeholders
            if after.isspace() and (start == 0 or before.isspace()):
                continue  # a check box: "□ 选项"
            if is_han(before) or is_han(after):
                found.append((start, end))
    return found


@register
class MaskedCharsCheck(CheckType):
    name: ClassVar[str] = "masked_chars"
    summary: ClassVar[str] = "*, ＊, ×, □ standing for a censored or unreadable Han character"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        chars: str = option("chars", "*＊×□", help="characters that mask a Han character")
        max_run: int = option("int", 4, minimum=1, help="longer runs are separators, not masks")

        def validate(self) -> str | None:
            if not self.chars:
                return "'chars' is empty: nothing could ever be reported (switch the rule off instead)"
            return None

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        scan = plain_char_scan(doc)
        lines = doc.markup.lines
        candidates: Iterable[int] = range(len(lines))
        if scan is not None:  # the lines with a mask character
            from validators.char_scan import char_class

            candidates = scan.lines_with(char_class(options.chars)).tolist()
        for index in candidates:
            line_no, line = index + 1, lines[index]
            for start, end in masked_runs(line.plain, options.chars, options.max_run):
                col = line.raw_column(start) + 1
                end_col = line.raw_column(end - 1) + 2
                text = line.plain[start:end]
                context = line.plain[max(start - 3, 0):end + 3]
                yield Hit(line_no, col, line_no, end_col,
                          {"text": text, "count": end - start, "context": context},
                          evidence=context)
