"""Baselines: a legacy corpus adopts the gate; only new findings fail it, and line shifts do not
resurrect baselined findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from validators.baseline import Baseline, Entry, apply_baseline, content_hash, load_baseline
from validators.errors import UsageError
from validators.findings import Finding

OLD = ("第一句很正常。\n"
       "他说<cand>但时至今日。\n"
       "<a>不仅</a>便宜。<a>也</a>好用。\n")


def _check(cwd: Path, *args: str) -> tuple[int, dict]:
    proc = run_cli("check", "corpus", "--format", "json", "--no-cache", *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_baseline_silences_legacy_findings_and_fails_on_a_new_one(tmp_path: Path) -> None:
    doc = tmp_path / "corpus" / "文档.txt"
    doc.parent.mkdir()
    doc.write_text(OLD, encoding="utf-8")
    code, before = _check(tmp_path)
    assert code == 1
    assert sorted(f["rule"] for f in before["findings"]) == ["PAIR002", "TAG001"]

    proc = run_cli("baseline", "corpus", "--output", "ci/baseline.json", "--no-cache",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "2 finding(s)" in proc.stdout
    data = json.loads((tmp_path / "ci" / "baseline.json").read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert [(e["rule"], e["path"]) for e in data["entries"]] == \
        [("PAIR002", "corpus/文档.txt"), ("TAG001", "corpus/文档.txt")]
    assert all("line" not in e for e in data["entries"])  # nothing that moves with edits

    code, report = _check(tmp_path, "--baseline", "ci/baseline.json")
    assert code == 0 and report["findings"] == []
    assert report["summary"]["baseline"] == {"file": "ci/baseline.json", "new": 0,
                                             "baselined": 2, "stale": 0}

    # lines inserted above the old findings, one of them a new unclosed <cand> (same rule, same
    # message, same offending tag as the old one, and now *before* it)
    doc.write_text("新加的第一行。\n又说<cand>但是今天。\n\n" + OLD, encoding="utf-8")
    code, report = _check(tmp_path, "--baseline", "ci/baseline.json")
    assert code == 1
    assert [(f["rule"], f["line"], f["column"]) for f in report["findings"]] == [("TAG001", 2, 3)]
    assert report["summary"]["baseline"] == {"file": "ci/baseline.json", "new": 1,
                                             "baselined": 2, "stale": 0}

    # text output says so too
    proc = run_cli("check", "corpus", "--no-cache", "--baseline", "ci/baseline.json", cwd=tmp_path)
    assert proc.returncode == 1
    assert "corpus/文档.txt:2:3: TAG001" in proc.stdout and "corpus/文档.txt:5:" not in proc.stdout
    assert "Baseline ci/baseline.json: 1 new, 2 baselined, 0 stale" in proc.stdout

    # fixing a legacy finding makes its entry stale, which does not fail the gate
    doc.write_text(OLD.replace("<a>不仅</a>便宜。<a>也</a>好用。", "<a>不仅</a>便宜，<a>也</a>好用。"),
                   encoding="utf-8")
    code, report = _check(tmp_path, "--baseline", "ci/baseline.json")
    assert code == 0
    assert report["summary"]["baseline"]["stale"] == 1
    assert report["summary"]["baseline"]["baselined"] == 1


def test_bad_baseline_files_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("好。\n", encoding="utf-8")
    (tmp_path / "bad.json").write_text("not json", encoding="utf-8")
    for name in ("missing.json", "bad.json"):
        proc = run_cli("check", "corpus", "--baseline", name, cwd=tmp_path)
        assert proc.returncode == 2, proc.stdout
        assert proc.stderr.count("\n") == 1 and name in proc.stderr, proc.stderr
    for content in ('{"version": 2, "entries": []}', '{"version": 1}', "[]",
                    '{"version": 1, "entries": [{"rule": 1}]}', b"\xff\xfe"):
        target = tmp_path / "b.json"
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        with pytest.raises(UsageError, match=r"b\.json"):
            load_baseline(target)


def _finding(line: int, context: str, fingerprint: str, path: str = "a.txt") -> Finding:
    return Finding("TAG001", "unclosed-tag", "TAG", "error", path, line, 3, line, 9,
                   "<cand> is never closed in its line", context, fingerprint)


def test_each_entry_silences_at_most_one_finding() -> None:
    old = _finding(1, "他说<cand>但", "fp0")
    baseline = Baseline("b", [Entry("TAG001", "a.txt", "fp0", content_hash(old))])
    same_twice = [_finding(1, "他说<cand>但", "fp0"), _finding(2, "他说<cand>但", "fp1")]
    outcome = apply_baseline(same_twice, baseline)
    assert [f.line for f in outcome.new] == [2] and len(outcome.baselined) == 1


def test_an_edited_line_stays_baselined_by_its_fingerprint() -> None:
    old = _finding(4, "他说<cand>但时至今日。", "fp0")
    baseline = Baseline("b", [Entry("TAG001", "a.txt", "fp0", content_hash(old))])
    edited = _finding(9, "他昨天说<cand>但时至今日。", "fp0")
    outcome = apply_baseline([edited], baseline)
    assert outcome.new == [] and outcome.stale == []


def test_stale_entries_outside_the_focus_are_not_counted() -> None:
    baseline = Baseline("b", [Entry("TAG001", "a.txt", "fp0"), Entry("TAG001", "b.txt", "fp0")])
    outcome = apply_baseline([], baseline, focus={"a.txt"})
    assert [e.path for e in outcome.stale] == ["a.txt"]


def test_a_baseline_made_in_another_folder_says_its_paths_differ(tmp_path: Path) -> None:
    """Its entries are not "fixed": their paths name no file of the run (issue 17)."""
    doc = tmp_path / "corpus" / "文档.txt"
    doc.parent.mkdir()
    doc.write_text(OLD, encoding="utf-8")
    assert run_cli("baseline", "corpus", "--output", "baseline.json", "--no-cache",
                   cwd=tmp_path).returncode == 0
    # the same corpus checked from inside its folder: the findings are there, named 文档.txt
    proc = run_cli("check", ".", "--no-cache", "--baseline", "../baseline.json", cwd=tmp_path / "corpus")
    assert proc.returncode == 1
    notes = proc.stdout.splitlines()[-2:]
    assert notes == [
        "Baseline ../baseline.json: 2 new, 0 baselined, 2 stale.",
        "None of the stale entries names a file this run checked (the baseline has 'corpus/文档.txt', "
        "this run checks '文档.txt'): a baseline's paths are relative to the folder it was made in, so "
        "run `check --baseline` from that folder (or remake the baseline here)."]
    report = json.loads(run_cli("check", ".", "--no-cache", "--format", "json", "--baseline",
                                "../baseline.json", cwd=tmp_path / "corpus").stdout)
    assert report["summary"]["baseline"]["stale_not_checked"] == 2
    assert "relative to the folder it was made in" in report["summary"]["baseline"]["paths_hint"]


def test_stale_entries_of_files_the_run_did_not_check_are_not_called_fixed() -> None:
    baseline = Baseline("b", [Entry("TAG001", "a.txt", "fp0"), Entry("TAG001", "gone.txt", "fp1")])
    outcome = apply_baseline([_finding(1, "他说<cand>但", "fp0")], baseline, checked={"a.txt"})
    assert [e.path for e in outcome.stale] == ["gone.txt"]
    assert outcome.paths_hint() == ("1 file(s) of stale entries were not checked in this run (e.g. "
                                    "'gone.txt'): renamed or deleted since the baseline was made?")
    fixed = apply_baseline([], Baseline("b", [Entry("TAG001", "a.txt", "fp0")]), checked={"a.txt"})
    assert len(fixed.stale) == 1 and fixed.paths_hint() == ""  # checked and gone: really fixed
