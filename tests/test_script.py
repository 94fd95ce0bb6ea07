"""SCR rules: script sets from OpenCC's tables, document classification, corpus policy."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
from conftest import SAMPLE, check_json
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_texts import NEWS, SIMPLIFIED, TRADITIONAL, TW_TALK, check_bytes, check_text, text_of

from validators.config import build_ruleset, load_config
from validators.errors import ConfigError
from validators.load import decode
from validators.script_sets import document_script, profile, script_sets

S2T = opencc.OpenCC("s2t")


def test_script_sets_come_from_opencc_and_leave_out_shared_characters() -> None:
    sets = script_sets()
    assert len(sets.simplified) > 2000 and len(sets.traditional) > 2000
    assert not sets.simplified & sets.traditional
    for shared in "里干著后面发":  # valid in both scripts (发 is not: 發/髮)
        if shared != "发":
            assert shared not in sets.simplified and shared not in sets.traditional, shared
    assert "发" in sets.simplified and "發" in sets.traditional
    assert {"这", "说", "来"} <= sets.simplified and {"這", "說", "來", "裏", "後"} <= sets.traditional


@pytest.mark.parametrize(("name", "script"), [*((n, "simplified") for n in SIMPLIFIED),
                                              *((n, "traditional") for n in TRADITIONAL)])
def test_real_documents_are_classified(name: str, script: str) -> None:
    assert document_script(decode(name, text_of(name).encode())) == script


def test_classification_of_mixed_and_script_free_text() -> None:
    assert profile("2024年AI").classify() == "none"
    mixed = text_of(NEWS)[:300] + S2T.convert(text_of(NEWS)[300:600])
    assert profile(mixed).classify() == "mixed"


def test_clean_real_simplified_text_gets_no_enc_or_scr_finding(
        capsys: pytest.CaptureFixture[str]) -> None:
    documents = {n: text_of(n).encode() for n in SIMPLIFIED}
    findings = [f for f in check_bytes(documents) if f.category in ("ENC", "SCR")]
    lines = sum(text_of(n).count("\n") + 1 for n in SIMPLIFIED)
    with capsys.disabled():
        print(f"\nissue 3 false alarms: {len(findings)} ENC/SCR findings on {len(SIMPLIFIED)} clean "
              f"real Simplified documents ({lines} lines)")
    assert findings == []


def test_a_traditional_document_in_a_simplified_corpus_is_reported_with_its_characters() -> None:
    documents = {n: text_of(n).encode() for n in SIMPLIFIED + TRADITIONAL}
    findings = [f for f in check_bytes(documents) if f.category == "SCR"]
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == [
        ("SCR001", TW_TALK, 1, 6)]  # 立法院第8屆: 屆 is the first Traditional-only
    assert "document is Traditional" in findings[0].message
    assert "員" in findings[0].message and "OpenCC t2s" in findings[0].message  # 員 ×48


def test_sample_corpus_traditional_document_is_reported() -> None:
    _, report = check_json("sample-corpus")
    scr = [f for f in report["findings"] if f["category"] == "SCR"]
    assert [(f["rule"], f["path"], f["line"]) for f in scr] == [
        ("SCR001", "sample-corpus/001_1e269361cd1d25e8.txt", 1)]
    assert "來源:北京商報 → 来源:北京商报" in scr[0]["message"]


@pytest.mark.parametrize(("policy", "flagged"), [("simplified", {TW_TALK}),
                                                 ("traditional", set(SIMPLIFIED)),
                                                 ("auto", {TW_TALK})])
def test_the_script_key_of_the_configuration_sets_the_policy(tmp_path: Path, policy: str,
                                                             flagged: set[str]) -> None:
    config_file = tmp_path / "corpus-validate.yaml"
    config_file.write_text(f"script: {policy}\n", encoding="utf-8")
    ruleset = build_ruleset(load_config(config_file))
    documents = {n: text_of(n).encode() for n in SIMPLIFIED + TRADITIONAL}
    assert {f.path for f in check_bytes(documents, ruleset) if f.rule == "SCR001"} == flagged


def test_a_bad_script_value_is_a_configuration_error(tmp_path: Path) -> None:
    config_file = tmp_path / "corpus-validate.yaml"
    config_file.write_text("paths: ['.']\nscript: klingon\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be one of simplified, traditional, auto"):
        build_ruleset(load_config(config_file))


def test_auto_follows_the_majority_and_a_tie_expects_nothing() -> None:
    tw = text_of(TW_TALK).encode()
    majority_traditional = {"a.txt": tw, "b.txt": tw, "c.txt": text_of(SIMPLIFIED[0]).encode()}
    assert {(f.rule, f.path) for f in check_bytes(majority_traditional) if f.category == "SCR"} == {
        ("SCR001", "c.txt")}
    tie = {"a.txt": tw, "c.txt": text_of(SIMPLIFIED[0]).encode()}
    assert [f for f in check_bytes(tie) if f.rule == "SCR001"] == []


def test_a_traditional_body_under_a_simplified_title() -> None:
    lines = text_of(NEWS).split("\n")
    doc = lines[0] + "\n" + S2T.convert("\n".join(lines[1:]))
    findings = [f for f in check_text(doc) if f.category == "SCR"]
    rules = {(f.rule, f.line) for f in findings}
    assert ("SCR003", 2) in rules
    assert not any(f.rule == "SCR002" and f.line == 1 for f in findings)  # the title is SCR003's
    message = next(f.message for f in findings if f.rule == "SCR003")
    assert message.startswith("Traditional body under a Simplified title (line 1)")
    assert "遊" in message or "戲" in message  # 游戏 ×52 in the body


def test_a_mixed_line_names_the_minority_characters_at_their_column() -> None:
    doc = "阿里云通义千问入局。\n这场狂欢已经持续了近半个月，這場狂歡已經持續。\n"
    findings = [f for f in check_text(doc) if f.rule == "SCR002"]
    assert [(f.line, f.column) for f in findings] == [(2, 15)]
    assert "Traditional characters in a Simplified document" in findings[0].message
    assert "這" in findings[0].message and "场" not in findings[0].message.split(":")[1][:20]


def test_script_checks_ignore_tags(tmp_path: Path) -> None:
    findings = check_text("<cand>但</cand>這是繁體。\n")
    assert all(f.column == 15 for f in findings if f.rule == "SCR002")


def test_sample_annotated_document_is_clean_for_script_rules() -> None:
    data = (SAMPLE / "000_c48a539151d484c8.txt").read_bytes()
    assert [f for f in check_bytes({"000.txt": data}) if f.category in ("ENC", "SCR")] == []


def test_each_script_check_type_has_only_the_options_it_reads(tmp_path: Path) -> None:
    """``min_chars`` is the title/body check's (the body's script-specific characters): setting it
    on the mixed-line rule is a configuration error naming that rule's options, not an option it
    silently ignores; on SCR003 it applies."""
    (tmp_path / "corpus-validate.yaml").write_text(
        "paths: ['.']\nrules:\n  SCR002:\n    options: {min_chars: 5}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\.SCR002: unknown option 'min_chars' .*its options: script\)"):
        build_ruleset(load_config(tmp_path / "corpus-validate.yaml"))
    (tmp_path / "corpus-validate.yaml").write_text(
        "paths: ['.']\nrules:\n  SCR003:\n    options: {min_chars: 40}\n", encoding="utf-8")
    ruleset = build_ruleset(load_config(tmp_path / "corpus-validate.yaml"))
    assert ruleset.rules["SCR003"].check.name == "title_body_script"
    assert ruleset.rules["SCR003"].options.min_chars == 40
    body = "大模型的商业化\n來源:北京商報。這場狂歡已經持續了近半個月。"  # 7 Traditional-only characters
    doc = decode("t.txt", body.encode())
    assert list(ruleset.rules["SCR003"].check.check(doc, ruleset.rules["SCR003"].options)) == []
    default = build_ruleset(load_config(None)).rules["SCR003"]
    assert [(h.line, h.column) for h in default.check.check(doc, default.options)] == [(2, 1)]


# --- one scan per document: the same lines and counts as a profile of every line ---------------

def _mixed_documents() -> st.SearchStrategy[str]:
    """Lines of real Simplified and Traditional text, cut and joined at random, with exception
    phrases (masked before counting), an astral script character, CR and blank lines."""
    pieces = [text_of(NEWS)[:400], text_of(TW_TALK)[:400], "恒大集团", "倒霉", "𠮶", "\r", "",
              "abc"]
    line = st.lists(st.sampled_from(pieces), max_size=4).map("".join)
    cut = st.tuples(line, st.integers(0, 60), st.integers(0, 60)).map(
        lambda t: t[0][t[1]:t[1] + 40 + t[2]])
    return st.lists(cut, min_size=1, max_size=12).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(text=_mixed_documents())
def test_lines_with_a_script_are_the_lines_whose_profile_counts_it(text: str) -> None:
    from validators.script_sets import lines_with

    doc = decode("mixed.txt", text.encode("utf-8"))
    for script in ("simplified", "traditional"):
        expected = [i for i, line in enumerate(doc.markup.lines)
                    if getattr(profile(line.plain), script)]
        assert lines_with(script, doc) == expected


@settings(max_examples=100, deadline=None)
@given(text=_mixed_documents())
def test_title_body_script_counts_and_names_the_body_as_a_profile_per_line_does(text: str) -> None:
    """SCR003 takes the body's counts from the document's profile less the title's, and its
    characters (first seen first) from one scan of the body: both as a profile per body line."""
    from validators.checks.title_body_script import body_profile
    from validators.script_sets import ScriptProfile, document_profile

    doc = decode("mixed.txt", ("\n" + text).encode("utf-8"))
    lines = doc.markup.lines
    title_index = next((i for i, line in enumerate(lines) if line.plain.strip()), None)
    if title_index is None:
        return
    per_line = ScriptProfile()
    for line in lines[title_index + 1:]:
        p = profile(line.plain)
        per_line.simplified.update(p.simplified)
        per_line.traditional.update(p.traditional)
    once = body_profile(lines[title_index + 1:], script_sets())
    assert list(once.simplified.items()) == list(per_line.simplified.items())
    assert list(once.traditional.items()) == list(per_line.traditional.items())
    title = profile(lines[title_index].plain)
    whole = document_profile(doc)
    assert whole.simplified - title.simplified == per_line.simplified
    assert whole.traditional - title.traditional == per_line.traditional
