"""Issue 18: Taiwan and Hong Kong Traditional are Traditional (SCR001-SCR004, script_sets).

The real texts are in tests/data/regional/ (see its SOURCE.md): Lu Xun essays, OpenCC's own
regional test data, Taiwan and Hong Kong government text; plus the real Simplified documents of
tests/data/luxun-essays, tests/data/real and the sample corpus. `python tests/data/regional/measure.py`
prints the counts these tests assert.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import opencc
import pytest
from conftest import REPO, load_script, run_cli
from reference_texts import check_bytes, check_text

from validators import engine
from validators.config import build_ruleset, load_config
from validators.engine import example_failures
from validators.errors import ConfigError
from validators.findings import Finding
from validators.fix import fix_bytes
from validators.rules import RuleSet, load_rule_file
from validators.script_sets import (
    REGIONS,
    Phrases,
    _from_converter,
    derive,
    find_first,
    foreign_forms,
    profile,
    script_sets,
)

DATA = Path(__file__).resolve().parent / "data" / "regional"
ISSUE_SENTENCE = "立法院今天三讀通過法案，許多群眾在場外聚集，表達對政策的支持與關切。"


def load_measure() -> ModuleType:
    """tests/data/regional/measure.py: the readers of the real texts, shared with the script."""
    return load_script(DATA / "measure.py", "regional_measure")


MEASURE = load_measure()


def ruleset(policy: str, tmp_path: Path) -> RuleSet:
    """The default rules with ``script: policy``; only the SCR rules on (the others are other
    tests' business, and the real texts have findings of their own, such as half-width commas)."""
    config = tmp_path / f"{policy}.yaml"
    config.write_text(f"script: {policy}\n", encoding="utf-8")
    rules = build_ruleset(load_config(config))
    for rule in rules:
        if rule.category != "SCR":
            rule.severity = "off"
    return rules


def scr(docs: dict[str, str], rules: RuleSet) -> list[Finding]:
    return [f for f in check_bytes({p: t.encode() for p, t in docs.items()}, rules) if f.category == "SCR"]


# --- the character sets ---------------------------------------------------------------------


def test_no_form_a_traditional_standard_writes_is_simplified_only() -> None:
    """Every Simplified-only character (and the regional forms of the issue), converted with each
    of OpenCC's Traditional configurations, comes out with no Simplified-only character; and
    converted back with t2s, tw2s, hk2s, with no Traditional-only one."""
    sets = script_sets()
    chars = "\n".join(sorted(set(sets.to_traditional) | set("群床秘峰户温脱霉痴卧税兑悦")))
    # each Traditional configuration on what it reads: Simplified, or another Traditional standard
    for source, config in (("", "s2t"), ("", "s2tw"), ("", "s2twp"), ("", "s2hk"), ("s2t", "t2tw"),
                           ("s2t", "t2hk"), ("s2tw", "tw2t"), ("s2hk", "hk2t")):
        text = opencc.OpenCC(source).convert(chars) if source else chars
        out = set(opencc.OpenCC(config).convert(text)) - {"\n"}
        assert not out & sets.simplified, (config, "".join(sorted(out & sets.simplified))[:40])
    for there, back in (("s2t", "t2s"), ("s2tw", "tw2s"), ("s2hk", "hk2s")):
        out = set(opencc.OpenCC(back).convert(opencc.OpenCC(there).convert(chars))) - {"\n"}
        assert not out & sets.traditional, (back, "".join(sorted(out & sets.traditional))[:40])
    # the markers of each script stay: Simplified 这 说 发, Traditional 這 說 羣 戶 and the Hong
    # Kong forms no Simplified text writes (衞 綫)
    assert set("这说发来") <= sets.simplified and set("這說來羣戶溫衞綫敍") <= sets.traditional
    assert not set("群床秘户温著里干后") & (sets.simplified | sets.traditional)


def test_phrases_a_traditional_standard_writes_do_not_count() -> None:
    """恒 is Simplified (orthodox 恆) except in 恒生 and 恒指, which s2t and s2hk keep."""
    counts = profile("恒生指數上升，恒指收市。這是持之以恒的結果。")
    assert counts.simplified == {"恒": 1} and counts.t_count > 0
    text = "恒生銀行，持之以恒"
    assert find_first("simplified", text) == text.index("以") + 1


def test_derive_follows_the_tables_it_is_given() -> None:
    """The derivation on a few table rows: what each rule of script_sets' docstring says."""
    sets = derive({"STCharacters": {"群": ["羣"], "这": ["這"], "户": ["戶"], "干": ["幹", "干"]},
                   "TSCharacters": {"羣": ["群"], "這": ["这"], "戶": ["户"]},
                   "TWVariants": {"羣": ["群"]}, "HKVariants": {"戶": ["户"]},
                   "HKVariantsRev": {"户": ["戶"], "衞": ["衛"], "著": ["着"]},
                   "TWVariantsRev": {"裡": ["裏"]}},
                  {"STPhrases": Phrases.of({"显著": ["顯著"], "恒生": ["恒生"]})})
    assert sets.simplified == {"这"}                       # 群: Taiwan; 户: Hong Kong; 干: both
    assert sets.traditional == {"這", "戶", "羣", "衞", "裡"}  # 著: Simplified writes 显著
    assert sets.foreign == {"tw": {"户": "戶", "衞": "衛"}, "hk": {"裡": "裏"}}  # 著: 顯著 is orthodox
    assert sets.simplified_phrases == set()  # 恒 is not Simplified-only in these tables


def test_the_converter_fallback_agrees_with_the_tables_on_the_regional_forms() -> None:
    tables, converter = script_sets(), _from_converter()
    assert converter.source == "opencc converter"
    assert not set("群床秘峰户温著") & (converter.simplified | converter.traditional)
    assert set("这说") <= converter.simplified and set("這衞綫") <= converter.traditional
    assert converter.foreign["tw"] == tables.foreign["tw"]
    assert set(tables.foreign["hk"]) <= set(converter.foreign["hk"])


# --- no false alarms on regional Traditional text ------------------------------------------


def test_the_issue_sentence_gets_no_script_finding(tmp_path: Path) -> None:
    assert scr({"tw.txt": ISSUE_SENTENCE}, ruleset("traditional", tmp_path)) == []
    assert [f for f in check_text(ISSUE_SENTENCE) if f.category == "SCR"] == []


@pytest.mark.parametrize("config", ["s2tw", "s2twp", "s2hk"])
def test_real_simplified_text_converted_to_any_standard_is_traditional(
        config: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = MEASURE.simplified_documents()
    assert len(docs) >= 20
    converter = opencc.OpenCC(config)
    converted = {p: converter.convert(t) for p, t in docs.items()}
    findings = scr(converted, ruleset("traditional", tmp_path))
    with capsys.disabled():
        print(f"\nissue 18: {len(findings)} SCR findings on {len(docs)} real Simplified documents "
              f"converted with {config}, checked with script: traditional")
    assert findings == []


@pytest.mark.parametrize("standard", ["tw", "hk"])
def test_opencc_regional_test_data_gets_no_finding_in_its_own_standard(standard: str,
                                                                       tmp_path: Path) -> None:
    cases = MEASURE.opencc_cases()[standard]
    assert len(cases) >= 20
    for policy in ("traditional", f"traditional-{standard}"):
        assert scr(cases, ruleset(policy, tmp_path)) == [], policy


def test_real_taiwan_and_hong_kong_text(tmp_path: Path) -> None:
    """Nothing but two characters OpenCC knows only as Simplified: 庄 of the Kaohsiung school
    中庄國中 (a place name Taiwan writes so) and 别 of 個别 in the Legislative Council's text."""
    real = MEASURE.real_regional_documents()
    assert len(real["tw"]) >= 3 and len(real["hk"]) >= 3
    expected = {("SCR002", "tests/data/regional/taiwan/kaohsiung_education_press.txt", 2, 2, "庄"),
                ("SCR002", "tests/data/regional/hongkong/hk_legco_intro.txt", 20, 2, "别")}
    for policy in ("traditional", "traditional-tw", "traditional-hk"):
        rules = ruleset(policy, tmp_path)
        for region, docs in real.items():
            own = policy in ("traditional", f"traditional-{region}")
            found = {(f.rule, f.path, f.line, f.column, f.message.split(": ")[1][0])
                     for f in scr(docs, rules) if f.rule != "SCR004" or own}
            assert found == {e for e in expected if f"/{'taiwan' if region == 'tw' else 'hongkong'}/" in e[1]}


# --- SCR004: a corpus that names its regional standard --------------------------------------


@pytest.mark.parametrize(("policy", "config", "other"), [("traditional-tw", "s2hk", "hk"),
                                                          ("traditional-hk", "s2tw", "tw"),
                                                          ("traditional-hk", "s2twp", "tw")])
def test_the_other_region_is_a_warning_of_its_own_and_no_scr002(policy: str, config: str, other: str,
                                                                 tmp_path: Path) -> None:
    docs = MEASURE.simplified_documents()
    converter = opencc.OpenCC(config)
    converted = {p: converter.convert(t) for p, t in docs.items()}
    region = policy.rsplit("-", 1)[1]
    with_forms = {p for p, t in converted.items() if foreign_forms(t, region)}
    assert len(with_forms) >= len(docs) // 3
    findings = scr(converted, ruleset(policy, tmp_path))
    assert {f.rule for f in findings} == {"SCR004"}
    assert {f.path for f in findings} == with_forms
    for f in findings:
        assert f.severity == "warning"
        assert f.message.startswith(f"{REGIONS[other]} forms in a {REGIONS[region]}-standard document: ")
        line = converted[f.path].split("\n")[f.line - 1]
        assert line[f.column - 1] in script_sets().foreign[region]


def test_regional_forms_are_named_with_the_corpus_form_at_their_position(tmp_path: Path) -> None:
    doc = "立法院今天三讀通過法案。\n為了核實這説法，住户温度很高，温度計。\n"
    (finding,) = scr({"hk.txt": doc}, ruleset("traditional-tw", tmp_path))
    assert (finding.rule, finding.line, finding.column) == ("SCR004", 2, 6)
    assert finding.message == ("Hong Kong forms in a Taiwan-standard document: 温→溫 (×2), 説→說, "
                               "户→戶 (OpenCC hk2t, t2tw)")


@pytest.mark.parametrize("policy", ["traditional", "auto"])
def test_regional_forms_need_a_named_regional_standard(policy: str, tmp_path: Path) -> None:
    """Every standard is accepted (no SCR004, and 户 温 are no SCR002 either); with
    ``simplified`` the documents are SCR001's, never SCR004's."""
    hk = opencc.OpenCC("s2hk").convert("为了核实这说法，住户的温度很高。这是真的。")
    docs = {"a.txt": hk, "b.txt": hk}
    assert scr(docs, ruleset(policy, tmp_path)) == []
    assert {f.rule for f in scr(docs, ruleset("simplified", tmp_path))} == {"SCR001"}


def test_a_simplified_document_is_scr001s_not_scr004s(tmp_path: Path) -> None:
    docs = {"tw.txt": ISSUE_SENTENCE, "cn.txt": "为了核实这说法，住户的温度很高。这是真的。"}
    findings = scr(docs, ruleset("traditional-tw", tmp_path))
    assert [(f.rule, f.path) for f in findings] == [("SCR001", "cn.txt")]
    assert "(OpenCC s2tw: " in findings[0].message


def test_hints_use_the_corpus_or_document_standard(tmp_path: Path) -> None:
    hk = opencc.OpenCC("s2hk").convert("为了核实这说法，住户的温度很高。这是真的，说来话长。")
    doc = hk + "\n这场狂欢已经持续了近半个月，住户温度。\n"
    for policy, config in (("traditional-hk", "s2hk"), ("traditional", "s2hk"), ("auto", "s2hk")):
        scr002 = [f for f in scr({"hk.txt": doc}, ruleset(policy, tmp_path)) if f.rule == "SCR002"]
        assert len(scr002) == 1 and f"(OpenCC {config}: 这场狂欢" in scr002[0].message, policy
    scr002 = [f for f in scr({"hk.txt": doc}, ruleset("traditional-tw", tmp_path)) if f.rule == "SCR002"]
    assert "(OpenCC s2tw: 这场狂欢" in scr002[0].message


def test_fix_replaces_the_other_region_forms_and_nothing_else(tmp_path: Path) -> None:
    rules = ruleset("traditional-tw", tmp_path)
    doc = "立法院今天三讀通過法案。\n<cand>為了</cand>核實這説法，住户温度很高。\n"
    fixed, changes, skipped = fix_bytes(doc.encode(), rules)
    assert fixed.decode() == "立法院今天三讀通過法案。\n<cand>為了</cand>核實這說法，住戶溫度很高。\n"
    assert changes == ["SCR004 replaced 3 Hong Kong form(s) with the Taiwan standard's (説→說, 户→戶, 温→溫)"]
    assert not skipped
    assert scr({"a.txt": fixed.decode()}, rules) == []
    simplified = "这是简体，住户温度很高。\n".encode()
    assert fix_bytes(simplified, rules) == (simplified, [], "")  # SCR001's: never converted
    assert fix_bytes(doc.encode(), ruleset("traditional", tmp_path))[1] == []


def test_fix_makes_s2hk_text_clean_for_a_taiwan_corpus(tmp_path: Path) -> None:
    rules = ruleset("traditional-tw", tmp_path)
    docs = MEASURE.simplified_documents()
    converter = opencc.OpenCC("s2hk")
    fixed = {p: fix_bytes(converter.convert(t).encode(), rules)[0].decode() for p, t in docs.items()}
    assert scr(fixed, rules) == []


def test_check_diff_shows_the_regional_fix(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "corpus-validate.yaml").write_text("script: traditional-tw\n", encoding="utf-8")
    (corpus / "hk.txt").write_text("立法院今天三讀通過法案。\n為了核實這説法。\n", encoding="utf-8")
    proc = run_cli("check", "--diff", str(corpus), cwd=corpus)
    assert proc.returncode in (0, 1), proc.stderr
    assert "-為了核實這説法。" in proc.stdout and "+為了核實這說法。" in proc.stdout
    assert (corpus / "hk.txt").read_text(encoding="utf-8").endswith("這説法。\n")  # --diff writes nothing


# --- configuration and rule examples --------------------------------------------------------


def test_the_regional_policies_are_accepted_and_a_bad_one_is_an_error(tmp_path: Path) -> None:
    for policy in ("traditional-tw", "traditional-hk"):
        rules = ruleset(policy, tmp_path)
        assert {r.options.script for r in rules if "script" in r.check.option_specs()} == {policy}
    with pytest.raises(ConfigError, match="traditional-tw, traditional-hk, not 'traditional-cn'"):
        ruleset("traditional-cn", tmp_path)


def test_scr_rule_examples_behave_with_the_options_they_name() -> None:
    rules = load_rule_file(REPO / "rules" / "script.yaml")
    for rule in rules:
        assert example_failures(rule) == [], rule.id
    scr004 = next(r for r in rules if r.id == "SCR004")
    assert all(isinstance(e, dict) and "options" in e for e in scr004.tests["fail"])


def test_example_options_are_checked_like_configured_ones() -> None:
    rule = next(r for r in load_rule_file(REPO / "rules" / "script.yaml") if r.id == "SCR004")
    with pytest.raises(ConfigError, match="must be one of"):
        engine.check_example(rule, {"text": "為了", "options": {"script": "klingon"}})
    with pytest.raises(ConfigError, match="example option 'colour'"):
        engine.check_example(rule, {"text": "為了", "options": {"colour": "red"}})


def test_a_character_the_simplified_standard_lists_is_not_traditional_evidence() -> None:
    """拚 (拚命, 拚搏) is in the Simplified standard although OpenCC's t2s converts it to 拼: a real
    Voice of America sentence in Simplified gets no script finding (tests/data/real/news)."""
    from reference_texts import check_text

    text = "他们为了高考拚命学习，家长也很辛苦。\n大家都在努力。\n"
    assert [f for f in check_text(text) if f.category == "SCR"] == []
