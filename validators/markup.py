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
import re
from dataclasses import dataclass, field

TAG_NAMES = ("cand", "a")
VALID_TAG = re.compile(r"<(/?)(cand|a)>")
# Something that looks like a tag: '<', optional '/', a letter-led name, then attributes and a
# '>' (<a href=x>), or no '>' at all, which is itself the fault ('</cand').
# A backslash is read as a (mistyped) slash: <\cand> is a malformed closing tag.
TAG_WITH_ATTRIBUTES = re.compile(r"<\s*([/\\]?)\s*([A-Za-z][A-Za-z0-9_:-]*)(\s[^<>\n]{0,200})(>)")
TAG_LIKE = re.compile(r"<\s*([/\\]?)\s*([A-Za-z][A-Za-z0-9_:-]*)()(\s*>)?")
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
# Issues after which the tags of a sentence cannot be trusted (pair checks skip that sentence).
BREAKING_KINDS = frozenset(ISSUE_KINDS) - {"stray_bracket"}


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


@dataclass(slots=True)
class Markup:
    lines: list[LineMarkup]
    spans: list[Span]
    issues: list[MarkupIssue]

    @property
    def plain_text(self) -> str:
        return "\n".join(line.plain for line in self.lines)


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


def _never_closed(raw: str, pos: int, outer: str, inner: str) -> bool:
    """Whether an open ``<outer>`` that meets an ``<inner>`` opener at ``pos`` is unclosed
    rather than nesting it: the inner span closes, and after that the line has no ``</outer>``
    before the next ``<outer>`` opener (or neither span is ever closed in the line)."""
    close = raw.find(f"</{inner}>", pos)
    if close < 0:  # neither closes (<cand>但<cand>是): both unclosed; else keep "nested"
        return f"</{outer}>" not in raw[pos:]
    for m in VALID_TAG.finditer(raw, close + len(inner) + 3):
        if m.group(2) == outer:
            return m.group(1) != "/"
    return True


def tokenize_line(raw: str, line_no: int, offset: int, first_span_index: int
                  ) -> tuple[LineMarkup, list[Span], list[MarkupIssue], list[_Open]]:
    """Tokenize one raw line. Returns its markup, spans, issues and the tags left open at its end."""
    simple = _tokenize_well_formed(raw, line_no, offset, first_span_index)
    if simple is not None:
        return simple[0], simple[1], [], []
    return tokenize_line_general(raw, line_no, offset, first_span_index)


def tokenize_line_general(raw: str, line_no: int, offset: int, first_span_index: int
                          ) -> tuple[LineMarkup, list[Span], list[MarkupIssue], list[_Open]]:
    """The tokenizer proper, for any line (``tokenize_line`` tries a fast path first)."""
    spans: list[Span] = []
    issues: list[MarkupIssue] = []
    stack: list[_Open] = []
    plain_parts: list[str] = []
    cut_positions: list[int] = []
    cut_cumulative: list[int] = []
    removed = 0
    pos = 0  # raw position copied to plain so far
    consumed = 0  # raw position up to which brackets belong to a token already handled

    def issue(kind: str, start: int, end: int, tag: str = "", suggestion: str = "") -> None:
        issues.append(MarkupIssue(kind, line_no, start + 1, line_no, end + 1, raw[start:end],
                                  tag, suggestion))

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
                if stack and stack[-1].tag is not None and _never_closed(raw, end, stack[-1].tag,
                                                                         tag):
                    # <cand>但 … <cand>而</cand>: the first span was left open (its closing tag
                    # is missing), not nested: one unclosed finding, and the later span is fine
                    top = stack.pop()
                    issue("unclosed", top.column, top.end, top.tag or "")
                if stack:
                    for entry in stack:
                        entry.tainted = True
                    if stack[-1].tag is not None:
                        issue("nested", start, end, tag)
                stack.append(_Open(tag, start, end, plain_col, tainted=bool(stack)))
                continue
            if not stack:
                issue("unopened", start, end, tag)
                continue
            if any(entry.tag == tag for entry in stack):
                # pop down to the matching opener; anything above it (a malformed opener, a
                # nested tag) has been reported already, so it is unwound quietly
                top = stack.pop()
                while top.tag != tag:
                    top = stack.pop()
                if top.tainted:
                    continue
                text = raw[top.end:start]
                if not text:
                    issue("empty", top.column, end, tag)
                    continue
                spans.append(Span(first_span_index + len(spans), tag, text, line_no,
                                  top.column + 1, end + 1, offset + top.plain_start,
                                  offset + top.plain_start + len(text)))
                continue
            top = stack.pop()
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
                for entry in stack:
                    entry.tainted = True
            if slash:
                if stack:
                    stack.pop()
            else:
                stack.append(_Open(None, start, end, start - removed))
            # a malformed tag stays in the plain text: it is not markup we understand
            continue
        issue("stray_bracket", start, start + 1)

    plain_parts.append(raw[pos:])
    plain = "".join(plain_parts)
    markup = LineMarkup(raw, plain, offset, cut_positions, cut_cumulative)
    return markup, spans, issues, [entry for entry in stack if entry.tag is not None]


def parse(text: str) -> Markup:
    """Tokenize a decoded document. Never raises on any input."""
    lines: list[LineMarkup] = []
    spans: list[Span] = []
    issues: list[MarkupIssue] = []
    offset = 0
    pending: list[tuple[int, _Open]] = []  # tags left open at the end of the previous line
    for line_no, raw in enumerate(text.split("\n"), 1):
        if not pending and "<" not in raw and ">" not in raw:
            # the common case, a line without any bracket: nothing to tokenize
            lines.append(LineMarkup(raw, raw, offset, [], []))
            offset += len(raw) + 1
            continue
        markup, line_spans, line_issues, left_open = tokenize_line(raw, line_no, offset, len(spans))
        if pending and line_issues and line_issues[0].kind == "unopened":
            first = line_issues[0]
            prev_line, opened = pending[-1]
            if opened.tag == first.tag and not any(
                i.column < first.column and i.kind != "stray_bracket" for i in line_issues[1:]
            ):
                # <cand>但 ⏎ 是</cand>: one finding for the span that crosses the line end
                line_issues.pop(0)
                issues.append(MarkupIssue("crosses_line", prev_line, opened.column + 1, line_no,
                                          first.end_column, lines[-1].raw[opened.column:] + "⏎"
                                          + raw[:first.end_column - 1], opened.tag or ""))
                pending.pop()
        for prev_line, opened in pending:
            issues.append(MarkupIssue("unclosed", prev_line, opened.column + 1, prev_line,
                                      opened.end + 1, lines[prev_line - 1].raw[opened.column:opened.end],
                                      opened.tag or ""))
        lines.append(markup)
        spans.extend(line_spans)
        issues.extend(line_issues)
        pending = [(line_no, entry) for entry in left_open]
        offset += len(markup.plain) + 1
    for prev_line, opened in pending:
        issues.append(MarkupIssue("unclosed", prev_line, opened.column + 1, prev_line,
                                  opened.end + 1, lines[prev_line - 1].raw[opened.column:opened.end],
                                  opened.tag or ""))
    issues.sort(key=lambda i: (i.line, i.column))
    return Markup(lines, spans, issues)


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
