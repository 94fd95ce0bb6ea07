"""One validation run: discover → load → per-document checks → corpus-wide checks → result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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

    def summary(self) -> dict[str, Any]:
        by_severity = Counter(f.severity for f in self.findings)
        stats = [d.stats for d in self.documents]
        return {
            "documents": len(self.documents),
            "bytes": sum(s.get("bytes", 0) for s in stats),
            "characters": sum(s.get("chars", 0) for s in stats),
            "spans": sum(s.get("spans", 0) for s in stats),
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
              progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Check ``files``. With ``focus``, per-document findings are kept only for those paths and
    corpus-wide checks report only groups that contain one of them."""
    results: list[DocumentResult] = []
    for i, corpus_file in enumerate(files):
        doc = load(corpus_file.path, corpus_file.fs_path)
        result = check_document(doc, ruleset)
        if focus is not None and corpus_file.path not in focus:
            result.findings = []
        results.append(result)
        if progress:
            progress(i + 1, len(files))
    findings = [f for r in results for f in r.findings]
    findings.extend(finish_corpus(ruleset, results, focus))
    findings.sort(key=Finding.sort_key)
    return RunResult(findings, results, ruleset)


def files_for(config: Config, paths: list[str]) -> list[CorpusFile]:
    return discover(paths or config.corpus_paths(), config.include, config.exclude)
