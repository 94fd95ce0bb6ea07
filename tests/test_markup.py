"""The strict tokenizer: positions, malformed forms, and properties over generated documents."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.markup import parse, render


def kinds(text: str) -> list[tuple[str, int, int]]:
    return [(i.kind, i.line, i.column) for i in parse(text).issues]


def test_spans_have_raw_and_plain_positions() -> None:
    markup = parse("<a>不仅</a>便宜，<a>也</a>好用。\n<cand>但</cand>是")
    first, second, third = markup.spans
    assert (first.tag, first.text, first.line, first.column, first.end_column) == ("a", "不仅", 1, 1, 10)
    assert (second.column, second.start, second.end) == (13, 5, 6)
    assert markup.plain_text[second.start:second.end] == "也"
    assert (third.line, third.column, third.start) == (2, 1, len("不仅便宜，也好用。") + 1)
    assert markup.plain_text[third.start:third.end] == "但"


@pytest.mark.parametrize(("text", "expected"), [
    ("<cand>但时至今日", [("unclosed", 1, 1)]),
    ("但</cand>时至今日", [("unopened", 1, 2)]),
    ("<cnad>但</cand>", [("malformed", 1, 1)]),
    ("<cand>但</cand", [("malformed", 1, 8)]),
    ("<CAND>但</CAND>", [("malformed", 1, 1), ("malformed", 1, 8)]),
    ("< a>不</a>", [("malformed", 1, 1)]),
    ('<a href="x">不</a>', [("malformed", 1, 1)]),
    ("<cand>但<a>是</a></cand>", [("nested", 1, 8)]),
    ("<cand></cand>", [("empty", 1, 1)]),
    ("<cand>但</a>", [("mismatched", 1, 1)]),
    ("x<cand>但\n是</cand>", [("crosses_line", 1, 2)]),
    ("3 > 2", [("stray_bracket", 1, 3)]),
    ("《书》<cand>而</cand>且", []),
])
def test_each_malformed_form_is_reported_once(text: str, expected: list) -> None:
    assert kinds(text) == expected


def test_a_malformed_opener_does_not_cascade() -> None:
    # <cnad> is reported; the </cand> that closes it is not a second finding
    assert [i.kind for i in parse("<cnad>但</cand>是，<cand>而</cand>且").issues] == ["malformed"]


def test_suggestion_for_misspelt_tags() -> None:
    assert parse("<cnad>但</cand>").issues[0].suggestion == "<cand>"
    assert parse("</CAND>").issues[0].suggestion == "</cand>"


HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1,
              max_size=4)
FILLER = st.text(alphabet=st.sampled_from(list("我们的模型大小，。！？、“”AI 2024")), max_size=12)


@st.composite
def annotated_lines(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        parts.append(draw(FILLER))
        tag = draw(st.sampled_from(["cand", "a"]))
        parts.append(f"<{tag}>{draw(HAN)}</{tag}>")
    parts.append(draw(FILLER))
    return "".join(parts)


valid_documents = st.lists(annotated_lines(), min_size=1, max_size=6).map("\n".join)


@given(valid_documents)
@settings(max_examples=300, deadline=None)
def test_valid_documents_parse_cleanly_and_round_trip(text: str) -> None:
    markup = parse(text)
    assert markup.issues == []
    assert render(markup) == text
    for span in markup.spans:
        assert markup.plain_text[span.start:span.end] == span.text
        line = text.split("\n")[span.line - 1]
        assert line[span.column - 1:span.end_column - 1] == f"<{span.tag}>{span.text}</{span.tag}>"


@given(st.text(alphabet=st.sampled_from(list("<>/candA 但是\n。")), max_size=80))
@settings(max_examples=500, deadline=None)
def test_tag_soup_never_raises_and_positions_are_inside_the_text(text: str) -> None:
    markup = parse(text)
    lines = text.split("\n")
    for issue in markup.issues:
        assert 1 <= issue.line <= issue.end_line <= len(lines)
        assert 1 <= issue.column <= len(lines[issue.line - 1]) + 1
        assert 1 <= issue.end_column <= len(lines[issue.end_line - 1]) + 1


@pytest.mark.parametrize(("text", "expected"), [
    # a missing </cand> before a later span of the line is one unclosed tag, not a nesting
    ("<cand>但时至今日，<cand>而</cand>且", [("unclosed", 1, 1)]),
    ("<a>不仅便宜，<a>也</a>好用。", [("unclosed", 1, 1)]),
    ("<cand>但时至今日，<a>不仅</a>便宜，<a>也</a>好用。", [("unclosed", 1, 1)]),
    # real nesting: the outer span is closed after the inner one
    ("<cand>但<cand>是</cand></cand>", [("nested", 1, 8)]),
    ("<cand>但<a>是</a>好</cand>", [("nested", 1, 8)]),
])
def test_a_missing_closing_tag_is_unclosed_not_nested(text: str, expected: list) -> None:
    assert kinds(text) == expected


def test_the_span_after_an_unclosed_tag_is_kept() -> None:
    markup = parse("<cand>但时至今日，<cand>而</cand>且")
    assert [(s.tag, s.text) for s in markup.spans] == [("cand", "而")]
