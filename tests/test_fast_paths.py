"""The hot-path shortcuts give exactly what the general code gives.

- markup: lines without brackets skip the tokenizer; lines whose brackets are all well-formed spans
  take a one-regex fast path (``_tokenize_well_formed``); both must equal the general tokenizer;
- sentences: one regex pass over the whole plain text, dealt out to the lines, must equal
  ``split_line`` line by line; ``sentence_of`` must equal a fresh bisect;
- pairing: a document without ``<a>`` skips the sentences and still reports the same.
"""

from __future__ import annotations

import bisect
from typing import Any

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


# --- the character scan: the rules that read it give what their per-line code gives -------------

# each check type's characters, with Han around them (and every other type's now and then)
HAN_TEXT = ["中", "文", "模型", "〇", "\U00020000", "某", "甲"]
CHAR_FRAGMENTS = {
    "punctuation_width": [",", ".", "?", "!", ":", ";", "(", ")", "（", "）", "“", "”", "《", "》", "。",
                          "，", "a", "Z", "9", "３", "ＡＩ", " ", "f(x)", "print(", "...", "10:30", "a.b",
                          "http://例子.中国/路径?a=1,b", "www.a.cn", "WWW.例子.好", "张三@公司.例子", "例子.中国",
                          ".中国", "`x,y`", "```", "~/a/b/", "C:\\d", "[链](http://a.cn)", "<cand>但</cand>"],
    "fullwidth_alphanumerics": ["ＡＩ", "３", "Ａ", "ｚ", "０９", "a", "3", "，", " ", "http://例子.中国/ＡＩ",
                                "www.a.cn", "张三@公司.例子", "`Ａ`", "```", "~/a/Ｂ/", "<cand>Ａ</cand>"],
    "masked_chars": ["*", "＊", "×", "□", "**", " ", "3", "a", "，", "注", "\t", "<cand>但</cand>"],
    "paired_punctuation": ["“", "”", "《", "》", "（", "）", "「", "」", '"', "'", "，", "<cand>", "</cand>"],
    "mojibake": ["鍏ㄥ浗鍚岃優", "鳏寡", "鍏", "å¹´", "â€™", "Ã©", "¤", "“", "—", "a", " ", "\ufffd", "€"],
    **{check: ["\u200b", "\u200d", "\ufeff", "\ufffd", "\x07", "\x85", "\ue000", "\U000F0001",
               "\r", "\r\n", "\u0301", "\u3000", "\U0001F600", "a"]
       for check in ("byte_order_mark", "replacement_characters", "control_characters",
                     "invisible_characters", "private_use_characters", "line_endings")},
}
ALL_FRAGMENTS = sorted({f for fragments in CHAR_FRAGMENTS.values() for f in fragments})


def char_documents(check: str) -> st.SearchStrategy[str]:
    fragment = st.one_of(st.sampled_from(CHAR_FRAGMENTS[check]), st.sampled_from(HAN_TEXT),
                         st.sampled_from(ALL_FRAGMENTS))
    line = st.lists(fragment, max_size=14).map("".join)
    return st.lists(line, min_size=1, max_size=6).map("\n".join)


# (check type, options over its default rule's): the defaults and the options' edge cases
CHAR_RULES = [
    ("punctuation_width", {}), ("punctuation_width", {"group": "line"}),
    ("punctuation_width", {"group": "document"}),
    ("punctuation_width", {"style": "halfwidth"}),
    ("punctuation_width", {"chars": ",("}),
    ("punctuation_width", {"chars": "()"}),
    ("fullwidth_alphanumerics", {"chars": ""}), ("fullwidth_alphanumerics", {"group": "document"}),
    ("fullwidth_alphanumerics", {"chars": "Ａ３"}),
    ("masked_chars", {}), ("masked_chars", {"chars": "某*", "max_run": 1}),
    ("paired_punctuation", {}), ("paired_punctuation", {"pairs": ['""', "某甲", "（）"]}),
    ("mojibake", {}), ("mojibake", {"min_rare": 0.0}), ("mojibake", {"min_rare": 1.0, "min_valid": 0.0}),
    *[(check, {}) for check in ("replacement_characters", "control_characters", "invisible_characters",
                                "private_use_characters", "line_endings", "byte_order_mark")],
    ("invisible_characters", {"allow": "\u200b"}),
]


def _char_rule_options(check: str, override: dict) -> Any:
    """The options of the default rule of ``check`` (the one with the same ``problem``, for a
    family) with ``override`` laid over them: an ``Options`` instance (a dict for a check type
    not yet on typed options)."""
    from validators.config import build_ruleset, load_config
    from validators.rules import option_value, with_options

    ruleset = _CHAR_RULESET.get(0) or _CHAR_RULESET.setdefault(0, build_ruleset(load_config(None)))
    rule = next(r for r in ruleset if r.check.name == check
                and all(option_value(r.options, k) == v for k, v in override.items() if k == "problem"))
    return with_options(rule, override, ("test_fast_paths", 0))


_CHAR_RULESET: dict = {}


def _hits(check: str, options: dict, text: str, scan: bool) -> list:
    import validators.facts as facts
    from validators.checks import load_check_types

    saved = facts.SCAN_MIN_CHARS, facts.SCAN_ALONE_CHARS
    facts.SCAN_MIN_CHARS, facts.SCAN_ALONE_CHARS = (0, 0) if scan else (10**12, 10**12)
    try:
        doc = decode("t.txt", text.encode("utf-8"))
        assert (facts.plain_char_scan(doc) is not None) == scan
        return list(load_check_types()[check]().check(doc, options))
    finally:
        facts.SCAN_MIN_CHARS, facts.SCAN_ALONE_CHARS = saved


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(CHAR_RULES).flatmap(lambda rule: st.tuples(st.just(rule), char_documents(rule[0]))))
def test_the_character_scan_gives_the_per_line_findings(case: tuple[tuple[str, dict], str]) -> None:
    (check, override), text = case
    options = _char_rule_options(check, override)
    assert _hits(check, options, text, scan=True) == _hits(check, options, text, scan=False)


def test_the_scan_settles_what_it_can_and_leaves_the_rest_to_the_line_code() -> None:
    """The shortcuts are taken: a document of plain half-width commas after Han is settled from
    the scan alone (no offending() call); a line with a URL still goes through offending()."""
    import validators.checks.punctuation_width as pw
    from validators.char_scan import CharScan

    options = _char_rule_options("punctuation_width", {})
    settled, unsettled = pw._scanned(CharScan("大模型,应用。\n见http://例子.中国/路径,好\n(注)好"), options)
    assert settled == {0: pw.LineMarks([3], ["，"], [","]), 2: pw.LineMarks([0, 2], ["（", "）"], ["(", ")"])}
    assert unsettled == {1}


def test_many_damaged_runs_are_counted_in_one_batch() -> None:
    """Past 64 runs with rare characters, the scan counts their Han characters in one call."""
    lines = [f"{i}鍏ㄥ浗鍚岃優a{'〇' * (i % 3)}全国同胞们好b鳏寡孤独魑魅c{'鍏' * (i % 5)}" for i in range(120)]
    text = "\n".join(lines)
    options = _char_rule_options("mojibake", {})
    for override in ({}, {"min_rare": 0.0}, {"min_rare": 0.9}):
        changed = _char_rule_options("mojibake", override)
        assert _hits("mojibake", changed, text, scan=True) == _hits("mojibake", changed, text, scan=False)
    assert len(_hits("mojibake", options, text, scan=True)) == 120


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["“", "”", "《", "》", "（", "）", '"', "某", "甲", "中", "\n"]),
                max_size=24).map("".join),
       st.sampled_from([["“”", "《》", "（）"], ['""', "某甲"], ["“”", "”“"]]))
def test_unbalanced_from_the_scan_is_the_stack_of_each_line(text: str, pairs: list[str]) -> None:
    from validators.char_scan import CharScan
    from validators.checks.paired_punctuation import scanned_unbalanced, unbalanced

    expected = {i: found for i, line in enumerate(text.split("\n")) if (found := unbalanced(line, pairs))}
    assert scanned_unbalanced(CharScan(text), pairs) == expected


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["(", ")", "(", ")", "中", "a", "f", ",", ".", "”", "“", " ", "\n"]),
                max_size=24).map("".join))
def test_halfwidth_marks_from_the_scan_are_offending_of_each_line(text: str) -> None:
    """Brackets pair up by depth as _han_context's stack pairs them, line by line."""
    import validators.checks.punctuation_width as pw
    from validators.char_scan import CharScan

    options = _char_rule_options("punctuation_width", {})
    settled, unsettled = pw._scanned(CharScan(text), options)
    for index, line in enumerate(text.split("\n")):
        found = pw.offending(line, options)
        if index in settled:
            assert settled[index] == pw.LineMarks.of(line, found)
        elif index not in unsettled:
            assert found == []
