"""Strict tokenizer for the corpus markup: ``<cand>X</cand>`` and ``<a>X</a>``, nothing else.

This is deliberately not an HTML parser: html5lib and BeautifulSoup silently "repair" an unbalanced
``<a>``, which is exactly the fault this tool must report. Every ``<`` and ``>`` of a line is either
part of one of the four valid tags, part of a tag-like token that is reported as malformed, or a
stray bracket that is reported as such.

Positions: lines are 1-based, columns are 1-based code-point columns of the raw line, end columns
are exclusive. Plain-text offsets are 0-based offsets into the document's plain text (tags removed,
lines joined with ``\\n``).
"""

from __future__ import annotations

import bisect
import io
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

TAG_NAMES = ("cand", "a")
VALID_TAG = re.compile(r"<(/?)(cand|a)>")
# Something that looks like a tag: '<', optional '/', a letter-led name, then attributes and a
# '>' (<a href=x>), or no '>' at all, which is itself the fault ('</cand').
# A backslash is read as a (mistyped) slash: <\cand> is a malformed closing tag.
# Possessive quantifiers (*+): '<' and a million spaces must fail in one pass, not by trying every
# split of the spaces between the two \s* (quadratic).
TAG_WITH_ATTRIBUTES = re.compile(r"<\s*+([/\\]?)\s*+([A-Za-z][A-Za-z0-9_:-]*+)(\s[^<>\n]{0,200})(>)")
TAG_LIKE = re.compile(r"<\s*+([/\\]?)\s*+([A-Za-z][A-Za-z0-9_:-]*+)()(\s*+>)?")
BRACKET = re.compile(r"[<>]")

# Parser issue kinds, each reported by one TAG rule (check type ``markup``).
ISSUE_KINDS = (
    "unclosed",       # an opening tag with no closing tag in its line
    "unopened",       # a closing tag with no opening tag before it
    "mismatched",     # <cand>…</a>
    "malformed",      # <cnad>, </cand, <CAND>, < a>, <a href=..>
    "nested",         # a tag opened inside another span
    "empty",          # <cand></cand>
    "crosses_line",   # <cand>但 (line end) 是</cand>
    "stray_bracket",  # a '<' or '>' that is not part of any tag
)


@dataclass(slots=True)
class Span:
    """One well-formed tagged span."""

    index: int        # span id: 0-based order in the document
    tag: str          # "cand" or "a"
    text: str
    line: int
    column: int       # raw column of the opening '<'
    end_column: int   # raw column just past the closing '>'
    start: int        # plain-text offset of the first content character in the document
    end: int          # plain-text offset just past the content
    sentence: int = -1  # set when sentences are computed; see Document.sentences


@dataclass(slots=True)
class MarkupIssue:
    kind: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str                      # the offending token(s)
    tag: str = ""                  # tag name involved, where known
    suggestion: str = ""           # for malformed tags: the valid form it most resembles


@dataclass(slots=True)
class LineMarkup:
    raw: str
    plain: str
    offset: int                    # document plain-text offset of the line's first character
    # plain positions at which tags were removed, and the cumulative raw length removed up to and
    # including each one: maps plain columns back to raw columns
    cut_positions: list[int] = field(default_factory=list)
    cut_cumulative: list[int] = field(default_factory=list)

    def raw_column(self, plain_col: int) -> int:
        """0-based raw column of 0-based plain column ``plain_col`` (a character, not a tag)."""
        i = bisect.bisect_right(self.cut_positions, plain_col)
        return plain_col + (self.cut_cumulative[i - 1] if i else 0)


NEWLINE = re.compile("\n")


def line_starts(text: str) -> array[int]:
    """Offsets of the first character of each line of ``text`` (lines split at ``\n``)."""
    starts = array("i" if len(text) < 2**31 - 1 else "q", [0])
    starts.extend(m.end() for m in NEWLINE.finditer(text))
    return starts


class LineView:
    """One line of a parsed document, made on access from :class:`Markup`'s arrays; the same
    attributes as :class:`LineMarkup`. Only ``plain`` and ``offset`` are made eagerly."""

    __slots__ = ("_index", "_markup", "offset", "plain")

    def __init__(self, markup: Markup, index: int, offset: int, plain: str) -> None:
        self._markup = markup
        self._index = index
        self.offset = offset
        self.plain = plain

    @property
    def raw(self) -> str:
        return self._markup.raw_line(self._index)

    @property
    def cut_positions(self) -> list[int]:
        m, i = self._markup, self._index
        return m._cut_pos[m._cut_index[i]:m._cut_index[i + 1]].tolist()

    @property
    def cut_cumulative(self) -> list[int]:
        m, i = self._markup, self._index
        return m._cut_cum[m._cut_index[i]:m._cut_index[i + 1]].tolist()

    def raw_column(self, plain_col: int) -> int:
        """0-based raw column of 0-based plain column ``plain_col`` (a character, not a tag)."""
        m, i = self._markup, self._index
        lo, hi = m._cut_index[i], m._cut_index[i + 1]
        if lo == hi:
            return plain_col
        k = bisect.bisect_right(m._cut_pos, plain_col, lo, hi)
        return plain_col + (m._cut_cum[k - 1] if k > lo else 0)


class _Lines(Sequence[LineView]):
    """``Markup.lines``: a view object per line, made on access (a million kept LineMarkup
    objects, their plain strings and cut lists cost ~40 times the file's size). A slice is
    another such view, not a list."""

    __slots__ = ("_markup", "_range")

    def __init__(self, markup: Markup, lines: range | None = None) -> None:
        self._markup = markup
        self._range = range(len(markup._raw_starts)) if lines is None else lines

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return _Lines(self._markup, self._range[index])
        return self._markup.line(self._range[index])

    def __iter__(self) -> Iterator[LineView]:
        m = self._markup
        plain, starts = m.plain_text, m._plain_starts
        last = len(starts) - 1
        for index in self._range:
            start = starts[index]
            yield LineView(m, index, start, plain[start:starts[index + 1] - 1] if index < last
                           else plain[start:])


class _Spans(Sequence[Span]):
    """``Markup.spans``: Span objects made on access from compact arrays (a kept Span with its
    own ints and strings costs ~300 bytes; the arrays ~20). The text is a slice of the plain
    text. A slice is another such view, not a list."""

    __slots__ = ("_markup", "_range")

    def __init__(self, markup: Markup, spans: range | None = None) -> None:
        self._markup = markup
        self._range = range(len(markup._span_tag)) if spans is None else spans

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return _Spans(self._markup, self._range[index])
        return self._markup.span(self._range[index])

    def __iter__(self) -> Iterator[Span]:
        m = self._markup
        r = self._range
        if r.step != 1:
            yield from map(m.span, r)
            return
        plain = m.plain_text
        for i, tag, line, column, end_column, start, end in zip(r, *(a[r.start:r.stop] for a in (
                m._span_tag, m._span_line, m._span_column, m._span_end_column, m._span_start,
                m._span_end)), strict=True):
            yield Span(i, TAG_NAMES[tag], plain[start:end], line, column, end_column, start, end)


class Markup:
    """A parsed document, kept compact: the raw text, the plain text (the raw text itself when no
    tag was removed), and arrays of line starts, tag cuts and spans. ``lines`` and ``spans`` are
    sequences whose items are made on access, so a check's peak memory stays a small multiple of
    the file's size."""

    __slots__ = ("_cut_cum", "_cut_index", "_cut_pos", "_plain_starts", "_raw_starts",
                 "_span_column", "_span_end", "_span_end_column", "_span_line", "_span_start",
                 "_span_tag", "issues", "plain_text", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.plain_text = text
        self.issues: list[MarkupIssue] = []
        # offsets and columns fit 4 bytes in any text under 2**31 characters
        code = "i" if len(text) < 2**31 - 1 else "q"
        self._raw_starts = array(code)    # raw offset of each line's first character
        self._plain_starts = array(code)  # plain offset of each line's first character
        self._cut_index = array(code, [0])  # line i's tag cuts are _cut_pos[_cut_index[i]:_cut_index[i+1]]
        self._cut_pos = array(code)       # see LineMarkup.cut_positions
        self._cut_cum = array(code)       # see LineMarkup.cut_cumulative
        self._span_tag = array("b")      # index into TAG_NAMES
        self._span_line = array(code)
        self._span_column = array(code)
        self._span_end_column = array(code)
        self._span_start = array(code)
        self._span_end = array(code)

    @property
    def lines(self) -> _Lines:
        return _Lines(self)

    @property
    def spans(self) -> _Spans:
        return _Spans(self)

    def tag_count(self, tag: str) -> int:
        """How many spans have tag ``tag``, without making the Span objects."""
        return self._span_tag.count(TAG_NAMES.index(tag))

    def line(self, index: int) -> LineView:
        """0-based line ``index`` (IndexError past the end; negative counts from the end)."""
        starts = self._plain_starts
        index = range(len(starts))[index]
        start = starts[index]
        stop = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.plain_text)
        return LineView(self, index, start, self.plain_text[start:stop])

    def span(self, index: int) -> Span:
        """Span ``index`` (IndexError past the end; negative counts from the end)."""
        i = range(len(self._span_tag))[index]
        start, end = self._span_start[i], self._span_end[i]
        return Span(i, TAG_NAMES[self._span_tag[i]], self.plain_text[start:end], self._span_line[i],
                    self._span_column[i], self._span_end_column[i], start, end)

    def overlaps_span(self, start: int, end: int) -> bool:
        """Whether plain-text offsets ``start..end`` (exclusive) overlap a span's text: a bisect
        on the sorted, disjoint spans instead of a set of every tagged offset."""
        k = bisect.bisect_left(self._span_start, end) - 1
        return start < end and k >= 0 and self._span_end[k] > start

    def raw_line(self, index: int) -> str:
        """The raw text of 0-based line ``index``."""
        starts = self._raw_starts
        stop = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.text)
        return self.text[starts[index]:stop]

    def line_of(self, plain_offset: int) -> int:
        """0-based index of the line holding a document plain-text offset."""
        return min(max(bisect.bisect_right(self._plain_starts, plain_offset) - 1, 0),
                   len(self._plain_starts) - 1)


def _suggest(slash: str, name: str, attrs: str, close: str | None) -> str:
    low = name.lower()
    best = ""
    for tag in TAG_NAMES:
        if low == tag or _edit_distance(low, tag) <= (1 if len(tag) > 1 else 0):
            best = tag
            break
    if not best and low.startswith("cand"):
        best = "cand"
    return f"<{'/' if slash else ''}{best}>" if best else ""


def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance; short strings only."""
    if abs(len(a) - len(b)) > 2:
        return 3
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@dataclass(slots=True)
class _Open:
    tag: str | None     # None: a malformed opener, which balances silently
    column: int         # 0-based raw column of '<'
    end: int            # 0-based raw column past '>'
    plain_start: int    # plain column of the content start
    tainted: bool = False


WELL_FORMED_SPAN = re.compile(r"<(cand|a)>([^<>]+)</\1>")


def _tokenize_well_formed(raw: str, line_no: int, offset: int, first_span_index: int
                          ) -> tuple[LineMarkup, list[Span]] | None:
    """Fast path for the common annotated line: every bracket belongs to a well-formed, non-empty,
    non-nested span. Gives exactly what :func:`tokenize_line` gives for such a line (no issues,
    nothing left open); None for any other line."""
    matches = list(WELL_FORMED_SPAN.finditer(raw))
    if not matches or raw.count("<") != 2 * len(matches) or raw.count(">") != 2 * len(matches):
        return None
    spans: list[Span] = []
    plain_parts: list[str] = []
    cut_positions: list[int] = []
    cut_cumulative: list[int] = []
    removed = 0
    pos = 0
    for m in matches:
        start, end = m.span()
        tag, text = m.group(1, 2)
        open_len = len(tag) + 2
        plain_parts.append(raw[pos:start])
        plain_parts.append(text)
        plain_start = start - removed
        removed += open_len
        cut_positions.append(plain_start)
        cut_cumulative.append(removed)
        plain_end = plain_start + len(text)
        removed += open_len + 1
        cut_positions.append(plain_end)
        cut_cumulative.append(removed)
        spans.append(Span(first_span_index + len(spans), tag, text, line_no, start + 1, end + 1,
                          offset + plain_start, offset + plain_end))
        pos = end
    plain_parts.append(raw[pos:])
    return LineMarkup(raw, "".join(plain_parts), offset, cut_positions, cut_cumulative), spans


class _ClosingIndex:
    """Answers :func:`_never_closed`'s question in amortised O(1): the positions of a line's valid
    tags by name, built once (on first need) and walked with pointers that only move forward,
    since the tokenizer asks at ever later positions. Rescanning the rest of the line for every
    opener made a line of 100 000 ``<cand>`` quadratic (hours)."""

    __slots__ = ("close_ptr", "closers", "named", "named_ptr", "raw")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.closers: dict[str, array[int]] = {name: array("q") for name in TAG_NAMES}
        self.named: dict[str, array[int]] = {name: array("q") for name in TAG_NAMES}
        for m in VALID_TAG.finditer(raw):
            name = m.group(2)
            self.named[name].append(m.start())
            if m.group(1):
                self.closers[name].append(m.start())
        self.close_ptr = dict.fromkeys(TAG_NAMES, 0)
        self.named_ptr = {(inner, outer): 0 for inner in TAG_NAMES for outer in TAG_NAMES}

    def _next_closer(self, name: str, pos: int) -> int:
        """Index into ``closers[name]`` of the first ``</name>`` at or after ``pos`` (``pos`` never
        decreases between calls for one line)."""
        positions, i = self.closers[name], self.close_ptr[name]
        while i < len(positions) and positions[i] < pos:
            i += 1
        self.close_ptr[name] = i
        return i

    def never_closed(self, pos: int, outer: str, inner: str) -> bool:
        """Whether an open ``<outer>`` that meets an ``<inner>`` opener ending at ``pos`` is unclosed
        rather than nesting it: the inner span closes, and after that the line has no ``</outer>``
        before the next ``<outer>`` opener (or neither span is ever closed in the line)."""
        c = self._next_closer(inner, pos)
        if c == len(self.closers[inner]):  # neither closes (<cand>但<cand>是): both unclosed
            return self._next_closer(outer, pos) == len(self.closers[outer])
        after = self.closers[inner][c] + len(inner) + 3
        positions, key = self.named[outer], (inner, outer)
        j = self.named_ptr[key]
        while j < len(positions) and positions[j] < after:
            j += 1
        self.named_ptr[key] = j
        return j == len(positions) or self.raw[positions[j] + 1] != "/"


def tokenize_line(raw: str, line_no: int, offset: int, first_span_index: int
                  ) -> tuple[LineMarkup, list[Span], list[MarkupIssue], list[_Open]]:
    """Tokenize one raw line. Returns its markup, spans, issues and the tags left open at its end."""
    simple = _tokenize_well_formed(raw, line_no, offset, first_span_index)
    if simple is not None:
        return simple[0], simple[1], [], []
    return tokenize_line_general(raw, line_no, offset, first_span_index)


def tokenize_line_general(raw: str, line_no: int, offset: int, first_span_index: int
                          ) -> tuple[LineMarkup, list[Span], list[MarkupIssue], list[_Open]]:
    """The tokenizer proper, for any line (``tokenize_line`` tries a fast path first).

    Every step is O(1) amortised per tag: the stack keeps a count of open tags per name (no scan
    for a matching opener), "taint everything open" is a high-water mark (no loop over the stack),
    and the look-ahead of :class:`_ClosingIndex` only moves forward."""
    spans: list[Span] = []
    issues: list[MarkupIssue] = []
    stack: list[_Open] = []
    open_count = dict.fromkeys(TAG_NAMES, 0)  # valid openers on the stack, by name
    tainted_below = 0  # every stack entry below this height is tainted (see _Open.tainted)
    closing_index: _ClosingIndex | None = None
    plain_parts: list[str] = []
    cut_positions: list[int] = []
    cut_cumulative: list[int] = []
    removed = 0
    pos = 0  # raw position copied to plain so far
    consumed = 0  # raw position up to which brackets belong to a token already handled

    def issue(kind: str, start: int, end: int, tag: str = "", suggestion: str = "") -> None:
        issues.append(MarkupIssue(kind, line_no, start + 1, line_no, end + 1, raw[start:end],
                                  tag, suggestion))

    def pop() -> tuple[_Open, bool]:
        """Pop the top entry; with whether it is tainted."""
        nonlocal tainted_below
        top = stack.pop()
        tainted = top.tainted or len(stack) < tainted_below
        tainted_below = min(tainted_below, len(stack))
        if top.tag is not None:
            open_count[top.tag] -= 1
        return top, tainted

    def push(entry: _Open) -> None:
        stack.append(entry)
        if entry.tag is not None:
            open_count[entry.tag] += 1

    for m in BRACKET.finditer(raw):
        start = m.start()
        if start < consumed:
            continue  # inside a token already consumed
        if m.group() == ">":
            issue("stray_bracket", start, start + 1)
            continue
        valid = VALID_TAG.match(raw, start)
        if valid:
            end = valid.end()
            closing, tag = valid.group(1) == "/", valid.group(2)
            plain_parts.append(raw[pos:start])
            plain_col = start - removed
            removed += end - start
            cut_positions.append(plain_col)
            cut_cumulative.append(removed)
            pos = consumed = end
            if not closing:
                if stack and stack[-1].tag is not None:
                    if closing_index is None:
                        closing_index = _ClosingIndex(raw)
                    if closing_index.never_closed(end, stack[-1].tag or "", tag):
                        # <cand>但 … <cand>而</cand>: the first span was left open (its closing
                        # tag is missing), not nested: one unclosed finding, and the later span
                        # is fine
                        top, _ = pop()
                        issue("unclosed", top.column, top.end, top.tag or "")
                if stack:
                    tainted_below = len(stack)
                    if stack[-1].tag is not None:
                        issue("nested", start, end, tag)
                push(_Open(tag, start, end, plain_col, tainted=bool(stack)))
                continue
            if not stack:
                issue("unopened", start, end, tag)
                continue
            if open_count[tag]:
                # pop down to the matching opener; anything above it (a malformed opener, a
                # nested tag) has been reported already, so it is unwound quietly
                top, tainted = pop()
                while top.tag != tag:
                    top, tainted = pop()
                if tainted:
                    continue
                text = raw[top.end:start]
                if not text:
                    issue("empty", top.column, end, tag)
                    continue
                spans.append(Span(first_span_index + len(spans), tag, text, line_no,
                                  top.column + 1, end + 1, offset + top.plain_start,
                                  offset + top.plain_start + len(text)))
                continue
            top, _ = pop()
            if top.tag is None:
                continue  # closes a malformed opener, which was reported
            issues.append(MarkupIssue("mismatched", line_no, top.column + 1, line_no, end + 1,
                                      raw[top.column:end], top.tag, f"</{top.tag}>"))
            continue
        like = TAG_WITH_ATTRIBUTES.match(raw, start) or TAG_LIKE.match(raw, start)
        # '</' + a name is a (broken) closing tag even without '>' and a known name: </a0
        if like and (like.group(4) or like.group(1) or _suggest(*like.groups())):
            end = consumed = like.end()
            slash = like.group(1)
            issue("malformed", start, end, like.group(2), _suggest(*like.groups()))
            if stack:
                tainted_below = len(stack)
            if slash:
                if stack:
                    pop()
            else:
                push(_Open(None, start, end, start - removed))
            # a malformed tag stays in the plain text: it is not markup we understand
            continue
        issue("stray_bracket", start, start + 1)

    for entry in stack[:tainted_below]:
        entry.tainted = True
    plain_parts.append(raw[pos:])
    plain = "".join(plain_parts)
    markup = LineMarkup(raw, plain, offset, cut_positions, cut_cumulative)
    return markup, spans, issues, [entry for entry in stack if entry.tag is not None]


def parse(text: str, raw_starts: array[int] | None = None) -> Markup:
    """Tokenize a decoded document. Never raises on any input. ``raw_starts``: the text's
    :func:`line_starts`, when the caller has them already."""
    markup = Markup(text)
    issues = markup.issues
    markup._raw_starts = starts = raw_starts if raw_starts is not None else line_starts(text)
    plain_starts, cut_index = markup._plain_starts, markup._cut_index
    cut_pos, cut_cum = markup._cut_pos, markup._cut_cum
    span_tag, span_line, span_column = markup._span_tag, markup._span_line, markup._span_column
    span_end_column, span_start, span_end = (markup._span_end_column, markup._span_start,
                                             markup._span_end)
    plain_out: io.StringIO | None = None  # the plain text, once a tag has been removed
    copied = 0     # raw offset up to which the plain text has been written
    removed = 0    # characters removed (tags) before the current line
    n = len(starts)
    next_lt = next_gt = -1
    pending: list[tuple[int, _Open]] = []  # tags left open at the end of the previous line
    for index in range(n):
        line_no = index + 1
        start = starts[index]
        stop = starts[index + 1] - 1 if index + 1 < n else len(text)
        offset = start - removed
        plain_starts.append(offset)
        # each search resumes past the previous hit, so all lines together scan the text once
        if next_lt < start:
            next_lt = text.find("<", start) % (len(text) + 1)  # -1 (none) becomes len(text)
        if next_gt < start:
            next_gt = text.find(">", start) % (len(text) + 1)
        if not pending and next_lt >= stop and next_gt >= stop:
            # the common case, a line without any bracket: nothing to tokenize
            cut_index.append(len(cut_pos))
            continue
        raw = text[start:stop]
        line, line_spans, line_issues, left_open = tokenize_line(raw, line_no, offset,
                                                                 len(span_tag))
        if pending and line_issues and line_issues[0].kind == "unopened":
            first = line_issues[0]
            prev_line, opened = pending[-1]
            if opened.tag == first.tag and not any(
                i.column < first.column and i.kind != "stray_bracket" for i in line_issues[1:]
            ):
                # <cand>但 ⏎ 是</cand>: one finding for the span that crosses the line end
                line_issues.pop(0)
                issues.append(MarkupIssue("crosses_line", prev_line, opened.column + 1, line_no,
                                          first.end_column, markup.raw_line(index - 1)[opened.column:]
                                          + "⏎" + raw[:first.end_column - 1], opened.tag or ""))
                pending.pop()
        for prev_line, opened in pending:
            issues.append(MarkupIssue("unclosed", prev_line, opened.column + 1, prev_line,
                                      opened.end + 1,
                                      markup.raw_line(prev_line - 1)[opened.column:opened.end],
                                      opened.tag or ""))
        if line.cut_positions:
            if plain_out is None:
                plain_out = io.StringIO()
            plain_out.write(text[copied:start])
            plain_out.write(line.plain)
            copied = stop
            cut_pos.extend(line.cut_positions)
            cut_cum.extend(line.cut_cumulative)
            removed += line.cut_cumulative[-1]
        cut_index.append(len(cut_pos))
        for span in line_spans:
            span_tag.append(TAG_NAMES.index(span.tag))
            span_line.append(span.line)
            span_column.append(span.column)
            span_end_column.append(span.end_column)
            span_start.append(span.start)
            span_end.append(span.end)
        issues.extend(line_issues)
        pending = [(line_no, entry) for entry in left_open]
    for prev_line, opened in pending:
        issues.append(MarkupIssue("unclosed", prev_line, opened.column + 1, prev_line,
                                  opened.end + 1, markup.raw_line(prev_line - 1)[opened.column:opened.end],
                                  opened.tag or ""))
    if plain_out is not None:
        plain_out.write(text[copied:])
        markup.plain_text = plain_out.getvalue()
    issues.sort(key=lambda i: (i.line, i.column))
    return markup


def render(markup: Markup) -> str:
    """Rebuild the raw text from plain text and spans (used to test parse -> render round trips)."""
    out: list[str] = []
    by_line: dict[int, list[Span]] = {}
    for span in markup.spans:
        by_line.setdefault(span.line, []).append(span)
    for line_no, line in enumerate(markup.lines, 1):
        pieces: list[str] = []
        pos = 0
        for span in by_line.get(line_no, ()):
            start = span.start - line.offset
            end = span.end - line.offset
            pieces.append(line.plain[pos:start])
            pieces.append(f"<{span.tag}>{line.plain[start:end]}</{span.tag}>")
            pos = end
        pieces.append(line.plain[pos:])
        out.append("".join(pieces))
    return "\n".join(out)
