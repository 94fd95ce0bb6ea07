"""What the annotation-consistency (``CON``) check types share: how an annotated document is seen
by them, and how two places are said to share a context.

The ``CON`` rules compare the annotated documents with each other, the way DECCA does (Dickinson &
Meurers 2003): a *variation n-gram* is a string that occurs more than once in the corpus with a
*nucleus* annotated differently in its occurrences; the longer the identical context around the
nucleus, the more likely one of the annotations is an error. Here the nucleus is a connective's
surface form and the context is the characters either side of it in its line (a line is a
paragraph; contexts never cross it).

Lines with a breaking markup issue (an unclosed or malformed tag) are left out: their spans
cannot be trusted, and the TAG finding is the one to fix first (the CON check types require
WELL_FORMED_TAGS, so that finding names them). A document without any span is
not annotated and takes no part.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Any

from validators.document import Document
from validators.requirements import WELL_FORMED_TAGS

MAX_RELATED = 5  # other places named in a finding
LINE_EDGE = "\n"  # stands for the start or end of the line in a context: a context of its own


def is_han(text: str) -> bool:
    """Only CJK ideographs (a connective's surface form; punctuation and Latin never are)."""
    return bool(text) and all("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
                              or "\U00020000" <= ch <= "\U0003134f" for ch in text)


# A document with more spans than this takes no part in the CON rules: the corpus stage holds
# about 2.5 KB per span (contexts and places of three rules), so one 20 MB file of 860 000 spans
# would take 2.3 GB; a document that size is a dump of a corpus, not one annotated text.
MAX_DOCUMENT_SPANS = 20_000


def tag_overhead(tag: str) -> int:
    """Raw characters a tag pair adds around its text: ``<cand></cand>`` is 13."""
    return 2 * len(tag) + 5


def broken_lines(doc: Document) -> set[int]:
    """1-based lines touched by a breaking markup issue."""
    out: set[int] = set()
    for issue in doc.markup.issues:
        if issue.kind in WELL_FORMED_TAGS.broken_by:
            out.update(range(issue.line, issue.end_line + 1))
    return out


def annotated_lines(doc: Document) -> tuple[dict[int, str], list[tuple[int, int, int, str]]] | None:
    """The clean lines of an annotated document and its spans in them: ``({line: plain text},
    [(line, start column, end column, tag)])`` with 0-based plain columns of the line; None when
    the document has no span (it is not annotated) or cannot be read."""
    if not doc.readable or not len(doc.markup.spans) or len(doc.markup.spans) > MAX_DOCUMENT_SPANS:
        return None
    broken = broken_lines(doc)
    markup = doc.markup
    lines: dict[int, str] = {}
    spans: list[tuple[int, int, int, str]] = []
    offsets: dict[int, int] = {}
    for span in markup.spans:
        if span.line in broken:
            continue
        if span.line not in lines:  # one line view per line: making one copies the line's text
            view = markup.lines[span.line - 1]
            lines[span.line], offsets[span.line] = view.plain, view.offset
        offset = offsets[span.line]
        spans.append((span.line, span.start - offset, span.end - offset, span.tag))
    if not spans:
        return None
    for number, line in enumerate(markup.lines, 1):
        if number not in broken and number not in lines and line.plain.strip():
            lines[number] = line.plain
    return lines, spans


class LineSpans(list[tuple[int, int, str]]):
    """One line's ``(start, end, tag)`` spans, answering how far its tags move a plain column in
    O(log n): a line of 100 000 spans must not sum over all of them for each one."""

    _ends: list[int]
    _shifts: list[int]

    def shift(self, plain_column: int) -> int:
        """Raw characters the tags of the spans ending at or before ``plain_column`` add."""
        if not hasattr(self, "_ends"):
            order = sorted((end, tag_overhead(tag)) for _, end, tag in self)
            self._ends = [end for end, _ in order]
            self._shifts = [0, *accumulate(overhead for _, overhead in order)]
        return self._shifts[bisect_right(self._ends, plain_column)]


def raw_column(line_spans: LineSpans, plain_column: int) -> int:
    """1-based raw column of a 0-based plain column that is outside every span of its line:
    ``line_spans`` are that line's ``(start, end, tag)``; each span ending before the column moved
    it right by its tags' length."""
    return plain_column + 1 + line_spans.shift(plain_column)


def span_columns(line_spans: LineSpans, start: int, end: int,
                 tag: str) -> tuple[int, int]:
    """1-based raw column of a span's opening ``<`` and the column just past its closing ``>``."""
    column = raw_column(line_spans, start)
    return column, column + tag_overhead(tag) + end - start


def by_line(spans: list[tuple[int, int, int, str]]) -> dict[int, LineSpans]:
    out: dict[int, LineSpans] = {}
    for line, start, end, tag in spans:
        out.setdefault(line, LineSpans()).append((start, end, tag))
    return out


def around(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    """The ``width`` characters before and after ``text[start:end]``, with :data:`LINE_EDGE` where
    the line starts or ends within them (a line-initial 但 shares that with other line-initial
    ones)."""
    left = text[max(0, start - width):start]
    right = text[end:end + width]
    if start - width < 0:
        left = LINE_EDGE + left
    if end + width > len(text):
        right += LINE_EDGE
    return left, right


def shared_context(left_a: str, right_a: str, left_b: str, right_b: str) -> tuple[int, int]:
    """How many characters two occurrences share right before (common suffix of the left
    contexts) and right after (common prefix of the right contexts) their nucleus."""
    before = 0
    while before < min(len(left_a), len(left_b)) and left_a[-1 - before] == left_b[-1 - before]:
        before += 1
    after = 0
    while after < min(len(right_a), len(right_b)) and right_a[after] == right_b[after]:
        after += 1
    return before, after


def sentence_around(line: str, start: int, end: int, ends: str, limit: int) -> tuple[str, str]:
    """The text of the sentence before ``start`` and after ``end`` in a line (a line end always
    ends a sentence), at most ``limit`` characters either side: a line of 100 000 spans and no
    sentence end must not cost a scan of the line per span."""
    floor = max(0, start - limit)
    lo = start
    while lo > floor and line[lo - 1] not in ends:
        lo -= 1
    ceiling = min(len(line), end + limit)
    hi = end
    while hi < ceiling and line[hi] not in ends:
        hi += 1
    return line[lo:start], line[end:hi]


def where(path: str, line: int) -> str:
    return f"{path}:{line}"


def describe_places(places: list[tuple[str, int]], total: int, limit: int = 3) -> str:
    """``a.txt:3, b.txt:9 and 4 more``."""
    shown = ", ".join(where(p, n) for p, n in places[:limit])
    return shown + (f" and {total - limit} more" if total > limit else "")


def percent(part: int, whole: int) -> str:
    """Rounded down, so 94.9% never reads as a 95% threshold."""
    return f"{part * 100 // whole}%" if whole else "0%"


def option_words(options: Any) -> frozenset[str]:
    """The words of the rule's ``lexicon`` option in every script it reads (empty without one).
    ``options``: a CON rule's ``Options``, or None (``extract`` without CON001)."""
    from validators.lexicons import Lexicon
    from validators.rules import option_value

    lexicon = option_value(options, "lexicon")
    return lexicon.all_words() if isinstance(lexicon, Lexicon) else frozenset()


def context_hash(key: tuple[str, ...]) -> int:
    """A stable 64-bit hash of a context key (the same in every process, unlike ``hash``): what
    a first pass over the corpus counts to find the few contexts worth grouping whole."""
    import xxhash  # lazy: a run without annotated documents never needs it

    return xxhash.xxh3_64_intdigest("\0".join(key).encode("utf-8", "surrogatepass"))
