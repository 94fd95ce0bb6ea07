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
from validators.config import Config
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
        by_severity = Counter(f.severity for f in self.findings)
        stats = [d.stats for d in self.documents]
        return {
            "documents": len(self.documents),
            "bytes": sum(s.get("bytes", 0) for s in stats),
            "characters": sum(s.get("chars", 0) for s in stats),
            "spans": sum(s.get("spans", 0) for s in stats),
            "pairs": sum(s.get("pairs", 0) for s in stats),
            "annotated_documents": sum(1 for s in stats if s.get("annotated")),
            "findings": len(self.findings),
            "by_severity": {sev: by_severity.get(sev, 0) for sev in ("error", "warning", "info")},
            "by_rule": dict(sorted(Counter(f.rule for f in self.findings).items())),
            "by_category": dict(sorted(Counter(f.category for f in self.findings).items())),
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
    for i, result in enumerate(_document_results(files, active, cache, jobs, timings, info)):
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
    doc = load(corpus_file.path, corpus_file.fs_path)
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


def _document_results(files: list[CorpusFile], ruleset: RuleSet, cache: ResultCache | None,
                      jobs: int, timings: dict[str, float] | None,
                      info: dict[str, Any]) -> Iterator[DocumentResult]:
    if not _worth_a_pool(files, jobs):
        for corpus_file in files:
            yield _check_file(corpus_file, ruleset, cache, timings)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers inherit the rule set and cache as built (nothing to pickle or rebuild);
    # elsewhere they are pickled to each worker once, by the initializer
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = _chunks(files, jobs)
    info["workers"] = min(jobs, len(chunks))
    pool = ProcessPoolExecutor(max_workers=info["workers"], mp_context=context,
                               initializer=_init_worker,
                               initargs=(ruleset, cache, timings is not None))
    try:
        for results, worker_timings, cache_stats in pool.map(_check_chunk, chunks):
            if timings is not None:
                for key, seconds in worker_timings.items():
                    timings[key] = timings.get(key, 0.0) + seconds
            if cache is not None:
                for name, count in cache_stats.items():  # the workers' hits, misses, stores
                    if isinstance(getattr(cache, name, None), int):
                        setattr(cache, name, getattr(cache, name) + count)
            yield from results
    except BaseException:
        # Ctrl-C or an error: stop the workers now (they ignore SIGINT, and the interpreter's
        # exit would otherwise wait for them to finish their files)
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


_WORKER: tuple[RuleSet, ResultCache | None, bool] | None = None


def _init_worker(ruleset: RuleSet, cache: ResultCache | None, profiling: bool) -> None:
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER = (ruleset, cache, profiling)


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
    return discover(paths or config.corpus_paths(), config.include, config.exclude)
