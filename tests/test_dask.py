"""The Dask executor gives byte-identical findings to the local one (issue 13): on a LocalCluster
(``--executor dask``) and on a scheduler and workers started here as separate processes
(``--scheduler ADDRESS``), on the sample corpus, on a generated corpus with duplicates and on small
random corpora; and a bad cluster is one line and exit status 2."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, corpus_generator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import corpora

from validators.config import Config, build_ruleset
from validators.discover import discover
from validators.errors import ConfigError
from validators.executors.local import LocalExecutor
from validators.pipeline import run
from validators.reporters import get_reporter
from validators.settings import Settings


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~1.5 MB with exact and near duplicates: above the size at which ``--jobs 2`` starts a pool."""
    out = tmp_path_factory.mktemp("dask") / "corpus"
    corpus_generator().generate(out, size_mb=1.5, seed=8, large_every_mb=0)
    return out


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``dask scheduler`` and a ``dask worker --nworkers 2 --nthreads 1``, each its own process
    (as a user starts them by hand); the workers import the package of the tree under test."""
    from distributed import Client

    tmp = tmp_path_factory.mktemp("cluster")
    scheduler_file = tmp / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                              cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert scheduler_file.exists(), "the dask scheduler did not start"
        # the workers run elsewhere than the client: they get absolute paths or nothing
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                                       str(scheduler_file), "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
                                       "--local-directory", str(tmp)],
                                      cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(scheduler_file=str(scheduler_file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
    finally:
        if scheduler_file.exists():  # the quick way down: the scheduler closes itself and its workers
            with contextlib.suppress(Exception), Client(scheduler_file=str(scheduler_file), timeout="5s") as client:
                client.shutdown()
        for proc in reversed(procs):  # then by pid whatever is still running
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.fixture(scope="module")
def client(scheduler: str) -> Iterator[object]:
    from distributed import Client

    with Client(scheduler, timeout="30s") as connected:
        yield connected


def _check(corpus: Path, *options: str, cwd: Path = REPO) -> bytes:
    proc = subprocess.run([sys.executable, "-m", "validators", "check", str(corpus), "--format", "json",
                           "--no-cache", *options], cwd=cwd, capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 1, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    return proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("which", ["sample", "generated"])
def test_json_is_byte_identical_on_every_executor(which: str, request: pytest.FixtureRequest,
                                                  scheduler: str) -> None:
    corpus = SAMPLE if which == "sample" else request.getfixturevalue("generated")
    reference = _check(corpus, "--executor", "local", "--jobs", "1")
    by_rule = json.loads(reference)["summary"]["by_rule"]
    if which == "generated":  # every corpus-wide check has something to find: no vacuous equality
        assert {"DUP001", "DUP002", "DUP004", "SCR001"} <= set(by_rule), by_rule
    runs = {"local --jobs 2": _check(corpus, "--jobs", "2"),
            "dask LocalCluster of 2": _check(corpus, "--executor", "dask", "--jobs", "2"),
            "dask --scheduler": _check(corpus, "--executor", "dask", "--scheduler", scheduler)}
    for name, output in runs.items():
        assert output == reference, f"{name} differs from --executor local --jobs 1"


@pytest.mark.slow
def test_changed_since_is_byte_identical_on_a_separate_cluster(tmp_path: Path, scheduler: str) -> None:
    """A focus (``--changed-since``): the corpus rules compare the changed files with all the others."""
    from gitrepo import Repo

    repo = Repo(tmp_path / "repo", tmp_path)
    assert repo.commit_all("corpus").returncode == 0
    originals = sorted((repo.root / "corpus").glob("*.txt"))
    repo.write("corpus/复制的文档.txt", originals[0].read_text(encoding="utf-8"))       # an exact copy
    repo.write("corpus/near.txt", originals[1].read_text(encoding="utf-8")[:-40] + "改动了一点点。\n")

    def check(*options: str) -> bytes:
        proc = subprocess.run([sys.executable, "-m", "validators", "check", "--changed-since", "main",
                               "--format", "json", "--no-cache", *options], cwd=repo.root, capture_output=True,
                              timeout=300, env={**repo.env, "PYTHONPATH": str(REPO)})
        assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr, proc.stderr.decode()
        return proc.stdout

    reference = check("--jobs", "1")
    assert "DUP001" in json.loads(reference)["summary"]["by_rule"]
    assert check("--executor", "dask", "--scheduler", scheduler) == reference


def _corpus_with_copies(tmp_path: Path, texts: dict[str, str], copies: list[tuple[int, int]]) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    names = sorted(texts)
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(texts[name], encoding="utf-8")
    for i, (source, edit) in enumerate(copies):  # exact copies and near copies of earlier documents
        text = texts[names[source % len(names)]]
        if edit:
            text = text[: len(text) * 9 // 10] + "另外的内容。" * edit
        (root / f"copy{i}.txt").write_text(text, encoding="utf-8")
    return root


def _json(result: object) -> str:
    import io

    stream = io.StringIO()
    get_reporter("json")(result, stream)
    return stream.getvalue()


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corpus=corpora(max_documents=4),
       copies=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), max_size=3))
def test_random_corpora_give_the_same_json_on_dask(corpus: dict, copies: list, client: object,
                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    from validators.executors.dask import DaskExecutor

    root = _corpus_with_copies(tmp_path_factory.mktemp("random"), {k: v.text for k, v in corpus.items()}, copies)
    config = Config()
    ruleset = build_ruleset(config)
    files = discover([str(root)], config.include, config.exclude)
    local_settings = Settings(jobs=1)
    dask_settings = Settings(jobs=2, executor="dask")
    local = _json(run(files, ruleset, local_settings, executor=LocalExecutor(1)))
    pooled = _json(run(files, ruleset, local_settings, executor=LocalExecutor(2, min_pool_bytes=0)))
    with DaskExecutor(dask_settings, client=client) as ex:
        on_dask = _json(run(files, ruleset, dask_settings, executor=ex))
    assert pooled == local
    assert on_dask == local


@pytest.mark.slow
def test_a_rule_error_on_a_worker_is_the_same_one_line_error(tmp_path: Path, client: object) -> None:
    """A runaway user regex is stopped on the worker; the ConfigError reaches the caller with its type."""
    from validators.executors.dask import DaskExecutor
    from validators.rules import RuleSet, load_rule_file

    (tmp_path / "house.yaml").write_text(
        "rules:\n  TAG101:\n    name: no-runs-of-a\n    check: pattern\n    severity: error\n"
        "    message: 'a run: {text}'\n    description: backtracks\n    options:\n      scope: line\n"
        "      regex: '(a|aa)+$'\n", encoding="utf-8")
    rules = RuleSet({rule.id: rule for rule in load_rule_file(tmp_path / "house.yaml")})
    (tmp_path / "runaway.txt").write_text("a" * 5000 + "b\n", encoding="utf-8")
    files = discover([str(tmp_path)], ["**/*.txt"], [])
    dask_settings = Settings(executor="dask")
    with DaskExecutor(dask_settings, client=client) as ex, pytest.raises(ConfigError) as info:
        run(files, rules, dask_settings, executor=ex)
    assert "TAG101" in str(info.value) and "runaway.txt" in str(info.value)


def test_scheduler_without_the_dask_executor_is_a_usage_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "validators", "check", str(SAMPLE), "--scheduler",
                           "tcp://127.0.0.1:8786"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "--executor dask" in proc.stderr, proc.stderr


def _closed_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_scheduler_is_one_line_and_exit_2() -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    proc = subprocess.run([sys.executable, "-m", "validators", "check", str(SAMPLE), "--executor", "dask",
                           "--scheduler", address], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert f"cannot connect to the dask scheduler '{address}'" in proc.stderr, proc.stderr


@pytest.mark.slow
def test_the_cache_stays_on_this_machine_with_a_remote_scheduler(tmp_path: Path, scheduler: str) -> None:
    """The cache's per-user key must not travel to other machines' workers: off (README)."""
    cache = tmp_path / "cache"
    proc = subprocess.run([sys.executable, "-m", "validators", "check", str(SAMPLE), "--format", "json",
                           "--executor", "dask", "--scheduler", scheduler, "--cache-dir", str(cache)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 1, proc.stderr
    assert not cache.exists()


@pytest.mark.slow
def test_the_scheduler_is_announced_on_a_terminal_only(scheduler: str) -> None:
    """stderr a terminal: one line naming the dashboard (or the scheduler, without bokeh);
    stderr a pipe (CI logs): nothing."""
    import pty

    main, child = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "validators", "check", str(SAMPLE), "--format", "json",
                               "--no-cache", "--executor", "dask", "--scheduler", scheduler],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=child, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        os.close(child)
        child = -1
        shown = b""
        with contextlib.suppress(OSError):  # EIO once the terminal has no writer left
            while chunk := os.read(main, 4096):
                shown += chunk
    finally:
        os.close(main)
        if child >= 0:
            os.close(child)
    assert proc.returncode == 1
    lines = [line for line in shown.decode().splitlines() if "dask" in line]
    assert len(lines) == 1 and (scheduler in lines[0] or "dashboard" in lines[0]), shown
    piped = subprocess.run([sys.executable, "-m", "validators", "check", str(SAMPLE), "--format", "json",
                            "--no-cache", "--executor", "dask", "--scheduler", scheduler],
                           cwd=REPO, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "dask" not in piped.stderr


@pytest.mark.slow
def test_jobs_above_the_cores_start_one_worker_per_core(tmp_path: Path) -> None:
    """``--jobs 1000`` is capped for the LocalCluster as for the local pool."""
    from validators.settings import default_jobs

    profile = tmp_path / "profile.json"
    proc = subprocess.run([sys.executable, "-m", "validators", "check", str(SAMPLE), "--format", "json",
                           "--no-cache", "--executor", "dask", "--jobs", "1000"], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO), "CORPUS_VALIDATE_PROFILE": str(profile)})
    assert proc.returncode == 1, proc.stderr
    assert 1 <= json.loads(profile.read_text(encoding="utf-8"))["workers"] <= default_jobs()
