"""Shared helpers of the encoding/script/punctuation tests: run the default rules in-process on
bytes, and the real fixture documents of tests/data/issue3 (see its SOURCE.md)."""

from __future__ import annotations

from pathlib import Path

from validators.config import Config, build_ruleset
from validators.engine import check_document, finish_corpus
from validators.findings import Finding
from validators.load import decode
from validators.rules import RuleSet

DATA = Path(__file__).resolve().parent / "data" / "issue3"
CLEAN = DATA / "clean"
LEGACY = DATA / "legacy"
SIMPLIFIED = ["zh_news_nbd.txt", "zh_speech_xinhua.txt", "zh_wiki_economics.txt"]
TRADITIONAL = ["zh_tw_news_cna.txt"]
RULESET = build_ruleset(Config())


def text_of(name: str) -> str:
    return (CLEAN / name).read_text(encoding="utf-8")


def check_bytes(documents: dict[str, bytes], ruleset: RuleSet = RULESET) -> list[Finding]:
    """Every finding of the default rules for in-memory documents, as one corpus."""
    results = [check_document(decode(path, data), ruleset) for path, data in documents.items()]
    findings = [f for r in results for f in r.findings]
    findings.extend(finish_corpus(ruleset, results))
    return sorted(findings, key=Finding.sort_key)


def check_text(text: str | bytes, path: str = "doc.txt") -> list[Finding]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return check_bytes({path: data})


def rules_at(findings: list[Finding], category: str | None = None) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in findings if category is None or f.category == category}
