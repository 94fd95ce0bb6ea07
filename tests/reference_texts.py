"""Shared helpers of the encoding/script/punctuation tests: run the default rules in-process on
bytes, and the real fixture documents of tests/data/reference-texts (see its SOURCE.md)."""

from __future__ import annotations

from pathlib import Path

from validators.config import Config, build_ruleset
from validators.engine import check_document, finish_corpus
from validators.findings import Finding
from validators.load import decode
from validators.rules import RuleSet

DATA = Path(__file__).resolve().parent / "data" / "reference-texts"
CLEAN = DATA / "clean"
LEGACY = DATA / "legacy"
# The clean documents by role (genre and script), so that tests name a role, not a file.
NEWS = "zh_news_voa.txt"  # Simplified news (Voice of America, public domain)
TALK = "zh_talk_voa.txt"  # Simplified transcribed talk: an interview (Voice of America)
WIKI = "zh_wiki_economics.txt"  # Simplified encyclopaedia text with Taiwan usage (CC BY-SA)
TW_TALK = "zh_tw_talk_ly.txt"  # Taiwan Traditional transcribed talk (Legislative Yuan record)
SIMPLIFIED = [NEWS, TALK, WIKI]
TRADITIONAL = [TW_TALK]
# legacy/: the same documents in a legacy encoding, with the name ENC001 gives the encoding
LEGACY_COPIES = {"zh_news_voa.gbk.txt": (NEWS, "GB18030/GBK"),
                 "zh_talk_voa.gb18030.txt": (TALK, "GB18030/GBK"),
                 "zh_tw_talk_ly.big5.txt": (TW_TALK, "Big5")}
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
