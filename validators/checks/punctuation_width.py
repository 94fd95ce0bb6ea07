"""``punctuation_width``: half-width punctuation in Chinese text, and full-width letters/digits.

Runs on each line's plain text (tags masked, so ``<a>`` never counts as punctuation) and maps
positions back to raw columns. One finding per line, at the first offending character, with the
count for the line: a document typed with half-width commas throughout gets one finding per
affected line, not one per comma.

``halfwidth`` problem, ``style: fullwidth`` (the default, GB/T 15834 usage): a half-width ``, : ;``
preceded by a Han character (or a closing full-width quote/bracket) and followed by one, by an
opening quote/bracket, or by an ASCII letter or digit (9月5日,360智脑); ``. ? !`` preceded the same
way and followed by Han, a quote/bracket or the end of the line; ``( )`` as a pair in the line
when the character before ``(`` or after ``)`` is Han. Decimal points, times (10:30), ellipses
(...) and Latin text are never in Han context. Han characters can be part of a URL, an e-mail
address or a domain name (http://例子.中国/路径?查询=值,a, 张三@公司.中国, 例子.中国), so marks
inside those, inside paths, inline code, fenced code blocks, Markdown link targets and calls like
f(x) are neither reported nor fixed (:func:`protected_spans`): there they are not punctuation of
the Chinese text, and a full-width one would change the address or the code. ``style: halfwidth``
is the opposite policy: full-width ，。？！：；（） are reported.

``fullwidth_alnum``: full-width ASCII letters and digits (ＡＢＣ１２３), which should be ASCII.

Both are fixable: :func:`edits` is what ``--fix`` applies (one code point for one code point).

With the document's character scan, the marks and their neighbours' classes are tested for all
lines at once (:func:`_scanned`); only lines that may hold a protected span go through
:func:`offending`, the per-line code.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any, ClassVar

from validators.checks import CheckType, Fix, FixTarget, Option, register
from validators.checks._chars import is_han
from validators.document import Document
from validators.facts import plain_char_scan
from validators.findings import Hit

if TYPE_CHECKING:
    from validators.char_scan import CharScan

PROBLEMS = ("halfwidth", "fullwidth_alnum")
STYLES = ("fullwidth", "halfwidth")
TO_FULL = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）"}
TO_HALF = {v: k for k, v in TO_FULL.items()}
OPENERS = "“‘《（「『【〈"
CLOSERS = "”’》）」』】〉"
SENTENCE_FINAL = ".?!"
FULLWIDTH_ALNUM = "".join(chr(c) for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))
                          for c in range(*r))

# Where a half-width mark is not punctuation of the Chinese text: a fix there would change
# meaning (a URL, an e-mail address, a domain name, a file path, code). `protected_spans` finds
# them with bounded, linear scans (a 200 MB line must not turn quadratic).
# Chinese-script top-level domains of the root zone: a dot between Han characters before one of
# them is part of a domain name (例子.中国, 公司.网络), not a full stop.
HAN_TLDS = ("中国", "中國", "香港", "台湾", "台灣", "臺灣", "澳门", "澳門", "新加坡", "公司", "网络", "網絡",
            "在线", "商城", "商标", "商店", "集团", "我爱你", "中文网", "游戏", "企业", "娱乐", "广东", "佛山",
            "信息", "手机", "机构", "八卦", "大拿", "微博", "慈善", "购物", "世界", "点看", "健康", "时尚",
            "网址", "网店", "网站", "政务", "公益", "移动", "政府", "书籍", "書籍")
MAX_HOST = 253      # longest domain name
MAX_LOCAL = 64      # longest local part of an e-mail address
MAX_URL = 8192      # longest URL (or path) taken as one
TRAILING = ".,:;!?'"  # at the very end of a URL: the sentence's punctuation, as linkifiers read it
_SCHEME = re.compile(r"://")
_WWW = re.compile(r"(?<![A-Za-z0-9.\-])www\.", re.IGNORECASE)
_BARE_TLD = re.compile(r"\.(?:" + "|".join(sorted(HAN_TLDS, key=len, reverse=True))
                       + r"|[A-Za-z]{2,24}(?![A-Za-z0-9-]))")
_PATH_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]:\\|(?<![A-Za-z0-9_/.~-])~?/[A-Za-z0-9_.-]+/")
_AUTHORITY = re.compile(r"[\w.:@%~\[\]-]*")
_PORT = re.compile(r":[0-9]{1,5}(?![0-9])")
# a URL or path runs to whitespace, an ASCII character that URLs never contain, or non-ASCII
# punctuation (，。“” …); Han characters are part of it (http://例子.中国/路径)
_PATH = re.compile(r"[^\s\"<>`\u00a1-\u00bf\u2000-\u206f\u3000-\u303f\ufe10-\ufe6f"
                   r"\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]*")
_BRACKET = re.compile(r"[()\[\]]")
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_LABELS = re.compile(r"(?:[\w-]+(?:\.[\w-]+)*)?")   # labels joined by single dots (any direction)
_LOCAL = re.compile(r"[\w.+%-]*")
_SCHEME_CHARS = re.compile(r"[A-Za-z0-9+.-]*")
_LINK_TARGET = re.compile(r"\]\([^()\s]{0,2048}\)")
_BACKTICKS = re.compile(r"`+")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.]*")
_CALL = re.compile(r"[a-z_][a-z0-9_.]*|[A-Za-z]")   # print(, np.mean(, f(: not ChatGPT( or GPT(
_FENCE = re.compile(r"\s*(```|~~~)")


def _trim(text: str, start: int, end: int) -> int:
    """The end of a URL or path without the sentence punctuation that follows it."""
    while end > start and text[end - 1] in TRAILING:
        end -= 1
    return end


def _path_end(text: str, pos: int) -> int:
    """End of the path/query/fragment starting at ``pos``, before any trailing punctuation.

    A closing bracket that the path did not open ends it: (详见http://a.cn/页面)好."""
    end = _matched_end(_PATH.match(text, pos, min(len(text), pos + MAX_URL)), pos)
    depth = {")": 0, "]": 0}
    for m in _BRACKET.finditer(text, pos, end):
        char = m.group()
        closer = {"(": ")", "[": "]"}.get(char)
        if closer:
            depth[closer] += 1
        elif depth[char]:
            depth[char] -= 1
        else:
            end = m.start()
            break
    return _trim(text, pos, end)


def _url_end(text: str, start: int) -> int:
    """End of a URL whose host starts at ``start``: authority, then path/query/fragment if any."""
    end = _matched_end(_AUTHORITY.match(text, start, min(len(text), start + MAX_HOST)), start)
    if end < len(text) and text[end] in "/?#":
        return _path_end(text, end)
    return _trim(text, start, end)


def _back(pattern: re.Pattern[str], text: str, end: int, limit: int) -> int:
    """Where a run matching ``pattern`` (read backwards) that ends at ``end`` starts."""
    window = text[max(0, end - limit):end][::-1]
    return end - _matched_end(pattern.match(window), 0)


def _matched_end(match: re.Match[str] | None, start: int) -> int:
    """The end of a match of a pattern that also matches nothing (``start`` if it did not)."""
    return match.end() if match is not None else start


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """Inline code: a run of backticks up to the next run of the same length (Markdown)."""
    opened: re.Match[str] | None = None
    for m in _BACKTICKS.finditer(text):
        if opened is None:
            opened = m
        elif len(m.group()) == len(opened.group()):
            yield opened.start(), m.end()
            opened = None


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, merged ``[start, end)`` spans of one line that a width fix must leave alone.

    URLs (``scheme://…``, ``www.…``), e-mail addresses (``张三@公司.中国``), domain names
    without a scheme (``例子.中国``, ``公司.com.cn``, with port and path), Windows and Unix paths,
    inline code in backticks and Markdown link targets. Han characters may be part of all of them.
    """
    spans: list[tuple[int, int]] = []
    covered = -1  # end of the last URL: a scan never restarts inside one (linear time)
    for m in _SCHEME.finditer(text):
        if m.start() < covered:
            continue
        start = _back(_SCHEME_CHARS, text, m.start(), 32)
        while start < m.start() and not (text[start].isascii() and text[start].isalpha()):
            start += 1
        if start < m.start():
            covered = _url_end(text, m.end())
            spans.append((start, covered))
    for m in _WWW.finditer(text):
        if m.start() >= covered:
            spans.append((m.start(), _url_end(text, m.start())))
    at = text.find("@")
    while at != -1:
        start = _back(_LOCAL, text, at, MAX_LOCAL)
        while start < at and text[start] == ".":
            start += 1
        host = _HOST.match(text, at + 1, min(len(text), at + 1 + MAX_HOST))
        if start < at and host:
            spans.append((start, host.end()))
        at = text.find("@", host.end() if host else at + 1)
    for m in _BARE_TLD.finditer(text):
        start = _back(_LABELS, text, m.start(), MAX_HOST)
        if start < m.start():
            port = _PORT.match(text, m.end())
            end = port.end() if port else m.end()
            if end < len(text) and text[end] == "/":
                end = max(end, _path_end(text, end))
            spans.append((start, end))
    for m in _PATH_START.finditer(text):
        spans.append((m.start(), _path_end(text, m.start())))
    spans.extend(_code_spans(text))
    spans.extend(m.span() for m in _LINK_TARGET.finditer(text))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged


def _inside(spans: list[tuple[int, int]], starts: list[int], i: int) -> bool:
    k = bisect.bisect_right(starts, i) - 1
    return k >= 0 and i < spans[k][1]


def fenced_lines(lines: Iterable[str]) -> set[int]:
    """1-based numbers of the lines of fenced code blocks (```/~~~ fences included)."""
    inside: set[int] = set()
    fence = ""
    for line_no, line in enumerate(lines, 1):
        m = _FENCE.match(line)
        if fence or m:
            inside.add(line_no)
        if m and (not fence or m.group(1) == fence):
            fence = "" if fence else m.group(1)
    return inside


def _before_ok(char: str) -> bool:
    return bool(char) and (is_han(char) or char in CLOSERS)


def _after_ok(char: str) -> bool:
    return bool(char) and (is_han(char) or char in OPENERS)


def _is_call(plain: str, opened: int, closed: int) -> bool:
    """``f(x)``, ``print(a)``: a lower-case name (or one letter) right before a bracket whose
    short content has no Han character is code or maths, not a Chinese parenthesis."""
    if closed - opened > 256:
        return False
    name = plain[_back(_IDENTIFIER, plain, opened, 64):opened]
    return bool(_CALL.fullmatch(name)) and not any(is_han(c) for c in plain[opened + 1:closed])


def _han_context(plain: str, marks: str, spans: list[tuple[int, int]]) -> list[int]:
    found: list[int] = []
    n = len(plain)
    stack: list[int] = []
    starts = [start for start, _ in spans]
    for m in re.finditer("[" + re.escape(marks) + "]", plain):
        i, char = m.start(), m.group()
        if spans and _inside(spans, starts, i):
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
    return [i for i in found if not _inside(spans, starts, i)]


def _scan(chars: str, text: str) -> Iterator[re.Match[str]]:
    return re.finditer("[" + re.escape(chars) + "]", text) if chars else iter(())


def _unprotected(plain: str, found: list[tuple[int, str]]) -> list[tuple[int, str]]:
    spans = protected_spans(plain) if found else []
    if not spans:
        return found
    starts = [start for start, _ in spans]
    return [(col, repl) for col, repl in found if not _inside(spans, starts, col)]


def offending(plain: str, options: dict[str, Any]) -> list[tuple[int, str]]:
    """(plain column, replacement) for every offending character of one line."""
    if options["problem"] == "fullwidth_alnum":
        allowed = "".join(c for c in (options["chars"] or FULLWIDTH_ALNUM) if c in FULLWIDTH_ALNUM)
        return _unprotected(plain, [(m.start(), chr(ord(m.group()) - 0xFEE0)) for m in _scan(allowed, plain)])
    if options["style"] == "halfwidth":
        full = "".join(TO_FULL[c] for c in options["chars"] if c in TO_FULL)
        return _unprotected(plain, [(m.start(), TO_HALF[m.group()]) for m in _scan(full, plain)])
    return [(i, TO_FULL[plain[i]]) for i in halfwidth_positions(plain, options["chars"])]


ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TLD_FIRST = frozenset(tld[0] for tld in HAN_TLDS)
ASCII_ALNUM = "0123456789" + ASCII_LETTERS


@dataclass(slots=True)
class LineMarks:
    """The offending characters of one line: plain columns, replacements, the characters."""

    cols: list[int]
    replacements: list[str]
    chars: list[str]

    @classmethod
    def of(cls, plain: str, found: list[tuple[int, str]]) -> LineMarks:
        """From :func:`offending`'s list for the line ``plain``."""
        return cls([c for c, _ in found], [r for _, r in found], [plain[c] for c, _ in found])


def _per_line(doc: Document, options: dict[str, Any]) -> Iterator[tuple[int, LineMarks]]:
    """(line number, offending characters) of the lines with any; code blocks are skipped. With
    the character scan, only the lines it cannot settle run :func:`offending`."""
    plain = doc.plain_text
    code = (fenced_lines(line.plain for line in doc.markup.lines)  # no list of every line
            if "```" in plain or "~~~" in plain else set())
    scan = plain_char_scan(doc)
    if scan is None:
        for line_no, line in enumerate(doc.markup.lines, 1):
            if line_no not in code:
                found = offending(line.plain, options)
                if found:
                    yield line_no, LineMarks.of(line.plain, found)
        return
    settled, unsettled = _scanned(scan, options)
    lines = doc.markup.lines
    for index in sorted(settled.keys() | unsettled):
        if index + 1 in code:
            continue
        if index in settled:
            yield index + 1, settled[index]
            continue
        line_plain = lines[index].plain
        found = offending(line_plain, options)
        if found:
            yield index + 1, LineMarks.of(line_plain, found)


def _scanned(scan: CharScan, options: dict[str, Any]) -> tuple[dict[int, LineMarks], set[int]]:
    """What :func:`offending` gives, from the character scan of the plain text: ({line: offending
    characters} of the lines it settles, the lines it leaves to :func:`offending`: those with a
    possible protected span or a bracket pair to match). Lines in neither have none. 0-based."""
    import numpy as np

    from validators.char_scan import HAN, NEWLINE_ID, char_class, chars_of

    if options["problem"] == "fullwidth_alnum":
        chars = "".join(c for c in (options["chars"] or FULLWIDTH_ALNUM) if c in FULLWIDTH_ALNUM)
        replacements = {c: chr(ord(c) - 0xFEE0) for c in chars}
    elif options["style"] == "halfwidth":
        chars = "".join(TO_FULL[c] for c in options["chars"] if c in TO_FULL)
        replacements = TO_HALF
    else:
        chars = options["chars"]
        replacements = TO_FULL
    marks = char_class(chars)
    at = scan.positions(marks)
    if marks.untracked:  # a mark the scan cannot name: every line with a mark runs offending
        return {}, set(scan.line_of(at).tolist())
    if not len(at):
        return {}, set()
    unsettled: set[int] = set()
    values = scan.values[at]
    if options["problem"] == "halfwidth" and options["style"] == "fullwidth":
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
        at, values = at[hit], values[hit]
    if not len(at):
        return {}, unsettled
    lines = scan.line_of(at)
    protected = _protected_lines(scan)
    # deal the marks out to their lines: each line's slice of the lists
    firsts = np.flatnonzero(np.concatenate(([True], lines[1:] != lines[:-1])))
    cols = (at - scan.starts[lines]).tolist()
    found_chars = chars_of(values)
    found_replacements = [replacements[c] for c in found_chars]
    settled: dict[int, LineMarks] = {}
    for line, lo, hi in zip(lines[firsts].tolist(), firsts.tolist(), [*firsts[1:].tolist(), len(cols)],
                            strict=True):
        if line in protected:
            unsettled.add(line)
        elif line not in unsettled:
            settled[line] = LineMarks(cols[lo:hi], found_replacements[lo:hi], found_chars[lo:hi])
    return settled, unsettled


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


def _protected_lines(scan: CharScan) -> set[int]:
    """The 0-based lines that can hold a protected span: those with a character that one of
    protected_spans' patterns needs. ``://`` and paths need a ``/`` (or ``\\``), ``www.`` a ``.``
    after ``w``, a bare domain a ``.`` before a letter or the first character of a Chinese
    top-level domain, a link target ``](``, an e-mail address ``@``, code a backtick."""
    import numpy as np

    from validators.char_scan import HAN, char_class

    signs = [scan.positions(char_class("@`/\\"))]
    dots = scan.positions(char_class("."))
    after = scan.neighbours(dots, 1)
    domain = char_class(ASCII_LETTERS).contains(after) | char_class("wW").contains(scan.neighbours(dots, -1))
    han_after = np.flatnonzero(~domain & ((after & HAN) != 0))  # which Han character: from the text
    domain[han_after] = [scan.text[i + 1] in TLD_FIRST for i in dots[han_after].tolist()]
    signs.append(dots[domain])
    brackets = scan.positions(char_class("]"))
    signs.append(brackets[char_class("(").contains(scan.neighbours(brackets, 1))])
    return set(scan.line_of(np.concatenate(signs)).tolist())


def edits(doc: Document, options: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(line, 0-based raw column, replacement) for ``--fix``: same length, nothing lost."""
    lines = doc.markup.lines
    return [(line_no, line.raw_column(col), repl)
            for line_no, found in _per_line(doc, options)
            for line in (lines[line_no - 1],) for col, repl in zip(found.cols, found.replacements, strict=True)]


@register
class PunctuationWidthCheck(CheckType):
    name: ClassVar[str] = "punctuation_width"
    summary: ClassVar[str] = "half-width punctuation in Chinese text; full-width letters and digits"
    fix_safety: ClassVar[str | None] = "safe"  # one code point for one code point, tags untouched
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
        per_line = list(_per_line(doc, options))
        if not per_line:
            return
        total = sum(len(found.cols) for _, found in per_line)
        group = options["group"]
        if group == "auto" and options["problem"] == "halfwidth":
            # the document's own style: half-width throughout -> one finding for the document
            expected = set(TO_FULL.values()) if options["style"] == "fullwidth" else set(TO_FULL)
            text = doc.plain_text
            regular = sum(text.count(c) for c in expected)
            group = "document" if total > regular and len(per_line) > 1 else "line"
        lines = doc.markup.lines
        for line_no, found in per_line:
            line = lines[line_no - 1]
            col, repl, char = found.cols[0], found.replacements[0], found.chars[0]
            raw_col = line.raw_column(col) + 1
            if group == "document":
                marks = "".join(dict.fromkeys(chain.from_iterable(f.chars for _, f in per_line)))
                suggestion = "".join(dict.fromkeys(chain.from_iterable(f.replacements for _, f in per_line)))
                where = (f"the document's style: {total} marks {' '.join(marks)} on "
                         f"{len(per_line)} lines, the first one here")
            else:
                marks = "".join(dict.fromkeys(found.chars))
                suggestion = "".join(dict.fromkeys(found.replacements))
                where = ("once in this line" if len(found.cols) == 1
                         else f"{len(found.cols)} in this line: {' '.join(marks)}")
            yield Hit(line_no, raw_col, line_no, raw_col + 1,
                      {"text": char, "replacement": repl, "count": len(found.cols),
                       "total": total, "marks": " ".join(marks), "suggestion": " ".join(suggestion),
                       "where": where},
                      evidence=char + line.plain[max(col - 2, 0):col + 3])
            if group == "document":
                return

    def fix(self, target: FixTarget, options: dict[str, Any]) -> Fix | None:
        """Each reported mark replaced by its other width (one code point for one code point,
        at the positions the check reports, tags untouched)."""
        from validators.load import decode

        if target.text is None:
            return None
        doc = decode("fix.txt", target.text.encode("utf-8"))
        if doc.text is None:
            return None
        todo = edits(doc, options)
        if not todo:
            return None
        lines = list(doc.lines)
        by_line: dict[int, list[tuple[int, str]]] = {}
        for line_no, col, repl in todo:
            by_line.setdefault(line_no, []).append((col, repl))
        for line_no, replacements in by_line.items():
            chars = list(lines[line_no - 1])
            for col, repl in replacements:
                chars[col] = repl
            lines[line_no - 1] = "".join(chars)
        return Fix("\n".join(lines), f"replaced {len(todo)} character(s)")
