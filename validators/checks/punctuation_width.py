"""``punctuation_width`` (PUN001): half-width punctuation in Chinese text (or, with ``style:
halfwidth``, full-width punctuation in a corpus that standardises on half-width marks).

Runs on each line's plain text (tags masked, so ``<a>`` never counts as punctuation) and maps
positions back to raw columns. One finding per line, at the first offending character, with the
count for the line: a document typed with half-width commas throughout gets one finding per
affected line, not one per comma (and with ``group: auto``, one for the document when the wrong
width is its own style).

``style: fullwidth`` (the default, GB/T 15834 usage): a half-width ``, : ;`` preceded by a Han
character (or a closing full-width quote/bracket) and followed by one, by an opening
quote/bracket, or by an ASCII letter or digit (9月5日,360智脑); ``. ? !`` preceded the same way and
followed by Han, a quote/bracket or the end of the line; ``( )`` as a pair in the line when the
character before ``(`` or after ``)`` is Han. Decimal points, times (10:30), ellipses (...) and
Latin text are never in Han context. Han characters can be part of a URL, an e-mail address or a
domain name (http://例子.中国/路径?查询=值,a, 张三@公司.中国, 例子.中国), so marks inside those,
inside paths, inline code, fenced code blocks, Markdown link targets and calls like f(x) are
neither reported nor fixed (``protected_spans``, in ``checks/_width.py``): there they are
not punctuation of the Chinese text, and a full-width one would change the address or the code.
``style: halfwidth`` is the opposite policy: full-width ，。？！：；（） are reported.

The fix (safe) replaces each reported mark with its other width, one code point for one code
point (``edits``). With the document's character scan, the marks and their neighbours' classes
are tested for all lines at once (``_scanned``); only lines that may hold a protected span go
through ``offending``, the per-line code. Full-width letters and digits are
``fullwidth_alphanumerics``' (PUN002), a check type of its own: they need no Han context, no
``style`` and no document style; what the two share is in ``checks/_width.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from validators.checks import CheckOptions, CheckType, Fix, FixTarget, option, register
from validators.checks._chars import is_han
from validators.checks._width import (
    ASCII_ALNUM,
    LineMarks,
    deal_out,
    inside,
    line_edits,
    marks_per_line,
    protected_spans,
    replacements_in,
    start_of_run,
    width_fix,
    width_hits,
)
from validators.document import Document
from validators.findings import Hit

if TYPE_CHECKING:
    from validators.char_scan import CharScan

__all__ = ["LineMarks", "PunctuationWidthCheck", "edits", "halfwidth_positions", "offending",
           "protected_spans"]

STYLES = ("fullwidth", "halfwidth")
TO_FULL = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）"}
TO_HALF = {v: k for k, v in TO_FULL.items()}
OPENERS = "“‘《（「『【〈"
CLOSERS = "”’》）」』】〉"
SENTENCE_FINAL = ".?!"
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.]*")
_CALL = re.compile(r"[a-z_][a-z0-9_.]*|[A-Za-z]")   # print(, np.mean(, f(: not ChatGPT( or GPT(


def _before_ok(char: str) -> bool:
    return bool(char) and (is_han(char) or char in CLOSERS)


def _after_ok(char: str) -> bool:
    return bool(char) and (is_han(char) or char in OPENERS)


def _is_call(plain: str, opened: int, closed: int) -> bool:
    """``f(x)``, ``print(a)``: a lower-case name (or one letter) right before a bracket whose
    short content has no Han character is code or maths, not a Chinese parenthesis."""
    if closed - opened > 256:
        return False
    name = plain[start_of_run(_IDENTIFIER, plain, opened, 64):opened]
    return bool(_CALL.fullmatch(name)) and not any(is_han(c) for c in plain[opened + 1:closed])


def _han_context(plain: str, marks: str, spans: list[tuple[int, int]]) -> list[int]:
    found: list[int] = []
    n = len(plain)
    stack: list[int] = []
    starts = [start for start, _ in spans]
    for m in re.finditer("[" + re.escape(marks) + "]", plain):
        i, char = m.start(), m.group()
        if spans and inside(spans, starts, i):
            continue
        before = plain[i - 1] if i else ""
        after = plain[i + 1] if i + 1 < n else ""
        if char == "(":
            stack.append(i)
        elif char == ")":
            if stack:
                opened = stack.pop()
                pre = plain[opened - 1] if opened else ""
                if "(" in marks and (is_han(pre) or is_han(after)) and not _is_call(plain, opened, i):
                    found.extend((opened, i))
        elif char in SENTENCE_FINAL:
            if _before_ok(before) and (after == "" or _after_ok(after) or after in CLOSERS):
                found.append(i)
        elif _before_ok(before) and (_after_ok(after) or (after.isascii() and after.isalnum())):
            found.append(i)
    return sorted(found)


def halfwidth_positions(plain: str, marks: str) -> list[int]:
    """0-based plain columns of half-width punctuation in Han context, except inside a URL,
    e-mail address, domain name, path or code (:func:`protected_spans`): there it is not
    punctuation of the Chinese text, and a full-width one would change what it says."""
    if not marks:
        return []
    found = _han_context(plain, marks, [])
    spans = protected_spans(plain) if found else []
    if not spans:
        return found
    if "(" in marks and any(plain.count("(", s, e) or plain.count(")", s, e) for s, e in spans):
        return _han_context(plain, marks, spans)  # a protected bracket must not pair with another
    starts = [start for start, _ in spans]
    return [i for i in found if not inside(spans, starts, i)]


def offending(plain: str, options: PunctuationWidthCheck.Options) -> list[tuple[int, str]]:
    """(plain column, replacement) for every offending character of one line."""
    if options.style == "halfwidth":
        return replacements_in(plain, _full_to_half(options.chars))
    return [(i, TO_FULL[plain[i]]) for i in halfwidth_positions(plain, options.chars)]


def _full_to_half(chars: str) -> dict[str, str]:
    """The full-width forms of the checked marks, each with its half-width one."""
    return {TO_FULL[c]: c for c in chars if c in TO_FULL}


def _per_line(doc: Document, options: PunctuationWidthCheck.Options) -> Iterator[tuple[int, LineMarks]]:
    return marks_per_line(doc, lambda plain: offending(plain, options),
                          lambda scan: _scanned(scan, options))


def _scanned(scan: CharScan, options: PunctuationWidthCheck.Options
             ) -> tuple[dict[int, LineMarks], set[int]]:
    """What :func:`offending` gives, from the character scan of the plain text: ({line: offending
    characters} of the lines it settles, the lines it leaves to :func:`offending`: those with a
    possible protected span or a bracket pair to match). Lines in neither have none. 0-based."""
    import numpy as np

    from validators.char_scan import HAN, NEWLINE_ID, char_class

    if options.style == "halfwidth":
        from validators.checks._width import scanned_replacements

        return scanned_replacements(scan, _full_to_half(options.chars))
    chars = options.chars
    marks = char_class(chars)
    at = scan.positions(marks)
    if marks.untracked:  # a mark the scan cannot name: every line with a mark runs offending
        return {}, set(scan.line_of(at).tolist())
    if not len(at):
        return {}, set()
    values = scan.values[at]
    # _han_context's tests, on the neighbours' classes (a line end is "\n", in no class)
    brackets = char_class("()").contains(values)
    before, after = scan.neighbours(at, -1), scan.neighbours(at, 1)
    after_ok = char_class(OPENERS, HAN).contains(after)
    hit = char_class(CLOSERS, HAN).contains(before) & ~brackets
    hit &= np.where(char_class(SENTENCE_FINAL).contains(values),
                    (after == NEWLINE_ID) | after_ok | char_class(CLOSERS).contains(after),
                    after_ok | char_class(ASCII_ALNUM).contains(after))
    if "(" in chars and ")" in chars:  # ( ) count only as a pair
        pairs = _bracket_pairs(scan, at[brackets], values[brackets])
        hit[np.searchsorted(at, pairs)] = True
    return deal_out(scan, at[hit], values[hit], TO_FULL)


def _bracket_pairs(scan: CharScan, at: Any, values: Any) -> Any:
    """Offsets of the brackets of the pairs _han_context reports, given the offsets and values of
    every ``(`` and ``)``: it pairs them up with a stack per line (a ``)`` with an empty stack is
    ignored), here the same pairs by depth: in one line, the brackets at one depth alternate
    ``(``, its ``)``, ``(``, … . A pair counts with Han before ``(`` or after ``)``, unless it is
    a call (:func:`_is_call`)."""
    import numpy as np

    from validators.char_scan import HAN, char_class

    if not len(at):
        return at
    opens = char_class("(").contains(values)
    lines = scan.line_of(at)
    step = np.where(opens, 1, -1)
    first = np.concatenate(([True], lines[1:] != lines[:-1]))
    group = np.cumsum(first) - 1
    total = np.cumsum(step)
    in_line = total - (total - step)[first][group]  # the sum of the steps so far in the line
    # a ) on an empty stack changes nothing: depth = sum - min(0, lowest sum so far in the line)
    spread = 2 * len(at) + 2  # each line below the one before, so the running minimum restarts
    lowest = np.minimum.accumulate(in_line - group * spread) + group * spread
    depth = in_line - np.minimum(lowest, 0)
    depth_before = np.concatenate(([0], depth[:-1]))
    depth_before[first] = 0
    level = np.where(opens, depth, depth_before)
    keep = np.flatnonzero(opens | (depth_before > 0))  # the ( and the ) that pop one
    order = keep[np.lexsort((at[keep], level[keep], lines[keep]))]
    a, b = order[:-1], order[1:]
    paired = opens[a] & ~opens[b] & (lines[a] == lines[b]) & (level[a] == level[b])
    opened, closed = at[a[paired]], at[b[paired]]
    han = (((scan.neighbours(opened, -1) & HAN) != 0) | ((scan.neighbours(closed, 1) & HAN) != 0))
    text = scan.text
    found = [(o, c) for o, c in zip(opened[han].tolist(), closed[han].tolist(), strict=True)
             if not _is_call(text, o, c)]
    return np.array(sorted(p for pair in found for p in pair), np.int64)


def edits(doc: Document, options: PunctuationWidthCheck.Options) -> list[tuple[int, int, str]]:
    """(line, 0-based raw column, replacement) for ``--fix``: same length, nothing lost."""
    return line_edits(doc, _per_line(doc, options))


@register
class PunctuationWidthCheck(CheckType):
    name: ClassVar[str] = "punctuation_width"
    summary: ClassVar[str] = "punctuation of the wrong width in Chinese text (half-width by default)"
    fix_safety: ClassVar[str | None] = "safe"  # one code point for one code point, tags untouched

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        style: str = option("choice", "fullwidth", choices=STYLES,
                            help="expected punctuation width in Chinese text")
        chars: str = option("chars", ",.?!:;()",
                            help="which marks are checked (their half-width forms)")
        group: str = option("choice", "auto", choices=("auto", "line", "document"),
                            help="one finding per line, one per document, or auto: per document "
                                 "when the wrong width is the document's own style (more of them "
                                 "than of the expected marks), else per line")

        def validate(self) -> str | None:
            """Only the marks the check knows both widths of can be checked: any other character
            in ``chars`` would be silently ignored."""
            unknown = "".join(dict.fromkeys(c for c in self.chars if c not in TO_FULL))
            if unknown or not self.chars:
                return (f"'chars' must hold some of the half-width marks {''.join(TO_FULL)}"
                        + (f", not {unknown!r}" if unknown else ""))
            return None

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        per_line = list(_per_line(doc, options))
        group = options.group
        if per_line and group == "auto":
            # the document's own style: the wrong width throughout -> one finding for the document
            total = sum(len(found.cols) for _, found in per_line)
            expected = set(TO_FULL.values()) if options.style == "fullwidth" else set(TO_FULL)
            text = doc.plain_text
            regular = sum(text.count(c) for c in expected)
            group = "document" if total > regular and len(per_line) > 1 else "line"
        return width_hits(doc, per_line, group)

    def fix(self, target: FixTarget, options: Options) -> Fix | None:
        """Each reported mark replaced by its other width (one code point for one code point,
        at the positions the check reports, tags untouched)."""
        return width_fix(target, lambda doc: edits(doc, options))
