"""Hostile configuration: runaway user regexes, YAML bombs, duplicate keys, unsafe YAML tags.

Every one of them must end the run with exit 2 and one line on stderr that names the file (and
the rule, for a runaway regex) - never a traceback, a hang or code execution.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import run_cli

from validators.config import build_ruleset, load_config
from validators.engine import check_document
from validators.errors import ConfigError
from validators.load import decode
from validators.rules import REGEX_TIMEOUT, RegexTimeout, load_rule_file
from validators.yamlload import load_yaml_text
from validators.yamlparse import MAX_ALIASES

RUNAWAY_RULE = """\
rules:
  TAG101:
    name: no-runs-of-a
    check: pattern
    severity: error
    message: "a run of a: {text}"
    description: A pattern that backtracks catastrophically on a long run of a's and a b.
    options:
      scope: {scope}
      regex: '(a|aa)+$'
    tests:
      pass: ["b"]
      fail: ["aa"]
"""
RUNAWAY_TEXT = "a" * 5000 + "b\n"


def _one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    return proc.stderr.strip()


@pytest.mark.parametrize("scope", ["line", "plain_line", "document"])
def test_catastrophic_regex_is_stopped_and_names_the_rule(tmp_path: Path, scope: str) -> None:
    (tmp_path / "house.yaml").write_text(RUNAWAY_RULE.replace("{scope}", scope), encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text("rule_files: [house.yaml]\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("但是\n", encoding="utf-8")
    (corpus / "runaway.txt").write_text(RUNAWAY_TEXT, encoding="utf-8")
    started = time.monotonic()
    proc = run_cli("check", "corpus", "--no-cache", "--jobs", "1", cwd=tmp_path)
    elapsed = time.monotonic() - started
    message = _one_error_line(proc)
    assert "TAG101" in message and "no-runs-of-a" in message, message
    assert f"{tmp_path / 'house.yaml'}:2:" in message, message  # the rule's file and line
    assert "runaway.txt" in message and "(a|aa)+$" in message, message
    assert "catastrophic backtracking" in message
    # a hang detector, not a speed assertion: without the timeout this runs for hours
    assert elapsed < 120


def test_regex_timeout_is_a_config_error_in_process() -> None:
    rules = load_rule_file_from_text(RUNAWAY_RULE.replace("{scope}", "line"))
    doc = decode("runaway.txt", RUNAWAY_TEXT.encode())
    with pytest.raises(ConfigError) as info:
        check_document(doc, rules)
    assert not isinstance(info.value, RegexTimeout)  # re-raised with the rule's context
    assert "TAG101" in str(info.value) and "runaway.txt" in str(info.value)
    assert info.value.line == 2
    assert REGEX_TIMEOUT <= 5  # the limit is small enough to keep a commit hook responsive


def test_count_rule_regex_timeout_also_names_the_rule(tmp_path: Path) -> None:
    text = RUNAWAY_RULE.replace("check: pattern", "check: count").replace(
        "      scope: {scope}\n", "      max: 0\n").replace(
        'message: "a run of a: {text}"', 'message: "{count} {what}"')
    rules = load_rule_file_from_text(text, tmp_path)
    doc = decode("runaway.txt", RUNAWAY_TEXT.encode())
    with pytest.raises(ConfigError, match="TAG101"):
        check_document(doc, rules)


def load_rule_file_from_text(text: str, folder: Path | None = None):  # type: ignore[no-untyped-def]
    import tempfile

    from validators.rules import RuleSet

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(folder or tmp) / "house.yaml"
        path.write_text(text, encoding="utf-8")
        rules = load_rule_file(path)
    return RuleSet({rule.id: rule for rule in rules})


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
rules: *i
"""


def test_billion_laughs_rule_file_is_refused_quickly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="YAML bomb"):
        load_yaml_text(BILLION_LAUGHS, "bomb.yaml")
    (tmp_path / "bomb.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text("rule_files: [bomb.yaml]\n", encoding="utf-8")
    proc = run_cli("check", "--no-cache", cwd=tmp_path)
    message = _one_error_line(proc)
    assert "bomb.yaml" in message and "YAML bomb" in message


def test_billion_laughs_configuration_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "corpus-validate.yaml").write_text(BILLION_LAUGHS.replace("rules: *i",
                                                                          "paths: *i"))
    proc = run_cli("check", "--no-cache", cwd=tmp_path)
    message = _one_error_line(proc)
    assert "corpus-validate.yaml" in message and "YAML bomb" in message


def test_a_few_aliases_are_still_fine() -> None:
    text = "base: &b {severity: warning}\n" + "".join(
        f"r{i}: *b\n" for i in range(MAX_ALIASES))
    data = load_yaml_text(text, "ok.yaml")
    assert data["r0"] == {"severity": "warning"}


def test_deeply_nested_yaml_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        load_yaml_text("[" * 100_000 + "]" * 100_000, "deep.yaml")


@pytest.mark.parametrize("text, line", [
    ("rules:\n  TAG101:\n    name: a\n    name: b\n", 4),
    ("paths: [a]\npaths: [b]\n", 2),
    ("rules:\n  TAG101: {}\n  TAG101: {}\n", 3),
])
def test_duplicate_keys_are_rejected_with_their_line(text: str, line: int) -> None:
    with pytest.raises(ConfigError, match="duplicate key") as info:
        load_yaml_text(text, "dup.yaml")
    assert info.value.line == line


def test_duplicate_key_in_configuration_exits_2(tmp_path: Path) -> None:
    (tmp_path / "corpus-validate.yaml").write_text("fail_on: never\nfail_on: error\n")
    message = _one_error_line(run_cli("check", "--no-cache", cwd=tmp_path))
    assert "corpus-validate.yaml:2:" in message and "duplicate key" in message


UNSAFE_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/object:validators.config.Config {{}}",
    "!!python/module:os",
]


@pytest.mark.parametrize("tag", UNSAFE_TAGS)
def test_python_tags_are_rejected_never_executed(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "executed"
    value = tag.format(marker=marker)
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_yaml_text(f"rules:\n  TAG101: {value}\n", "evil.yaml")
    (tmp_path / "evil.yaml").write_text(f"rules:\n  TAG101: {value}\n", encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text(
        f"rule_files: [evil.yaml]\noptions: {{x: {value}}}\n", encoding="utf-8")
    message = _one_error_line(run_cli("check", "--no-cache", cwd=tmp_path))
    assert "corpus-validate.yaml" in message
    (tmp_path / "corpus-validate.yaml").write_text("rule_files: [evil.yaml]\n")
    message = _one_error_line(run_cli("check", "--no-cache", cwd=tmp_path))
    assert "evil.yaml:2:" in message
    assert not marker.exists()


def test_only_the_safe_loader_is_used() -> None:
    """No module of the package calls an unsafe YAML loader."""
    package = Path(__file__).resolve().parent.parent / "validators"
    unsafe = ("yaml.load(", "yaml.unsafe_load", "yaml.full_load", "UnsafeLoader", "FullLoader",
              "yaml.Loader", "load_all(")
    offenders = [(path.name, word) for path in package.rglob("*.py")
                 for word in unsafe if word in path.read_text(encoding="utf-8")]
    assert offenders == []
    from yaml.constructor import FullConstructor, SafeConstructor, UnsafeConstructor

    from validators.yamlparse import _LineLoader

    # libyaml's parser or PyYAML's, always with the safe constructor (as yaml.CSafeLoader)
    assert issubclass(_LineLoader, SafeConstructor)
    assert not issubclass(_LineLoader, (FullConstructor, UnsafeConstructor))


def test_the_fast_loader_reads_every_shipped_file_as_the_pure_python_safe_loader() -> None:
    """Same data, same line numbers: libyaml only speeds up the scan of the lexicons."""
    from validators.yamlload import LineDict, load_yaml_text
    from validators.yamlparse import _PureLineLoader

    def lines(value: object) -> object:
        if isinstance(value, LineDict):
            return (value.line, sorted(value.key_lines.items(), key=repr),
                    [(k, lines(v)) for k, v in value.items()])
        if isinstance(value, list):
            return (getattr(value, "line", None), [lines(v) for v in value])
        return value

    rules = Path(__file__).resolve().parent.parent / "rules"
    for path in sorted(rules.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        fast = load_yaml_text(text, str(path))
        reference = load_yaml_text(text, str(path), _PureLineLoader)
        assert isinstance(fast, LineDict) and fast == reference == yaml.safe_load(text), path
        assert lines(fast) == lines(reference), path


def test_max_file_bytes_must_be_a_positive_integer(tmp_path: Path) -> None:
    for value in ("-1", "0", "lots", "true", "1.5"):
        (tmp_path / "corpus-validate.yaml").write_text(f"max_file_bytes: {value}\n")
        message = _one_error_line(run_cli("check", "--no-cache", cwd=tmp_path))
        assert "max_file_bytes" in message and "corpus-validate.yaml:1:" in message


def test_configured_max_file_bytes_reports_instead_of_reading(tmp_path: Path) -> None:
    (tmp_path / "corpus-validate.yaml").write_text("max_file_bytes: 100\nfail_on: error\n")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small.txt").write_text("但是\n", encoding="utf-8")
    (corpus / "big.txt").write_text("但是。" * 100, encoding="utf-8")
    config = load_config(tmp_path / "corpus-validate.yaml")
    assert config.extra["max_file_bytes"] == 100
    build_ruleset(config)  # valid
    proc = run_cli("check", "corpus", "--format", "json", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    import json

    findings = json.loads(proc.stdout)["findings"]
    assert [(f["rule"], f["path"]) for f in findings] == [("ENC012", "corpus/big.txt")]
    assert "900 bytes" in findings[0]["message"]


def test_unknown_check_type_in_hostile_rule_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_text(
        "rules:\n  TAG101:\n    name: x\n    check: __import__('os').system\n    message: m\n"
        "    description: d\n", encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text("rule_files: [house.yaml]\n")
    message = _one_error_line(run_cli("check", "--no-cache", cwd=tmp_path))
    assert "house.yaml:4:" in message and "unknown check type" in message


def test_rule_file_that_is_not_utf8_or_binary_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_bytes(b"rules:\n  TAG101: \xff\xfe\x00\x01\n")
    (tmp_path / "corpus-validate.yaml").write_text("rule_files: [house.yaml]\n")
    message = _one_error_line(run_cli("check", "--no-cache", cwd=tmp_path))
    assert "house.yaml" in message
