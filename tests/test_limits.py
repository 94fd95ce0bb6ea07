"""Limits: huge, pathological, vanishing, unreadable and strangely named files.

Each case runs the real command in a subprocess and must end with exit 0 or 1 (a finding, never an
internal error), in bounded memory (peak RSS of that one child, from ``os.wait4``) and without
hanging (the subprocess timeout is a hang detector, generous on purpose: it is not a speed
assertion; speed is measured in benchmarks/). Where neither memory nor a real process is the point
(file names in the output formats), the command runs in-process.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli

from validators.config import build_ruleset, load_config
from validators.discover import discover
from validators.load import load, too_large
from validators.run import run_check

MB = 1024 * 1024
HANG = 300  # seconds: a hang detector only
BASE_ARGS = ("check", "--format", "json", "--no-cache", "--jobs", "1", "--fail-on", "error")


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    max_rss_mb: float


# The peak RSS of a child counts the memory of the process it was forked from (the high-water mark
# survives exec), and pytest itself grows to hundreds of MB: so a small wrapper process starts the
# command and reports the peak of that one child.
WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(f"\\nMAXRSS_KB={peak}\\n")
sys.exit(code if code >= 0 else 128 - code)
"""


def run_measured(args: list[str], cwd: Path, timeout: float = HANG) -> Measured:
    """Run ``corpus-validate ARGS`` and return its exit code, output and peak RSS (MB)."""
    out, err = cwd / ".stdout", cwd / ".stderr"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-c", WRAPPER, sys.executable, "-m", "validators",
                                 *args], cwd=cwd, stdout=stdout, stderr=stderr,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"corpus-validate {' '.join(args)} hung (killed after {timeout} s)")
    error, _, peak = err.read_text("utf-8", "replace").rpartition("\nMAXRSS_KB=")
    result = Measured(proc.returncode, out.read_text("utf-8", "replace"), error,
                      int(peak) / 1024)
    print(f"peak RSS {result.max_rss_mb:.0f} MB: corpus-validate {' '.join(args)}")  # with -s
    out.unlink()
    err.unlink()
    return result


def check_file(path: Path, cwd: Path) -> tuple[Measured, dict]:
    result = run_measured([*BASE_ARGS, str(path)], cwd)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return result, json.loads(result.stdout)


def write_repeated(path: Path, block: bytes, size: int) -> None:
    """A ``size``-byte file of a repeated block, written in 1 MB chunks (fast, no big buffer)."""
    chunk = block * max(1, MB // len(block))
    with open(path, "wb") as handle:
        written = 0
        while written + len(chunk) <= size:
            handle.write(chunk)
            written += len(chunk)
        handle.write((block * (size // len(block) + 1))[:size - written])


def assert_positions_inside(report: dict, texts: dict[str, str]) -> None:
    for finding in report["findings"]:
        text = texts.get(finding["path"])
        if text is None:
            continue
        lines = text.split("\n")
        assert 1 <= finding["line"] <= finding["end_line"] <= len(lines), finding["rule"]
        assert 1 <= finding["column"] <= len(lines[finding["line"] - 1]) + 1, finding["rule"]
        assert 1 <= finding["end_column"] <= len(lines[finding["end_line"] - 1]) + 2


# --- very large and very long ------------------------------------------------------------------

@pytest.mark.slow
def test_200_mb_file_without_a_newline(tmp_path: Path) -> None:
    # raw (not yet annotated) text of one endless paragraph, as a broken PDF extraction gives,
    # with a stray tag every 4 KB so the tokenizer and the tag checks have work too
    sentence = "他说时至今日，这种办法不仅便宜，而且好用。没有换行的段落还在继续！".encode()
    block = sentence * (4096 // len(sentence)) + "<cand>但是</cand>".encode()
    path = tmp_path / "huge.txt"
    write_repeated(path, block, 200 * MB)
    try:
        result, report = check_file(path, tmp_path)
    finally:
        path.unlink()
    assert report["summary"]["documents"] == 1 and report["summary"]["bytes"] == 200 * MB
    # measured: about 740 MB peak for the 200 MB file (the bytes, the decoded text, the parse);
    # before the script profile was chunked it was 2 GB; ten copies of the file would be over 2 GB
    assert result.max_rss_mb < 1500, result.max_rss_mb


def test_file_above_max_file_bytes_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "corpus-validate.yaml").write_text("max_file_bytes: 1000000\n")
    path = tmp_path / "big.txt"
    write_repeated(path, "但是，".encode() * 100, 20 * MB)
    result, report = check_file(path, tmp_path)
    assert [f["rule"] for f in report["findings"]] == ["ENC012"]
    assert str(20 * MB) in report["findings"][0]["message"]
    # nothing of the 20 MB was read: the process stays near its start-up size (measured: 36 MB;
    # checking the file would take about 250 MB)
    assert result.max_rss_mb < 150, result.max_rss_mb


def test_load_never_reads_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes("但是。".encode() * 1000)
    doc = load("big.txt", str(path), max_bytes=100)
    assert doc.data == b"" and not doc.readable
    assert [p.kind for p in doc.problems] == ["too_large"]
    assert too_large("x.txt", None, 5, 4).problems[0].kind == "too_large"
    assert load("big.txt", str(path), max_bytes=9000).readable


@pytest.mark.slow
def test_a_line_of_ten_million_characters(tmp_path: Path) -> None:
    line = ("他说<cand>但是</cand>时至今日，" + "abc def, 好用。" * 9) * (10_000_000 // 130)
    path = tmp_path / "long.txt"
    path.write_text(line + "\n第二行<cand>但</cand>。\n", encoding="utf-8")
    assert len(line) >= 9_900_000
    result, report = check_file(path, tmp_path)
    assert report["summary"]["documents"] == 1
    for finding in report["findings"]:  # the context of a finding stays small on a huge line
        assert len(finding["context"]) < 1000
    assert result.max_rss_mb < 1000, result.max_rss_mb  # measured: 280 MB


def test_100_000_tags_in_one_line(tmp_path: Path) -> None:
    line = "他说<cand>但是</cand>，" * 50_000 + "<a>不仅</a>便宜，<a>也</a>好用。" * 25_000
    path = tmp_path / "tags.txt"
    path.write_text(line, encoding="utf-8")
    result, report = check_file(path, tmp_path)
    assert report["summary"]["spans"] == 100_000
    assert result.returncode == 0, report["summary"]["by_rule"]  # all valid: no finding
    assert result.max_rss_mb < 800, result.max_rss_mb  # measured: 190 MB


def test_deeply_repeated_angle_brackets(tmp_path: Path) -> None:
    text = ("<" * 20_000 + "\n" + "<<<<cand>>>>" * 2_000 + "\n" + "<" * 5_000 + "cand>" + ">" * 5_000
            + "\n" + "<a" * 5_000 + "\n")
    path = tmp_path / "brackets.txt"
    path.write_text(text, encoding="utf-8")
    result, report = check_file(path, tmp_path)
    assert result.returncode == 1
    # every stray '<' is reported, none guessed at: the first 1000 are listed, the rest counted
    # exactly in the last listed finding's message (engine.MAX_HITS_PER_RULE)
    stray = [f for f in report["findings"] if f["rule"] == "TAG008"]
    unlisted = int(re.search(r"and (\d+) more TAG008", stray[-1]["message"]).group(1))
    assert len(stray) + unlisted >= 20_000
    assert_positions_inside(report, {"brackets.txt": text})
    assert result.max_rss_mb < 800, result.max_rss_mb  # measured: 150 MB


# --- files that change, vanish or cannot be read --------------------------------------------------

def test_a_file_that_vanishes_during_the_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, text in enumerate(["今天天气很好。", "他说<cand>但是</cand>来不了。", "明天见。"]):
        (corpus / f"doc{i}.txt").write_text(text + "\n", encoding="utf-8")
    files = discover([str(corpus)])
    (corpus / "doc1.txt").unlink()  # after discovery, before it is read
    result = run_check(files, build_ruleset(load_config(None)))
    assert [(f.rule, Path(f.path).name) for f in result.findings] == [("ENC004", "doc1.txt")]
    assert "No such file" in result.findings[0].message


@pytest.mark.slow
def test_files_that_grow_shrink_and_vanish_while_the_command_runs(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"doc{i:02}.txt").write_text("他说<cand>但是</cand>好用。\n" * 200, encoding="utf-8")
    stop = threading.Event()

    def churn() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            target = corpus / f"doc{n % 40:02}.txt"
            with open(target, "ab") as handle:  # grows
                handle.write("又一行<cand>但</cand>。\n".encode() * 50)
            victim = corpus / f"doc{(n * 7) % 40:02}.txt"
            if n % 3 == 0:
                victim.unlink(missing_ok=True)  # vanishes
            elif n % 3 == 1:
                victim.write_bytes(b"")  # truncated to nothing
            else:
                victim.write_text("复活<cand>但</cand>。\n", encoding="utf-8")
            time.sleep(0.001)

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        for _ in range(3):
            result = run_measured([*BASE_ARGS, "corpus"], tmp_path)
            assert result.returncode in (0, 1), result.stderr
            report = json.loads(result.stdout)
            assert report["summary"]["documents"] >= 1
            assert {f["rule"] for f in report["findings"]} <= {"ENC003", "ENC004", "DUP001",
                                                                "DUP002", "DUP003", "DUP004"}
    finally:
        stop.set()
        thread.join()


def test_fifo_socket_and_device_entries_are_reported_not_read(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("但是。\n", encoding="utf-8")
    os.mkfifo(corpus / "fifo.txt")  # opening it for reading would block forever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(corpus / "socket.txt"))
    (corpus / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    try:
        result = run_measured([*BASE_ARGS, "corpus"], tmp_path, timeout=120)
    finally:
        sock.close()
    assert result.returncode == 1, result.stderr
    findings = {Path(f["path"]).name: f for f in json.loads(result.stdout)["findings"]}
    assert {name: f["rule"] for name, f in findings.items()} == {
        "fifo.txt": "ENC004", "socket.txt": "ENC004", "zero.txt": "ENC004"}
    assert "FIFO" in findings["fifo.txt"]["message"]
    assert "device" in findings["zero.txt"]["message"]


def test_symlink_loops_are_findings_and_directory_loops_do_not_hang(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "ok.txt").write_text("但是。\n", encoding="utf-8")
    (corpus / "self.txt").symlink_to("self.txt")
    (corpus / "a.txt").symlink_to("b.txt")
    (corpus / "b.txt").symlink_to("a.txt")
    (corpus / "sub" / "up").symlink_to("..")  # a directory loop: never followed
    (corpus / "dangling.txt").symlink_to("nowhere.txt")
    result = run_measured([*BASE_ARGS, "corpus"], tmp_path, timeout=120)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    rules = {Path(f["path"]).name: f["rule"] for f in report["findings"]}
    assert rules == {"self.txt": "ENC004", "a.txt": "ENC004", "b.txt": "ENC004",
                     "dangling.txt": "ENC004"}
    assert report["summary"]["documents"] == 5
    # a loop given directly as the PATH argument
    result = run_measured([*BASE_ARGS, "corpus/self.txt"], tmp_path, timeout=120)
    assert result.returncode == 1 and "ENC004" in result.stdout, result.stderr


def test_unreadable_permissions(tmp_path: Path) -> None:
    """chmod 000 does not stop root, so the check runs in a child that drops to ``nobody``
    after importing everything it needs (the interpreter lives under root's home)."""
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="corpus-validators-perm-"))
    try:
        _check_unreadable(base)
    finally:
        shutil.rmtree(base)


def _check_unreadable(base: Path) -> None:
    tmp_path = base
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("但是。\n", encoding="utf-8")
    secret = corpus / "secret.txt"
    secret.write_text("但是。\n", encoding="utf-8")
    secret.chmod(0)
    os.chmod(tmp_path, 0o755)
    os.chmod(corpus, 0o755)
    (corpus / "ok.txt").chmod(0o644)
    script = f"""
import json, os, sys
from validators.config import build_ruleset, load_config
from validators.discover import discover
from validators.run import run_check
ruleset = build_ruleset(load_config(None))
files = discover([{str(corpus)!r}])
run_check(files, ruleset)  # warm-up: every lazy import happens while still privileged
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
result = run_check(files, ruleset)
print(json.dumps([[f.rule, os.path.basename(f.path), f.message] for f in result.findings]))
"""
    if os.geteuid() != 0 and os.access(secret, os.R_OK):
        pytest.skip("cannot make a file unreadable for this user")
    parent = tmp_path
    while parent != parent.parent:  # nobody must be able to reach the corpus
        if parent.stat().st_mode & 0o005 != 0o005 and parent.stat().st_uid == os.geteuid():
            pytest.skip(f"{parent} is not accessible to other users")
        parent = parent.parent
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=HANG, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    findings = json.loads(proc.stdout)
    assert [f[:2] for f in findings] == [["ENC004", "secret.txt"]]
    assert "Permission denied" in findings[0][2]


def test_a_directory_named_like_a_document(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    result = run_measured([*BASE_ARGS, "dir.txt"], tmp_path, timeout=120)
    # a directory argument is walked (and here holds nothing): not an error, not a crash
    assert result.returncode in (0, 1), result.stderr
    doc = load("dir.txt", str(tmp_path / "dir.txt"))
    assert doc.problems[0].kind == "unreadable" and "directory" in doc.problems[0].detail


# --- names that are not UTF-8 -----------------------------------------------------------------

def test_non_utf8_file_names_in_every_output_format(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw_names = [b"\xb5\xab\xca\xc7.txt", b"ok-\xff\xfe.txt", "正常.txt".encode()]
    for i, name in enumerate(raw_names):
        with open(os.path.join(os.fsencode(corpus), name), "wb") as handle:
            handle.write(f"第{i}篇。他说<cand>但时至今日。\n".encode())  # TAG001 in every file
    for fmt in ("json", "text", "sarif", "junit", "github", "gitlab"):  # in-process: fast
        result = run_cli("check", "--format", fmt, "--no-cache", "--jobs", "1", "corpus", cwd=tmp_path)
        assert result.returncode == 1, (fmt, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, fmt
        assert "xb5" in result.stdout and "xca" in result.stdout, fmt  # (escaped per format)
        if fmt == "json":
            report = json.loads(result.stdout)
            # the bytes of a name that is not UTF-8 are shown escaped, never as invalid UTF-8
            assert sorted((f["rule"], f["path"]) for f in report["findings"]) == [
                ("TAG001", "corpus/\\xb5\\xab\\xca\\xc7.txt"),
                ("TAG001", "corpus/ok-\\xff\\xfe.txt"), ("TAG001", "corpus/正常.txt")]
    html = tmp_path / "report.html"
    result = run_cli("check", "--no-cache", "--jobs", "1", "--html", str(html), "corpus", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    page = html.read_bytes().decode("utf-8")
    assert r'"corpus/\\xb5\\xab\\xca\\xc7.txt"' in page  # the escaped name, as a JSON string


# --- the terminal: Ctrl-C and a closed pipe ---------------------------------------------------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_ends_the_run_at_once_with_one_line(tmp_path: Path, jobs: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(4):  # slow documents: many findings each
        (corpus / f"doc{i}.txt").write_text(f"第{i}篇" + "<<>>" * 150_000, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "validators", "check", "--no-cache", "--jobs",
                             jobs, "corpus"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(3)
    assert proc.poll() is None, "finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 2
    assert err.decode().strip() == "corpus-validate: interrupted"
    with pytest.raises(ProcessLookupError):  # no worker process is left behind
        os.killpg(proc.pid, 0)


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    (tmp_path / "many.txt").write_text("<\n" * 20_000, encoding="utf-8")
    for fmt in ("text", "json"):
        proc = subprocess.Popen([sys.executable, "-m", "validators", "check", "--no-cache",
                                 "--format", fmt, "many.txt"], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()  # like `| head -c 10`
        err = proc.stderr.read().decode()
        proc.wait(timeout=120)
        # the report is larger than the pipe: the write fails, the run ends with 2 and says nothing
        assert (proc.returncode, err) == (2, ""), (fmt, proc.returncode, err)


def test_a_file_is_read_to_its_end_but_never_past_the_limit(tmp_path: Path) -> None:
    """read_bytes reads the size a file had when opened (one buffer of that size, not of the
    limit), then whatever it grew by meanwhile, but never more than the limit allows: the
    caller sees a file that grew past it as too large, never a file read whole."""
    from validators.load import _read_to_end

    target = tmp_path / "a.txt"
    target.write_bytes(b"0123456789")
    for size, most, expected in [(10, 100, b"0123456789"),  # as opened
                                 (4, 100, b"0123456789"),   # it grew since it was opened
                                 (4, 7, b"0123456"),        # past the limit: cut there
                                 (0, 100, b"0123456789"),   # it was empty when opened
                                 (10, 0, b"")]:
        fd = os.open(target, os.O_RDONLY)
        try:
            assert _read_to_end(fd, size, most) == expected, (size, most)
        finally:
            os.close(fd)
    (tmp_path / "empty.txt").write_bytes(b"")
    fd = os.open(tmp_path / "empty.txt", os.O_RDONLY)
    try:
        assert _read_to_end(fd, 0, 100) == b""
    finally:
        os.close(fd)
