"""The CI output formats, checked structurally: SARIF against the SARIF 2.1.0 JSON schema, JUnit
parsed as XML, GitLab Code Quality's required keys, GitHub workflow-command escaping."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
import yaml
from conftest import REPO, run_cli
from gitrepo import CLEAN_TEXT

from validators.findings import Finding, Related
from validators.reporters.github import annotation, escape_data, escape_property, markdown_cell

SCHEMA = Path(__file__).resolve().parent / "data" / "sarif" / "sarif-2.1.0-rtm.5.json"
ODD_NAME = "语料/文档 1,a%b:c#?.txt"  # non-ASCII, space, and every character the formats escape


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formats")
    files = {
        ODD_NAME: "第一句。\n他说<cand>但时至今日。\n<a>不仅</a>便宜。<a>也</a>好用。\n",
        "clean.txt": CLEAN_TEXT,
        "clean-copy.txt": CLEAN_TEXT,                 # a duplicate group, if DUP rules exist
        "ctrl.txt": "控制\x1b字符和<cand>大模型</cand>。\n",  # a control character; a warning
    }
    for name, text in files.items():
        path = root / "corpus" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run(corpus: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return run_cli("check", "corpus", "--no-cache", *args, cwd=corpus,
                   env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def findings(corpus: Path) -> list[dict]:
    proc = run(corpus, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)["findings"]
    assert {"TAG001", "PAIR002", "LEX001"} <= {f["rule"] for f in found}
    return found


def test_sarif_is_valid_sarif_2_1_0(corpus: Path, findings: list[dict]) -> None:
    proc = run(corpus, "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(log)

    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run_ = log["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    rules = run_["tool"]["driver"]["rules"]
    assert all(r["fullDescription"]["text"] and r["shortDescription"]["text"] for r in rules)
    assert len({r["id"] for r in rules}) == len(rules)
    results = run_["results"]
    assert len(results) == len(findings)
    for result, finding in zip(results, findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["rule"]
        assert result["partialFingerprints"]["corpusValidate/v1"] == finding["fingerprint"]
        assert result["level"] == {"error": "error", "warning": "warning",
                                   "info": "note"}[finding["severity"]]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert uri.isascii() and " " not in uri and "," not in uri and "#" not in uri
        assert unquote(uri) == finding["path"]
        region = location["region"]
        assert (region["startLine"], region["startColumn"], region["endLine"],
                region["endColumn"]) == (finding["line"], finding["column"],
                                         finding["end_line"], finding["end_column"])
    odd = [r for r in results if unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]
                                         ["uri"]) == "corpus/" + ODD_NAME]
    assert odd[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "corpus/%E8%AF%AD%E6%96%99/%E6%96%87%E6%A1%A3%201%2Ca%25b%3Ac%23%3F.txt"


def test_junit_is_xml_with_one_stable_case_per_file_and_rule(corpus: Path,
                                                             findings: list[dict]) -> None:
    proc = run(corpus, "--format", "junit")
    assert proc.returncode == 1, proc.stderr
    root = ET.fromstring(proc.stdout.encode("utf-8"))  # well-formed despite <a>, ESC, '&'
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == sorted(f"corpus/{n}" for n in
                                                     (ODD_NAME, "clean.txt", "clean-copy.txt",
                                                      "ctrl.txt"))
    names = [[c.get("name") for c in s.findall("testcase")] for s in suites]
    assert all(n == names[0] for n in names) and names[0] == sorted(names[0])  # same, sorted
    assert "TAG001 unclosed-tag" in names[0]
    assert int(root.get("tests")) == len(suites) * len(names[0])
    failing = {(c.get("classname"), c.get("name").split()[0])
               for s in suites for c in s.findall("testcase") if c.find("failure") is not None}
    errors = {(f["path"], f["rule"]) for f in findings if f["severity"] == "error"}
    assert failing == errors  # warnings do not fail with the default --fail-on error
    assert int(root.get("failures")) == len(errors)
    tag = next(c for s in suites for c in s.findall("testcase")
               if c.get("classname") == "corpus/" + ODD_NAME and c.get("name").startswith("PAIR002"))
    assert "<a>不仅</a>便宜。<a>也</a>好用。" in tag.find("failure").text
    lex = next(c for s in suites for c in s.findall("testcase")
               if c.get("classname") == "corpus/ctrl.txt" and c.get("name").startswith("LEX001"))
    assert lex.find("failure") is None and "大模型" in lex.find("system-out").text
    assert "\x1b" not in proc.stdout and "⟨U+001B⟩" in proc.stdout
    # stable: a second run gives the same document byte for byte
    assert run(corpus, "--format", "junit").stdout == proc.stdout
    # --fail-on warning turns the warning's test case into a failure
    stricter = ET.fromstring(run(corpus, "--format", "junit", "--fail-on", "warning")
                             .stdout.encode("utf-8"))
    assert int(stricter.get("failures")) > int(root.get("failures"))


def test_gitlab_code_quality_has_the_required_keys(corpus: Path, findings: list[dict]) -> None:
    proc = run(corpus, "--format", "gitlab")
    assert proc.returncode == 1, proc.stderr
    issues = json.loads(proc.stdout)
    assert isinstance(issues, list) and len(issues) == len(findings)
    for issue, finding in zip(issues, findings, strict=True):
        assert isinstance(issue["description"], str) and finding["message"] in issue["description"]
        assert issue["check_name"] == finding["rule"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] == {"error": "major", "warning": "minor",
                                     "info": "info"}[finding["severity"]]
        assert issue["location"]["path"] == finding["path"]
        assert issue["location"]["lines"]["begin"] == finding["line"]
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def _parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse a workflow command the way the Actions runner does."""
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    def unescape(text: str, prop: bool) -> str:
        if prop:
            text = text.replace("%3A", ":").replace("%2C", ",")
        return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
    props = dict(p.split("=", 1) for p in match.group(2).split(","))
    return (match.group(1), {k: unescape(v, True) for k, v in props.items()},
            unescape(match.group(3), False))


def test_github_escaping_round_trips() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"
    finding = Finding("TAG001", "unclosed-tag", "TAG", "error", "语料/a,b:c%d.txt", 2, 3, 2, 9,
                      "100% <cand>: never closed,\nsee ::error::injection", "", "fp",
                      (Related("x,y.txt", 4),))
    line = annotation(finding)
    assert "\n" not in line and "\r" not in line
    command, props, message = _parse_command(line)
    assert command == "error"
    assert props == {"file": "语料/a,b:c%d.txt", "line": "2", "col": "3", "endLine": "2",
                     "endColumn": "9", "title": "TAG001 unclosed-tag"}
    assert message == "100% <cand>: never closed,\nsee ::error::injection\nalso in x,y.txt:4"
    warning = Finding("LEX001", "unknown-connective", "LEX", "info", "a.txt", 1, 1, 3, 2, "m")
    command, props, _ = _parse_command(annotation(warning))
    assert command == "notice" and "col" not in props  # multi-line: no columns


def test_github_format_and_step_summary(corpus: Path, findings: list[dict],
                                        tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    proc = run(corpus, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1, proc.stderr
    commands = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == len(findings)
    for line, finding in zip(commands, findings, strict=True):
        command, props, message = _parse_command(line)
        assert command == {"error": "error", "warning": "warning",
                           "info": "notice"}[finding["severity"]]
        assert props["file"] == finding["path"] and props["line"] == str(finding["line"])
        assert message.startswith(finding["message"])
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")                  # appended, not replaced
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(findings)                         # the full list
    assert "<cand>" not in text and "&lt;cand&gt; is never closed" in text  # escaped
    assert markdown_cell("a|b*c<a>") == "a\\|b\\*c&lt;a&gt;"


def test_every_format_is_registered_and_documented() -> None:
    from validators.reporters import FORMATS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Output formats", 1)[1].split("\n## ", 1)[0]
    for name in ("sarif", "github", "gitlab", "junit"):
        assert name in FORMATS and f"`{name}`" in section


def _example_commands() -> list[str]:
    commands = []
    github = yaml.safe_load((REPO / "examples" / "ci" / "github-actions.yml").read_text("utf-8"))
    for step in github["jobs"]["validate"]["steps"]:
        commands.append(step.get("run", ""))
    gitlab = yaml.safe_load((REPO / "examples" / "ci" / "gitlab-ci.yml").read_text("utf-8"))
    commands += gitlab["corpus-validate"]["script"]
    return [c for c in commands if c.startswith("corpus-validate")]


def test_the_example_ci_files_use_real_options() -> None:
    import shlex

    from validators.cli import build_parser

    commands = _example_commands()
    assert len(commands) >= 6
    formats = set()
    for command in commands:
        command = re.sub(r"\$\{\{[^}]*\}\}", "main", command).replace(
            "$CHANGED", "--changed-since origin/main")
        args = build_parser().parse_args(shlex.split(command)[1:])  # raises on a bad option
        assert args.command == "check" and args.baseline is not None
        formats.add(args.format)
    assert {"github", "sarif", "gitlab", "junit"} <= formats
