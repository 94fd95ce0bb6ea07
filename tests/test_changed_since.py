"""``check --changed-since REF`` in a real git repository: only the changed files' findings, plus
the corpus-wide groups (duplicates) that contain a changed file; merge base, not the ref's tip;
Chinese file names intact (``git diff -z``, never quoted)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_cli
from gitrepo import CLEAN_TEXT, Repo

BROKEN = "第一句很正常。\n他说<cand>但时至今日。\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo", tmp_path)
    repo.git("config", "core.quotepath", "true")  # git's default: quotes non-ASCII names
    repo.write("corpus/旧/legacy.txt", BROKEN)     # a legacy finding, committed on main
    assert repo.commit_all("legacy corpus").returncode == 0
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def check(repo: Repo, *args: str) -> tuple[int, dict]:
    proc = repo.cli("check", "--format", "json", "--no-cache", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_only_files_changed_since_the_merge_base_are_reported(repo: Repo) -> None:
    repo.write("corpus/新增 文档.txt", BROKEN)          # committed on the branch
    assert repo.commit_all("add a document").returncode == 0
    repo.write("corpus/未跟踪.txt", BROKEN)              # untracked, not ignored
    repo.write("corpus/忽略.txt", BROKEN)                # ignored
    (repo.root / ".gitignore").write_text("*.log\ncorpus/忽略.txt\n", encoding="utf-8")
    staged = repo.write("corpus/暂存.txt", CLEAN_TEXT)  # staged, then modified in the work tree
    repo.git("add", str(staged))
    staged.write_text(BROKEN, encoding="utf-8")
    # main moves on after the branch point: its new findings are not this branch's changes
    repo.git("stash", "-q", "--include-untracked")
    repo.git("checkout", "-q", "main")
    repo.write("corpus/main-only.txt", BROKEN)
    assert repo.commit_all("main moves on").returncode == 0
    repo.git("checkout", "-q", "feature")
    repo.git("stash", "pop", "-q")

    code, report = check(repo, "--changed-since", "main")
    assert code == 1
    tag_paths = sorted(f["path"] for f in report["findings"] if f["rule"] == "TAG001")
    assert tag_paths == ["corpus/新增 文档.txt", "corpus/暂存.txt", "corpus/未跟踪.txt"]
    changed = set(tag_paths)
    for finding in report["findings"]:  # nothing about unchanged files, unless grouped with one
        related = {r["path"] for r in finding.get("related", [])}
        assert finding["path"] in changed or related & changed, finding
    assert report["summary"]["documents"] == 3
    assert report["summary"]["changed_since"] == "main"

    # the full check sees the legacy finding the changed-files check left out
    _, full = check(repo)
    assert "corpus/旧/legacy.txt" in {f["path"] for f in full["findings"]}


def test_git_reports_chinese_names_unquoted(repo: Repo) -> None:
    from validators.git import changed_files

    repo.write("corpus/语料/第一篇：引号\"与空格 .txt", CLEAN_TEXT)
    cwd = Path.cwd()
    try:
        os.chdir(repo.root)
        found = changed_files("main")
    finally:
        os.chdir(cwd)
    assert [p.relative_to(repo.root).as_posix() for p in found] == \
        ['corpus/语料/第一篇：引号"与空格 .txt']


def test_a_duplicate_of_an_unchanged_document_is_reported_with_its_group(repo: Repo) -> None:
    rules = json.loads(repo.cli("rules", "list", "--format", "json").stdout)
    assert "DUP001" in {r["id"] for r in rules if r["severity"] != "off"}, "exact duplicates on"
    original = sorted((repo.root / "corpus").glob("00[1-4]_*.txt"))[0]
    copy = repo.root / "corpus" / "复制的文档.txt"
    copy.write_bytes(original.read_bytes())
    _, report = check(repo, "--changed-since", "main")
    dups = [f for f in report["findings"] if f["category"] == "DUP"]
    assert dups, report["findings"]
    for finding in dups:  # every reported group contains the changed copy
        members = {finding["path"]} | {r["path"] for r in finding.get("related", [])}
        assert "corpus/复制的文档.txt" in members, finding
    assert any(f"corpus/{original.name}" in
               {f["path"]} | {r["path"] for r in f.get("related", [])} for f in dups)
    # the sample corpus's own groups (e.g. a repeated line inside one unchanged document) are not
    _, full = check(repo)
    unchanged_groups = [f for f in full["findings"] if f["category"] == "DUP" and
                        "corpus/复制的文档.txt" not in
                        {f["path"]} | {r["path"] for r in f.get("related", [])}]
    for finding in unchanged_groups:
        assert finding not in report["findings"]


def test_nothing_changed_means_nothing_to_report(repo: Repo) -> None:
    code, report = check(repo, "--changed-since", "main")
    assert code == 0 and report["findings"] == [] and report["summary"]["documents"] == 0


def test_git_problems_are_one_line_errors(repo: Repo, tmp_path: Path) -> None:
    proc = repo.cli("check", "--changed-since", "no-such-branch")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "unknown git revision 'no-such-branch'" in proc.stderr
    proc = repo.cli("check", "--changed-since", "--output=x")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    (outside / "a.txt").write_text(CLEAN_TEXT, encoding="utf-8")
    # the diff is taken in the repository that holds the paths, not in the working directory's:
    # a path outside every repository is an error even when run from inside one
    proc = repo.cli("check", str(outside), "--changed-since", "main")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert f"--changed-since: {outside} is not inside a git repository" in proc.stderr
    proc = run_cli("check", ".", "--changed-since", "main", cwd=outside, env=repo.env)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--changed-since: . is not inside a git repository" in proc.stderr
