"""``punctuation_width``: half-width punctuation in Chinese text, and full-width letters/digits.

Runs on each line's plain text (tags masked, so ``<a>`` never counts as punctuation) and maps
positions back to raw columns. One finding per line, at the first offending character, with the
count for the line: a document typed with half-width commas throughout gets one finding per
affected line, not one per comma.

``halfwidth`` problem, ``style: fullwidth`` (the default, GB/T 15834 usage): a half-width ``, : ;``
preceded by a Han character (or a closing full-width quote/bracket) and followed by one, by an
opening quote/bracket, or by an ASCII letter or digit (9月5日,360智脑); ``. ? !`` preceded the same
way and followed by Han, a quote/bracket or the end of the line; ``( )`` as a pair in the line
when the character before ``(`` or after ``)`` is Han. Decimal points, times (10:30), URLs,
ellipses (...) and Latin text are never in Han context. ``style: halfwidth`` is the opposite
policy: full-width ，。？！：；（） are reported.

``fullwidth_alnum``: full-width ASCII letters and digits (ＡＢＣ１２３), which should be ASCII.

Both are fixable: :func:`edits` is what ``--fix`` applies (one code point for one code point).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.checks._chars import is_han
from validators.document import Document
from validators.findings import Hit

PROBLEMS = ("halfwidth", "fullwidth_alnum")
STYLES = ("fullwidth", "halfwidth")
TO_FULL = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）"}
TO_HALF = {v: k for k, v in TO_FULL.items()}
OPENERS = "“‘《（「『【〈"
CLOSERS = "”’》）」』】〉"
SENTENCE_FINAL = ".?!"
FULLWIDTH_ALNUM = "".join(chr(c) for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))
                          for c in range(*r))


def _before_ok(char: str) -> bool:
    return bool(char) and (is_han(char) or char in CLOSERS)


def _after_ok(char: str) -> bool:
    return bool(char) and (is_han(char) or char in OPENERS)


def halfwidth_positions(plain: str, marks: str) -> list[int]:
    """0-based plain columns of half-width punctuation in Han context."""
    found: list[int] = []
    n = len(plain)
    stack: list[int] = []
    if not marks:
        return found
    for m in re.finditer("[" + re.escape(marks) + "]", plain):
        i, char = m.start(), m.group()
        before = plain[i - 1] if i else ""
        after = plain[i + 1] if i + 1 < n else ""
        if char == "(":
            stack.append(i)
        elif char == ")":
            if stack:
                opened = stack.pop()
                pre = plain[opened - 1] if opened else ""
                if (is_han(pre) or is_han(after)) and "(" in marks:
                    found.extend((opened, i))
        elif char in SENTENCE_FINAL:
            if _before_ok(before) and (after == "" or _after_ok(after) or after in CLOSERS):
                found.append(i)
        elif _before_ok(before) and (_after_ok(after) or (after.isascii() and after.isalnum())):
            found.append(i)
    return sorted(found)


def _scan(chars: str, text: str) -> Iterator[re.Match[str]]:
    return re.finditer("[" + re.escape(chars) + "]", text) if chars else iter(())


def offending(plain: str, options: dict[str, Any]) -> list[tuple[int, str]]:
    """(plain column, replacement) for every offending character of one line."""
    if options["problem"] == "fullwidth_alnum":
        allowed = "".join(c for c in (options["chars"] or FULLWIDTH_ALNUM) if c in FULLWIDTH_ALNUM)
        return [(m.start(), chr(ord(m.group()) - 0xFEE0)) for m in _scan(allowed, plain)]
    if options["style"] == "halfwidth":
        full = "".join(TO_FULL[c] for c in options["chars"] if c in TO_FULL)
        return [(m.start(), TO_HALF[m.group()]) for m in _scan(full, plain)]
    return [(i, TO_FULL[plain[i]]) for i in halfwidth_positions(plain, options["chars"])]


def edits(doc: Document, options: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(line, 0-based raw column, replacement) for ``--fix``: same length, nothing lost."""
    result = []
    for line_no, line in enumerate(doc.markup.lines, 1):
        for col, repl in offending(line.plain, options):
            result.append((line_no, line.raw_column(col), repl))
    return result


@register
class PunctuationWidthCheck(CheckType):
    name: ClassVar[str] = "punctuation_width"
    summary: ClassVar[str] = "half-width punctuation in Chinese text; full-width letters and digits"
    options: ClassVar[dict[str, Option]] = {
        "problem": Option("choice", choices=PROBLEMS, help="halfwidth or fullwidth_alnum"),
        "style": Option("choice", "fullwidth", choices=STYLES,
                        help="expected punctuation width in Chinese text"),
        "chars": Option("chars", ",.?!:;()",
                        help="halfwidth: which marks are checked; fullwidth_alnum: which "
                             "full-width characters (empty: all letters and digits)"),
        "group": Option("choice", "auto", choices=("auto", "line", "document"),
                        help="one finding per line, one per document, or auto: per document "
                             "when the wrong width is the document's own style (more of them "
                             "than of the expected marks), else per line"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        per_line = [(line_no, line, offending(line.plain, options))
                    for line_no, line in enumerate(doc.markup.lines, 1)]
        per_line = [entry for entry in per_line if entry[2]]
        if not per_line:
            return
        total = sum(len(found) for _, _, found in per_line)
        group = options["group"]
        if group == "auto" and options["problem"] == "halfwidth":
            # the document's own style: half-width throughout -> one finding for the document
            expected = set(TO_FULL.values()) if options["style"] == "fullwidth" else set(TO_FULL)
            text = doc.plain_text
            regular = sum(text.count(c) for c in expected)
            group = "document" if total > regular and len(per_line) > 1 else "line"
        for line_no, line, found in per_line:
            col, repl = found[0]
            raw_col = line.raw_column(col) + 1
            if group == "document":
                marks = "".join(dict.fromkeys(ln.plain[c] for _, ln, f in per_line for c, _ in f))
                suggestion = "".join(dict.fromkeys(r for _, _, f in per_line for _, r in f))
                where = (f"the document's style: {total} marks {' '.join(marks)} on "
                         f"{len(per_line)} lines, the first one here")
            else:
                marks = "".join(dict.fromkeys(line.plain[c] for c, _ in found))
                suggestion = "".join(dict.fromkeys(r for _, r in found))
                where = ("once in this line" if len(found) == 1
                         else f"{len(found)} in this line: {' '.join(marks)}")
            yield Hit(line_no, raw_col, line_no, raw_col + 1,
                      {"text": line.plain[col], "replacement": repl, "count": len(found),
                       "total": total, "marks": " ".join(marks), "suggestion": " ".join(suggestion),
                       "where": where},
                      evidence=line.plain[col] + line.plain[max(col - 2, 0):col + 3])
            if group == "document":
                return
