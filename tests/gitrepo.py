"""A real git repository in a temporary folder, isolated from the user's git configuration."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import REPO, SAMPLE, run_cli, run_cli_process

CLEAN_TEXT = ("今天的会议讨论了新的教学计划。<cand>但是</cand>大家对具体安排还有不同意见。\n"
              "老师们<a>不仅</a>关心课程内容，<a>也</a>关心学生的负担。\n")


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_AUTHOR_NAME="Corpus Tester", GIT_AUTHOR_EMAIL="tester@example.invalid",
               GIT_COMMITTER_NAME="Corpus Tester", GIT_COMMITTER_EMAIL="tester@example.invalid",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               PRE_COMMIT_HOME=str(home / "pre-commit-home"), HOME=str(home))
    return env


class Repo:
    """``git init`` + the sample corpus under ``corpus/`` + ``corpus-validate.yaml``, committed."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.env = git_env(home)
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        corpus = root / "corpus"
        corpus.mkdir()
        for f in sorted(SAMPLE.glob("*.txt")):
            (corpus / f.name).write_bytes(f.read_bytes())
        (root / "corpus-validate.yaml").write_text("paths: [corpus/]\n", encoding="utf-8")
        (root / ".gitignore").write_text("*.log\n", encoding="utf-8")

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(["git", *args], cwd=self.root, env=self.env, capture_output=True,
                              text=True, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc

    def commit_all(self, message: str, verify: bool = False) -> subprocess.CompletedProcess[str]:
        self.git("add", "-A")
        args = ["commit", "-q", "-m", message] + ([] if verify else ["--no-verify"])
        return self.git(*args, check=False)

    def head_count(self) -> int:
        return int(self.git("rev-list", "--count", "HEAD").stdout)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``corpus-validate ARGS`` in the repository, in-process, with the isolated environment."""
        return run_cli(*args, cwd=self.root, env=self.env)

    def cli_process(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The same as a real ``python -m validators`` process (the end-to-end tests)."""
        return run_cli_process(*args, cwd=self.root, env=self.env)


__all__ = ["CLEAN_TEXT", "REPO", "Repo", "git_env"]
