"""The engine: wires discovery, loading, per-document checks and corpus-wide checks.

Per-document work (``check_document``) is a pure function of one file's bytes and the rule set,
so it can run in worker processes; corpus-wide checks receive only what each document collected.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from validators import facts
from validators.checks import WELL_FORMED_TAGS, CorpusCheckType, Requirement
from validators.document import Document
from validators.errors import ConfigError
from validators.facts import document_facts
from validators.findings import SKIP_NOTE, Finding, Hit, fingerprint
from validators.rules import Rule, RuleSet
from validators.sentences import DEFAULT_SENTENCE_END

CONTEXT_RADIUS = 60  # code points of the source line kept on each side of a finding


def context_of(doc: Document, line: int, column: int, end_column: int) -> str:
    """The raw source line of a finding, clipped around it so a 10 MB line stays small."""
    if doc.text is None or not 1 <= line <= len(doc.lines):
        return ""
    raw = doc.lines[line - 1].rstrip("\r")
    if len(raw) <= 2 * CONTEXT_RADIUS + (end_column - column):
        return raw
    lo = max(column - 1 - CONTEXT_RADIUS, 0)
    hi = min(end_column - 1 + CONTEXT_RADIUS, len(raw))
    return ("…" if lo else "") + raw[lo:hi] + ("…" if hi < len(raw) else "")


def to_finding(rule: Rule, doc: Document | None, hit: Hit, occurrence: int, path: str) -> Finding:
    context = context_of(doc, hit.line, hit.column, hit.end_column) if doc else ""
    evidence = hit.evidence or (hit.fields.get("text") and str(hit.fields["text"])) or context
    return Finding(
        rule=rule.id, name=rule.name, category=rule.category, severity=rule.severity, path=path,
        line=hit.line, column=hit.column, end_line=hit.end_line, end_column=hit.end_column,
        message=rule.format_message(hit) + (
            f" (and {hit.unlisted} more {rule.id} findings in this file, not listed)"
            if hit.unlisted else ""), context=context,
        fingerprint=fingerprint(rule.id, path, str(evidence), occurrence), related=hit.related,
        unlisted=hit.unlisted, group=hit.group,
    )


def findings_from_hits(rule: Rule, doc: Document | None, hits: Iterable[Hit],
                       default_path: str, occurrences: Counter[Any]) -> Iterator[Finding]:
    for hit in hits:
        path = hit.path or default_path
        key = (rule.id, path, hit.evidence or str(hit.fields.get("text", "")))
        occurrences[key] += 1
        yield to_finding(rule, doc, hit, occurrences[key] - 1, path)


# A 10 MB line of '<<>>' has millions of stray brackets: past this many findings of one rule in
# one file, the rest are counted in the last listed finding's message, not listed one by one,
# so memory and report size stay bounded (the gate's verdict is unchanged).
MAX_HITS_PER_RULE = 1000


def run_rule(rule: Rule, doc: Document) -> list[Hit]:
    """Hits of one per-document rule on one document, honouring the load-stage dependency."""
    if not rule.check.runs_on(doc):
        return []
    hits: list[Hit] = []
    unlisted = 0
    try:
        for hit in rule.check.check(doc, rule.options):
            if len(hits) < MAX_HITS_PER_RULE:
                hits.append(hit)
            else:
                unlisted += 1
    except (ConfigError, TimeoutError) as exc:
        raise rule_error(rule, doc, exc) from None
    if unlisted:
        hits[-1] = replace(hits[-1], unlisted=unlisted)
    return hits


def rule_error(rule: Rule, doc: Document, exc: Exception) -> ConfigError:
    """A configuration error raised while a rule ran (a runaway user regex), re-raised naming
    the rule, its file and line, and the document it ran on. Errors that already name a file
    pass through unchanged."""
    if isinstance(exc, ConfigError) and exc.path is not None:
        return exc
    reason = str(exc) if isinstance(exc, ConfigError) else (
        "a regex took more than its time limit (catastrophic backtracking?)")
    return ConfigError(f"rule {rule.id} ({rule.name}): {reason}, on {doc.path}", rule.source,
                       rule.line)


def rules_requiring(ruleset: RuleSet, requirement: Requirement) -> tuple[str, ...]:
    """The enabled rules whose check type declares ``requirement``, by id (whatever the order the
    rule files were read in)."""
    return tuple(sorted(rule.id for rule in ruleset.enabled() if rule.check.needs(requirement)))


def skip_note(rule_ids: tuple[str, ...]) -> str:
    """What the first finding that breaks a document's tags adds to its message: the rules that
    skip a sentence with broken tags (as UD's validator says which tests it skipped), so that
    their silence there is not read as a pass."""
    return f"{SKIP_NOTE}{', '.join(rule_ids)}"


@dataclass
class DocumentResult:
    """What the per-document stage returns (picklable): findings, statistics, collected data."""

    path: str
    # a list as the checks make it; a FindingBlock once packed (by the worker, or in the cache)
    findings: Sequence[Finding]
    stats: dict[str, Any] = field(default_factory=dict)
    # rule id -> corpus-check data (a cached result's stays packed until asked for)
    collected: Mapping[str, Any] = field(default_factory=dict)


def document_stats(doc: Document, sentence_end: str = DEFAULT_SENTENCE_END) -> dict[str, Any]:
    """The stats of ``doc`` (:meth:`validators.facts.DocumentFacts.to_stats`), default thresholds."""
    return document_facts(doc, sentence_end).to_stats()


class _Stopwatch:
    """CPU seconds per stage for the benchmark's profile; does nothing without ``timings``.
    CPU time of this process, so that other programs on the machine do not inflate it."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.process_time() if timings is not None else 0.0

    def lap(self, key: str) -> None:
        if self.timings is not None:
            now = time.process_time()
            self.timings[key] = self.timings.get(key, 0.0) + now - self.last
            self.last = now


def check_document(doc: Document, ruleset: RuleSet,
                   timings: dict[str, float] | None = None, *, sentence_end: str | None = None,
                   script_thresholds: tuple[float, int] | None = None,
                   tag_dependents: tuple[str, ...] | None = None) -> DocumentResult:
    """All per-document rules on one parse of ``doc``. With ``timings`` (the benchmark's
    per-check-type profile), CPU seconds spent are added under "parse", "check:<type>",
    "collect:<type>" and "stats". The stats are the document's facts for the run's sentence ends
    and SCR001's thresholds: from ``ruleset``, unless given (a run that checks a subset of its rule
    set passes the whole set's values, so every subset gives the same facts). The first finding
    that breaks the document's tags names the rules that skip its sentence (:func:`skip_note`):
    ``tag_dependents``, else those of ``ruleset`` that require WELL_FORMED_TAGS."""
    clock = _Stopwatch(timings)
    if timings is not None and doc.readable:
        doc.markup  # noqa: B018 - the one parse, timed on its own
        doc.lines  # noqa: B018
        clock.lap("parse")
    findings: list[Finding] = []
    occurrences: Counter[Any] = Counter()
    collected: dict[str, Any] = {}
    breaking: list[int] = []  # indexes of the findings that break the tags of a sentence
    for rule in ruleset.document_rules():
        hits = run_rule(rule, doc)
        if rule.check.breaks(rule.options) is WELL_FORMED_TAGS:
            breaking += range(len(findings), len(findings) + len(hits))
        findings.extend(findings_from_hits(rule, doc, hits, doc.path, occurrences))
        clock.lap(f"check:{rule.check.name}")
    if breaking:
        dependents = rules_requiring(ruleset, WELL_FORMED_TAGS) if tag_dependents is None else tag_dependents
        if dependents:
            first = min(breaking, key=lambda i: (findings[i].line, findings[i].column, findings[i].rule))
            findings[first] = replace(findings[first], message=findings[first].message + skip_note(dependents))
    for rule in ruleset.corpus_rules():
        check = rule.check
        assert isinstance(check, CorpusCheckType)
        if not check.runs_on(doc):
            continue
        try:
            collected[rule.id] = check.collect(doc, rule.options)
        except (ConfigError, TimeoutError) as exc:
            raise rule_error(rule, doc, exc) from None
        clock.lap(f"collect:{check.name}")
    ratio, min_chars = script_thresholds or facts.script_thresholds(ruleset)
    stats = document_facts(doc, facts.sentence_end_of(ruleset) if sentence_end is None else sentence_end,
                           mixed_ratio=ratio, min_chars=min_chars).to_stats()
    clock.lap("stats")
    return DocumentResult(doc.path, findings, stats, collected)


class CollectedOf(Mapping[str, Any]):
    """What one corpus rule collected, ``{path: item}``, each item fetched from its document's
    result when asked for: a spilled part is read and decoded then (and not kept), so a rule's
    plan decodes one document at a time (validators.corpus_ops.Items) instead of every
    document's data before it starts."""

    def __init__(self, results: Iterable[DocumentResult], rule_id: str) -> None:
        self._rule_id = rule_id
        self._parts = {r.path: r.collected for r in results if rule_id in r.collected}

    def __getitem__(self, path: str) -> Any:
        return self._parts[path][self._rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)


def finish_corpus(ruleset: RuleSet, results: list[DocumentResult],
                  focus: set[str] | None = None) -> list[Finding]:
    """Run the corpus-wide checks over what every document collected."""
    findings: list[Finding] = []
    for rule in ruleset.corpus_rules():
        check = rule.check
        assert isinstance(check, CorpusCheckType)
        collected = CollectedOf(results, rule.id)
        occurrences: Counter[Any] = Counter()
        findings.extend(findings_from_hits(rule, None, check.finish(collected, rule.options, focus),
                                           "", occurrences))
    return findings


def check_example(rule: Rule, example: Any) -> list[Hit]:
    """Run one rule on one of its ``tests`` examples (a text, ``{hex: ...}`` bytes, or a list of
    documents for corpus-wide rules); a dict example may name ``options`` of its own (a rule
    whose behaviour depends on the project's configuration, such as SCR004 on
    ``script: traditional-tw``)."""
    from validators.load import decode

    rule = with_example_options(rule, example)
    texts = example["documents"] if isinstance(example, dict) and "documents" in example else [example]
    docs = []
    for i, item in enumerate(texts):
        path = f"example-{i}.txt"
        if isinstance(item, dict) and "too_large" in item:
            from validators.load import too_large

            docs.append(too_large(path, None, int(item["too_large"]), int(item["too_large"]) - 1))
            continue
        if isinstance(item, dict) and "unreadable" in item:
            from validators.load import load

            docs.append(load(path, "/nonexistent/corpus-validators-example/" + path))
            continue
        if isinstance(item, dict) and "hex" in item:
            data = bytes.fromhex(str(item["hex"]))
        elif isinstance(item, dict) and "text" in item:
            data = str(item["text"]).encode("utf-8")
            path = str(item.get("path", path))
        elif isinstance(item, str):
            data = item.encode("utf-8")
        else:
            raise ConfigError(f"rule {rule.id}: a test example must be a string, {{text: …}}, "
                              f"{{hex: …}} or {{documents: […]}}", rule.source, rule.line)
        docs.append(decode(path, data))
    check = rule.check
    if isinstance(check, CorpusCheckType):
        collected = {d.path: check.collect(d, rule.options) for d in docs
                     if check.runs_on(d)}
        return list(check.finish(collected, rule.options))
    return [hit for doc in docs for hit in run_rule(rule, doc)]


def with_example_options(rule: Rule, example: Any) -> Rule:
    """``rule`` with the ``options`` an example names laid over its own, each checked and
    converted like a configured option."""
    if not (isinstance(example, dict) and "options" in example):
        return rule
    from pathlib import Path

    from validators.rules import convert_option, with_options

    given = example["options"]
    if not isinstance(given, dict):
        raise ConfigError(f"rule {rule.id}: an example's options must be a mapping", rule.source, rule.line)
    specs = rule.check.option_specs()
    values = {}
    for name, value in given.items():
        spec = specs.get(name)
        if spec is None:
            raise ConfigError(f"rule {rule.id}: example option {name!r} is not an option of "
                              f"{rule.check.name!r}", rule.source, rule.line)
        values[name] = convert_option(name, spec, value, Path(rule.source).parent,
                                      (rule.source, rule.line))
    return replace(rule, options=with_options(rule, values, (rule.source, rule.line)))


def example_failures(rule: Rule) -> list[str]:
    """Why a rule's own examples do not behave: each pass example must give no hit, each fail
    example at least one (at the ``line``/``column`` it names, when it names them)."""
    problems = []
    if not rule.tests["fail"]:
        problems.append(f"{rule.id} has no fail example")
    if not rule.tests["pass"]:
        problems.append(f"{rule.id} has no pass example")
    for kind in ("pass", "fail"):
        for example in rule.tests[kind]:
            hits = check_example(rule, example)
            for hit in hits:  # every message must format with what the check type provides
                rule.format_message(hit)
            if kind == "pass" and hits:
                problems.append(f"{rule.id}: pass example {example!r} gives "
                                f"{rule.format_message(hits[0])!r} at {hits[0].line}:{hits[0].column}")
            if kind == "fail" and not hits:
                problems.append(f"{rule.id}: fail example {example!r} gives no finding")
            if kind == "fail" and hits and isinstance(example, dict) and "line" in example:
                want = (int(example["line"]), int(example.get("column", hits[0].column)))
                if (hits[0].line, hits[0].column) != want:
                    problems.append(f"{rule.id}: fail example {example!r} reported at "
                                    f"{hits[0].line}:{hits[0].column}, expected {want[0]}:{want[1]}")
    return problems
