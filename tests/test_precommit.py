"""The shipped pre-commit hooks, end to end: a real git repository, the real ``pre-commit``.

The hooks of ``.pre-commit-hooks.yaml`` are installed as ``repo: local`` hooks with the same id,
entry arguments, ``files``, ``types`` and ``require_serial``; only ``language: python`` (which
would pip-install this project into a fresh virtualenv) becomes ``language: unsupported`` with
the entry run by this interpreter, so the test needs no network and runs in seconds.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gitrepo import CLEAN_TEXT, REPO, Repo

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def _local_hooks() -> dict:
    hooks = []
    for hook in HOOKS:
        local = dict(hook)
        entry = shlex.split(hook["entry"])
        assert entry[0] == "corpus-validate", "hooks run the console script"
        local["entry"] = shlex.join([sys.executable, "-m", "validators", *entry[1:]])
        local["language"] = _local_language()
        local.pop("minimum_pre_commit_version", None)
        hooks.append(local)
    return {"repos": [{"repo": "local", "hooks": hooks}]}


def _local_language() -> str:
    """``unsupported`` (pre-commit ≥ 4.4, where ``system`` is its deprecated alias) or ``system``."""
    try:
        from pre_commit.all_languages import languages
    except ImportError:
        return "system"
    return "unsupported" if "unsupported" in languages else "system"


def _pre_commit(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo.root,
                          env=repo.env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def hooked_repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo", tmp_path)
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(_local_hooks(), allow_unicode=True))
    assert repo.commit_all("legacy corpus").returncode == 0
    proc = _pre_commit(repo, "install")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return repo


def test_the_shipped_hooks_are_a_per_file_and_a_serial_corpus_wide_hook() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert set(by_id) == {"corpus-validate", "corpus-validate-corpus"}
    for hook in HOOKS:
        assert hook["language"] == "python" and hook["files"] == r"\.txt$"
        assert hook["types"] == ["text"]
    assert by_id["corpus-validate-corpus"]["require_serial"] is True
    assert "--corpus-wide" in by_id["corpus-validate-corpus"]["entry"]
    assert not by_id["corpus-validate"].get("require_serial", False)


@pytest.mark.slow  # installs and runs the real pre-commit
def test_commit_with_an_unclosed_cand_is_blocked_and_a_clean_commit_passes(
        hooked_repo: Repo) -> None:
    repo = hooked_repo
    repo.write("corpus/新文档.txt", "第一句很正常。\n他说<cand>但时至今日。\n")
    blocked = repo.commit_all("add a broken document", verify=True)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "corpus/新文档.txt:2:3: TAG001 [error] <cand> is never closed in its line" in output
    assert "corpus-validate (per-file rules)" in output and "Failed" in output
    assert repo.head_count() == 1  # nothing was committed

    repo.write("corpus/新文档.txt", CLEAN_TEXT)
    passed = repo.commit_all("add a clean document", verify=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert repo.head_count() == 2
    assert repo.git("show", "--name-only", "--format=", "-z", "HEAD").stdout == \
        "corpus/新文档.txt\0"


@pytest.mark.slow  # installs and runs the real pre-commit
def test_the_corpus_wide_hook_compares_a_staged_file_with_the_whole_corpus(
        hooked_repo: Repo) -> None:
    assert repo_rules(hooked_repo)["DUP001"] == "error", "an exact duplicate blocks a commit"
    repo = hooked_repo
    original = sorted((repo.root / "corpus").glob("00[1-4]_*.txt"))[0]
    copy = repo.root / "corpus" / "副本.txt"
    copy.write_bytes(original.read_bytes())
    blocked = repo.commit_all("add a copy", verify=True)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "corpus-validate (corpus-wide rules, duplicates)" in output
    dup_lines = [line for line in output.splitlines() if "DUP001" in line]
    assert dup_lines, output
    # the group names both the staged copy and the committed original
    assert "副本.txt" in output and original.name in output
    assert repo.head_count() == 1


def repo_rules(repo: Repo) -> dict[str, str]:
    import json

    proc = repo.cli("rules", "list", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    rules = data["rules"] if isinstance(data, dict) else data
    return {r["id"]: r["severity"] for r in rules}


def test_hook_command_filters_by_the_configuration_and_finds_the_corpus_with_git(
        tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo", tmp_path)
    (repo.root / "corpus-validate.yaml").write_text("exclude: ['drafts/**']\n", encoding="utf-8")
    repo.write("drafts/草稿.txt", "他说<cand>但时至今日。\n")            # excluded
    repo.write("notes/readme.md", "<cand>\n")                           # not *.txt
    assert repo.commit_all("corpus without configured paths").returncode == 0
    proc = repo.cli("hook", "drafts/草稿.txt", "notes/readme.md")
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout

    assert repo_rules(repo)["DUP001"] == "error", "an exact duplicate blocks a commit"
    original = sorted((repo.root / "corpus").glob("00[1-4]_*.txt"))[0]
    (repo.root / "副本.txt").write_bytes(original.read_bytes())  # staged: outside corpus/
    repo.git("add", "副本.txt")
    proc = repo.cli("hook", "--corpus-wide", "副本.txt")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # the corpus is the repository's files (no `paths` configured), so the committed original
    # is found although pre-commit named only the copy
    assert "副本.txt:1:1: DUP001" in proc.stdout and f"corpus/{original.name}" in proc.stdout


@pytest.mark.slow  # installs and runs the real pre-commit
def test_a_passing_commit_shows_its_warnings(hooked_repo: Repo) -> None:
    """With the default fail_on: error, half-width punctuation (a warning) does not block the
    commit, and pre-commit shows it (the hooks are verbose) instead of a bare "Passed"."""
    assert all(hook.get("verbose") is True for hook in HOOKS)
    repo = hooked_repo
    repo.write("corpus/半角.txt", "今天的会议讨论了新的教学计划,大家对具体安排还有不同意见。\n")
    passed = repo.commit_all("add a document with a half-width comma", verify=True)
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert repo.head_count() == 2
    assert "corpus-validate (per-file rules)" in output and "Passed" in output
    assert "corpus/半角.txt:1:15: PUN001 [warning] half-width ',' in Chinese text" in output, output
    assert "These findings do not block the commit (fail_on: error)." in output


def test_the_hook_prints_nothing_for_clean_files(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo", tmp_path)
    assert repo.commit_all("corpus").returncode == 0
    repo.write("corpus/新文档.txt", CLEAN_TEXT)
    proc = repo.cli("hook", "corpus/新文档.txt")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
