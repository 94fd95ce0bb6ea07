"""Skipped checks say so, and the tag, pair and consistency rules refuse options that cannot work.

A tag problem that breaks a sentence makes every rule requiring WELL_FORMED_TAGS skip that
sentence; the first finding of the document that breaks one names those rules (as UD's validator
says which tests it skipped), so that their silence is not read as a pass.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from conftest import run_cli

from validators.checks import DECODED_TEXT, WELL_FORMED_TAGS, load_check_types
from validators.engine import check_document, rules_requiring, skip_note
from validators.errors import ConfigError
from validators.findings import Finding
from validators.load import decode
from validators.rules import RuleSet, load_rule_file, load_rule_files

RULES = Path(__file__).resolve().parent.parent / "rules"
TAG_RULES = load_rule_files([RULES / "tags.yaml"])
TAG_PAIR_CON_RULES = load_rule_files([RULES / f"{name}.yaml" for name in ("tags", "pairs", "consistency")])
DEPENDENTS = ("CON001", "CON002", "CON003", "PAIR001", "PAIR002", "PAIR003", "PAIR004")
NOTE = " — until the tags are fixed, these rules skip the sentences they break: "


def findings(text: str, rules: RuleSet = TAG_PAIR_CON_RULES) -> list[Finding]:
    return check_document(decode("doc.txt", text.encode("utf-8")), rules).findings


def noted(found: list[Finding]) -> list[Finding]:
    return [f for f in found if NOTE in f.message]


def without(rules: RuleSet, *prefixes: str) -> RuleSet:
    """``rules`` with the rules of ``prefixes`` switched off, as ``rules: {PAIR001: off}`` does."""
    copied = RuleSet({rule_id: copy.copy(rule) for rule_id, rule in rules.rules.items()})
    for rule in copied:
        if rule.id.startswith(prefixes):
            rule.severity = "off"
    return copied


def test_the_breaking_finding_names_every_rule_that_skips_its_sentence() -> None:
    found = findings("<cand>但时至今日。<a>不仅</a>便宜，<a>也</a>好用。\n")
    (tag,) = noted(found)
    assert tag.rule == "TAG001"
    assert tag.message == "<cand> is never closed in its line" + NOTE + ", ".join(DEPENDENTS)


def test_the_list_comes_from_the_declared_requirements() -> None:
    assert rules_requiring(TAG_PAIR_CON_RULES, WELL_FORMED_TAGS) == DEPENDENTS
    for name in ("paired_markers", "pair_lexicon", "untagged_connective", "tag_type_variation",
                 "boundary_variation"):
        assert load_check_types()[name].needs(WELL_FORMED_TAGS), name
        assert load_check_types()[name].needs(DECODED_TEXT), name
    assert not load_check_types()["markup"].needs(WELL_FORMED_TAGS)


def test_disabled_pair_rules_are_not_named() -> None:
    (tag,) = noted(findings("<cand>但时至今日。\n", without(TAG_PAIR_CON_RULES, "PAIR")))
    assert tag.message.endswith(NOTE + "CON001, CON002, CON003")


def test_the_note_is_given_once_per_document_on_its_first_breaking_finding() -> None:
    text = "好。\n他说<cnad>但</cand>是。\n<cand>但时至今日。\n<a></a>好。\n"
    found = findings(text)
    breaking = [f for f in found if f.rule in ("TAG001", "TAG004", "TAG006")]
    assert len(breaking) == 3
    assert [(f.rule, f.line) for f in noted(found)] == [("TAG004", 2)]


def test_no_note_when_no_enabled_rule_requires_well_formed_tags() -> None:
    found = findings("<cand>但时至今日。\n", without(TAG_PAIR_CON_RULES, "PAIR", "CON"))
    assert [f.rule for f in found] == ["TAG001"]
    assert noted(found) == []
    assert findings("<cand>但时至今日。\n", TAG_RULES)[0].message == "<cand> is never closed in its line"


def test_a_stray_bracket_breaks_nothing_and_gets_no_note() -> None:
    found = findings("p<0.05，<a>不仅</a>便宜，<a>也</a>好用。\n")
    assert [f.rule for f in found] == ["TAG008"]
    assert noted(found) == []


def test_the_note_leaves_the_fingerprint_alone() -> None:
    """Suppressions (``ignore: [{fingerprint}]``) and baselines match findings by fingerprint:
    naming the skipped rules must not turn an accepted finding into a new one."""
    text = "<cand>但时至今日。\n"
    (with_note,) = [f for f in findings(text) if f.rule == "TAG001"]
    (plain,) = findings(text, TAG_RULES)
    assert NOTE in with_note.message and NOTE not in plain.message
    assert with_note.fingerprint == plain.fingerprint


def test_a_focused_run_names_the_corpus_rules_it_does_not_run() -> None:
    """A pre-commit run checks the document rules in one part and the corpus rules in another:
    the run passes the whole rule set's list, so the message does not depend on the split."""
    document_part = RuleSet({i: r for i, r in TAG_PAIR_CON_RULES.rules.items() if r.check.scope == "document"})
    doc = decode("doc.txt", "<cand>但时至今日。\n".encode())
    found = check_document(doc, document_part, tag_dependents=DEPENDENTS).findings
    assert found[0].message.endswith(skip_note(DEPENDENTS))


# -- options that cannot work are refused at load --------------------------------------------

COUNT_RULE = """\
rules:
  TAG101:
    name: span-count
    check: count
    severity: warning
    message: "{count} {what}: {bound}"
    description: Spans per document.
    options:
{options}
    tests:
      pass: ["<cand>但</cand>"]
      fail: ["没有"]
"""


def load_text(tmp_path: Path, text: str) -> RuleSet:
    path = tmp_path / "house.yaml"
    path.write_text(text, encoding="utf-8")
    return RuleSet({rule.id: rule for rule in load_rule_file(path)})


@pytest.mark.parametrize(("options", "error"), [
    ("      min: 1", "exactly one of 'tag'"),
    ("      tag: cand\n      regex: '但'\n      min: 1", "exactly one of 'tag'"),
    ("      tag: cand", "needs 'min', 'max' or both"),
    ("      tag: cand\n      min: 3\n      max: 1", r"min \(3\) is above its max \(1\)"),
])
def test_a_count_rule_that_counts_nothing_is_a_load_error(tmp_path: Path, options: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error) as raised:
        load_text(tmp_path, COUNT_RULE.replace("{options}", options))
    assert raised.value.path == str(tmp_path / "house.yaml")
    assert raised.value.line == 8  # the rule's options


def test_a_count_rule_with_one_of_tag_or_regex_loads(tmp_path: Path) -> None:
    rules = load_text(tmp_path, COUNT_RULE.replace("{options}", "      tag: cand\n      min: 1"))
    assert [f.rule for f in check_document(decode("a.txt", "没有\n".encode()), rules).findings] == ["TAG101"]


def test_a_count_rule_without_tag_or_regex_stops_the_run_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_text(COUNT_RULE.replace("{options}", "      max: 3"), encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text("rule_files: [house.yaml]\n", encoding="utf-8")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("但是\n", encoding="utf-8")
    proc = run_cli("check", "corpus", "--no-cache", "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert "house.yaml:8" in proc.stderr and "exactly one of 'tag'" in proc.stderr


PAIR_RULE = """\
rules:
  PAIR101:
    name: house-pairs
    check: pair_lexicon
    severity: warning
    message: "{first}……{second}"
    description: Pairs of the house lexicon.
    options:
      problem: unknown_pair
      lexicon: {lexicon}
    tests:
      pass: ["<a>不仅</a>便宜，<a>也</a>好用。"]
      fail: ["<a>也</a>便宜，<a>不仅</a>好用。"]
"""


def test_a_pair_lexicon_without_pairs_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="has no pairs"):
        load_text(tmp_path, PAIR_RULE.replace("{lexicon}", "[但是, 而且]"))
    with pytest.raises(ConfigError, match="needs option 'lexicon'"):
        load_text(tmp_path, PAIR_RULE.replace("      lexicon: {lexicon}\n", ""))
    (tmp_path / "pairs.yaml").write_text("entries: [{first: 不仅, second: 也}]\n", encoding="utf-8")
    assert "PAIR101" in load_text(tmp_path, PAIR_RULE.replace("{lexicon}", "pairs.yaml"))


@pytest.mark.parametrize("check", ["lexicon", "span_boundary", "pattern"])
def test_a_misspelt_tag_name_is_a_load_error(tmp_path: Path, check: str) -> None:
    options = {"lexicon": "      lexicon: [但是]\n", "span_boundary": "      lexicon: [但是]\n",
               "pattern": "      regex: '但'\n      scope: span\n"}[check]
    rule = (f"rules:\n  LEX101:\n    name: x\n    check: {check}\n    message: m\n    description: d\n"
            f"    options:\n{options}      tags: [cnad]\n")
    with pytest.raises(ConfigError, match="'cnad' is not a tag"):
        load_text(tmp_path, rule)


@pytest.mark.parametrize("suppression", [
    "per_file_ignores:\n  'doc.txt': [TAG001]\n",
    None,  # an ignore: entry by the finding's own fingerprint (filled in below)
])
def test_a_suppressed_note_moves_to_the_next_breaking_finding(tmp_path: Path, suppression: str | None) -> None:
    """Hiding the finding that carries a document's skip note (a per-file ignore, an accepted
    finding) must not hide the note: it moves to the first breaking finding still shown."""
    import json

    (tmp_path / "doc.txt").write_text("他说<cand>但时至今日。\n<cand>而且</a>好。\n", encoding="utf-8")
    config = tmp_path / "corpus-validate.yaml"
    config.write_text("paths: [doc.txt]\n", encoding="utf-8")
    first = json.loads(run_cli("check", "--format", "json", "--no-cache", cwd=tmp_path).stdout)["findings"]
    by_rule = {f["rule"]: f for f in first}
    assert NOTE in by_rule["TAG001"]["message"] and NOTE not in by_rule["TAG003"]["message"]
    if suppression is None:
        suppression = (f"ignore:\n  - {{fingerprint: {by_rule['TAG001']['fingerprint']}, "
                       "reason: the line is quoted verbatim}\n")
    config.write_text("paths: [doc.txt]\n" + suppression, encoding="utf-8")
    proc = run_cli("check", "--format", "json", "--no-cache", cwd=tmp_path)
    shown = {f["rule"]: f for f in json.loads(proc.stdout)["findings"]}
    assert "TAG001" not in shown
    assert shown["TAG003"]["message"].endswith(NOTE + ", ".join(DEPENDENTS))
    assert shown["TAG003"]["fingerprint"] == by_rule["TAG003"]["fingerprint"]
