"""Every rule's own pass/fail examples behave (DESIGN.md §3), and rule loading rejects mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from validators.config import Config, build_ruleset
from validators.engine import example_failures
from validators.errors import ConfigError
from validators.rules import load_rule_file

RULESET = build_ruleset(Config())


@pytest.mark.parametrize("rule_id", sorted(RULESET.rules))
def test_rule_examples(rule_id: str) -> None:
    rule = RULESET.rules[rule_id]
    assert rule.tests["pass"] and rule.tests["fail"], "every rule ships pass and fail examples"
    unplaced = [e for e in rule.tests["fail"] if not (isinstance(e, dict) and "line" in e and "column" in e)]
    assert unplaced == [], "a fail example says where it fails: {text: …, line: L, column: C}"
    assert example_failures(rule) == []


def test_every_rule_has_a_description_and_a_category_prefix() -> None:
    for rule in RULESET:
        assert len(rule.description) > 40, rule.id
        assert rule.id.startswith(rule.category)


BAD_RULES = {
    "unknown key": ("rules:\n  TAG101:\n    name: x\n    check: markup\n    message: m\n"
                    "    description: d\n    options: {problem: empty}\n    colour: red\n",
                    "unknown key 'colour'", 8),
    "unknown check": ("rules:\n  TAG101:\n    name: x\n    check: nosuch\n    message: m\n"
                      "    description: d\n", "unknown check type 'nosuch'", 4),
    "bad option type": ("rules:\n  TAG101:\n    name: x\n    check: count\n    message: m\n"
                        "    description: d\n    options:\n      min: many\n",
                        "option 'min' must be an integer", 8),
    "bad regex": ("rules:\n  TAG101:\n    name: x\n    check: pattern\n    message: m\n"
                  "    description: d\n    options:\n      regex: '([a-'\n",
                  "regex does not compile", 8),
    "bad id": ("rules:\n  FOO1:\n    name: x\n    check: pattern\n    message: m\n"
               "    description: d\n", "rule id 'FOO1'", 2),
    "duplicate key": ("rules:\n  TAG101:\n    name: x\n    name: y\n", "duplicate key 'name'", 4),
    "broken yaml": ("rules:\n  TAG101: [unclosed\n", "invalid YAML", 3),
}


@pytest.mark.parametrize("case", sorted(BAD_RULES))
def test_bad_rule_files_are_errors_with_file_and_line(tmp_path: Path, case: str) -> None:
    text, message, line = BAD_RULES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rule_file(path)
    assert message in str(info.value)
    assert f"{path}:{line}:" in str(info.value)
