"""Parallel checking (``--jobs``): the same findings as one process, in the same order; small runs
start no pool; a one-file check imports no heavy library that none of its rules needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, corpus_generator, run_cli, run_cli_process

from validators import run as run_module
from validators.config import Config, build_ruleset
from validators.discover import discover
from validators.executors import local as local_executor
from validators.run import run_check

# Libraries whose import alone costs a pre-commit hook noticeable time. (opencc's import is a
# few milliseconds; it serves the documents' script statistic of every run, DESIGN §4.)
HEAVY = ("pandas", "pandera", "datasketch", "numpy", "scipy")




@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """~1.2 MB of generated corpus (above the size at which a pool is started), with faults and
    duplicates."""
    out = tmp_path_factory.mktemp("jobs") / "corpus"
    manifest = corpus_generator().generate(out, size_mb=1.2, seed=3, mean_kb=5.0, large_every_mb=0)
    return out, manifest


def _check(corpus: Path, jobs: int, profile: Path) -> tuple[dict, dict]:
    env = {**os.environ, run_module.PROFILE_ENV: str(profile)}
    proc = run_cli_process("check", str(corpus), "--jobs", str(jobs), "--format", "json",
                           "--no-cache", env=env)  # a real process: it forks the workers
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout), json.loads(profile.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_jobs_1_and_jobs_2_give_identical_findings(generated: tuple[Path, dict],
                                                   tmp_path: Path) -> None:
    corpus, manifest = generated
    faults = manifest["faults"]
    assert faults.get("exact_duplicate", 0) + faults.get("near_duplicate", 0) > 0
    assert sum(faults.values()) > 10
    one, one_profile = _check(corpus, 1, tmp_path / "one.json")
    two, two_profile = _check(corpus, 2, tmp_path / "two.json")
    assert one_profile["workers"] == 0  # --jobs 1: in-process, no pool
    assert two_profile["workers"] == 2  # --jobs 2 really ran two worker processes
    assert one["findings"] == two["findings"]  # same findings, same order, same fingerprints
    assert one["summary"] == two["summary"]
    categories = {f["category"] for f in one["findings"]}
    assert {"TAG", "ENC", "DUP"} <= categories  # faults and duplicates found, across workers
    assert any(f.get("related") for f in one["findings"])  # groups spanning several documents
    assert one["summary"]["documents"] == manifest["files"]


def test_parallel_run_returns_the_same_documents_in_order(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus_generator().generate(corpus, size_mb=0.15, seed=5, mean_kb=3.0, large_every_mb=0)
    files = discover([str(corpus)])
    ruleset = build_ruleset(Config())
    serial = run_check(files, ruleset, jobs=1)
    monkeypatch.setattr(local_executor, "PARALLEL_MIN_BYTES", 0)  # pool even for a small corpus
    monkeypatch.setattr(local_executor, "CHUNK_FILES", 3)  # and many small tasks
    seen: list[int] = []

    def files_done(done: int, total: int, stage: str = "files", **_: str) -> None:
        if stage == "files":  # the corpus-wide stage reports its rules after the files
            seen.append(done)

    parallel = run_check(files, ruleset, jobs=2, progress=files_done)
    assert [d.path for d in parallel.documents] == [f.path for f in files]
    assert [d.stats for d in parallel.documents] == [d.stats for d in serial.documents]
    assert [d.collected.keys() for d in parallel.documents] == \
           [d.collected.keys() for d in serial.documents]
    assert parallel.findings == serial.findings
    assert seen == list(range(1, len(files) + 1))


def test_a_small_run_starts_no_pool(tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    proc = run_cli("check", str(SAMPLE), "--jobs", "2", "--format", "json", "--no-cache",
                   env={**os.environ, run_module.PROFILE_ENV: str(profile)})
    assert proc.returncode == 1, proc.stderr  # the sample has errors
    report = json.loads(profile.read_text(encoding="utf-8"))
    assert report["workers"] == 0
    assert report["files"] == 5
    assert report["seconds"]["parse"] > 0 and "check:markup" in report["seconds"]


@pytest.mark.parametrize("files,jobs", [(1, 2), (7, 2), (100, 2), (1000, 2), (1000, 8)])
def test_chunks_cover_every_file_once_in_order(files: int, jobs: int) -> None:
    items = [str(i) for i in range(files)]
    chunks = local_executor.chunks_of(items, jobs)  # type: ignore[arg-type]
    assert [x for chunk in chunks for x in chunk] == items
    assert all(1 <= len(chunk) <= local_executor.CHUNK_FILES for chunk in chunks)
    if files >= 100:
        assert len(chunks) >= 4 * jobs  # enough tasks to keep every worker busy


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_jobs_value_is_a_usage_error(value: str) -> None:
    proc = run_cli("check", str(SAMPLE), "--jobs", value)
    assert proc.returncode == 2
    assert "--jobs" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_jobs_in_the_configuration_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "corpus-validate.yaml").write_text("jobs: many\n", encoding="utf-8")
    proc = run_cli("check", str(SAMPLE), cwd=tmp_path)
    assert proc.returncode == 2
    assert "corpus-validate.yaml:1" in proc.stderr and "jobs" in proc.stderr


def _modules_after(args: list[str], cwd: Path) -> set[str]:
    code = ("import sys\nfrom validators.cli import main\n"
            f"code = main({args!r})\n"
            "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n"
            "sys.exit(0 if code in (0, 1) else code)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.strip().splitlines()[-1].split())


def test_one_file_check_imports_no_table_library(tmp_path: Path) -> None:
    """pandas and pandera serve the extracted tables, never a corpus check."""
    one = str(SAMPLE / "000_c48a539151d484c8.txt")
    modules = _modules_after(["check", one, "--format", "json", "--output",
                              str(tmp_path / "out.json"), "--no-cache"], tmp_path)
    assert "validators" in modules  # the probe sees the imports of the run
    assert not modules & {"pandas", "pandera"}


def test_one_file_check_imports_heavy_libraries_only_for_the_rules_that_need_them(
        tmp_path: Path) -> None:
    """With the duplicate rules (MinHash with datasketch and numpy) and the script rules off,
    nothing heavy is imported: a heavy import belongs inside the function of the rule that needs
    it, never at the top of a module every run imports."""
    ruleset = build_ruleset(Config())
    off = {rule.id for rule in ruleset
           if rule.check.scope == "corpus" or rule.category in ("DUP", "SCR")}
    assert off, "the default rule set has corpus-wide rules"
    (tmp_path / "corpus-validate.yaml").write_text(
        "rules:\n" + "".join(f"  {rule_id}: 'off'\n" for rule_id in sorted(off)), encoding="utf-8")
    one = str(SAMPLE / "001_1e269361cd1d25e8.txt")  # Traditional script, half-width punctuation
    modules = _modules_after(["check", one, "--format", "json", "--output",
                              str(tmp_path / "out.json"), "--no-cache"], tmp_path)
    assert "validators" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_rules_comparing_documents_are_skipped_on_a_one_file_run(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """A corpus-wide check type that requires SEVERAL_DOCUMENTS neither collects nor finishes when the
    run has one file (and nothing is stored in the cache for it); with two files it does."""
    from validators.cache import ResultCache

    ruleset = build_ruleset(Config())
    corpus_rules = ruleset.corpus_rules()
    assert corpus_rules
    rule = corpus_rules[0]
    from validators.requirements import DECODED_TEXT, SEVERAL_DOCUMENTS

    monkeypatch.setattr(type(rule.check), "requires", (DECODED_TEXT, SEVERAL_DOCUMENTS))
    files = discover([str(SAMPLE)])
    cache = ResultCache(tmp_path / "cache", "fingerprint")
    one = run_check(files[:1], ruleset, cache=cache)
    assert rule.id not in one.documents[0].collected
    assert one.ruleset is ruleset  # reporters still see every rule
    assert cache.stores == 0
    two = run_check(files[:2], ruleset)
    assert all(rule.id in d.collected for d in two.documents)
    focused = run_check(files[:1], ruleset, focus={files[0].path})  # compared with a corpus
    assert rule.id in focused.documents[0].collected


def _recording_finish(monkeypatch: pytest.MonkeyPatch, log: Path, fail: str = "") -> None:
    """engine.finish_corpus, writing which process ran which rule to ``log`` (raising in the
    forked process for the rule ``fail``)."""
    from validators import engine

    real = engine.finish_corpus
    parent = os.getpid()

    def recorded(ruleset, results, focus=None):  # type: ignore[no-untyped-def]
        ids = ",".join(rule.id for rule in ruleset.corpus_rules())
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {ids}\n")
        if fail and ids == fail and os.getpid() != parent:
            raise ValueError(f"{fail} failed in the second process")
        return real(ruleset, results, focus)

    monkeypatch.setattr(engine, "finish_corpus", recorded)


def test_the_corpus_stage_on_two_cores_gives_the_serial_findings(
        generated: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """--jobs 2: the corpus rules are shared by this process and one forked from it (each takes
    the next rule not taken); the findings are the serial loop's, in its order."""
    corpus, _ = generated
    files = discover([str(corpus)])
    ruleset = build_ruleset(Config())
    serial = run_check(files, ruleset, jobs=1)
    log = tmp_path / "finish.log"
    _recording_finish(monkeypatch, log)
    shown: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, stage: str = "files", item: str = "") -> None:
        if stage == "corpus":
            shown.append((done, total, item))

    parallel = run_check(files, ruleset, jobs=2, progress=progress)
    ran = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    # a terminal's bar (progress) does not make the stage serial: it names the jobs this
    # process starts, and ends complete
    jobs = len(list(ruleset.corpus_rules())) + 1  # and the summary
    assert shown[0] == (0, jobs, "DUP002 near-duplicate-document") and shown[-1] == (jobs, jobs, "")
    assert [done for done, _, _ in shown] == sorted(done for done, _, _ in shown)
    assert 2 < len(shown) < jobs + 1  # the other process's jobs are not shown
    corpus_rules = {rule.id for rule in ruleset.corpus_rules()}
    assert sorted(rule for _, rule in ran) == sorted(corpus_rules)  # each rule once
    assert len({pid for pid, _ in ran}) == 2  # in two processes
    # a rule whose plan holds much memory (DUP002's n-gram sets) first, alone, in this process
    alone = [rule.id for rule in ruleset.corpus_rules() if rule.check.runs_alone]
    assert alone == ["DUP002"]
    assert ran[:len(alone)] == [[str(os.getpid()), rule] for rule in alone]
    assert list(parallel.findings) == list(serial.findings)
    assert len({f.rule for f in serial.findings} & corpus_rules) >= 3  # the corpus rules found things
    assert parallel.extra_summary == serial.extra_summary  # CON001's table, made beside the rules
    assert parallel.summary() == serial.summary() and serial.extra_summary.get("connectives")


def test_a_rule_failing_in_the_second_process_fails_the_run(
        generated: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    corpus, _ = generated
    files = discover([str(corpus)])
    ruleset = build_ruleset(Config())
    rules = [rule.id for rule in ruleset.corpus_rules()]
    log = tmp_path / "finish.log"
    for rule in rules:  # whichever rule the second process takes
        log.unlink(missing_ok=True)
        with monkeypatch.context() as patched:
            _recording_finish(patched, log, fail=rule)
            try:
                run_check(files, ruleset, jobs=2)
            except ValueError as exc:
                assert str(exc) == f"{rule} failed in the second process"
                return
    pytest.fail("no rule ran in the second process")


@pytest.mark.parametrize("missing", ["Value", "Process"])
def test_without_a_second_process_the_corpus_stage_runs_in_this_one(
        generated: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        missing: str) -> None:
    """No shared semaphore (a container without /dev/shm) or no fork (a process limit): the
    same findings, from this process alone, not an error."""
    import multiprocessing

    corpus, _ = generated
    files = discover([str(corpus)])
    ruleset = build_ruleset(Config())
    serial = run_check(files, ruleset, jobs=1)
    context = multiprocessing.get_context("fork")

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")

    if missing == "Value":
        monkeypatch.setattr(type(context), "Value", refused)
    else:  # fork() itself fails (EAGAIN under a process limit) for the corpus stage's process
        start = context.Process.start

        def start_unless_corpus_stage(process: Any) -> None:
            if "in_two_processes" in process._target.__qualname__:
                refused()
            start(process)

        monkeypatch.setattr(context.Process, "start", start_unless_corpus_stage)
    log = tmp_path / "finish.log"
    _recording_finish(monkeypatch, log)
    alone = run_check(files, ruleset, jobs=2)
    assert {line.split()[0] for line in log.read_text(encoding="utf-8").splitlines()} == {str(os.getpid())}
    assert list(alone.findings) == list(serial.findings)


def test_a_focused_corpus_stage_on_two_cores_gives_the_serial_findings(
        generated: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A hook or --changed-since run: the corpus rules report only the groups touching the
    focus, on two cores as in one."""
    corpus, _ = generated
    files = discover([str(corpus)])
    ruleset = build_ruleset(Config())
    whole = run_check(files, ruleset, jobs=1)
    focus = [*sorted({f.path for f in whole.findings if f.category == "DUP"})[:3], files[0].path]
    serial = run_check(files, ruleset, focus=set(focus), jobs=1)
    log = tmp_path / "finish.log"
    _recording_finish(monkeypatch, log)
    parallel = run_check(files, ruleset, focus=set(focus), jobs=2)
    assert len({line.split()[0] for line in log.read_text(encoding="utf-8").splitlines()}) == 2
    assert list(parallel.findings) == list(serial.findings)
    assert any(f.category == "DUP" for f in serial.findings)
    assert {f.path for f in serial.findings} <= set(focus)


def test_a_warm_run_looks_the_cache_up_on_two_cores(
        generated: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """--jobs 2 and a warm cache: after a first chunk looked up here (where a cold run gives up),
    this process and a fork of it take the chunks of files in turn; the fork's look-ups come
    back with their hits counted here, and the findings are those of the cold run."""
    from validators import pipeline
    from validators.cache import ResultCache, ruleset_fingerprint

    corpus, _ = generated
    files = discover([str(corpus)])
    ruleset = build_ruleset(Config())

    def cache() -> ResultCache:
        return ResultCache(tmp_path / "cache", ruleset_fingerprint(ruleset), secret=b"s" * 32)

    cold_cache = cache()
    cold = run_check(files, ruleset, cache=cold_cache, jobs=2)
    assert cold_cache.stores == len(files) > 8 * 16
    log = tmp_path / "lookups.log"
    real = pipeline.cached_outcome

    def recorded(corpus_file: Any, task: Any) -> Any:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {corpus_file.path}\n")
        return real(corpus_file, task)

    monkeypatch.setattr(pipeline, "cached_outcome", recorded)
    monkeypatch.setattr(pipeline, "LOOKUP_CHUNK", 16)
    warm_cache = cache()
    warm = run_check(files, ruleset, cache=warm_cache, jobs=2)
    looked = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(path for _, path in looked) == sorted(f.path for f in files)  # each file once
    assert {pid for pid, _ in looked[:16]} == {str(os.getpid())}  # the first chunk here
    assert len({pid for pid, _ in looked}) == 2  # the rest in two processes
    assert (warm_cache.hits, warm_cache.misses, warm_cache.stores) == (len(files), 0, 0)
    assert warm_cache.corpus_hits == 1
    assert [f.as_dict() for f in warm.findings] == [f.as_dict() for f in cold.findings]
    assert warm.summary() == cold.summary() and warm.extra_summary == cold.extra_summary
    # a focused run (a hook): its focused and other parts share one cache, counted once
    focused_cache = cache()
    run_check(files, ruleset, focus={files[0].path}, cache=focused_cache, jobs=2)
    assert (focused_cache.hits, focused_cache.misses) == (len(files), 0)
