"""`rules explain` is a rule's page (what it does, why it matters, examples with their findings,
the options that apply, what it requires, its fix), and `rules list` says which rules fix."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

from validators.docs import display_width, explain_rule, fix_line, rules_markdown, wrap
from validators.resources import default_rule_files
from validators.rules import load_rule_files

BUNDLED = load_rule_files(default_rule_files())


def _section(page: str, title: str) -> str:
    """The lines under a page's heading, up to the next blank line."""
    match = re.search(rf"^{re.escape(title)}\n(.*?)(?:\n\n|\Z)", page, re.S | re.M)
    assert match, f"no {title!r} section in:\n{page}"
    return match.group(1)


@pytest.mark.parametrize("rule_id", sorted(BUNDLED.rules))
def test_every_bundled_rule_says_why_it_matters(rule_id: str) -> None:
    rule = BUNDLED.rules[rule_id]
    assert rule.why, f"{rule_id} ({rule.source}:{rule.line}) has no `why:`"
    assert rule.why != rule.description
    assert "Why it matters\n" in explain_rule(rule)


def test_every_bundled_rule_page_fits_an_88_column_terminal() -> None:
    for rule in BUNDLED:
        for line in explain_rule(rule).splitlines():
            assert display_width(line) <= 88, (rule.id, line)


def test_explain_marks_the_fail_example_where_its_finding_is() -> None:
    proc = run_cli("rules", "explain", "TAG001")
    assert proc.returncode == 0, proc.stderr
    page = proc.stdout
    assert page.startswith("TAG001 (unclosed-tag)\n")
    assert "What it does\n  An opening tag has no closing tag" in page
    # the example {text: "第一行。\n他说<a>不仅</a>便宜，<a>也好用。", line: 2, column: 15}: the carets
    # stand under the second <a> (Han characters are two columns wide), with the finding
    assert ("      2 | 他说<a>不仅</a>便宜，<a>也好用。\n"
            "        |                      ^^^ TAG001 <a> is never closed in its line (2:15)\n"
            ) in page
    assert "Passes:\n  - <cand>但</cand>时至今日。\n" in page
    assert _section(page, "Fix") == "  No automatic fix: the finding says what to change."
    assert "Runs only on files that decoded as text" in _section(page, "Requires")


def test_explain_of_a_rule_with_a_safe_fix_says_it_is_on() -> None:
    page = explain_rule(BUNDLED.rules["ENC005"])
    fix = " ".join(_section(page, "Fix").split())
    assert fix.startswith("Safe fix: `check --fix` applies it")
    assert "On for this rule (`fix: true`)" in fix
    # a byte-order mark is shown, not printed invisibly, and marked
    assert "      1 | ⟨U+FEFF⟩但是\n        | ^^^^^^^^ ENC005" in page
    off = explain_rule(dataclasses.replace(BUNDLED.rules["ENC005"], fix=False))
    assert "Off for this rule: its rule file does not say `fix: true`" in " ".join(off.split())


def test_an_unsafe_fix_needs_unsafe_fixes() -> None:
    rule = BUNDLED.rules["ENC005"]

    class UnsafeVariant(type(rule.check)):  # type: ignore[misc]
        fix_safety = "unsafe"

    line = fix_line(dataclasses.replace(rule, check=UnsafeVariant()))
    assert line.startswith("Unsafe fix: only `check --fix --unsafe-fixes` applies it")


def test_a_corpus_rule_page_shows_each_document_and_what_it_requires() -> None:
    page = explain_rule(BUNDLED.rules["DUP001"])
    assert "Check type: duplicate_documents (corpus-wide: compares the documents)" in page
    assert "  example-0.txt\n      1 | 来源：北京商报\n" in page
    assert "DUP001 same text as example-1.txt after normalisation" in page
    assert "Runs only on runs of two documents or more" in _section(page, "Requires")
    module_doc = (Path(__file__).parent.parent / "validators" / "checks" /
                  "duplicate_documents.py").read_text(encoding="utf-8")
    first_words = " ".join(module_doc.split('"""')[1].split()[1:4])
    assert first_words in page.split("Check type duplicate_documents\n")[1]


def test_a_check_that_runs_on_undecodable_files_says_so() -> None:
    page = explain_rule(BUNDLED.rules["ENC001"])
    assert _section(page, "Requires") == (
        "  Runs on every file, even one that could not be read or decoded.")


def test_explain_shows_the_options_that_apply_with_value_default_type_and_help(
        tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_text(
        "rules:\n  TAG101:\n    name: needs-a-connective\n    check: count\n"
        "    message: '{count} {what} spans, {bound}'\n"
        "    description: Every annotated document tags at least one connective.\n"
        "    options: {tag: cand, min: 1}\n"
        "    tests: {pass: ['<cand>但</cand>是'], fail: [{text: '没有标注。', line: 1, column: 1}]}\n",
        encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text(
        "rule_files: [house.yaml]\nrules:\n  DUP001: {options: {max_related: 3}}\n",
        encoding="utf-8")
    proc = run_cli("rules", "explain", "TAG101", "dup001", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    house, dup = proc.stdout.split("\n" + "-" * 88 + "\n\n")
    options = _section(house, "Options")
    assert '  tag: "cand"  (choice: cand | a; default: none)\n      count spans of this tag' in options
    assert "  min: 1  (int, at least 0; default: none)" in options
    assert "regex" not in options and "max:" not in options  # not set, no value: no option of it
    assert "Defined: house.yaml:2" in house
    assert "  max_related: 3  (int, at least 1; default: 5)" in _section(dup, "Options")


def test_explain_of_an_unknown_rule_is_one_line_with_the_nearest(tmp_path: Path) -> None:
    for name, nearest in (("TAG01", "TAG001"), ("unclosed-tagg", "unclosed-tag")):
        proc = run_cli("rules", "explain", name, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr == (f"corpus-validate: error: unknown rule {name!r} (did you mean "
                               f"{nearest!r}?); see `corpus-validate rules list`\n")


def test_rules_list_says_which_rules_fix_and_how_safely(tmp_path: Path) -> None:
    table = run_cli("rules", "list", cwd=tmp_path).stdout.splitlines()
    assert table[0].split() == ["ID", "SEVERITY", "NAME", "CHECK", "TYPE", "FIX"]
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert rows["ENC005"][-1] == "safe" and rows["TAG001"][-1] == "-"
    assert rows["ENC001"][-1] == "safe" and rows["ENC002"][-1] == "-"  # load_problem fixes invalid UTF-8 only
    listed = {r["id"]: r for r in json.loads(
        run_cli("rules", "list", "--format", "json", cwd=tmp_path).stdout)}
    assert (listed["ENC005"]["fix_safety"], listed["ENC005"]["fix"]) == ("safe", True)
    assert (listed["TAG001"]["fix_safety"], listed["TAG001"]["fix"]) == (None, False)
    assert listed["DUP001"]["requires"] == ["decoded_text", "several_documents"]
    assert listed["TAG001"]["why"] == BUNDLED.rules["TAG001"].why


def test_the_markdown_catalogue_has_a_fix_column() -> None:
    lines = rules_markdown(BUNDLED).splitlines()
    assert lines[0] == "| id | name | severity | check type | fix | what it reports |"
    row = next(line for line in lines if line.startswith("| `ENC005` |"))
    assert row.split(" | ")[4] == "safe"
    row = next(line for line in lines if line.startswith("| `TAG001` |"))
    assert row.split(" | ")[4] == "-"


def test_wrapping_breaks_between_han_characters_never_before_closing_punctuation() -> None:
    text = "大模型商业化的探讨仍在继续，" * 8
    lines = wrap(text, width=30)
    assert all(display_width(line) <= 30 for line in lines)
    assert "".join(line.strip() for line in lines) == text
    assert not any(line.strip().startswith("，") for line in lines)
    cut = wrap("a b " + "x" * 50, width=20)  # a piece longer than a line is cut
    assert cut[0] == "  a b" and all(display_width(line) <= 20 for line in cut)
    assert "".join(line.strip() for line in cut[1:]) == "x" * 50
