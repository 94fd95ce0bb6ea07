"""Writes go only where they should (issue 12): ``--output``, ``--html``, ``baseline --output``,
``extract --out`` and ``--fix`` never replace a device, FIFO or socket, never overwrite a file of
the corpus being checked (however it is spelled), and ``--fix`` keeps owner and group and never
writes through a symlink.

Runs the command line in-process (fast); only the FIFO-without-reader case uses a subprocess, with a
timeout, because the old behaviour was to hang. Device nodes are made in tmp_path, never /dev's.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from validators.atomic import write_bytes_atomic
from validators.cli import main
from validators.tables import TABLES

DAMAGED = "他说但是\r\n第二行。\r\n".encode()   # --fix converts the line endings
FIXED = "他说但是\n第二行。\n".encode()
CLEAN = "干净的文件。\n".encode()

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="making device nodes and chowning to another uid needs root")


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/corpus with a.txt (fixable) and b.txt; the working directory is tmp_path."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_bytes(DAMAGED)
    (folder / "b.txt").write_bytes(CLEAN)
    monkeypatch.chdir(tmp_path)
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def check(*extra: str) -> list[str]:
    return ["check", "corpus", "--no-cache", "--jobs", "1", *extra]


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert err.startswith("corpus-validate: error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, err


class FifoReader(threading.Thread):
    """Reads a FIFO while the run writes it. The read end is opened (non-blocking) before the run
    starts, so the writer always finds a reader."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.finished = threading.Event()
        self.data = bytearray()

    def run(self) -> None:
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            chunk = b""
            if ready:
                with contextlib.suppress(BlockingIOError):
                    chunk = os.read(self.fd, 1 << 16)
            if chunk:
                self.data += chunk
            elif self.finished.is_set():
                return
            else:
                time.sleep(0.01)  # no writer yet, or it has not written more

    def received(self) -> bytes:
        """Everything written, once the run (the writer) has returned."""
        self.finished.set()
        self.join()
        os.close(self.fd)
        return bytes(self.data)


# --- devices, FIFOs, sockets, folders --------------------------------------------------------

@needs_root
def test_html_and_output_to_a_character_device_write_into_it(corpus: Path, capsys) -> None:
    device = corpus.parent / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    for option in ("--html", "--output"):
        code, _, err = run(capsys, *check(option, str(device)))
        assert code in (0, 1), err
        assert stat.S_ISCHR(device.lstat().st_mode), f"{option} replaced the device node"
        assert device.lstat().st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in corpus.parent.iterdir()) == ["corpus", "null"]  # no temp left


def test_output_and_html_to_a_fifo_with_a_reader_deliver_the_report(corpus: Path, capsys) -> None:
    fifo = corpus.parent / "pipe"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    reader.start()
    code, _, err = run(capsys, *check("--format", "json", "--output", str(fifo)))
    assert code in (0, 1), err
    assert json.loads(reader.received())["summary"]["documents"] == 2
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    reader = FifoReader(fifo)
    reader.start()
    code, _, err = run(capsys, *check("--html", str(fifo)))  # larger than a pipe's buffer
    page = reader.received()
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "--html replaced the FIFO"
    assert code in (0, 1), err
    assert page.startswith(b"<!DOCTYPE html") and page.rstrip().endswith(b"</html>")


def test_a_report_is_written_straight_into_place_and_through_a_spool_into_a_fifo(
        corpus: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--output`` to a file writes the report as it is made into the atomic write's temporary
    file (no copy of it anywhere: no spool); to a FIFO it spools the report (memory, then an
    anonymous temporary file past SPOOL_BYTES) and writes it once whole. Either way byte for byte
    the report printed on stdout."""
    import tempfile

    from validators import outputs

    monkeypatch.setattr(outputs, "SPOOL_BYTES", 64)
    spools: list[tempfile.SpooledTemporaryFile[bytes]] = []
    real = tempfile.SpooledTemporaryFile

    def recorded(*args: object, **kwargs: object) -> tempfile.SpooledTemporaryFile[bytes]:
        spools.append(real(*args, **kwargs))  # type: ignore[call-overload]
        return spools[-1]

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", recorded)
    code, printed, err = run(capsys, *check("--format", "json"))
    assert code == 0 and json.loads(printed)["findings"], err  # warnings: exit 0
    target = corpus.parent / "report.json"
    code, _, err = run(capsys, *check("--format", "json", "--output", str(target)))
    assert code == 0, err
    assert target.read_text("utf-8") == printed and len(printed.encode()) > 64
    assert not spools
    assert not [p for p in corpus.parent.iterdir() if p.name.endswith(".tmp")]
    fifo = corpus.parent / "pipe"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    reader.start()
    code, _, err = run(capsys, *check("--format", "json", "--output", str(fifo)))
    assert code == 0, err
    assert reader.received().decode("utf-8") == printed
    assert spools[-1]._rolled and spools[-1].closed  # on disk past 64 bytes, closed after


def test_a_report_that_fails_midway_leaves_the_old_file_and_no_temporary_file(
        corpus: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report is written into place as it is made: a reporter that fails halfway leaves the
    previous report as it was and removes its temporary file."""
    from validators.reporters import json_format

    target = corpus.parent / "report.json"
    target.write_text("the previous report\n")
    real = json_format.report

    def failing(result: Any, stream: Any) -> None:
        stream.write("{\"half\": ")
        stream.flush()
        raise ValueError("the reporter broke")

    monkeypatch.setattr(json_format, "report", failing)
    code, _, err = run(capsys, *check("--format", "json", "--output", str(target)))
    assert code == 2 and err.count("\n") == 1 and "internal error" in err \
        and "the reporter broke" in err, err
    assert target.read_text() == "the previous report\n"
    assert sorted(p.name for p in corpus.parent.iterdir()) == sorted(
        ["report.json", corpus.name])
    monkeypatch.setattr(json_format, "report", real)


def test_a_fifo_without_a_reader_is_an_error_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "b.txt").write_bytes(CLEAN)
    os.mkfifo(tmp_path / "pipe")
    try:
        proc = subprocess.run([sys.executable, "-m", "validators", *["check", str(tmp_path / "corpus"),
                               "--no-cache", "--jobs", "1", "--output", str(tmp_path / "pipe")]],
                              cwd=REPO, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("--output to a FIFO without a reader hung")
    assert_one_line_error(proc.returncode, proc.stderr, "no program is reading")
    assert stat.S_ISFIFO((tmp_path / "pipe").lstat().st_mode)


@pytest.mark.parametrize(("option", "kind"), [("--output", "folder"), ("--output", "socket"),
                                             ("--html", "socket")])  # --html FOLDER: FOLDER/<name>.html
def test_a_folder_or_socket_target_is_refused_before_the_run(corpus: Path, capsys, option: str,
                                                              kind: str) -> None:
    target = corpus.parent / "target"
    if kind == "folder":
        target.mkdir()
    else:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        server.close()
    code, _, err = run(capsys, "check", "corpus", "--jobs", "1", "--cache-dir", "cache", "--fix",
                       option, target.name)
    assert_one_line_error(code, err, f"is a {kind}")
    # refused before any work: nothing fixed, nothing cached, the target still what it was
    assert (corpus / "a.txt").read_bytes() == DAMAGED
    assert not (corpus.parent / "cache").exists()
    assert target.is_dir() if kind == "folder" else stat.S_ISSOCK(target.lstat().st_mode)


def test_the_atomic_writer_never_renames_over_a_special_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_bytes_atomic(fifo, b"data")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


# --- corpus files are never a target --------------------------------------------------------

SPELLINGS = ["corpus/a.txt", "./corpus/a.txt", "corpus/../corpus/a.txt", "absolute", "hard link",
             "symlink"]


def spelled(corpus: Path, spelling: str) -> str:
    if spelling == "absolute":
        return str((corpus / "a.txt").resolve())
    if spelling == "hard link":
        os.link(corpus / "a.txt", corpus.parent / "hard.txt")
        return "hard.txt"
    if spelling == "symlink":
        (corpus.parent / "link.txt").symlink_to(corpus / "a.txt")
        return "link.txt"
    return spelling


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("command", ["check --output", "check --html", "baseline --output"])
def test_a_corpus_file_is_never_overwritten(corpus: Path, capsys, command: str, spelling: str) -> None:
    target = spelled(corpus, spelling)
    verb, option = command.split()
    args = check(option, target) if verb == "check" else ["baseline", "corpus", "--no-cache",
                                                          "--output", target]
    code, _, err = run(capsys, *args)
    assert_one_line_error(code, err, "is a file of the corpus being checked")
    assert (corpus / "a.txt").read_bytes() == DAMAGED
    assert os.path.samefile(target, corpus / "a.txt")  # a link is still a link to the corpus file


def test_extract_refuses_a_table_that_would_overwrite_a_corpus_file(corpus: Path, capsys) -> None:
    """A corpus that also checks .csv documents, extracted into its own folder: spans.csv there
    is a document, so nothing is written (not even the tables that do not collide)."""
    (corpus / "spans.csv").write_bytes(CLEAN)
    config = corpus.parent / "corpus-validate.yaml"
    config.write_text('include: ["**/*.txt", "**/*.csv"]\n', encoding="utf-8")
    code, _, err = run(capsys, "extract", "corpus", "--out", "corpus", "--config", str(config))
    assert_one_line_error(code, err, "spans.csv", "is a file of the corpus being checked")
    assert (corpus / "spans.csv").read_bytes() == CLEAN
    assert sorted(p.name for p in corpus.iterdir()) == ["a.txt", "b.txt", "spans.csv"]


# --- --fix -----------------------------------------------------------------------------------

def test_fix_skips_a_symlinked_corpus_file_and_leaves_its_target_alone(corpus: Path, capsys) -> None:
    kept = corpus / "kept"
    kept.mkdir()
    (kept / "original.md").write_bytes(DAMAGED)  # inside the corpus root, not itself checked
    (corpus / "link.txt").symlink_to("kept/original.md")
    code, _, err = run(capsys, *check("--fix"))
    assert code in (0, 1), err
    assert (kept / "original.md").read_bytes() == DAMAGED
    assert (corpus / "link.txt").is_symlink()
    assert "corpus/link.txt: a symbolic link: not fixed" in err
    assert (corpus / "a.txt").read_bytes() == FIXED  # the regular file next to it is fixed


@needs_root
def test_fix_keeps_owner_group_and_permissions(corpus: Path, capsys) -> None:
    target = corpus / "a.txt"
    os.chown(target, 12345, 12345)
    target.chmod(0o640)
    code, _, err = run(capsys, *check("--fix"))
    assert code in (0, 1), err
    after = target.stat()
    assert target.read_bytes() == FIXED
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (12345, 12345, 0o640)


@needs_root
def test_a_replaced_report_keeps_its_owner_and_group(corpus: Path, capsys) -> None:
    report = corpus.parent / "report.json"
    report.write_text("old\n", encoding="utf-8")
    os.chown(report, 12345, 12345)
    report.chmod(0o604)
    for args in (check("--format", "json", "--output", "report.json"),
                 ["baseline", "corpus", "--no-cache", "--output", "report.json"]):
        code, _, err = run(capsys, *args)
        assert code in (0, 1), err
        after = report.stat()
        assert json.loads(report.read_text(encoding="utf-8"))["version"] == 1
        assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (12345, 12345, 0o604)


@needs_root
def test_without_the_right_to_give_away_a_file_its_group_is_still_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user who is not root may not chown to another owner (EPERM) but may keep the group."""
    import validators.atomic as atomic

    target = tmp_path / "shared.txt"
    target.write_bytes(b"old")
    os.chown(target, 12345, 12345)
    real_fchown = os.fchown

    def fchown_as_a_user(fd: int, uid: int, gid: int) -> None:
        if uid != -1:
            raise PermissionError(1, "Operation not permitted")
        real_fchown(fd, uid, gid)

    monkeypatch.setattr(atomic.os, "fchown", fchown_as_a_user)
    write_bytes_atomic(target, b"new")
    after = target.stat()
    assert target.read_bytes() == b"new"
    assert (after.st_uid, after.st_gid) == (os.geteuid(), 12345)


# --- what an interrupted --fix leaves; the modes of new files (issue 17) ----------------------------

def _dead_pid() -> int:
    """The id of a process that has ended (a temporary file's writer that was killed)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_temporary_file_of_a_killed_fix_is_reported_then_removed_by_fix(corpus: Path, capsys) -> None:
    pid = _dead_pid()
    leftover = corpus / f".a.txt.cv{pid}.k2j3x9ab.tmp"
    leftover.write_bytes(FIXED[:5])  # half of what the killed --fix was writing
    alive = corpus / f".b.txt.cv{os.getpid()}.q8w7e6rt.tmp"  # a run still writing: not ours to touch
    alive.write_bytes(b"")
    code, _, err = run(capsys, *check())
    assert code in (0, 1)
    assert (f"corpus-validate: warning: corpus/{leftover.name}: a temporary file an interrupted write "
            f"left (process {pid} is gone); `check --fix` removes it, or delete it") in err.splitlines()
    assert leftover.exists() and alive.name not in err

    code, _, err = run(capsys, *check("--fix"))
    assert (f"corpus-validate: removed corpus/{leftover.name}, a temporary file an interrupted --fix "
            f"left (process {pid})") in err.splitlines()
    assert not leftover.exists() and alive.exists()
    assert (corpus / "a.txt").read_bytes() == FIXED
    code, _, err = run(capsys, *check())
    assert "temporary file" not in err


def test_an_atomic_write_names_its_temporary_file_after_its_process(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from validators import atomic

    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: object) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    write_bytes_atomic(tmp_path / "doc.txt", b"x")
    [name] = seen
    match = atomic.LEFTOVER.match(name)
    assert match and match["name"] == "doc.txt" and int(match["pid"]) == os.getpid()
    assert atomic.leftover_temp_files([tmp_path]) == []  # nothing left, and a live writer's is kept


def test_new_tables_reports_and_step_summaries_are_readable_like_the_users_files(
        corpus: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """0666 less the umask (0644 with the usual 022), as the shell's `>` makes them."""
    old = os.umask(0o022)
    try:
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(corpus.parent / "summary.md"))
        code, _, err = run(capsys, *check("--format", "github", "--output", "report.txt"))
        assert code in (0, 1), err
        code, _, err = run(capsys, "extract", "corpus", "--out", "tables")
        assert code in (0, 1), err
    finally:
        os.umask(old)
    written = [corpus.parent / "summary.md", corpus.parent / "report.txt",
               *sorted((corpus.parent / "tables").iterdir())]
    assert len(written) == 2 + len(TABLES)  # the step summary, the report, every table
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {p.name: 0o644 for p in written}
