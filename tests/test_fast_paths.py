"""The hot-path shortcuts give exactly what the general code gives.

- markup: lines without brackets skip the tokenizer; lines whose brackets are all well-formed spans
  take a one-regex fast path (``_tokenize_well_formed``); both must equal the general tokenizer;
- sentences: one regex pass over the whole plain text, dealt out to the lines, must equal
  ``split_line`` line by line; ``sentence_of`` must equal a fresh bisect;
- pairing: a document without ``<a>`` skips the sentences and still reports the same.
"""

from __future__ import annotations

import bisect

from hypothesis import given, settings
from hypothesis import strategies as st

from validators.load import decode
from validators.markup import (
    LineMarkup,
    Markup,
    _tokenize_well_formed,
    parse,
    tokenize_line,
    tokenize_line_general,
)
from validators.pairing import pair_markers
from validators.sentences import split_line

FRAGMENTS = ["但", "而且", "不仅", "也", "。", "！", "？", "!", "?", "”", "，", " ", "\r", "x",
             "<cand>", "</cand>", "<a>", "</a>", "<cnad>", "</cand", "<CAND>", "< a>", "<", ">",
             "<a href=x>", "<cand>但</cand>", "<a>不仅</a>", "<a>也</a>", "<cand></cand>"]
lines = st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join)
documents = st.lists(lines, min_size=1, max_size=6).map("\n".join)
ENDS = st.sampled_from(["。！？!?", "。", "!", "。！？!?；", ""])


def _line_view(line: LineMarkup) -> tuple:
    return line.raw, line.plain, line.offset, line.cut_positions, line.cut_cumulative


def _view(markup: Markup) -> tuple:
    return ([_line_view(line) for line in markup.lines],
            [(s.index, s.tag, s.text, s.line, s.column, s.end_column, s.start, s.end)
             for s in markup.spans],
            [(i.kind, i.line, i.column, i.end_line, i.end_column, i.text, i.tag, i.suggestion)
             for i in markup.issues])


@settings(max_examples=400, deadline=None)
@given(lines, st.integers(0, 50), st.integers(0, 5))
def test_tokenize_line_equals_the_general_tokenizer(raw: str, offset: int, first: int) -> None:
    fast_line, fast_spans, fast_issues, fast_open = tokenize_line(raw, 3, offset, first)
    line, spans, issues, left_open = tokenize_line_general(raw, 3, offset, first)
    assert _line_view(fast_line) == _line_view(line)
    assert fast_spans == spans
    assert fast_issues == issues
    assert fast_open == left_open


def test_the_well_formed_fast_path_is_taken_and_refused_where_it_should() -> None:
    assert _tokenize_well_formed("他说<cand>但</cand>是<a>不仅</a>，<a>也</a>。", 1, 0, 0)
    for raw in ("没有标签", "<cand>但</a>", "<cand>但</cand> < 3", "<cand></cand>",
                "<cand>但<a>是</a></cand>", "<cand>但"):
        assert _tokenize_well_formed(raw, 1, 0, 0) is None, raw


@settings(max_examples=200, deadline=None)
@given(documents)
def test_parse_equals_line_by_line_general_tokenizing(text: str) -> None:
    """parse() with its shortcuts equals parse() with the general tokenizer on every line."""
    import validators.markup as markup

    fast = _view(parse(text))
    original = markup.tokenize_line
    markup.tokenize_line = markup.tokenize_line_general  # type: ignore[assignment]
    try:
        general = _view(parse(text))
    finally:
        markup.tokenize_line = original  # type: ignore[assignment]
    assert fast == general


@settings(max_examples=300, deadline=None)
@given(documents, ENDS)
def test_document_sentences_equal_split_line(text: str, ends: str) -> None:
    doc = decode("t.txt", text.encode("utf-8"))
    if doc.text is None:
        return
    reference = []
    for line_no, line in enumerate(doc.markup.lines, 1):
        reference.extend(split_line(line.plain, line.offset, line_no, len(reference), ends))
    assert doc.sentences(ends) == reference
    starts = [s.start for s in reference]
    for offset in range(len(doc.plain_text) + 1):
        i = bisect.bisect_right(starts, offset) - 1
        expected = reference[i].index if i >= 0 and offset < reference[i].end else -1
        assert doc.sentence_of(offset, ends) == expected


@settings(max_examples=200, deadline=None)
@given(documents)
def test_pairing_without_a_spans_skips_nothing_it_should_report(text: str) -> None:
    """The shortcut for documents without <a>: the same broken sentences are skipped."""
    doc = decode("t.txt", text.encode("utf-8"))
    if doc.text is None or any(span.tag == "a" for span in doc.markup.spans):
        return
    pairing = pair_markers(doc, "。！？!?")
    assert not pairing.pairs and not pairing.unpaired and not pairing.crossing
    broken = doc.broken_sentences("。！？!?")
    assert pairing.skipped_sentences == {s.index for s in doc.sentences("。！？!?")
                                         if s.index in broken}
