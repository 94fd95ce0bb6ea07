"""One validation run: discover → load → per-document checks → corpus-wide checks → result."""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from validators.cache import ResultCache
from validators.config import CONFIG_FILE, Config
from validators.discover import CorpusFile, discover
from validators.engine import DocumentResult, check_document, finish_corpus
from validators.findings import SEVERITY_RANK, Finding
from validators.load import load
from validators.rules import RuleSet


@dataclass
class RunResult:
    findings: list[Finding]
    documents: list[DocumentResult]
    ruleset: RuleSet
    extra_summary: dict[str, Any] = field(default_factory=dict)
    fail_on: str = "error"  # the gate's threshold, for reporters that mark failures (junit)

    def summary(self) -> dict[str, Any]:
        """Counts of every finding, listed or not: a finding that carries ``unlisted`` (the
        engine's listing cap) counts for itself and the hits it stands for."""
        by_severity: Counter[str] = Counter()
        by_rule: Counter[str] = Counter()
        by_category: Counter[str] = Counter()
        for f in self.findings:
            weight = 1 + f.unlisted
            by_severity[f.severity] += weight
            by_rule[f.rule] += weight
            by_category[f.category] += weight
        unlisted = sum(f.unlisted for f in self.findings)
        stats = [d.stats for d in self.documents]
        return {
            "documents": len(self.documents),
            "bytes": sum(s.get("bytes", 0) for s in stats),
            "characters": sum(s.get("chars", 0) for s in stats),
            "spans": sum(s.get("spans", 0) for s in stats),
            "pairs": sum(s.get("pairs", 0) for s in stats),
            "annotated_documents": sum(1 for s in stats if s.get("annotated")),
            "findings": len(self.findings) + unlisted,
            **({"listed_findings": len(self.findings)} if unlisted else {}),
            "by_severity": {sev: by_severity.get(sev, 0) for sev in ("error", "warning", "info")},
            "by_rule": dict(sorted(by_rule.items())),
            "by_category": dict(sorted(by_category.items())),
            **self.extra_summary,
        }


def exit_code(findings: list[Finding], fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= threshold for f in findings) else 0


def run_check(files: list[CorpusFile], ruleset: RuleSet,
              focus: set[str] | None = None,
              progress: Callable[[int, int], None] | None = None,
              cache: ResultCache | None = None, jobs: int = 1) -> RunResult:
    """Check ``files``. With ``focus``, per-document findings are kept only for those paths and
    corpus-wide checks report only groups that contain one of them. With ``cache``, a document
    whose bytes, path and rule set are unchanged reuses its stored result. With ``jobs`` > 1 the
    per-document stage runs in that many worker processes (results in file order, so the
    findings are the same as with one job)."""
    profile_path = os.environ.get(PROFILE_ENV)
    timings: dict[str, float] | None = {} if profile_path else None
    started = time.perf_counter()
    active = ruleset if focus is not None else _for_documents(ruleset, len(files))
    if active is not ruleset:
        cache = None  # results without a skipped rule's data must not be stored as complete
    results: list[DocumentResult] = []
    info: dict[str, Any] = {"workers": 0}
    # closing: an exception in the loop (Ctrl-C, SIGTERM) stops the workers now, not when the
    # generator is garbage-collected
    with contextlib.closing(_document_results(files, active, cache, jobs, timings, info)) as stage:
        for i, result in enumerate(stage):
            if focus is not None and files[i].path not in focus:
                result.findings = []
            results.append(result)
            if progress:
                progress(i + 1, len(files))
    findings = [f for r in results for f in r.findings]
    if timings is None:
        findings.extend(finish_corpus(active, results, focus))
    else:
        for rule in active.corpus_rules():  # one at a time, to time each check type
            t = time.process_time()
            findings.extend(finish_corpus(_only(active, rule.id), results, focus))
            key = f"finish:{rule.check.name}"
            timings[key] = timings.get(key, 0.0) + time.process_time() - t
    findings.sort(key=Finding.sort_key)
    if profile_path and timings is not None:
        _write_profile(profile_path, timings, files, jobs, info["workers"],
                       time.perf_counter() - started)
    return RunResult(findings, results, ruleset)


# --- the per-document stage, in-process or in worker processes --------------------------------

PROFILE_ENV = "CORPUS_VALIDATE_PROFILE"  # a JSON file to write CPU seconds per check type to
PARALLEL_MIN_BYTES = 1_000_000  # below this, a pool's start-up costs more than it saves
CHUNK_FILES = 32                # files per task at most (small tasks keep both workers busy)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def _check_file(corpus_file: CorpusFile, ruleset: RuleSet, cache: ResultCache | None,
                timings: dict[str, float] | None) -> DocumentResult:
    """Read, decode and parse one file once; every per-document rule runs on that one parse.
    Nothing of the document is kept: only its result (findings, statistics, collected data)."""
    t = time.process_time() if timings is not None else 0.0
    doc = load(corpus_file.path, corpus_file.fs_path, root=corpus_file.root or None)
    if timings is not None:
        timings["load"] = timings.get("load", 0.0) + time.process_time() - t
    key = cache.key(doc) if cache is not None else None
    result = cache.lookup(key) if cache is not None and key is not None else None
    if result is None:
        result = check_document(doc, ruleset, timings)
        if cache is not None and key is not None:
            cache.store(key, result)
    return result


def _worth_a_pool(files: list[CorpusFile], jobs: int) -> bool:
    if jobs <= 1 or len(files) < 2:
        return False
    total = 0
    for corpus_file in files:
        with contextlib.suppress(OSError):
            total += os.stat(corpus_file.fs_path).st_size
        if total >= PARALLEL_MIN_BYTES:
            return True
    return False


def _chunks(files: list[CorpusFile], jobs: int) -> list[list[CorpusFile]]:
    size = max(1, min(CHUNK_FILES, len(files) // (jobs * 8)))
    return [files[i:i + size] for i in range(0, len(files), size)]


class Terminated(BaseException):
    """SIGTERM (what ``timeout`` and a cancelled CI job send) arrived during a run: raised in the
    main thread so that the workers are stopped and files being written are cleaned up on the
    way out; the command line turns it into one line and exit status 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` in the main thread (unless someone has
    installed their own handler; outside the main thread signals cannot be handled at all)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def raise_terminated(signum: int, frame: Any) -> None:
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def useful_workers(jobs: int, chunks: int) -> int:
    """Worker processes worth starting: never more than asked for, than the cores this process
    may use or than there are tasks (``--jobs 1000`` on two cores starts two, not a thousand)."""
    return max(1, min(jobs, default_jobs(), chunks))


def _document_results(files: list[CorpusFile], ruleset: RuleSet, cache: ResultCache | None,
                      jobs: int, timings: dict[str, float] | None,
                      info: dict[str, Any]) -> Iterator[DocumentResult]:
    jobs = min(jobs, default_jobs())
    if not _worth_a_pool(files, jobs):
        for corpus_file in files:
            yield _check_file(corpus_file, ruleset, cache, timings)
        return
    import multiprocessing
    import signal
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers inherit the rule set and cache as built (nothing to pickle or rebuild);
    # elsewhere they are pickled to each worker once, by the initializer
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = _chunks(files, jobs)
    info["workers"] = useful_workers(jobs, len(chunks))
    pool = ProcessPoolExecutor(max_workers=info["workers"], mp_context=context,
                               initializer=_init_worker,
                               initargs=(ruleset, cache, timings is not None, os.getpid()))
    # Ctrl-C and SIGTERM stay blocked while the workers are forked (the first submit starts them
    # all), so a worker never runs the parent's handlers; it unblocks them once it has set its
    # own. A signal that arrives meanwhile is delivered to the parent when it unblocks.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    blocking = hasattr(signal, "pthread_sigmask")
    try:
        with sigterm_raises():
            if blocking:
                signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
            try:
                futures = [pool.submit(_check_chunk, chunk) for chunk in chunks]
            finally:
                if blocking:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
            # results in file order; the futures are never cancelled (see _stop_pool)
            for future in futures:
                results, worker_timings, cache_stats = future.result()
                if timings is not None:
                    for key, seconds in worker_timings.items():
                        timings[key] = timings.get(key, 0.0) + seconds
                if cache is not None:
                    for name, count in cache_stats.items():  # the workers' hits, misses, stores
                        if isinstance(getattr(cache, name, None), int):
                            setattr(cache, name, getattr(cache, name) + count)
                yield from results
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown()


def _stop_pool(pool: Any) -> None:
    """Ctrl-C, SIGTERM or an error: end the workers now (they ignore SIGINT, and the interpreter's
    exit would otherwise wait for them to finish their files), then wait for the pool's manager
    thread, which marks the unfinished futures broken and exits. No future is cancelled first:
    the manager thread would then fail on a cancelled one (``InvalidStateError`` traceback)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=True)


_WORKER: tuple[RuleSet, ResultCache | None, bool] | None = None
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _init_worker(ruleset: RuleSet, cache: ResultCache | None, profiling: bool,
                 parent: int | None = None) -> None:
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # Pool.terminate() and the parent's death
    _end_with_parent(parent)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it forked us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _WORKER = (ruleset, cache, profiling)


def _end_with_parent(parent: int | None) -> None:
    """On Linux, ask the kernel for SIGTERM when the parent dies, even by SIGKILL (otherwise an
    orphaned worker would wait for work forever); if it has already died, end now."""
    import sys

    if not sys.platform.startswith("linux") or parent is None:
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def _check_chunk(chunk: list[CorpusFile]
                 ) -> tuple[list[DocumentResult], dict[str, float], dict[str, int]]:
    assert _WORKER is not None, "worker not initialised"
    ruleset, cache, profiling = _WORKER
    timings: dict[str, float] | None = {} if profiling else None
    before = cache.stats() if cache is not None else {}
    results = [_check_file(corpus_file, ruleset, cache, timings) for corpus_file in chunk]
    after = cache.stats() if cache is not None else {}
    return results, timings or {}, {k: after[k] - before.get(k, 0) for k in after}


def _for_documents(ruleset: RuleSet, count: int) -> RuleSet:
    """The rule set without the corpus-wide rules that cannot report anything on ``count``
    documents: a check type declares ``min_documents`` (2 for one comparing documents with each
    other), so that a one-file check neither runs nor imports what comparing needs (MinHash)."""
    skip = {rule.id for rule in ruleset.corpus_rules()
            if getattr(rule.check, "min_documents", 1) > count}
    if not skip:
        return ruleset
    return RuleSet({rule_id: rule for rule_id, rule in ruleset.rules.items() if rule_id not in skip})


def _only(ruleset: RuleSet, rule_id: str) -> RuleSet:
    return RuleSet({rule_id: ruleset.rules[rule_id]})


def _write_profile(path: str, timings: dict[str, float], files: list[CorpusFile], jobs: int,
                   workers: int, wall: float) -> None:
    import json

    from validators.atomic import write_text_atomic

    payload = {"jobs": jobs, "workers": workers, "files": len(files), "wall_seconds": round(wall, 4),
               "seconds": {k: round(v, 4) for k, v in sorted(timings.items(), key=lambda kv: -kv[1])}}
    write_text_atomic(path, json.dumps(payload, indent=1) + "\n")


def files_for(config: Config, paths: list[str]) -> list[CorpusFile]:
    """The files a run checks: the PATHs given, else the configured ``paths``, else (a
    configuration without ``paths``) its repository's tracked and not-ignored files under the
    configuration's folder matching include (the README's promise, as the hooks see the corpus),
    else (no configuration at all) the bundled sample corpus: see :func:`sample_note`."""
    if paths or config.paths or config.source is None:
        return discover(paths or config.corpus_paths(), config.include, config.exclude)
    from validators.git import corpus_files_under

    return corpus_files_under(config.root, config.include, config.exclude)


def sample_note(config: Config, paths: list[str]) -> str | None:
    """The line to print when a run falls back to the bundled sample corpus (no PATH, no
    configuration file), so that nobody mistakes it for a check of their own files."""
    if paths or config.paths or config.source is not None:
        return None
    return (f"corpus-validate: no {CONFIG_FILE} found: checking the bundled sample corpus at "
            f"{config.corpus_paths()[0]}")
