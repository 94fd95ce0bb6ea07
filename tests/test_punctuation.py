"""PUN rules: half-width punctuation in Han context, full-width letters/digits, masked
characters, unbalanced pairs; tags are masked before they run."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_texts import SIMPLIFIED, TALK, TRADITIONAL, check_bytes, check_text, text_of

from validators.checks.masked_chars import masked_runs
from validators.checks.punctuation_width import halfwidth_positions
from validators.load import decode


def pun(text: str) -> list[tuple[str, int, int]]:
    return [(f.rule, f.line, f.column) for f in check_text(text) if f.category == "PUN"]


@pytest.fixture(scope="module")
def sample_findings() -> dict[str, list]:
    documents = {p.name: p.read_bytes() for p in sorted(SAMPLE.glob("*.txt"))}
    findings = check_bytes(documents)
    return {name: [f for f in findings if f.path == name and f.category == "PUN"]
            for name in documents}


def test_sample_masked_character_is_reported(sample_findings: dict[str, list]) -> None:
    masked = [(f.line, f.column) for f in sample_findings["004_4d9dd17f961e9747.txt"]
              if f.rule == "PUN003"]
    assert (11, 9) in masked  # 这当然都是借口。*的原因
    assert len(masked) == 6


def test_sample_halfwidth_documents_get_one_finding_each(sample_findings: dict[str, list]) -> None:
    for name in ("001_1e269361cd1d25e8.txt", "002_b2bc9cf61d22c827.txt",
                 "003_2ce58a2ea71ab375.txt", "004_4d9dd17f961e9747.txt"):
        pun001 = [f for f in sample_findings[name] if f.rule == "PUN001"]
        assert len(pun001) == 1, name
        assert "the document's style" in pun001[0].message


def test_sample_annotated_document_is_clean(sample_findings: dict[str, list]) -> None:
    assert sample_findings["000_c48a539151d484c8.txt"] == []


@pytest.mark.parametrize("name", SIMPLIFIED + TRADITIONAL)
def test_real_documents_have_no_width_or_mask_finding(name: str) -> None:
    assert [f for f in pun(text_of(name)) if f[0] in ("PUN001", "PUN002", "PUN003")] == []


def test_a_few_halfwidth_slips_are_reported_per_line_with_counts() -> None:
    lines = text_of(TALK).split("\n")
    lines[3] = lines[3].replace("，", ",", 2)
    findings = [f for f in check_text("\n".join(lines)) if f.rule == "PUN001"]
    assert [(f.line, f.column) for f in findings] == [(4, 8)]  # 记者：每年五月，
    assert "2 in this line" in findings[0].message


@pytest.mark.parametrize(("text", "expected"), [
    ("大模型,应用", [3]), ("版本3.5发布", []), ("10:30开会", []), ("网址http://a.cn", []),
    ("了...", []), ("好吗?", [2]), ("他说:“来”", [2]), ("定焦(dingjiaoone)原创", [2, 14]),
    ("1)第一", []), ("9月5日,360智脑", [4]), ("GPT-4,Claude", []), ("“好”,他说", [3]),
    # not punctuation of the Chinese text: a domain name, an e-mail address, a URL, code, a call
    ("例子.中国", []), ("张三@公司.中国,好", [8]), ("http://例子.中国/路?值,a", []), ("`用户.名字`", []),
    ("f(x)的值", []), ("小明.他说", [2]),
])
def test_han_context(text: str, expected: list[int]) -> None:
    assert halfwidth_positions(text, ",.?!:;()") == expected


def test_tags_are_masked_before_punctuation_runs() -> None:
    # <a> is never punctuation, and positions are raw columns
    assert pun("<a>不仅</a>便宜,<a>也</a>好用。") == [("PUN001", 1, 12)]
    assert pun("<cand>但</cand>“是”<a>不仅</a>《书》") == []
    assert pun("“<cand>但</cand>") == [("PUN004", 1, 1)]
    assert pun("<cand>但</cand>*的原因") == [("PUN003", 1, 15)]


@pytest.mark.parametrize(("text", "masked"), [
    ("这当然都是借口。*的原因", ["*"]), ("王××是本案被告", ["××"]), ("习□平", ["□"]),
    ("面积3×4米", []), ("1920 × 1080", []), ("这是**重点**内容", []), ("* 列表项", []),
    ("数据来源*", []), ("*注：数据", []), ("————****————", []), ("买不到*进的芯片", ["*"]),
    ("A×B矩阵", []), ("共＊党", ["＊"]), ("×先生说", ["×"]), ("王×", ["×"]), ("□", []), ("*", []),
    ("×", []),
])
def test_masked_characters(text: str, masked: list[str]) -> None:
    assert [text[s:e] for s, e in masked_runs(text, "*＊×□", 4)] == masked


def test_fullwidth_letters_and_digits() -> None:
    assert pun("２０２４年ＡＩ大模型，发布。") == [("PUN002", 1, 1)]
    assert "6 in this line" in next(f.message for f in check_text("２０２４年ＡＩ大模型")
                                    if f.rule == "PUN002")


def test_unbalanced_pairs_are_reported_at_the_unmatched_character() -> None:
    assert pun("他说：“大模型来了。") == [("PUN004", 1, 4)]
    assert pun("他说：”大模型来了。”") == [("PUN004", 1, 4), ("PUN004", 1, 11)]
    assert pun("《经济学原理》（上册）「好」") == []
    assert pun("第一段“开始\n结束”了") == [("PUN004", 1, 4), ("PUN004", 2, 3)]


def test_the_expected_style_is_configurable(tmp_path: Path) -> None:
    from conftest import check_json

    (tmp_path / "doc.txt").write_text("大模型，应用。\n第二行,好\n", encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text(
        "paths: ['.']\nrules:\n  PUN001: {options: {style: halfwidth}}\n", encoding="utf-8")
    _, report = check_json(cwd=tmp_path)
    assert [(f["rule"], f["line"], f["column"]) for f in report["findings"]
            if f["rule"] == "PUN001"] == [("PUN001", 1, 4)]


PLAIN = st.lists(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                           st.sampled_from("，。、；：？！")), min_size=1, max_size=20).map("".join)


@settings(max_examples=50, deadline=None)
@given(parts=st.lists(st.tuples(PLAIN, st.sampled_from(["cand", "a", ""])), min_size=1,
                      max_size=6))
def test_annotated_fullwidth_text_has_no_punctuation_finding(parts: list[tuple[str, str]]) -> None:
    text = "".join(f"<{t}>{p}</{t}>" if t else p for p, t in parts)
    assert [f for f in check_text(text) if f.rule in ("PUN001", "PUN002", "PUN003", "PUN004")] == []


NASTY = st.text(alphabet=st.sampled_from("大模型，,.?!:;()（）“”《》*＊×□ ２Ａ<>/andc\r\n\u200b\ufeff"
                                         "\ue000\ufffd\x07"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(text=NASTY)
def test_any_text_gives_findings_with_valid_positions_never_a_crash(text: str) -> None:
    lines = text.split("\n")
    for f in check_text(text):
        if f.category in ("ENC", "SCR", "PUN") and f.rule not in ("ENC003", "ENC010"):
            assert 1 <= f.line <= len(lines)
            assert 1 <= f.column < f.end_column <= len(lines[f.line - 1]) + 1, f


HOUSE_PAIRS = """\
rules:
  PUN104:
    name: house-pairs
    check: paired_punctuation
    severity: warning
    message: "{detail}"
    description: Pairs of the house style.
    options:
      pairs: ["“”", "《", "「」"]
    tests:
      pass: ["“好”"]
      fail: ["“好"]
"""


def test_a_pair_that_is_not_two_characters_is_refused_at_load(tmp_path: Path) -> None:
    """A project rule whose ``pairs`` holds "《" could never match: the rule file is refused when
    its options load (naming the file, the options' line and the entry), not when a document or
    one of the rule's examples first runs the check."""
    from conftest import run_cli

    (tmp_path / "house.yaml").write_text(HOUSE_PAIRS, encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text("rule_files: [house.yaml]\n", encoding="utf-8")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "doc.txt").write_text("他说：“大模型来了。”\n", encoding="utf-8")
    proc = run_cli("check", "corpus", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{tmp_path / 'house.yaml'}:8:" in proc.stderr, proc.stderr  # the rule's options
    assert "each entry of 'pairs' must be two characters, not '《'" in proc.stderr, proc.stderr
    assert "example" not in proc.stderr, proc.stderr


def test_a_configured_pair_that_is_not_two_characters_names_the_configuration(tmp_path: Path) -> None:
    """The same entry set in corpus-validate.yaml fails as the configuration loads (``rules
    list`` runs no check at all), at its line."""
    from conftest import run_cli

    (tmp_path / "corpus-validate.yaml").write_text(
        "paths: ['.']\nrules:\n  PUN004:\n    options: {pairs: [\"“”\", \"【】】\"]}\n", encoding="utf-8")
    proc = run_cli("rules", "list", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{tmp_path / 'corpus-validate.yaml'}:4:" in proc.stderr, proc.stderr
    assert "not '【】】'" in proc.stderr, proc.stderr


def test_each_width_check_type_has_only_the_options_it_reads(tmp_path: Path) -> None:
    """PUN002 (full-width letters and digits) has no punctuation ``style``: setting one is a
    configuration error naming its own options; its ``group: document`` gives one finding with the
    document's totals."""
    from validators.config import build_ruleset, load_config
    from validators.errors import ConfigError

    config = tmp_path / "corpus-validate.yaml"
    config.write_text("paths: ['.']\nrules:\n  PUN002:\n    options: {style: halfwidth}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\.PUN002: unknown option 'style' .*its options: chars, group\)"):
        build_ruleset(load_config(config))
    config.write_text("paths: ['.']\nrules:\n  PUN002:\n    options: {group: document}\n", encoding="utf-8")
    rule = build_ruleset(load_config(config)).rules["PUN002"]
    assert rule.check.name == "fullwidth_alphanumerics"
    doc = decode("t.txt", "第一行ＡＩ\n第二行２０２４年\n".encode())
    hits = list(rule.check.check(doc, rule.options))
    assert [(h.line, h.column, h.fields["total"]) for h in hits] == [(1, 4, 6)]
    assert "the document's style: 6 marks Ａ Ｉ ２ ０ ４ on 2 lines" in hits[0].fields["where"]


@pytest.mark.parametrize(("rule", "options", "error"), [
    ("PUN001", "{chars: ',、'}", "'chars' must hold some of the half-width marks ,.?!:;(), not '、'"),
    ("PUN001", "{chars: ''}", "'chars' must hold some of the half-width marks ,.?!:;()"),
    ("PUN002", "{chars: 'AＩ'}", "'chars' may hold only full-width letters and digits (ＡＩ２０), not 'A'"),
    ("PUN003", "{chars: ''}", "'chars' is empty: nothing could ever be reported"),
])
def test_characters_a_check_could_never_report_are_refused_at_load(
        tmp_path: Path, rule: str, options: str, error: str) -> None:
    """A character the check type cannot handle would be ignored without a word (PUN001 knows the
    other width of ,.?!:;() only; PUN002 reports full-width letters and digits only), and an empty
    PUN003 ``chars`` made a pattern that does not compile: each is refused as the configuration
    loads, at its line."""
    from validators.config import build_ruleset, load_config
    from validators.errors import ConfigError

    config = tmp_path / "corpus-validate.yaml"
    config.write_text(f"paths: ['.']\nrules:\n  {rule}:\n    options: {options}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        build_ruleset(load_config(config))
    assert str(raised.value).startswith(f"{config}:4: ") and error in str(raised.value)
