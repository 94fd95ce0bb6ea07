"""SCR rules: script sets from OpenCC's tables, document classification, corpus policy."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
from conftest import SAMPLE, check_json
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
