"""Suppressions a reviewer can read (issue 17): ``per_file_ignores`` (globs -> rule ids, as ruff)
and ``ignore`` (fingerprints with a required reason). Each hides what it names and nothing else,
the summary counts what each hides, and one that hides nothing is reported as dead."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from validators.findings import Finding
from validators.suppressions import FileIgnore, Suppressions, apply_suppressions

BROKEN = "第一句很正常。\n他说<cand>但时至今日。\n"            # TAG001 at 2:3
HALF_WIDTH = "今天天气很好,我们去公园散步吧。\n"                   # PUN001 (a warning) at 1:7
BOTH = "他说<cand>但时至今日,大家都知道。\n"                       # TAG001 and PUN001
OTHER_HALF_WIDTH = "明天天气也不错,我们去爬山吧。\n"              # PUN001 at 1:8


def make_corpus(root: Path, config: str) -> Path:
    """root/corpus-validate.yaml (``paths: [corpus/]`` + ``config``) and root/corpus/…"""
    files = {"news/a.txt": BROKEN, "news/b.txt": HALF_WIDTH, "drafts/c.txt": BOTH,
             "drafts/d.txt": OTHER_HALF_WIDTH}
    for rel, text in files.items():
        path = root / "corpus" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "corpus-validate.yaml").write_text("paths: [corpus/]\n" + config, encoding="utf-8")
    return root


def check_json(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    proc = run_cli("check", "--format", "json", "--no-cache", *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)


def located(report: dict) -> list[tuple[str, str, int, int]]:
    return sorted((f["path"], f["rule"], f["line"], f["column"]) for f in report["findings"])


def test_per_file_ignores_hide_the_named_rules_in_matching_files_only(tmp_path: Path) -> None:
    make_corpus(tmp_path, 'per_file_ignores:\n  "drafts/**": [PUN001]\n  "corpus/news/a.txt": [TAG]\n')
    _, report = check_json(tmp_path)
    # drafts/** is a document id (under corpus/), corpus/news/a.txt a path from the configuration;
    # TAG is a category: a.txt's TAG001 goes; c.txt keeps its TAG001, b.txt its PUN001
    assert located(report) == [("corpus/drafts/c.txt", "TAG001", 1, 3),
                               ("corpus/news/b.txt", "PUN001", 1, 7)]
    summary = report["summary"]
    assert summary["suppressed"] == 3 and summary["findings"] == 2
    assert summary["suppressions"] == [
        {"kind": "per_file_ignores", "pattern": "drafts/**", "rules": ["PUN001"], "reason": None,
         "hidden": 2, "hidden_by_rule": {"PUN001": 2}, "dead": False, "dead_rules": [],
         "source": "corpus-validate.yaml", "line": 3},
        {"kind": "per_file_ignores", "pattern": "corpus/news/a.txt", "rules": ["TAG"], "reason": None,
         "hidden": 1, "hidden_by_rule": {"TAG": 1}, "dead": False, "dead_rules": [],
         "source": "corpus-validate.yaml", "line": 4}]


def test_ignore_hides_one_reviewed_finding_by_its_fingerprint(tmp_path: Path) -> None:
    make_corpus(tmp_path, "")
    _, before = check_json(tmp_path)
    target = next(f for f in before["findings"] if f["path"] == "corpus/drafts/c.txt"
                  and f["rule"] == "PUN001")
    (tmp_path / "corpus-validate.yaml").write_text(
        "paths: [corpus/]\nignore:\n"
        f"  - fingerprint: {target['fingerprint']}\n"
        "    reason: the comma is part of a quoted title\n"
        "    rule: PUN001\n", encoding="utf-8")
    proc, after = check_json(tmp_path)
    hidden = (target["path"], target["rule"], target["line"], target["column"])
    assert located(after) == [f for f in located(before) if f != hidden]
    assert len(after["findings"]) == len(before["findings"]) - 1
    [entry] = after["summary"]["suppressions"]
    assert entry == {"kind": "ignore", "fingerprint": target["fingerprint"], "rules": ["PUN001"],
                     "reason": "the comma is part of a quoted title", "hidden": 1, "dead": False,
                     "source": "corpus-validate.yaml", "line": 3}
    assert "warning" not in proc.stderr

    text = run_cli("check", "--no-cache", cwd=tmp_path).stdout
    assert "Suppressed 1 finding(s) by 1 suppression(s) in the configuration:" in text
    assert (f"  ignore {target['fingerprint']} (PUN001): hides 1 — the comma is part of a quoted "
            "title") in text


def test_an_ignore_entry_whose_rule_differs_hides_nothing(tmp_path: Path) -> None:
    make_corpus(tmp_path, "")
    _, before = check_json(tmp_path)
    target = next(f for f in before["findings"] if f["rule"] == "TAG001")
    (tmp_path / "corpus-validate.yaml").write_text(
        "paths: [corpus/]\nignore:\n"
        f"  - {{fingerprint: {target['fingerprint']}, reason: reviewed, rule: PUN001}}\n",
        encoding="utf-8")
    _, after = check_json(tmp_path)
    assert located(after) == located(before)


@pytest.mark.parametrize(("config", "words"), [
    ("ignore:\n  - fingerprint: 0123456789abcdef\n", ("corpus-validate.yaml:3:", "needs a 'reason'")),
    ("ignore:\n  - {fingerprint: 0123456789abcdef, reason: '  '}\n",
     ("corpus-validate.yaml:3:", "needs a 'reason'")),
    ("ignore:\n  - {fingerprint: not-hex, reason: ok}\n", ("corpus-validate.yaml:3:", "fingerprint")),
    ("ignore:\n  - {fingerprint: 0123456789abcdef, reason: ok, reviewer: me}\n",
     ("unknown key 'reviewer'",)),
    ('per_file_ignores:\n  "drafts/**": [PUN01]\n', ("corpus-validate.yaml:3:", "'PUN01'",
                                                     "did you mean")),
    ('per_file_ignores:\n  "drafts/**": []\n', ("corpus-validate.yaml:3:", "list of rule ids")),
    ("per_file_ignores: [PUN001]\n", ("corpus-validate.yaml:2:", "must be a mapping")),
    ("ignore:\n  - {fingerprint: 0123456789abcdef, reason: ok, rule: NOPE001}\n",
     ("unknown rule 'NOPE001'",)),
])
def test_a_malformed_suppression_is_a_one_line_configuration_error(tmp_path: Path, config: str,
                                                                   words: tuple[str, ...]) -> None:
    make_corpus(tmp_path, config)
    proc = run_cli("check", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_a_suppression_that_hides_nothing_is_a_dead_warning_on_its_line(tmp_path: Path) -> None:
    make_corpus(tmp_path, 'per_file_ignores:\n  "drafts/**": [PUN001, LEX001]\n  "old/**": [TAG001]\n'
                          "ignore:\n  - {fingerprint: 0123456789abcdef, reason: gone since}\n")
    proc, report = check_json(tmp_path)
    assert proc.returncode == 1  # the gate's verdict is the findings', not the configuration's
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "corpus-validate: warning: corpus-validate.yaml:3: per_file_ignores 'drafts/**': LEX001 "
        "hides no finding there; remove it",
        "corpus-validate: warning: corpus-validate.yaml:4: per_file_ignores 'old/**' [TAG001] "
        "hides no finding; remove it (a dead suppression would hide the next real problem)",
        "corpus-validate: warning: corpus-validate.yaml:6: ignore 0123456789abcdef hides no "
        "finding; remove it (a dead suppression would hide the next real problem)"]
    dead = {e.get("pattern") or e["fingerprint"]: (e["dead"], e.get("dead_rules"))
            for e in report["summary"]["suppressions"]}
    assert dead == {"drafts/**": (False, ["LEX001"]), "old/**": (True, []),
                    "0123456789abcdef": (True, None)}

    text = run_cli("check", "--no-cache", cwd=tmp_path)
    assert "  per_file_ignores 'old/**' [TAG001]: hides nothing: dead, remove it" in text.stdout
    assert "warning: corpus-validate.yaml" not in text.stderr  # said once: in the report

    github = run_cli("check", "--no-cache", "--format", "github", cwd=tmp_path).stdout
    assert ("::warning file=corpus-validate.yaml,line=4,title=dead suppression::per_file_ignores "
            "'old/**' [TAG001] hides no finding") in github


def test_dead_suppressions_are_sarif_configuration_notifications(tmp_path: Path) -> None:
    import jsonschema

    make_corpus(tmp_path, 'per_file_ignores:\n  "old/**": [TAG001]\n')
    proc = run_cli("check", "--no-cache", "--format", "sarif", cwd=tmp_path)
    log = json.loads(proc.stdout)
    schema = json.loads((REPO / "tests" / "data" / "sarif" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    [note] = log["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith("per_file_ignores 'old/**' [TAG001] hides no finding")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "corpus-validate.yaml"
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}


def test_a_run_over_part_of_the_corpus_judges_no_suppression_dead(tmp_path: Path) -> None:
    make_corpus(tmp_path, 'per_file_ignores:\n  "drafts/**": [PUN001]\n')
    proc, report = check_json(tmp_path, "corpus/news")  # drafts/ not checked: not dead
    assert "warning" not in proc.stderr
    [entry] = report["summary"]["suppressions"]
    assert (entry["hidden"], entry["dead"]) == (0, False)
    text = run_cli("check", "--no-cache", "corpus/news", cwd=tmp_path).stdout
    assert "  per_file_ignores 'drafts/**' [PUN001]: hides nothing in this run" in text


def test_the_baseline_records_no_suppressed_finding(tmp_path: Path) -> None:
    make_corpus(tmp_path, 'per_file_ignores:\n  "drafts/**": [PUN001, TAG001]\n')
    proc = run_cli("baseline", "--output", "baseline.json", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    entries = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))["entries"]
    assert sorted((e["path"], e["rule"]) for e in entries) == [("corpus/news/a.txt", "TAG001"),
                                                               ("corpus/news/b.txt", "PUN001")]


def test_the_pre_commit_hook_honours_suppressions(tmp_path: Path) -> None:
    make_corpus(tmp_path, 'per_file_ignores:\n  "drafts/**": [TAG001]\n')
    blocked = run_cli("hook", "corpus/news/a.txt", cwd=tmp_path)
    assert blocked.returncode == 1 and "TAG001" in blocked.stdout
    allowed = run_cli("hook", "corpus/drafts/c.txt", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stdout
    assert "TAG001" not in allowed.stdout and "PUN001" in allowed.stdout  # a warning, still shown
    assert "warning: corpus-validate.yaml" not in allowed.stderr  # a hook run judges nothing dead


def test_a_finding_that_two_suppressions_cover_counts_for_both_and_once_in_the_total() -> None:
    finding = Finding("PUN001", "half-width-punctuation", "PUN", "warning", "corpus/a.txt", 1, 1, 1, 2,
                      "half-width ','", fingerprint="0123456789abcdef", unlisted=4)
    base = str(Path.cwd())
    suppressions = Suppressions((FileIgnore("*.txt", ("PUN001",), base, "c.yaml", 2),
                                 FileIgnore("corpus/**", ("PUN",), base, "c.yaml", 3)))
    outcome = apply_suppressions([finding], suppressions, [], judge=True)
    assert outcome.kept == [] and outcome.hidden == 5  # the finding and the 4 it stands for
    assert [(e["hidden"], e["dead"]) for e in outcome.entries] == [(5, False), (5, False)]


def test_suppressions_of_an_extended_configuration_add_up_and_keep_their_folder(tmp_path: Path) -> None:
    make_corpus(tmp_path, 'per_file_ignores:\n  "corpus/news/**": [TAG001]\n')
    child = tmp_path / "team"
    child.mkdir()
    (child / "corpus-validate.yaml").write_text(
        'extends: ../corpus-validate.yaml\nper_file_ignores:\n  "drafts/*.txt": [PUN001]\n'
        '  "c.txt": [TAG001]\n', encoding="utf-8")
    proc = run_cli("check", "--format", "json", "--no-cache", "--config", str(child / "corpus-validate.yaml"),
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # what is left is a warning
    report = json.loads(proc.stdout)
    # the parent's glob is matched from the parent's folder; the child's "drafts/*.txt" is a
    # document id (under the inherited corpus/), and a glob without "/" matches the file name
    assert located(report) == [("corpus/news/b.txt", "PUN001", 1, 7)]
    assert [(e["pattern"], e["hidden"], e["source"]) for e in report["summary"]["suppressions"]] == [
        ("corpus/news/**", 1, "corpus-validate.yaml"), ("drafts/*.txt", 2, "team/corpus-validate.yaml"),
        ("c.txt", 1, "team/corpus-validate.yaml")]


def test_the_rules_ignored_in_a_file_are_those_of_the_globs_that_match_it(tmp_path: Path) -> None:
    """What a --fix that respects per_file_ignores asks (one file, before it is fixed)."""
    from validators.suppressions import names_of

    base = str(tmp_path)
    suppressions = Suppressions((FileIgnore("drafts/**", ("PUN001",), base, "c.yaml", 2),
                                 FileIgnore("corpus/news/*.txt", ("TAG",), base, "c.yaml", 3),
                                 FileIgnore("*.md", ("LEX001",), base, "c.yaml", 4)))
    draft = tmp_path / "corpus" / "drafts" / "c.txt"
    names = names_of("corpus/drafts/c.txt", str(draft), "drafts/c.txt", base)
    assert names == ("corpus/drafts/c.txt", "drafts/c.txt")
    assert suppressions.rules_ignored_in(names) == {"PUN001"}
    news = names_of("x", str(tmp_path / "corpus" / "news" / "a.txt"), "news/a.txt", base)
    assert suppressions.rules_ignored_in(news) == {"TAG"}
    outside = names_of("x", "/elsewhere/a.txt", "a.txt", base)  # not below the configuration
    assert outside == ("a.txt",) and suppressions.rules_ignored_in(outside) == frozenset()


def test_fix_leaves_alone_what_per_file_ignores_silences(tmp_path: Path) -> None:
    """As ruff: a per-file ignore silences the fix too. drafts/ keeps its half-width comma,
    news/b.txt (not covered) is fixed; the hidden finding stays hidden after the fix."""
    root = make_corpus(tmp_path, 'per_file_ignores:\n  "corpus/drafts/**": [PUN001]\n')
    drafts = root / "corpus" / "drafts"
    before = {p.name: p.read_bytes() for p in drafts.iterdir()}
    proc = run_cli("check", "--fix", "--no-cache", cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    assert {p.name: p.read_bytes() for p in drafts.iterdir()} == before
    assert (root / "corpus" / "news" / "b.txt").read_text(encoding="utf-8") == HALF_WIDTH.replace(",", "，")
