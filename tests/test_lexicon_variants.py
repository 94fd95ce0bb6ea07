"""The paired-connective lexicon covers real annotation (issue 15): frames with a choice of parts,
variants of a part, other lexicon files included, and both scripts (OpenCC forms generated when
a span needs them). Bad lexicon files are configuration errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, check_json, run_cli
from test_consistency import measure

from validators.errors import ConfigError
from validators.lexicons import Lexicon, lexicon_from_entries, load_lexicon
from validators.load import decode
from validators.rules import load_rule_files

LEXICONS = REPO / "rules" / "lexicons"
FRAMES = LEXICONS / "paired-frames.yaml"
DATA = REPO / "tests" / "data" / "consistency"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def pair_findings(text: str, rule_id: str) -> list[str]:
    rules = load_rule_files(sorted((REPO / "rules").glob("*.yaml")))
    rule = rules.rules[rule_id]
    doc = decode("doc.txt", text.encode("utf-8"))
    return [rule.format_message(hit) for hit in rule.check.check(doc, rule.options)]


def test_a_frame_is_one_entry_whose_parts_combine_freely() -> None:
    lexicon = load_lexicon(FRAMES)
    for first in ("当", "在", "每当"):
        for second in ("时", "的时候", "以后", "之后", "后"):
            assert lexicon.knows_pair(first, second), (first, second)
    assert lexicon.knows_pair("从", "以来") and lexicon.knows_pair("直到", "为止")
    assert not lexicon.knows_pair("以后", "当")
    frame = next(f for f in lexicon.frames if "当" in f.first)
    assert {"以后", "的时候"} <= set(frame.second)


def test_frame_pairs_are_known_and_their_reversal_is_reported() -> None:
    assert pair_findings("多年以前<a>当</a>联考发榜<a>以后</a>，大家问我。", "PAIR003") == []
    assert pair_findings("<a>从</a>我入选<a>以来</a>，一直烦恼。", "PAIR003") == []
    assert pair_findings("<a>以后</a>联考发榜<a>当</a>，大家问我。", "PAIR004") == [
        "以后……当 is in reverse order; the connective is 当……以后"]


def test_a_variant_stands_for_its_part_in_either_position() -> None:
    lexicon = load_lexicon(FRAMES)
    assert lexicon.knows_pair("不仅仅是", "而且") and lexicon.knows_pair("不仅仅", "也")
    assert lexicon.knows_pair("并不是", "而是") and lexicon.knows_pair("与其", "倒不如")
    assert lexicon.knows_pair("在", "过程当中")
    assert pair_findings("<a>不仅仅是</a>便宜，<a>而且</a>好用。", "PAIR003") == []
    assert pair_findings("<a>不仅仅是</a>便宜，<a>因为</a>好用。", "PAIR003") == [
        "不仅仅是……因为 is not in the paired-connective lexicon"]


def test_every_generated_pair_is_still_known_through_the_include() -> None:
    generated = load_lexicon(LEXICONS / "paired-connectives.yaml")
    frames = load_lexicon(FRAMES)
    assert generated.pairs <= frames.pairs
    assert frames.includes == ("paired-connectives.yaml",)


def test_traditional_forms_are_known_without_being_spelled_out() -> None:
    words = load_lexicon(LEXICONS / "connectives.yaml")
    pairs = load_lexicon(FRAMES)
    for word in ("並且", "還是", "然後", "因為", "雖然", "儘管"):
        assert word not in words.words and words.knows_word(word), word
    for first, second in (("雖然", "但是"), ("因為", "所以"), ("因爲", "所以"), ("當", "以後"),
                          ("不僅", "也")):
        assert (first, second) not in pairs.pairs and pairs.knows_pair(first, second)
    plain = lexicon_from_entries(["并且", "因为…所以"], "inline", scripts=())
    assert not plain.knows_word("並且") and not plain.knows_pair("因為", "所以")


def test_a_traditional_corpus_gets_no_lexicon_or_pair_warning_its_simplified_original_does_not(
        tmp_path: Path) -> None:
    import opencc

    sources = [REPO / "sample-corpus" / "000_c48a539151d484c8.txt",
               *sorted((REPO / "tests" / "data" / "luxun-essays" / "annotated").glob("*.txt")),
               *measure().CORPORA["ted"]]
    simplified = tmp_path / "simplified"
    simplified.mkdir()
    for source in sources:
        (simplified / source.name).write_bytes(source.read_bytes())
    _, report = check_json(str(simplified))
    expected = {rule: report["summary"]["by_rule"].get(rule, 0) for rule in ("LEX001", "PAIR003")}
    for config in ("s2t", "s2tw", "s2hk"):
        target = tmp_path / config
        target.mkdir()
        converter = opencc.OpenCC(config)
        for source in sources:
            (target / source.name).write_text(converter.convert(source.read_text(encoding="utf-8")),
                                              encoding="utf-8")
        _, report = check_json(str(target))
        by_rule = report["summary"]["by_rule"]
        assert {rule: by_rule.get(rule, 0) for rule in ("LEX001", "PAIR003")} == expected, config
        assert report["summary"]["spans"] > 200 and report["summary"]["pairs"] > 20


def test_unknown_pairs_stay_under_five_percent_of_real_annotation() -> None:
    m = measure()
    rules = m.ruleset()
    texts = {m.name(p): p.read_text(encoding="utf-8") for p in m.CORPORA["all"]}
    pairs, unknown = m.unknown_pairs(rules.rules["PAIR003"], texts)
    assert pairs >= 20  # 64 with the TED talks (CORPUS_VALIDATORS_TED), which are not shipped
    assert len(unknown) <= 0.05 * pairs, unknown


def test_include_variants_and_scripts_of_a_project_lexicon(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", "entries:\n  - {first: 若, second: 则}\n")
    lexicon = load_lexicon(write(tmp_path / "mine.yaml", (
        "include: [base.yaml]\nscripts: []\nvariants:\n  则: [那么]\n"
        "entries:\n  - {first: [要是, 倘使], second: [就, 便]}\n")))
    assert lexicon.pairs == {("若", "则"), ("若", "那么"), ("要是", "就"), ("要是", "便"),
                             ("倘使", "就"), ("倘使", "便")}
    assert not lexicon.knows_pair("要是", "則")
    description = "\n".join(lexicon.describe())
    assert "要是 / 倘使 … 就 / 便" in description and "则: 那么" in description
    assert "as written only" in description


@pytest.mark.parametrize(("text", "message", "line"), [
    ("include: [missing.yaml]\nentries: []\n", "included lexicon 'missing.yaml' not found", 1),
    ("include: [loop.yaml]\nentries: []\n", "includes itself", 1),
    ("entries:\n  - {first: [若, 若], second: 则}\n", "list of distinct forms", 2),
    ("entries:\n  - {first: [], second: 则}\n", "a form or a list of distinct forms", 2),
    ("variants: [若]\nentries: []\n", "'variants' must map a form", 1),
    ("scripts: [t2s]\nentries: []\n", "'scripts' must be a list of s2t, s2tw, s2hk", 1),
    ("entries: []\nfrmaes: []\n", "unknown key 'frmaes'", 2),
])
def test_a_bad_lexicon_file_is_a_configuration_error_with_its_line(tmp_path: Path, text: str,
                                                                   message: str, line: int) -> None:
    path = write(tmp_path / "loop.yaml", text)
    with pytest.raises(ConfigError) as error:
        load_lexicon(path)
    assert message in str(error.value)
    assert error.value.path == str(path.resolve()) and error.value.line == line


def test_a_frame_may_not_stand_for_a_cross_product_of_long_lists() -> None:
    forms = [f"形{i}" for i in range(30)]
    with pytest.raises(ConfigError, match="stands for 900 pairs"):
        lexicon_from_entries([{"first": forms, "second": forms}], "inline")


def test_a_bad_project_lexicon_fails_the_run_with_one_line(tmp_path: Path) -> None:
    write(tmp_path / "pairs.yaml", "entries:\n  - {first: 若, second: [则, 则]}\n")
    write(tmp_path / "corpus-validate.yaml",
          "rules:\n  PAIR003:\n    options:\n      lexicon: pairs.yaml\n")
    write(tmp_path / "doc.txt", "<a>若</a>下雨，<a>则</a>不去。\n")
    proc = run_cli("check", str(tmp_path / "doc.txt"), "--config",
                   str(tmp_path / "corpus-validate.yaml"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "pairs.yaml:2" in proc.stderr and "distinct forms" in proc.stderr


def test_lexicon_description_lists_frames_variants_and_scripts() -> None:
    text = "\n".join(load_lexicon(FRAMES).describe())
    assert "当 / 在 / 每当 / 正当 / 等到 … 时 / 时候 / 的时候 / 以后" in text
    assert "不仅: 不仅仅, 不仅仅是, 不仅是" in text
    assert "s2t, s2tw, s2hk forms generated with OpenCC" in text
    assert "(with paired-connectives.yaml)" in text


def test_script_forms_are_not_built_until_a_form_is_unknown() -> None:
    lexicon = load_lexicon(LEXICONS / "connectives.yaml")
    fresh = Lexicon(lexicon.source, lexicon.words, lexicon.pairs)
    assert fresh.knows_word("但是")
    assert "_script_forms" not in fresh.__dict__
    assert fresh.knows_word("還是") and "_script_forms" in fresh.__dict__


def test_pickled_lexicon_keeps_what_it_knows() -> None:
    import pickle

    lexicon = load_lexicon(FRAMES)
    again = pickle.loads(pickle.dumps(lexicon))
    assert again.pairs == lexicon.pairs and again.knows_pair("雖然", "但是")


def test_an_inline_lexicon_of_a_rule_file_may_hold_frames_too() -> None:
    lexicon = lexicon_from_entries([{"first": ["若", "如果"], "second": "则"}, "只要…就"], "inline")
    assert lexicon.pairs == {("若", "则"), ("如果", "则"), ("只要", "就")}
    with pytest.raises(ConfigError, match="needs 'text', or 'first' and 'second'"):
        lexicon_from_entries([{"first": "若"}], "inline")
