"""The one run loop: discover → load (a fix hands its bytes to the same load) → parse →
per-document checks, statistics and table rows → corpus-wide finish → findings → RunResult.

``check``, ``hook``, ``--changed-since``, ``baseline``, ``extract``, ``check-table --corpus`` and
``--fix``/``--diff`` all run :func:`run`. The per-document stage is :func:`process_document`,
shipped to an executor in chunks together with its :class:`DocumentTask` (settings, rules,
caches): a worker needs nothing else, whatever its start method or machine.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from validators.cache import (
    CachedCollected,
    PackedCollected,
    ResultCache,
    cached_corpus_findings,
    cached_corpus_summary,
    pack_collected,
)
from validators.discover import CorpusFile
from validators.document import Document
from validators.engine import DocumentResult, check_document
from validators.executors import Executor, executor_for
from validators.facts import DocumentFacts
from validators.finding_blocks import FindingBlock, Findings, pack_findings
from validators.findings import SEVERITY_RANK, Finding, duplicate_groups_summary
from validators.fix import FixResult, fix_file
from validators.load import decode, read_bytes
from validators.requirements import SEVERAL_DOCUMENTS
from validators.rules import RuleSet
from validators.settings import Settings
from validators.spill import Spill
from validators.suppressions import Suppressions

# progress(done, total) for the per-file stage; progress(done, total, stage="corpus", item=...) for
# the corpus-wide one (validators.terminal: one bar per stage)
Progress = Callable[..., None] | None


@dataclass(frozen=True)
class RunResult:
    """What a run found; built once, then only read (reporters, the gate, the baseline)."""

    findings: Sequence[Finding]  # made a Findings; a list is taken as it is (in report order)
    documents: list[DocumentResult]
    ruleset: RuleSet
    extra_summary: dict[str, Any] = field(default_factory=dict)
    fail_on: str = "error"  # the gate's threshold, for reporters that mark failures (junit)
    fixes: tuple[FixResult, ...] = ()  # --fix/--diff: what was (or would be) changed
    rows: tuple[Any, ...] = ()         # tables.extract.DocumentRows of each file (``extract``)
    jobs: int = 1  # the run's --jobs: a reporter may share its work with a second process

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", Findings.of(self.findings))

    def summary(self) -> dict[str, Any]:
        """Counts of every finding, listed or not: a finding that carries ``unlisted`` (the
        engine's listing cap) counts for itself and the hits it stands for."""
        by_severity: Counter[str] = Counter()
        by_rule: Counter[str] = Counter()
        by_category: Counter[str] = Counter()
        listed = 0
        findings = Findings.of(self.findings)
        for (rule, _, category, severity), (count, weight) in findings.weights().items():
            by_severity[severity] += weight
            by_rule[rule] += weight
            by_category[category] += weight
            listed += count
        unlisted = sum(by_severity.values()) - listed
        stats = [d.stats for d in self.documents]
        return {
            "documents": len(self.documents),
            "bytes": sum(s.get("bytes", 0) for s in stats),
            "characters": sum(s.get("chars", 0) for s in stats),
            "spans": sum(s.get("spans", 0) for s in stats),
            "pairs": sum(s.get("pairs", 0) for s in stats),
            "annotated_documents": sum(1 for s in stats if s.get("annotated")),
            "findings": listed + unlisted,
            **({"listed_findings": listed} if unlisted else {}),
            "by_severity": {sev: by_severity.get(sev, 0) for sev in ("error", "warning", "info")},
            "by_rule": dict(sorted(by_rule.items())),
            "by_category": dict(sorted(by_category.items())),
            **duplicate_groups_summary(findings.with_groups()),
            **self.extra_summary,
        }


def exit_code(findings: Iterable[Finding], fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[severity] >= threshold
                    for _, _, _, severity in Findings.of(findings).weights()) else 0


@dataclass(frozen=True)
class Part:
    """One rule subset of a document's checks and the cache of its results."""

    rules: RuleSet
    cache: ResultCache | None = None


@dataclass(frozen=True)
class DocumentOutcome:
    """What one file gives back to the run (picklable)."""

    path: str
    result: DocumentResult                   # findings, statistics, collected data
    rows: Any = None                         # tables.extract.DocumentRows (``extract``)
    fix: FixResult | None = None             # --fix/--diff
    cache_delta: tuple[tuple[int, str, int], ...] = ()   # (part index, statistic, count)
    timings: tuple[tuple[str, float], ...] = ()          # CPU seconds (the profile only)


@dataclass(frozen=True)
class DocumentTask:
    """Everything the per-document stage needs, pickled with every chunk sent to a worker."""

    settings: Settings
    focused: tuple[Part, ...]        # parts for the files in focus (every file without a focus)
    unfocused: tuple[Part, ...] = ()  # parts for the other files (their findings are dropped)
    fix: str | None = None           # "write" | "diff": fix a focused file's bytes before the check
    fix_rules: RuleSet | None = None
    ids_are_paths: bool = False      # table rows name documents by path (doc ids not unique)
    # per-document table rows, (doc, doc_id, sentence_end) -> rows: a module-level function
    # (pickled by name), e.g. tables.extract.document_rows for ``extract``
    rows_of: Callable[..., Any] | None = None
    fix_ignores: Suppressions | None = None  # per_file_ignores: what they silence is not fixed either
    # the collected data comes back packed (bytes, not object graphs) for the parent to spill
    pack_collected: bool = False

    def process_chunk(self, files: Sequence[CorpusFile]) -> list[DocumentOutcome]:
        return process_chunk(files, self)

    def count_cache(self, outcome: DocumentOutcome) -> None:
        """Add a worker's cache statistics to this process's caches."""
        parts = self.focused + self.unfocused
        for index, name, count in outcome.cache_delta:
            cache = parts[index].cache
            if cache is not None and isinstance(getattr(cache, name, None), int):
                setattr(cache, name, getattr(cache, name) + count)


def process_chunk(files: Sequence[CorpusFile], task: DocumentTask) -> list[DocumentOutcome]:
    """The unit of work an executor ships: consecutive files and their task."""
    return [process_document(corpus_file, task) for corpus_file in files]


def process_document(corpus_file: CorpusFile, task: DocumentTask) -> DocumentOutcome:
    """Read one file once (fixing its bytes first when asked), decode and parse it once, and run
    every part of the task on that one parse. Nothing of the document is kept."""
    settings = task.settings
    focused = settings.in_focus(corpus_file.path)
    timings: dict[str, float] | None = {} if settings.profile_path else None
    started = time.process_time() if timings is not None else 0.0
    fixed: FixResult | None = None
    got: bytes | Document | None = None
    if task.fix is not None and focused and task.fix_rules is not None:
        fix_rules = task.fix_rules
        if task.fix_ignores:  # as ruff: a per-file ignore silences the fix as well as the finding
            fix_rules = task.fix_ignores.without_ignored(fix_rules, corpus_file)
        fixed, got = fix_file(corpus_file, fix_rules, task.fix == "write", settings.max_file_bytes,
                              settings.unsafe_fixes)
        if task.fix == "diff":
            return DocumentOutcome(corpus_file.path, DocumentResult(corpus_file.path, []), fix=fixed)
    if got is None:
        got = read_bytes(corpus_file.path, corpus_file.fs_path, settings.max_file_bytes,
                         corpus_file.root or None)
    doc = got if isinstance(got, Document) else decode(corpus_file.path, got, corpus_file.fs_path)
    if timings is not None:
        timings["load"] = time.process_time() - started
    parts, offset = (task.focused, 0) if focused else (task.unfocused, len(task.focused))
    results: list[DocumentResult] = []
    delta: list[tuple[int, str, int]] = []
    for index, part in enumerate(parts, offset):
        cache = part.cache
        before = cache.stats() if cache is not None else {}
        key = cache.key(doc) if cache is not None else None
        result = cache.lookup(key) if cache is not None and key is not None else None
        if result is None:
            result = check_document(doc, part.rules, timings, sentence_end=settings.sentence_end,
                                    script_thresholds=settings.script_thresholds,
                                    tag_dependents=settings.tag_dependents)
            result = packed_findings(result)
            if cache is not None and key is not None:
                cache.store(key, result)
        if cache is not None:
            after = cache.stats()
            delta += [(index, name, n - before.get(name, 0)) for name, n in after.items()
                      if n != before.get(name, 0)]
        results.append(result)
    combined = packed_findings(combined_result(corpus_file.path, results, focused))
    if task.pack_collected and combined.collected and not isinstance(combined.collected,
                                                                     PackedCollected):
        with contextlib.suppress(TypeError, ValueError):  # (a value the packer refuses: as it is)
            combined = replace(combined, collected=pack_collected(combined.collected))
    rows = None
    if task.rows_of is not None:
        rows = task.rows_of(doc, corpus_file.path if task.ids_are_paths else corpus_file.doc_id,
                            settings.sentence_end,
                            facts=DocumentFacts.from_stats(combined.stats) if combined.stats else None)
    return DocumentOutcome(corpus_file.path, combined, rows, fixed, tuple(delta),
                           tuple(sorted((timings or {}).items())))


def packed_findings(result: DocumentResult) -> DocumentResult:
    """``result`` with its findings as one block (validators.finding_blocks): bytes, not ~700
    bytes of objects each, from the worker to the report. Findings that carry a duplicate group
    (which a block does not keep) or a field the packer refuses stay as they are."""
    if isinstance(result.findings, FindingBlock) or any(f.group is not None for f in result.findings):
        return result
    try:
        return replace(result, findings=pack_findings(result.path, result.findings))
    except TypeError:
        return result


def combined_result(path: str, results: Sequence[DocumentResult], focused: bool) -> DocumentResult:
    """One document's result from its parts' (each part a share of the rule set): their findings
    when the document is in focus (one part's block as it is), the first part's statistics (every
    part computes the same), what the corpus rules collected (only the corpus part collects: its
    mapping is kept as it is, so that a cached part stays packed until a corpus stage asks for
    it)."""
    findings: Sequence[Finding] = []
    if focused:
        findings = results[0].findings if len(results) == 1 else [
            f for result in results for f in result.findings]
    collected: Mapping[str, Any] = {}
    for result in results:
        if result.collected:
            collected = result.collected if not collected else {**collected, **result.collected}
    return DocumentResult(path, findings, results[0].stats if results else {}, collected)


def cached_outcome(corpus_file: CorpusFile, task: DocumentTask) -> DocumentOutcome | None:
    """The outcome of a file whose every part is in the cache, looked up in this process: no
    worker, no decode, no parse. None when a part misses, when the task fixes or extracts, or
    when the file cannot be read (the executor then processes it as usual, and the lookups made
    here are not counted: the worker counts its own)."""
    settings = task.settings
    if task.fix is not None or task.rows_of is not None or settings.profile_path:
        return None
    focused = settings.in_focus(corpus_file.path)
    parts = task.focused if focused else task.unfocused
    caches = [part.cache for part in parts]
    if not caches or any(cache is None or not cache.usable for cache in caches):
        return None
    got = read_bytes(corpus_file.path, corpus_file.fs_path, settings.max_file_bytes,
                     corpus_file.root or None)
    if isinstance(got, Document):  # unreadable, too large, outside the corpus: not cached
        return None
    before = [cache.stats() for cache in caches]  # type: ignore[union-attr]
    results = []
    for cache in caches:
        assert cache is not None
        result = cache.lookup(cache.key_of(got, corpus_file.path))
        if result is None:
            for cache_, counts in zip(caches, before, strict=True):  # the worker counts them
                for name, count in counts.items():
                    setattr(cache_, name, count)
            return None
        results.append(result)
    return DocumentOutcome(corpus_file.path, combined_result(corpus_file.path, results, focused))


def scoped(ruleset: RuleSet, scope: str) -> RuleSet:
    """The rules of one scope: ``document`` (per-file) or ``corpus`` (corpus-wide)."""
    return RuleSet({rid: r for rid, r in ruleset.rules.items() if r.check.scope == scope})


def for_documents(ruleset: RuleSet, count: int) -> RuleSet:
    """The rule set without the corpus-wide rules that cannot report anything on ``count``
    documents: a check type that compares documents requires SEVERAL_DOCUMENTS, so that a
    one-file check neither runs nor imports what comparing needs (MinHash)."""
    skip = {rule.id for rule in ruleset.corpus_rules()
            if count < 2 and rule.check.needs(SEVERAL_DOCUMENTS)}
    if not skip:
        return ruleset
    return RuleSet({rule_id: rule for rule_id, rule in ruleset.rules.items() if rule_id not in skip})


@dataclass(frozen=True)
class Plan:
    """A task and what the run around it needs: the files to map and the corpus rules to finish."""

    task: DocumentTask
    files: list[CorpusFile]
    finish_rules: RuleSet


def make_plan(files: Sequence[CorpusFile], ruleset: RuleSet, settings: Settings,
              cache_for: Callable[[RuleSet], ResultCache | None] | None = None,
              fix: str | None = None, rows_of: Callable[..., Any] | None = None,
              fix_ignores: Suppressions | None = None) -> Plan:
    """Without a focus: every rule on every file (less the corpus rules that cannot report on so
    few files, and then no cache). With a focus (``--changed-since``, the hooks): the document
    rules on the focused files only, the corpus rules on every file (each part with its own
    cache); ``settings.scope`` limits to one of the two. Each file is still read once."""
    open_cache = cache_for or (lambda rules: None)
    ids = [f.doc_id for f in files]
    ids_are_paths = len(set(ids)) != len(ids)  # two roots with one relative path: ids are paths
    fix_rules = ruleset if fix else None
    if settings.focus is None:
        active = for_documents(ruleset, len(files))
        cache = open_cache(ruleset)
        if active is not ruleset:
            cache = None  # results without a skipped rule's data must not be stored as complete
        task = DocumentTask(settings, (Part(active, cache),), (), fix, fix_rules, ids_are_paths, rows_of,
                            fix_ignores, spills(settings, active))
        return Plan(task, list(files), active)
    focused = [f for f in files if f.path in settings.focus]
    parts: list[Part] = []
    if settings.scope in ("all", "document"):
        doc_rules = scoped(ruleset, "document")
        parts.append(Part(doc_rules, open_cache(doc_rules)))
    corpus_rules = scoped(ruleset, "corpus")
    others: tuple[Part, ...] = ()
    finish_rules = RuleSet({})
    if settings.scope in ("all", "corpus") and focused and corpus_rules.enabled():
        corpus_part = Part(corpus_rules, open_cache(corpus_rules))
        parts.append(corpus_part)
        others = (corpus_part,)
        finish_rules = corpus_rules
    task = DocumentTask(settings, tuple(parts), others, fix, fix_rules, ids_are_paths, rows_of, fix_ignores,
                        spills(settings, finish_rules))
    return Plan(task, list(files) if others and fix != "diff" else focused, finish_rules)


def spills(settings: Settings, finish_rules: RuleSet) -> bool:
    """Whether the run keeps what the corpus rules collect on disk (validators.spill): a local
    run with corpus rules; a Dask run's corpus stage reads the outcomes' data on the cluster."""
    return settings.executor == "local" and bool(finish_rules.corpus_rules())


def corpus_cache(plan: Plan) -> ResultCache | None:
    """The cache of the part that runs the corpus rules (its fingerprint covers them): the one
    part without a focus, the corpus part with one."""
    parts = plan.task.unfocused or plan.task.focused
    return parts[-1].cache if parts else None


def run(files: Sequence[CorpusFile], ruleset: RuleSet, settings: Settings, *,
        cache_for: Callable[[RuleSet], ResultCache | None] | None = None,
        executor: Executor | None = None, progress: Progress = None,
        fix: str | None = None, extra: dict[str, Any] | None = None,
        rows_of: Callable[..., Any] | None = None,
        announce: Callable[[Executor], None] | None = None,
        fix_ignores: Suppressions | None = None) -> RunResult:
    """Check ``files`` with ``ruleset`` as ``settings`` say; see :func:`make_plan`. With a focus,
    the result's documents are the focused ones and its summary counts the corpus compared.
    ``announce`` is shown the executor once it has started (the CLI prints a dashboard link)."""
    plan = make_plan(files, ruleset, settings, cache_for, fix, rows_of, fix_ignores)
    summary = {"corpus_documents": len(files)} if settings.focus is not None else {}
    summary.update(extra or {})
    return run_plan(plan, ruleset, executor=executor, progress=progress, extra=summary,
                    focused_documents=settings.focus is not None, announce=announce)


def run_plan(plan: Plan, ruleset: RuleSet, *, executor: Executor | None = None,
             progress: Progress = None, extra: dict[str, Any] | None = None,
             focused_documents: bool = True,
             announce: Callable[[Executor], None] | None = None) -> RunResult:
    """The loop: map the task over the files (in file order), finish the corpus rules, sort."""
    settings = plan.task.settings
    started = time.perf_counter()
    timings: dict[str, float] = {}
    outcomes: list[DocumentOutcome] = []
    owned = executor is None
    ex = executor_for(settings) if executor is None else executor
    spill = None
    if plan.task.pack_collected:
        with contextlib.suppress(OSError):  # no temporary folder: the data stays in memory
            spill = Spill()
    try:
        if announce is not None:
            announce(ex)
        for outcome in _outcomes(plan, ex, progress):
            if spill is not None and outcome.result.collected:
                outcome = replace(outcome, result=replace(
                    outcome.result, collected=spill.keep(outcome.result.collected)))
            outcomes.append(outcome)
            for key, seconds in outcome.timings:
                timings[key] = timings.get(key, 0.0) + seconds
        fixes = tuple(o.fix for o in outcomes if o.fix is not None)
        if plan.task.fix == "diff":
            return RunResult([], [], ruleset, dict(extra or {}), settings.fail_on, fixes)
        rows = tuple(o.rows for o in outcomes if o.rows is not None)
        blocks: list[FindingBlock] = []  # merged into report order as a reporter reads them
        findings: list[Finding] = []
        for o in outcomes:
            found = o.result.findings
            if isinstance(found, FindingBlock) and found.own_path:
                blocks.append(found)
            else:
                findings.extend(found)
        corpus_rules = list(plan.finish_rules.corpus_rules())

        summarized: list[dict[str, Any]] = []  # the summary, when the stage made it too

        def finish(focus: set[str] | None) -> list[Finding]:
            if not settings.profile_path:
                stage_found, summary = ex.corpus_stage(plan.finish_rules, outcomes, focus, progress)
                summarized.append(summary)
                return stage_found
            found: list[Finding] = []
            # one rule at a time in this process, to time each check type
            for done, rule in enumerate(corpus_rules):
                if progress:
                    progress(done, len(corpus_rules), stage="corpus", item=f"{rule.id} {rule.name}")
                t = time.process_time()
                found.extend(ex.finish_corpus(RuleSet({rule.id: rule}), outcomes, focus))
                key = f"finish:{rule.check.name}"
                timings[key] = timings.get(key, 0.0) + time.process_time() - t
            if progress and corpus_rules:
                progress(len(corpus_rules), len(corpus_rules), stage="corpus")
            return found

        # an unchanged corpus: its corpus-wide findings from the cache, no corpus stage at all
        contents = [(o.path, o.result.stats.get("sha256", "")) for o in outcomes]
        findings.extend(cached_corpus_findings(
            corpus_cache(plan), [rule.id for rule in corpus_rules], contents, settings.focus,
            finish))
        # one counting pass over what the corpus rules collected (CON001's per-connective
        # counts); an unchanged corpus's from the cache
        corpus_summary = cached_corpus_summary(
            corpus_cache(plan), [rule.id for rule in corpus_rules
                                 if getattr(rule.check, "summary_key", "")],
            contents, lambda: summarized[0] if summarized else ex.corpus_summary(
                plan.finish_rules, outcomes))
        info = ex.info()
    finally:
        if owned:
            ex.close()
    findings.sort(key=Finding.sort_key)  # the blocks' findings merge in as a reporter reads
    if settings.profile_path:
        _write_profile(settings.profile_path, timings, len(plan.files), settings.jobs,
                       int(info.get("workers", 0)), time.perf_counter() - started)
    documents = [o.result for o in outcomes
                 if not focused_documents or settings.in_focus(o.path)]
    return RunResult(Findings(findings, blocks), documents, ruleset,
                     {**dict(extra or {}), **corpus_summary}, settings.fail_on, fixes, rows,
                     settings.jobs)


PREPASS_GIVE_UP = 64  # misses in a row after which the cache look-ups are left to the workers
LOOKUP_CHUNK = 256    # files per job of the look-ups after the first chunk


def _cached_outcomes(plan: Plan, ex: Executor, progress: Progress) -> dict[str, DocumentOutcome]:
    """The outcomes of the files whose results are all in the cache, looked up before the
    executor starts (a warm run of an unchanged corpus starts no worker and pickles nothing):
    the first chunk here, where a cold run (no cache folder for this rule set yet, or
    PREPASS_GIVE_UP misses in a row: a changed rule set) stops without reading its files
    twice; the rest as jobs the executor shares between this process and a fork of it (reading
    and hashing the files and the entries' heads on both cores; an outcome is light to send
    back: a cached result's collected data stays in its entry)."""
    files = plan.files
    parts = plan.task.focused + plan.task.unfocused
    if plan.task.settings.executor != "local" or not parts or not all(
            part.cache is not None and part.cache.folder.is_dir() for part in parts):
        return {}
    found: dict[str, DocumentOutcome] = {}
    missed = 0  # in a row
    for corpus_file in files[:LOOKUP_CHUNK]:
        outcome = cached_outcome(corpus_file, plan.task)
        if outcome is not None:
            found[corpus_file.path] = outcome
            missed = 0
        elif (missed := missed + 1) >= PREPASS_GIVE_UP:
            return found
    chunks = [files[at:at + LOOKUP_CHUNK] for at in range(LOOKUP_CHUNK, len(files), LOOKUP_CHUNK)]
    # each cache once (a focused run's parts may share one): the fork's counts are added once
    caches = list({id(part.cache): part.cache for part in parts if part.cache is not None}.values())

    def look_up(chunk: Sequence[CorpusFile]) -> tuple[int, list[DocumentOutcome], list[dict[str, int]]]:
        before = [cache.stats() for cache in caches]
        outcomes = [o for o in (cached_outcome(f, plan.task) for f in chunk) if o is not None]
        for outcome in outcomes:  # to this process: the areas stay in their entries
            if isinstance(outcome.result.collected, CachedCollected):
                outcome.result.collected.same_machine = True
        counts = [{name: n - was[name] for name, n in cache.stats().items()}
                  for cache, was in zip(caches, before, strict=True)]
        return os.getpid(), outcomes, counts

    def starting(index: int) -> None:
        if progress:
            progress(LOOKUP_CHUNK * (index + 1), len(files))  # (the bar counts files looked at)

    for pid, outcomes, counts in ex.share([functools.partial(look_up, c) for c in chunks], starting):
        found.update((o.path, o) for o in outcomes)
        if pid != os.getpid():  # the fork's look-ups, counted here
            for cache, delta in zip(caches, counts, strict=True):
                for name, n in delta.items():
                    setattr(cache, name, getattr(cache, name) + n)
    return found


def _outcomes(plan: Plan, ex: Executor, progress: Progress) -> Iterator[DocumentOutcome]:
    """Every file's outcome, in file order: first the files whose results are all in the cache
    (:func:`_cached_outcomes`), then the executor maps the others. A Dask run maps every file
    (its cache stays with the workers' machine when the scheduler is remote)."""
    files = plan.files
    found = _cached_outcomes(plan, ex, progress)
    rest = [f for f in files if f.path not in found]

    def shifted(done: int, total: int, **kwargs: Any) -> None:
        assert progress is not None
        progress(done + len(found), len(files), **kwargs)

    mapped = iter(ex.map_documents(rest, plan.task, shifted if progress else None))
    for corpus_file in files:
        outcome = found.get(corpus_file.path) or next(mapped)
        if outcome.path != corpus_file.path:  # pragma: no cover - executors keep file order
            raise RuntimeError(f"outcome of {outcome.path} where {corpus_file.path} was due")
        yield outcome


def _write_profile(path: str, timings: dict[str, float], files: int, jobs: int,
                   workers: int, wall: float) -> None:
    import json

    from validators.atomic import write_bytes_atomic
    from validators.outputs import NEW_FILE_MODE

    payload = {"jobs": jobs, "workers": workers, "files": files, "wall_seconds": round(wall, 4),
               "seconds": {k: round(v, 4) for k, v in sorted(timings.items(), key=lambda kv: -kv[1])}}
    # a report like the others: readable as the umask allows (not a private temporary file's 0600)
    write_bytes_atomic(path, (json.dumps(payload, indent=1) + "\n").encode("utf-8"), new_mode=NEW_FILE_MODE)
