"""No data loss: atomic writes, `check --fix` killed at random moments, concurrent cache users,
and a plain `check` that writes nothing but its report and its cache."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from validators.atomic import write_bytes_atomic, write_text_atomic
from validators.config import build_ruleset, load_config
from validators.fix import fix_bytes


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "validators", *args]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and permission bits."""
    return {str(p.relative_to(folder)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- atomic writes ----------------------------------------------------------------------------

def test_atomic_write_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "doc.txt"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_bytes_atomic(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    write_text_atomic(target, "但是")
    assert target.read_bytes() == "但是".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt"]  # no temporary left


def test_atomic_write_of_a_new_file_and_failure_leaves_no_trace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "new.txt"
    write_bytes_atomic(target, b"x")
    assert target.read_bytes() == b"x"
    existing = tmp_path / "keep.txt"
    existing.write_bytes(b"precious")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_bytes_atomic(existing, b"y" * 100_000)
    monkeypatch.undo()
    with pytest.raises(OSError):
        write_bytes_atomic(tmp_path / "missing-dir" / "f.txt", b"z")
    assert existing.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "new.txt"]


def test_atomic_write_killed_mid_write_leaves_old_or_new(tmp_path: Path) -> None:
    """A writer process rewriting a 20 MB file in a loop is SIGKILLed at random moments: the
    file is always one complete version, never a mixture or a truncation."""
    target = tmp_path / "doc.txt"
    versions = [bytes([65 + i]) * (20 * 1024 * 1024) for i in range(3)]
    target.write_bytes(versions[0])
    script = (f"import sys; from validators.atomic import write_bytes_atomic\n"
              f"i = 0\nwhile True:\n    i = (i + 1) % 3\n"
              f"    write_bytes_atomic({str(target)!r}, bytes([65 + i]) * (20 * 1024 * 1024))\n")
    rng = random.Random(9)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        data = target.read_bytes()
        assert data in versions, (len(data), data[:1])
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "doc.txt"]
    assert all(name.startswith(".doc.txt.") and name.endswith(".tmp") for name in leftovers)


# --- check --fix killed mid-run -------------------------------------------------------------------

def fixable_text(i: int, rng: random.Random) -> bytes:
    """A document with things --fix repairs: CRLF endings, a BOM, zero-width characters and
    half-width punctuation in Han context."""
    lines = []
    for j in range(rng.randint(300, 1200)):
        line = f"第{i}篇第{j}行，他说<cand>但是</cand>时至今日,我们还在讨论这个问题\u200b。"
        if rng.random() < 0.3:
            line = line.replace("，", ",")
        lines.append(line)
    text = "\r\n".join(lines) + "\r\n"
    if i % 3 == 0:
        text = "\ufeff" + text
    return text.encode("utf-8")


def stop(proc: subprocess.Popen[bytes]) -> bool:
    """SIGSTOP the process and wait until it is stopped (False: it ended first)."""
    try:
        proc.send_signal(signal.SIGSTOP)
        for _ in range(2000):
            with open(f"/proc/{proc.pid}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
            if state in ("T", "t"):
                return True
            if state in ("Z", "X"):
                return False
            time.sleep(0.0005)
    except (OSError, ProcessLookupError):
        return False
    return False


def writing_into(pid: int, folder: Path) -> bool:
    """Whether process ``pid`` has a file in ``folder`` open for writing (from /proc)."""
    prefix = str(folder) + os.sep
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            with open(f"/proc/{pid}/fdinfo/{fd}") as handle:
                info = handle.read()
        except OSError:
            continue
        if target.startswith(prefix):
            flags = int(info.split("flags:", 1)[1].split()[0], 8)
            if flags & (os.O_WRONLY | os.O_RDWR):
                return True
    return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux /proc")
def test_fix_killed_at_random_moments_leaves_every_file_whole(tmp_path: Path) -> None:
    ruleset = build_ruleset(load_config(None))
    rng = random.Random(2024)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    originals: dict[str, bytes] = {}
    fixed: dict[str, bytes] = {}
    for i in range(60):
        name = f"doc{i:03}.txt"
        data = fixable_text(i, rng)
        (corpus / name).write_bytes(data)
        originals[name] = data
        fixed[name] = fix_bytes(data, ruleset)[0]
        assert fixed[name] != data  # every file has something to fix
        assert fix_bytes(fixed[name], ruleset)[0] == fixed[name]  # and fixing is idempotent
    total = sum(len(d) for d in originals.values())
    assert total > 3 * 1024 * 1024

    mid_write = 0
    for _attempt in range(6):
        for name, data in originals.items():  # every attempt starts from the broken corpus
            (corpus / name).write_bytes(data)
        proc = subprocess.Popen(cli("check", "--fix", "--no-cache", "--jobs", "1", "--fail-on",
                                    "never", "corpus"), cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # sample the run: stop it at random moments and kill it when (and only when) it is
        # caught with a file in the corpus folder open for writing; give up after a while
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(rng.uniform(0, 0.004))
            if not stop(proc):
                break
            if writing_into(proc.pid, corpus):
                proc.send_signal(signal.SIGKILL)
                mid_write += 1
                break
            proc.send_signal(signal.SIGCONT)
        if proc.poll() is None:  # not caught writing in time: let it finish
            proc.send_signal(signal.SIGCONT)
        proc.wait(timeout=300)
        for name in originals:
            data = (corpus / name).read_bytes()
            assert data in (originals[name], fixed[name]), (
                f"{name}: {len(data)} bytes, neither the original ({len(originals[name])}) nor "
                f"the fixed version ({len(fixed[name])})")
    assert mid_write >= 3, "the runs were never caught writing: nothing was tested"
    # a last, uninterrupted run finishes the job
    done = subprocess.run(cli("check", "--fix", "--no-cache", "--jobs", "1", "--fail-on", "never",
                              "corpus"), cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert {name: (corpus / name).read_bytes() for name in originals} == fixed
    # interrupted renames may leave temporary files; they are never corpus documents
    for path in corpus.iterdir():
        assert path.name in originals or (path.name.startswith(".") and path.suffix == ".tmp")


# --- the cache, shared and interrupted --------------------------------------------------------------

def test_concurrent_and_killed_runs_do_not_corrupt_the_cache(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rng = random.Random(7)
    for i in range(120):
        text = "".join(f"第{i}篇{j}句，他说<cand>但是</cand>好用。\n" for j in range(rng.randint(5, 60)))
        if i % 10 == 0:
            text += "<cand>但时至今日。\n"  # a TAG001 finding
        (corpus / f"doc{i:03}.txt").write_text(text, encoding="utf-8")
    cache = tmp_path / "cache"
    args = ("check", "--format", "json", "--jobs", "1", "--fail-on", "never",
            "--cache-dir", str(cache), "corpus")
    procs = [subprocess.Popen(cli(*args), cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(4)]
    time.sleep(0.8)
    procs[0].send_signal(signal.SIGKILL)  # one writer dies mid-run
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs[1:], outputs[1:], strict=True):
        assert proc.returncode == 0, err.decode()
    reference = subprocess.run(cli(*args[:-1], "--no-cache", "corpus"), cwd=tmp_path,
                               capture_output=True, timeout=300)
    expected = json.loads(reference.stdout)["findings"]
    assert sum(f["rule"] == "TAG001" for f in expected) == 12
    for out, _ in outputs[1:]:
        assert json.loads(out)["findings"] == expected
    again = subprocess.run(cli(*args), cwd=tmp_path, capture_output=True, timeout=300)
    assert json.loads(again.stdout)["findings"] == expected  # served from the shared cache


# --- a check writes nothing but what it was asked to write ------------------------------------------

def test_check_never_modifies_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "crlf.txt").write_bytes("他说，但是\r\n第二行,好\r\n".encode())  # fixable
    (corpus / "bad.txt").write_bytes(b"\xb5\xab\xca\xc7")
    (corpus / "ro.txt").write_text("只读。\n", encoding="utf-8")
    (corpus / "ro.txt").chmod(0o444)
    before = snapshot(corpus)
    mtimes = {p.name: p.stat().st_mtime_ns for p in corpus.iterdir()}
    out = tmp_path / "out" / "report.json"
    cache = tmp_path / "cache"
    html = tmp_path / "report.html"
    for extra in (["--diff"], ["--output", str(out), "--format", "json", "--cache-dir",
                               str(cache), "--html", str(html)]):
        proc = subprocess.run(cli("check", *extra, "corpus"), cwd=tmp_path, capture_output=True,
                              timeout=300)
        assert proc.returncode in (0, 1), proc.stderr
    assert snapshot(corpus) == before
    assert {p.name: p.stat().st_mtime_ns for p in corpus.iterdir()} == mtimes
    # only the report, the HTML report and the cache were written
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"corpus", "out", "cache", "report.html"}
    json.loads(out.read_text(encoding="utf-8"))


def test_fix_writes_only_files_that_change_and_keeps_their_permissions(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "crlf.txt").write_bytes("他说但是\r\n第二行\r\n".encode())
    (corpus / "crlf.txt").chmod(0o640)
    (corpus / "clean.txt").write_text("干净的文件。\n", encoding="utf-8")
    os.mkfifo(corpus / "fifo.txt")  # --fix must not block on it
    clean_mtime = (corpus / "clean.txt").stat().st_mtime_ns
    proc = subprocess.run(cli("check", "--fix", "--no-cache", "corpus"), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert (corpus / "crlf.txt").read_bytes() == "他说但是\n第二行\n".encode()
    assert stat.S_IMODE((corpus / "crlf.txt").stat().st_mode) == 0o640
    assert (corpus / "clean.txt").stat().st_mtime_ns == clean_mtime
    assert sorted(p.name for p in corpus.iterdir()) == ["clean.txt", "crlf.txt", "fifo.txt"]
