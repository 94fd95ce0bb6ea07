"""Processes end cleanly (issue 12, item 5): SIGTERM and Ctrl-C during a pool run stop the workers
and end with one line; a SIGKILLed parent takes its workers along; ``--jobs`` is capped at the
useful number of workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from conftest import REPO, SAMPLE

from validators import run as run_module
from validators.config import Config, build_ruleset
from validators.discover import discover
from validators.executors import local as local_executor
from validators.run import default_jobs, run_check

WAIT = 120  # seconds; generous for a loaded two-core machine, never reached when things work


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 2 MB of copies of the sample corpus: above the size at which a pool is started."""
    out = tmp_path_factory.mktemp("signals") / "corpus"
    out.mkdir()
    samples = sorted(SAMPLE.glob("*.txt"))
    for i in range(30):
        for f in samples:
            (out / f"{i:03d}-{f.name}").write_bytes(f.read_bytes() + f"\n第{i}份。\n".encode())
    return out


def _start(corpus: Path, stderr: Path) -> tuple[subprocess.Popen[bytes], list]:
    """Start a pool run; return it once its worker processes exist (the pool is working)."""
    with open(stderr, "wb") as err:  # a file, not a pipe: a surviving worker must not block us
        proc = subprocess.Popen([sys.executable, "-m", "validators", "check", str(corpus),
                                 "--jobs", "2", "--no-cache", "--format", "json"],
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + WAIT
    workers: list = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = parent.children(recursive=True)
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    if len(workers) < 2:
        proc.kill()
        proc.wait()
        pytest.fail(f"the pool never started two workers: {stderr.read_text()}")
    return proc, workers


def _survivors(workers: list) -> list[int]:
    """Workers still running after a grace period (killed here, so that none outlives the test)."""
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    for process in alive:
        process.kill()
    return [p.pid for p in alive]


@pytest.mark.parametrize("signum,status,line", [
    (signal.SIGTERM, 128 + signal.SIGTERM, "corpus-validate: terminated"),
    (signal.SIGINT, 2, "corpus-validate: interrupted"),
])
def test_a_signal_during_a_pool_run_ends_the_workers_with_one_line(
        big_corpus: Path, tmp_path: Path, signum: int, status: int, line: str) -> None:
    stderr = tmp_path / "stderr"
    proc, workers = _start(big_corpus, stderr)
    proc.send_signal(signum)
    try:
        code = proc.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    survivors = _survivors(workers)
    text = stderr.read_text(encoding="utf-8", errors="replace")
    assert code == status, text
    assert text.strip() == line, text  # one line, no traceback of a worker or of the pool thread
    assert survivors == []


def test_workers_end_when_the_parent_is_killed(big_corpus: Path, tmp_path: Path) -> None:
    proc, workers = _start(big_corpus, tmp_path / "stderr")
    proc.kill()  # SIGKILL: no handler runs; the kernel tells the workers (PR_SET_PDEATHSIG)
    proc.wait(timeout=WAIT)
    if not sys.platform.startswith("linux"):
        _survivors(workers)
        pytest.skip("parent-death signal is Linux-only")
    assert _survivors(workers) == []


def test_interrupting_a_pool_run_leaves_no_thread_error(monkeypatch: pytest.MonkeyPatch,
                                                        big_corpus: Path) -> None:
    """Ctrl-C while results are pending: the pool's manager thread must not fail on futures that
    were cancelled under it (``InvalidStateError`` printed by the thread)."""
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    monkeypatch.setattr(local_executor, "CHUNK_FILES", 1)  # many pending tasks when interrupted
    files = discover([str(big_corpus)])
    ruleset = build_ruleset(Config())
    # helpers an earlier test left (a spawn start method's resource tracker) are not workers
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    for _ in range(3):
        def interrupt(done: int, total: int, **stage: str) -> None:
            if done == 2:
                raise KeyboardInterrupt
        with pytest.raises(KeyboardInterrupt):
            run_check(files, ruleset, jobs=2, progress=interrupt)
        for thread in threading.enumerate():  # the pool's manager thread has ended
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join(timeout=WAIT)
    assert errors == []
    assert not [p for p in psutil.Process().children(recursive=True) if p.pid not in before]


def test_jobs_above_the_cores_start_only_the_useful_workers(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    monkeypatch.setenv(run_module.PROFILE_ENV, str(profile))
    monkeypatch.setattr(local_executor, "PARALLEL_MIN_BYTES", 0)  # a pool even for the sample
    monkeypatch.setattr(local_executor, "CHUNK_FILES", 1)  # one task per file: 5 tasks
    files = discover([str(SAMPLE)])
    ruleset = build_ruleset(Config())
    serial = run_check(files, ruleset, jobs=1)
    parallel = run_check(files, ruleset, jobs=1000)
    report = json.loads(profile.read_text(encoding="utf-8"))
    useful = min(default_jobs(), len(files))
    assert report["jobs"] == 1000
    assert report["workers"] == (useful if useful > 1 else 0)
    assert report["workers"] <= (os.cpu_count() or 1)
    assert parallel.findings == serial.findings
