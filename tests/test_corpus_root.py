"""The corpus ends at its root (issue 12, item 3): a symlink leading outside it is named, never
read or rewritten; links inside keep working; a folder that cannot be listed is a finding."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import run_cli

from validators.discover import discover
from validators.load import load

MARKER = "OUTSIDE-MARKER-7f3c9a"  # the outside file's content: must never reach any output
OUTSIDE_TEXT = f"{MARKER} 但是<cand>却。\n第二行\ufeff带\u200b零宽字符，\r\n"  # findings if it were read


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command line (in-process: tests/conftest.run_cli), run in ``cwd``."""
    return run_cli(*args, cwd=cwd)


def _layout(tmp_path: Path) -> tuple[Path, Path]:
    """tmp/project/corpus/{ok.txt, evil.txt -> tmp/elsewhere/secret.txt}; returns (project, secret)."""
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_bytes(OUTSIDE_TEXT.encode("utf-8"))
    corpus = tmp_path / "project" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "ok.txt").write_text("第一句很正常。\n", encoding="utf-8")
    (corpus / "evil.txt").symlink_to(secret)
    return corpus.parent, secret


def _assert_named_not_read(findings: list[dict], link: str) -> None:
    assert [(f["rule"], f["path"]) for f in findings] == [("ENC004", link)]
    assert "outside the corpus root" in findings[0]["message"]


def test_an_outside_symlink_is_named_and_its_target_is_in_no_output(tmp_path: Path) -> None:
    project, secret = _layout(tmp_path)
    base = ("check", "--no-cache", "--fail-on", "error")
    proc = cli(*base, "--format", "json", "corpus", cwd=project)
    assert proc.returncode == 1, proc.stderr
    _assert_named_not_read(json.loads(proc.stdout)["findings"], "corpus/evil.txt")
    assert "Traceback" not in proc.stderr
    outputs = [proc.stdout, proc.stderr]
    for fmt in ("text", "sarif"):
        proc = cli(*base, "--format", fmt, "corpus", cwd=project)
        assert proc.returncode == 1, (fmt, proc.stderr)
        assert "evil.txt" in proc.stdout, fmt  # the link is named
        outputs += [proc.stdout, proc.stderr]
    html = tmp_path / "report.html"
    proc = cli(*base, "--format", "text", "--html", str(html), "corpus", cwd=project)
    assert proc.returncode == 1, proc.stderr
    outputs += [proc.stdout, proc.stderr, html.read_text(encoding="utf-8")]
    # the file named directly (as pre-commit or a user does) is not read either
    proc = cli(*base, "--format", "json", "corpus/evil.txt", cwd=project)
    _assert_named_not_read(json.loads(proc.stdout)["findings"], "corpus/evil.txt")
    outputs += [proc.stdout, proc.stderr]
    for output in outputs:
        assert MARKER not in output and "零宽" not in output
    assert secret.read_bytes() == OUTSIDE_TEXT.encode("utf-8")


def test_check_fix_does_not_rewrite_a_file_outside_the_corpus(tmp_path: Path) -> None:
    project, secret = _layout(tmp_path)
    before = secret.stat()
    proc = cli("check", "--fix", "--no-cache", "--format", "json", "corpus", cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert MARKER not in proc.stdout + proc.stderr
    assert secret.read_bytes() == OUTSIDE_TEXT.encode("utf-8")  # BOM, CRLF, ZWSP all still there
    assert secret.stat().st_ino == before.st_ino  # not replaced by an atomic rename either
    assert (project / "corpus" / "evil.txt").is_symlink()


def test_the_hook_does_not_read_a_staged_outside_link(tmp_path: Path) -> None:
    project, _ = _layout(tmp_path)
    proc = cli("hook", "--format", "json", "--no-cache", "corpus/evil.txt", "corpus/ok.txt",
               cwd=project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert MARKER not in proc.stdout + proc.stderr
    _assert_named_not_read(json.loads(proc.stdout)["findings"], "corpus/evil.txt")


def test_links_inside_the_corpus_are_checked_as_usual(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "a").mkdir(parents=True)
    (corpus / "b").mkdir()
    (corpus / "b" / "doc.txt").write_text("第一句。\n他说<cand>但时至今日。\n", encoding="utf-8")
    (corpus / "a" / "link.txt").symlink_to("../b/doc.txt")    # into a sibling folder
    (corpus / "same.txt").symlink_to(corpus / "b" / "doc.txt")  # absolute, still inside
    proc = cli("check", "--no-cache", "--format", "json", "--fail-on", "error", "corpus",
               cwd=tmp_path)
    findings = json.loads(proc.stdout)["findings"]
    tags = sorted(f["path"] for f in findings if f["rule"] == "TAG001")
    assert tags == ["corpus/a/link.txt", "corpus/b/doc.txt", "corpus/same.txt"], findings
    assert not any(f["rule"] == "ENC004" for f in findings)
    # a link given by itself, from the project folder: its root is the working directory
    proc = cli("check", "--no-cache", "--format", "json", "corpus/a/link.txt", cwd=tmp_path)
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["TAG001"], proc.stderr


def _two_links(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.txt").write_text("但是。\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text(MARKER + "\n", encoding="utf-8")
    (corpus / "in.txt").symlink_to("doc.txt")
    (corpus / "out.txt").symlink_to("../secret.txt")
    return corpus / "in.txt", corpus / "out.txt"


@pytest.mark.parametrize("o_path", [True, False], ids=["O_PATH", "portable"])
def test_load_refuses_an_outside_link_on_both_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    o_path: bool) -> None:
    """The Linux way (O_PATH + /proc) and the portable one (resolve, check, O_NOFOLLOW) agree."""
    if not o_path:
        monkeypatch.delattr(os, "O_PATH", raising=False)
    inside, outside = _two_links(tmp_path)
    root = str(tmp_path / "corpus")
    assert load("in.txt", str(inside), root=root).text == "但是。\n"
    doc = load("out.txt", str(outside), root=root)
    assert doc.data == b"" and doc.text is None
    assert [(p.kind, p.detail) for p in doc.problems] == [
        ("unreadable", "a symbolic link to a file outside the corpus root (../secret.txt), not read")]
    # without a root, the file's own folder is its root
    assert load("out.txt", str(outside)).problems[0].kind == "unreadable"


@pytest.mark.skipif(not hasattr(os, "O_PATH"), reason="the O_PATH way is Linux's")
def test_the_check_is_made_on_what_was_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel's word on the opened descriptor decides, not an earlier look at the path: a
    link swapped in between (simulated: /proc names a file elsewhere) is not read."""
    inside, _ = _two_links(tmp_path)
    real_readlink = os.readlink

    def readlink(path: str, *args: object, **kwargs: object) -> str:
        if str(path).startswith("/proc/self/fd/"):
            return str(tmp_path / "secret.txt")
        return real_readlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "readlink", readlink)
    doc = load("in.txt", str(inside), root=str(tmp_path / "corpus"))
    assert doc.data == b"" and "outside the corpus root" in doc.problems[0].detail


def test_discovered_files_know_their_real_root(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("但是。\n", encoding="utf-8")
    (tmp_path / "alias").symlink_to(corpus)  # the root itself may be reached through a link
    (found,) = discover([str(tmp_path / "alias")])
    assert found.root == os.path.realpath(corpus)
    assert load(found.path, found.fs_path, root=found.root).problems == []
    # an old-style CorpusFile (three fields) keeps working
    assert type(found)(found.path, found.fs_path, found.doc_id).root == ""


def test_an_unlistable_folder_is_a_finding_in_process(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """os.walk's silent skip, simulated: scandir refuses one folder (root ignores chmod 000)."""
    corpus = tmp_path / "corpus"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "locked" / "x.txt").write_text("但是。\n", encoding="utf-8")
    (corpus / "ok.txt").write_text("但是。\n", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files = discover([str(corpus)])
    monkeypatch.undo()
    assert [Path(f.fs_path).name for f in files] == ["locked", "ok.txt"]
    doc = load(files[0].path, files[0].fs_path, root=files[0].root)
    assert [p.kind for p in doc.problems] == ["unreadable"]
    # an excluded folder is not reported
    monkeypatch.setattr(os, "scandir", scandir)
    assert [Path(f.fs_path).name for f in discover([str(corpus)], exclude=["locked/**"])] == ["ok.txt"]


UNLISTABLE = """
import json, os, sys
from validators.config import build_ruleset, load_config
from validators.discover import discover
from validators.run import run_check
ruleset = build_ruleset(load_config(None))
run_check(discover([sys.argv[1]]), ruleset)  # warm-up: lazy imports while still privileged
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
result = run_check(discover([sys.argv[1]]), ruleset)
print(json.dumps([[f.rule, f.path, f.message] for f in result.findings]))
"""


def test_an_unlistable_folder_is_a_finding_for_a_real_user() -> None:
    """chmod 000 does not stop root, so the check runs in a child that drops to ``nobody``."""
    base = Path(tempfile.mkdtemp(prefix="corpus-validators-root-"))
    try:
        os.chmod(base, 0o755)
        corpus = base / "corpus"
        (corpus / "locked").mkdir(parents=True)
        (corpus / "locked" / "x.txt").write_text("但是。\n", encoding="utf-8")
        (corpus / "ok.txt").write_text("但是。\n", encoding="utf-8")
        os.chmod(corpus, 0o755)
        os.chmod(corpus / "ok.txt", 0o644)
        os.chmod(corpus / "locked", 0)
        if os.geteuid() != 0 and os.access(corpus / "locked", os.R_OK):
            pytest.skip("cannot make a folder unlistable for this user")
        parent = base
        while parent != parent.parent:  # nobody must be able to reach the corpus
            if parent.stat().st_mode & 0o005 != 0o005 and parent.stat().st_uid == os.geteuid():
                pytest.skip(f"{parent} is not accessible to other users")
            parent = parent.parent
        proc = subprocess.run([sys.executable, "-c", UNLISTABLE, str(corpus)], capture_output=True,
                              text=True, timeout=300, cwd=base)
        assert proc.returncode == 0, proc.stderr
        findings = json.loads(proc.stdout)
        assert [f[:2] for f in findings] == [["ENC004", "corpus/locked"]]
        assert "folder cannot be listed: Permission denied" in findings[0][2]
    finally:
        os.chmod(base / "corpus" / "locked", 0o755)
        shutil.rmtree(base)
