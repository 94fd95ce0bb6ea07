"""The right corpus and honest counts (issue 12, item 6): a configuration without ``paths`` checks
its repository's files, not the sample; summaries count findings the engine did not list;
``--changed-since`` diffs the repository of the PATHs; file names cannot forge records; a full
disk is a one-line I/O error."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, run_cli
from gitrepo import CLEAN_TEXT, Repo

BROKEN = "第一句很正常。\n他说<cand>但时至今日。\n"
STRAY = "<<>>" * 700 + "\n"  # 2800 stray brackets in one file: more than the listing cap


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A repository whose configuration has no ``paths``: tracked, untracked, ignored files."""
    repo = Repo(tmp_path / "repo", tmp_path)
    (repo.root / "corpus-validate.yaml").write_text("fail_on: error\n", encoding="utf-8")
    repo.write("texts/tracked.txt", BROKEN)
    repo.write("notes.md", BROKEN)  # not matching include
    (repo.root / ".gitignore").write_text("build/\n", encoding="utf-8")
    assert repo.commit_all("corpus").returncode == 0
    repo.write("texts/untracked.txt", CLEAN_TEXT)
    repo.write("build/ignored.txt", BROKEN)
    return repo


EXPECTED = {"corpus/" + f.name for f in SAMPLE.glob("*.txt")} | {"texts/tracked.txt",
                                                                 "texts/untracked.txt"}


def test_a_configuration_without_paths_checks_its_repository_not_the_sample(repo: Repo) -> None:
    proc = repo.cli("check", "--format", "json", "--no-cache")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    paths = {f["path"] for f in data["findings"]}
    assert "texts/tracked.txt" in paths and not any("build/" in p for p in paths)
    assert not any("sample-corpus" in p for p in paths)
    assert data["summary"]["documents"] == len(EXPECTED)  # tracked + untracked, not ignored
    assert "sample corpus" not in proc.stderr
    # from a subfolder the configuration (found upwards) still decides the corpus
    sub = cli("check", "--format", "json", "--no-cache", cwd=repo.root / "texts", env=repo.env)
    assert json.loads(sub.stdout)["summary"]["documents"] == len(EXPECTED), sub.stderr


def test_baseline_records_the_repository_files_too(repo: Repo) -> None:
    proc = repo.cli("baseline", "--output", "baseline.json", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert f"of {len(EXPECTED)} document(s)" in proc.stdout
    recorded = (repo.root / "baseline.json").read_text(encoding="utf-8")
    assert "texts/tracked.txt" in recorded and "sample-corpus" not in recorded


def test_a_configuration_without_paths_outside_git_checks_its_folder(tmp_path: Path) -> None:
    (tmp_path / "corpus-validate.yaml").write_text("fail_on: error\n", encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "doc.txt").write_text(BROKEN, encoding="utf-8")
    proc = cli("check", "--format", "json", "--no-cache", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert [f["path"] for f in data["findings"]] == ["a/doc.txt"], proc.stderr
    assert data["summary"]["documents"] == 1


def test_without_configuration_the_sample_corpus_is_named_on_stderr(tmp_path: Path) -> None:
    proc = cli("check", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1
    notes = [line for line in proc.stderr.splitlines() if "sample corpus" in line]
    assert notes == [f"corpus-validate: no corpus-validate.yaml found: checking the bundled "
                     f"sample corpus at {SAMPLE} (shown as sample-corpus/)"]
    assert "Found 17 finding(s)" in proc.stdout  # stdout as the README's quick start shows it


@pytest.fixture
def stray(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "stray.txt").write_text(STRAY, encoding="utf-8")
    return corpus


def test_summary_counts_every_finding_listed_or_not(stray: Path) -> None:
    proc = cli("check", str(stray), "--format", "json", "--no-cache", cwd=stray.parent)
    data = json.loads(proc.stdout)
    listed = data["findings"]
    unlisted = int(re.search(r"and (\d+) more TAG008", listed[-1]["message"]).group(1))
    total = len(listed) + unlisted
    assert len(listed) < total == 2800
    assert data["summary"]["findings"] == total
    assert data["summary"]["by_rule"] == {"TAG008": total}
    assert sum(data["summary"]["by_severity"].values()) == total
    assert sum(data["summary"]["by_category"].values()) == total
    assert all(set(f) <= {"rule", "name", "category", "severity", "path", "line", "column",
                          "end_line", "end_column", "message", "context", "fingerprint",
                          "related"} for f in listed)  # DESIGN §5's keys only
    text = cli("check", str(stray), "--no-cache", cwd=stray.parent)
    assert f"Found {total} finding(s)" in text.stdout
    junit = cli("check", str(stray), "--format", "junit", "--fail-on", "info", "--no-cache",
                cwd=stray.parent)
    failure = ET.fromstring(junit.stdout).find(".//failure[@type='TAG008']")
    assert failure is not None and failure.get("message", "").startswith(f"{total} finding(s)")


def test_changed_since_uses_the_repository_of_the_paths(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo", tmp_path)
    assert repo.commit_all("corpus").returncode == 0
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("corpus/new.txt", BROKEN)
    elsewhere = tmp_path / "elsewhere"  # not a git repository, no configuration
    elsewhere.mkdir()
    proc = cli("check", str(repo.root / "corpus"), "--changed-since", "main", "--format", "json",
               "--no-cache", cwd=elsewhere, env=repo.env)
    assert proc.returncode == 1, proc.stderr
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert paths == {(repo.root / "corpus" / "new.txt").as_posix()}


def test_changed_since_with_paths_in_two_repositories_is_a_one_line_error(tmp_path: Path) -> None:
    one = Repo(tmp_path / "one", tmp_path)
    two = Repo(tmp_path / "two", tmp_path)
    proc = cli("check", str(one.root / "corpus"), str(two.root / "corpus"), "--changed-since",
               "main", cwd=tmp_path, env=one.env)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "different git repositories" in proc.stderr


FORGED = "x\nforged.txt:1:1: TAG001 [error] injected.txt"


@pytest.mark.skipif(sys.platform == "win32", reason="newlines in file names are POSIX-only")
@pytest.mark.parametrize("fmt", ["text", "junit", "github"])  # gitlab and sarif: JSON strings
def test_a_newline_in_a_file_name_cannot_forge_a_record(tmp_path: Path, fmt: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / FORGED).write_text(BROKEN, encoding="utf-8")
    proc = cli("check", "corpus", "--format", fmt, "--no-cache", cwd=tmp_path,
               env={k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"})
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    if fmt == "junit":
        root = ET.fromstring(out)
        out = "\n".join(e.text or "" for e in root.iter() if e.text)
    assert not re.search(r"(?m)^\s*forged\.txt:1:1", out), out
    assert "forged.txt" in out  # the name is still shown, escaped
    if fmt == "github":
        annotations = [line for line in out.splitlines() if line.startswith("::")]
        assert len(annotations) == 1 and "%0A" in annotations[0]


@pytest.mark.skipif(sys.platform == "win32", reason="undecodable file names are POSIX-only")
def test_sarif_uri_keeps_a_backslash_in_a_file_name_percent_encoded(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / os.fsdecode(b"bad\xb5.txt")).write_text(BROKEN, encoding="utf-8")
    (corpus / "back\\slash.txt").write_text(BROKEN, encoding="utf-8")
    proc = cli("check", "corpus", "--format", "sarif", "--no-cache", cwd=tmp_path)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(proc.stdout)["runs"][0]["results"]}
    assert uris == {"corpus/bad%5Cxb5.txt", "corpus/back%5Cslash.txt"}, proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_full_disk_is_a_one_line_io_error(fmt: str) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "validators", "check", str(SAMPLE),
                               "--format", fmt, "--no-cache"], cwd=REPO, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=600)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "No space left on device" in proc.stderr and "internal error" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_warm_cached_run_counts_the_unlisted_findings_too(stray: Path) -> None:
    """The cache stores each finding's unlisted count: a warm run's summary is the cold one's."""
    cache = stray.parent / "cache"
    (stray / "other.txt").write_text("他说<cand>但</cand>时至今日。\n", encoding="utf-8")  # one file runs uncached
    cold, warm = (json.loads(cli("check", str(stray), "--format", "json", "--cache-dir", str(cache),
                                 cwd=stray.parent).stdout) for _ in range(2))
    assert any(cache.rglob("*.bin"))  # the second run could read what the first stored
    assert cold["summary"]["findings"] == 2800
    assert warm == cold
