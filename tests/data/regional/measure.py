#!/usr/bin/env python3
"""SCR findings on real Simplified text converted with OpenCC's regional configurations, on
OpenCC's own regional test data and on real Taiwan and Hong Kong text (issue 18).

    python tests/data/regional/measure.py                   # this checkout
    PYTHONPATH=/tmp/old python tests/data/regional/measure.py   # another copy of the package

Prints one line per (texts, corpus `script:`) with the number of SCR findings per rule. A policy
the package does not know (traditional-tw before issue 18) is reported as such.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

import opencc

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent.parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))

from reference_texts import check_bytes  # noqa: E402

from validators.config import build_ruleset, load_config  # noqa: E402
from validators.errors import ConfigError  # noqa: E402
from validators.load import decode  # noqa: E402
from validators.rules import RuleSet  # noqa: E402
from validators.script_sets import document_script  # noqa: E402

CONVERSIONS = ("s2t", "s2tw", "s2twp", "s2hk")
POLICIES = ("traditional", "traditional-tw", "traditional-hk")
RECALL_POLICIES = ("simplified", "traditional", "traditional-tw", "traditional-hk")


def simplified_documents() -> dict[str, str]:
    """The real Simplified documents: this folder's Lu Xun essays, the Lu Xun speeches of
    tests/data/luxun-essays, the sample corpus's Simplified documents and tests/data/real (if there)."""
    folders = [HERE / "simplified", TESTS / "data" / "luxun-essays" / "raw", REPO / "sample-corpus",
               *(TESTS / "data" / "real" / genre for genre in ("news", "talks", "encyclopedia"))]
    docs = {}
    for folder in folders:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            if document_script(decode(path.name, text.encode())) == "simplified":
                docs[path.relative_to(REPO).as_posix()] = text
    return docs


def opencc_cases() -> dict[str, dict[str, str]]:
    """OpenCC's regional test data by standard ({"tw": {name: text}, "hk": {...}}), one document
    per line of opencc_regional_testcases.tsv."""
    cases: dict[str, dict[str, str]] = {"tw": {}, "hk": {}}
    for number, line in enumerate((HERE / "opencc_regional_testcases.tsv").read_text("utf-8").splitlines()):
        if line and not line.startswith("#"):
            standard, source, text = line.split("\t")
            cases[standard][f"{number:02d} {source}"] = text + "\n"
    return cases


def real_regional_documents() -> dict[str, dict[str, str]]:
    """Real Taiwan and Hong Kong documents: this folder's, and tests/data/real/traditional-* (if there)."""
    found: dict[str, dict[str, str]] = {}
    for region, folders in (("tw", [HERE / "taiwan", TESTS / "data" / "real" / "traditional-tw"]),
                            ("hk", [HERE / "hongkong", TESTS / "data" / "real" / "traditional-hk"])):
        found[region] = {p.relative_to(REPO).as_posix(): p.read_text("utf-8")
                         for folder in folders for p in sorted(folder.glob("*.txt"))}
    return found


def ruleset_for(policy: str) -> RuleSet | None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "corpus-validate.yaml"
        config.write_text(f"script: {policy}\n", encoding="utf-8")
        try:
            return build_ruleset(load_config(config))
        except ConfigError:
            return None


def scr_findings(docs: dict[str, str], ruleset: RuleSet) -> Counter[str]:
    return Counter(f.rule for f in check_bytes({p: t.encode() for p, t in docs.items()}, ruleset)
                   if f.category == "SCR")


def main() -> None:
    rulesets = {policy: ruleset_for(policy) for policy in POLICIES}
    simplified = simplified_documents()
    rows: list[tuple[str, str, int, str]] = []
    for config in CONVERSIONS:
        converter = opencc.OpenCC(config)
        converted = {path: converter.convert(text) for path, text in simplified.items()}
        for policy, ruleset in rulesets.items():
            rows.append((f"real Simplified, {config}", policy, len(converted),
                         _counts(converted, ruleset)))
    for standard, cases in opencc_cases().items():
        for policy, ruleset in rulesets.items():
            rows.append((f"OpenCC test data, {standard}", policy, len(cases), _counts(cases, ruleset)))
    for region, docs in real_regional_documents().items():
        for policy, ruleset in rulesets.items():
            rows.append((f"real {'Taiwan' if region == 'tw' else 'Hong Kong'} text", policy, len(docs),
                         _counts(docs, ruleset)))
    print(f"{'texts':<28} {'script:':<15} {'docs':>4}  SCR findings")
    for texts, policy, count, found in rows:
        print(f"{texts:<28} {policy:<15} {count:>4}  {found}")
    print("\nSCR001 recall: documents of the other script reported / documents")
    rulesets.update((p, ruleset_for(p)) for p in RECALL_POLICIES if p not in rulesets)
    for config in ("none", *CONVERSIONS):
        converter = opencc.OpenCC(config) if config != "none" else None
        docs = {p: converter.convert(t) if converter else t for p, t in simplified.items()}
        expected = ("traditional", "traditional-tw", "traditional-hk") if config == "none" else ("simplified",)
        for policy in expected:
            ruleset = rulesets[policy]
            if ruleset is None:
                print(f"  Simplified{'' if config == 'none' else ' via ' + config:<16} script: {policy:<15} "
                      "(policy unknown to this version)")
                continue
            found = {f.path for f in check_bytes({p: t.encode() for p, t in docs.items()}, ruleset)
                     if f.rule == "SCR001"}
            label = "Simplified" if config == "none" else f"{config} of them"
            print(f"  {label:<26} script: {policy:<15} {len(found)}/{len(docs)}")


def _counts(docs: dict[str, str], ruleset: RuleSet | None) -> str:
    if ruleset is None:
        return "(policy unknown to this version)"
    counts = scr_findings(docs, ruleset)
    return f"{sum(counts.values())} " + (str(dict(sorted(counts.items()))) if counts else "")


if __name__ == "__main__":
    main()
