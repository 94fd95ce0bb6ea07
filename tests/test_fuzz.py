"""Fuzzing the whole per-document path: bytes -> decode -> markup -> every default rule -> tables.

Arbitrary bytes, arbitrary Unicode and random tag soup. No exception may escape, and every
finding must point inside its file: a line that exists, a column within that line (code points of
the raw line; a point finding at the end of a line may sit one past it, its end one further).
The extracted tables of any input must satisfy their own pandera schemas.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validators.config import build_ruleset, load_config
from validators.engine import check_document, finish_corpus
from validators.findings import Finding
from validators.load import decode
from validators.markup import parse, render
from validators.rules import RuleSet

# FUZZ_EXAMPLES=5000 for a longer hunt; derandomized so the suite is reproducible
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TOKENS = [
    "<cand>", "</cand>", "<a>", "</a>", "<", ">", "</", "<cand", "</cand", "< a>", "<CAND>",
    "<cnad>", "<a href=x>", "<a >", "<>", "</>", "<<", ">>", "\n", "\r\n", "\r", "。", "！", "？",
    "!", "?", "”", "“", "，", ",", "不仅", "也", "但", "是", "而且", "虽然", "却", "不是", "而是",
    "除了", "外", "这", "說", "這", "个", "個", "\u200b", "\ufeff", "\u00ad", " ", "\t", "\u3000",
    "\ufffd", "\ue000", "鍏ㄥ浗", "å¹´", "*", "**", "abc", "2024", "\x01", "\x7f", "\x85",
    "\U00020000", "\U0001f600", "、", "：", "（", "）", "(", ")", "《", "》",
]
TAG_SOUP = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), max_size=80).map(
    "".join)
UNICODE = st.text(max_size=300)
BYTES = st.binary(max_size=600)
# bytes that are mostly valid UTF-8 with a few bad bytes spliced in
DAMAGED = st.tuples(TAG_SOUP, st.lists(st.tuples(st.integers(0, 400), st.binary(min_size=1,
                                                                                 max_size=3)),
                                       max_size=3)).map(
    lambda t: _splice(t[0].encode("utf-8"), t[1]))


def _splice(data: bytes, edits: list[tuple[int, bytes]]) -> bytes:
    for at, junk in edits:
        at = min(at, len(data))
        data = data[:at] + junk + data[at:]
    return data


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    return build_ruleset(load_config(None))


def raw_lines(data: bytes, text: str | None) -> list[str]:
    """The lines positions refer to: the decoded text's, or (undecodable) each line decoded
    leniently, as the load stage locates a bad byte."""
    if text is not None:
        return text.split("\n")
    return [line.decode("utf-8", "replace") for line in data.split(b"\n")]


def assert_inside(finding: Finding, lines: list[str]) -> None:
    where = f"{finding.rule} at {finding.line}:{finding.column}-{finding.end_line}:" \
            f"{finding.end_column} of {len(lines)} line(s)"
    assert 1 <= finding.line <= finding.end_line <= len(lines), where
    first, last = lines[finding.line - 1], lines[finding.end_line - 1]
    assert 1 <= finding.column <= len(first) + 1, where
    assert 1 <= finding.end_column <= len(last) + 2, where
    if finding.end_line == finding.line:
        assert finding.end_column > finding.column, where
    assert finding.message, where


def run_document(data: bytes, path: str = "fuzz.txt") -> list[Finding]:
    ruleset = default_rules()
    doc = decode(path, data)
    result = check_document(doc, ruleset)
    findings = list(result.findings)
    findings += finish_corpus(ruleset, [result])
    lines = raw_lines(data, doc.text)
    for finding in findings:
        assert finding.path == path
        assert_inside(finding, lines)
        finding.as_dict()
    return findings


@FUZZ
@given(BYTES)
def test_arbitrary_bytes(data: bytes) -> None:
    run_document(data)


@FUZZ
@given(UNICODE)
def test_arbitrary_unicode(text: str) -> None:
    run_document(text.encode("utf-8"))


@FUZZ
@given(TAG_SOUP)
def test_tag_soup(text: str) -> None:
    run_document(text.encode("utf-8"))
    markup = parse(text)
    # the tokenizer's own invariants: plain text has as many lines, spans point at their text
    assert len(markup.lines) == text.count("\n") + 1
    for span in markup.spans:
        assert markup.plain_text[span.start:span.end] == span.text
        raw = text.split("\n")[span.line - 1]
        assert raw[span.column - 1:span.end_column - 1] == f"<{span.tag}>{span.text}</{span.tag}>"
    for issue in markup.issues:
        raw = text.split("\n")[issue.line - 1]
        assert 1 <= issue.column <= len(raw) + 1
    if not markup.issues:
        assert render(markup) == text


@FUZZ
@given(DAMAGED)
def test_damaged_utf8(data: bytes) -> None:
    findings = run_document(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # an undecodable file gets its ENC finding and nothing that needs the text
        assert {f.rule for f in findings} & {"ENC001", "ENC002"}, [f.rule for f in findings]


@pytest.mark.slow
@FUZZ
@given(st.lists(TAG_SOUP, min_size=2, max_size=4))
def test_corpus_wide_checks_on_fuzzed_documents(texts: list[str]) -> None:
    ruleset = default_rules()
    texts = [*texts, texts[0]]  # at least one exact duplicate
    docs = [decode(f"d{i}.txt", text.encode("utf-8")) for i, text in enumerate(texts)]
    results = [check_document(doc, ruleset) for doc in docs]
    lines = {doc.path: raw_lines(doc.data, doc.text) for doc in docs}
    for finding in finish_corpus(ruleset, results):
        assert finding.path in lines
        assert_inside(finding, lines[finding.path])
        for related in finding.related:
            assert related.path in lines and 1 <= related.line <= len(lines[related.path])


@pytest.mark.slow
@settings(max_examples=max(EXAMPLES // 6, 20), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(TAG_SOUP.map(lambda t: t.encode("utf-8")), DAMAGED, BYTES))
def test_extracted_tables_of_any_input_satisfy_their_schemas(data: bytes) -> None:
    from validators.tables.cross_table import Reference
    from validators.tables.extract import build_frames, document_rows
    from validators.tables.reading import frame_data
    from validators.tables.validate import validate

    doc = decode("fuzz.txt", data)
    result = check_document(doc, default_rules())
    rows = document_rows(doc, "fuzz.txt")
    frames = build_frames([rows], result.findings)
    reference = Reference({"fuzz.txt": rows.plain_text}, documents=frame_data(
        "documents", frames["documents"], "documents").frame)
    problems: list[Any] = []
    for table, frame in frames.items():
        failures = validate(frame_data(table, frame, f"{table}.csv"),
                            reference if table in ("spans", "pairs") else None)
        problems += [(table, f.kind, f.row, f.column, getattr(f, "message", "")) for f in failures]
    assert problems == []
