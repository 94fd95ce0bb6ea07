"""What the width check types share (``punctuation_width``, PUN001; ``fullwidth_alphanumerics``,
PUN002): both find characters written in the wrong width and replace each with its other width,
one code point for one code point.

Shared here: where a character is not part of the Chinese text and is left alone (URLs, e-mail
addresses, domain names, paths, inline code, Markdown link targets: :func:`protected_spans`;
fenced code blocks: :func:`fenced_lines`), the per-line walk that settles what it can from the
document's character scan and runs the check type's per-line code on the rest
(:func:`marks_per_line`), the findings (:func:`width_hits`: one per line, or one for the
document) and the fix (:func:`width_fix`, which replaces exactly what the check reports).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

from validators.checks import Fix, FixTarget
from validators.document import Document
from validators.facts import plain_char_scan
from validators.findings import Hit

if TYPE_CHECKING:
    from validators.char_scan import CharScan

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


def start_of_run(pattern: re.Pattern[str], text: str, end: int, limit: int) -> int:
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
        start = start_of_run(_SCHEME_CHARS, text, m.start(), 32)
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
        start = start_of_run(_LOCAL, text, at, MAX_LOCAL)
        while start < at and text[start] == ".":
            start += 1
        host = _HOST.match(text, at + 1, min(len(text), at + 1 + MAX_HOST))
        if start < at and host:
            spans.append((start, host.end()))
        at = text.find("@", host.end() if host else at + 1)
    for m in _BARE_TLD.finditer(text):
        start = start_of_run(_LABELS, text, m.start(), MAX_HOST)
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


def inside(spans: list[tuple[int, int]], starts: list[int], i: int) -> bool:
    """Whether plain column ``i`` lies in one of the sorted ``spans`` (``starts``: their starts)."""
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


def char_matches(chars: str, text: str) -> Iterator[re.Match[str]]:
    """Each occurrence of one of ``chars`` in ``text`` (none when ``chars`` is empty)."""
    return re.finditer("[" + re.escape(chars) + "]", text) if chars else iter(())


def unprotected(plain: str, found: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``found`` (plain column, replacement) without those inside a protected span."""
    spans = protected_spans(plain) if found else []
    if not spans:
        return found
    starts = [start for start, _ in spans]
    return [(col, repl) for col, repl in found if not inside(spans, starts, col)]


def replacements_in(plain: str, replacements: dict[str, str]) -> list[tuple[int, str]]:
    """(plain column, replacement) of every character of ``replacements`` in a line, wherever it
    stands, except inside a protected span."""
    return unprotected(plain, [(m.start(), replacements[m.group()])
                               for m in char_matches("".join(replacements), plain)])


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
        """From a per-line ``offending`` list (plain column, replacement) for the line ``plain``."""
        return cls([c for c, _ in found], [r for _, r in found], [plain[c] for c, _ in found])


# A check type's per-line code, and what it settles from the character scan (below).
Offending = Callable[[str], list[tuple[int, str]]]
Scanned = Callable[["CharScan"], tuple[dict[int, LineMarks], set[int]]]


def marks_per_line(doc: Document, offending: Offending, scanned: Scanned
                   ) -> Iterator[tuple[int, LineMarks]]:
    """(line number, offending characters) of the lines with any; code blocks are skipped. With
    the character scan, only the lines ``scanned`` cannot settle run ``offending``."""
    plain = doc.plain_text
    code = (fenced_lines(line.plain for line in doc.markup.lines)  # no list of every line
            if "```" in plain or "~~~" in plain else set())
    scan = plain_char_scan(doc)
    if scan is None:
        for line_no, line in enumerate(doc.markup.lines, 1):
            if line_no not in code:
                found = offending(line.plain)
                if found:
                    yield line_no, LineMarks.of(line.plain, found)
        return
    settled, unsettled = scanned(scan)
    lines = doc.markup.lines
    for index in sorted(settled.keys() | unsettled):
        if index + 1 in code:
            continue
        if index in settled:
            yield index + 1, settled[index]
            continue
        line_plain = lines[index].plain
        found = offending(line_plain)
        if found:
            yield index + 1, LineMarks.of(line_plain, found)


def scanned_replacements(scan: CharScan, replacements: dict[str, str]
                         ) -> tuple[dict[int, LineMarks], set[int]]:
    """What :func:`replacements_in` gives each line, from the character scan: every character of
    ``replacements`` wherever it stands (a line that may hold a protected span is left to the
    per-line code)."""
    from validators.char_scan import char_class

    marks = char_class("".join(replacements))
    at = scan.positions(marks)
    if marks.untracked:  # a mark the scan cannot name: every line with a mark runs the line code
        return {}, set(scan.line_of(at).tolist())
    return deal_out(scan, at, scan.values[at], replacements)


def deal_out(scan: CharScan, at: Any, values: Any, replacements: dict[str, str]
             ) -> tuple[dict[int, LineMarks], set[int]]:
    """The offending characters at offsets ``at`` (their scan ``values``) dealt out to their lines:
    ({line: marks} of the lines settled, the lines that may hold a protected span and go to the
    per-line code). 0-based lines."""
    import numpy as np

    from validators.char_scan import chars_of

    if not len(at):
        return {}, set()
    lines = scan.line_of(at)
    protected = protected_lines(scan)
    # each line's slice of the lists
    firsts = np.flatnonzero(np.concatenate(([True], lines[1:] != lines[:-1])))
    cols = (at - scan.starts[lines]).tolist()
    found_chars = chars_of(values)
    found_replacements = [replacements[c] for c in found_chars]
    settled: dict[int, LineMarks] = {}
    unsettled: set[int] = set()
    for line, lo, hi in zip(lines[firsts].tolist(), firsts.tolist(), [*firsts[1:].tolist(), len(cols)],
                            strict=True):
        if line in protected:
            unsettled.add(line)
        else:
            settled[line] = LineMarks(cols[lo:hi], found_replacements[lo:hi], found_chars[lo:hi])
    return settled, unsettled


def protected_lines(scan: CharScan) -> set[int]:
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


def line_edits(doc: Document, per_line: Iterable[tuple[int, LineMarks]]) -> list[tuple[int, int, str]]:
    """(line, 0-based raw column, replacement) of each offending character: what ``--fix``
    replaces (same length, nothing lost)."""
    lines = doc.markup.lines
    return [(line_no, line.raw_column(col), repl)
            for line_no, found in per_line
            for line in (lines[line_no - 1],) for col, repl in zip(found.cols, found.replacements, strict=True)]


def width_fix(target: FixTarget, edits: Callable[[Document], list[tuple[int, int, str]]]) -> Fix | None:
    """The file with each character ``edits`` names replaced by its other width (one code point
    for one code point, at the positions the check reports, tags untouched)."""
    from validators.load import decode

    if target.text is None:
        return None
    doc = decode("fix.txt", target.text.encode("utf-8"))
    if doc.text is None:
        return None
    todo = edits(doc)
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


def width_hits(doc: Document, per_line: list[tuple[int, LineMarks]], group: str) -> Iterator[Hit]:
    """One hit per line at its first offending character, with the count for the line; with
    ``group: document`` only the first, with the document's totals."""
    if not per_line:
        return
    total = sum(len(found.cols) for _, found in per_line)
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
