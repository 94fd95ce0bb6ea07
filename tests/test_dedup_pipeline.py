"""Duplicate groups through a whole run (issue 14): each group listed once in the JSON summary
(``duplicate_groups``) while its findings name a few mates, and a re-run over an unchanged corpus
served from the cache without any duplicate verification, with and without a focus."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE

from validators.cache import ResultCache
from validators.checks import _dedup as dedup
from validators.discover import discover
from validators.reporters import get_reporter
from validators.rules import RuleSet, load_rule_file
from validators.run import run_check

REPO = Path(__file__).resolve().parent.parent


def dup_rules() -> RuleSet:
    return RuleSet({r.id: r for r in load_rule_file(REPO / "rules" / "duplicates.yaml")})


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Nine line-shuffled copies of one text (DUP002), an exact copy of one (DUP001), and two
    unrelated texts."""
    lines = [line for f in sorted(SAMPLE.glob("*.txt")) for line in
             f.read_text(encoding="utf-8").splitlines() if len(line) >= 30]
    rng = random.Random(14)
    text = rng.sample(lines, 7)
    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(9):
        rng.shuffle(text)
        (root / f"copy-{i}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    (root / "exact.txt").write_bytes((root / "copy-4.txt").read_bytes())
    for i in range(2):
        (root / f"other-{i}.txt").write_text("\n".join(rng.sample(lines, 5)) + "\n", encoding="utf-8")
    return root


def report(result: Any) -> dict[str, Any]:
    stream = io.StringIO()
    get_reporter("json")(result, stream)
    return json.loads(stream.getvalue())


def test_the_summary_lists_each_duplicate_group_once(corpus: Path) -> None:
    files = discover([str(corpus)])
    out = report(run_check(files, dup_rules()))
    members = sorted(f.path for f in files if "other" not in f.path)
    groups = out["summary"]["duplicate_groups"]
    assert [(g["rule"], g["size"]) for g in groups] == [("DUP001", 2), ("DUP002", 10)]
    exact, near = groups
    assert exact["members"] == sorted(p for p in members if p.endswith(("copy-4.txt", "exact.txt")))
    assert exact["closest"] is None
    assert near["members"] == members
    findings = {f["path"]: f for f in out["findings"] if f["rule"] == "DUP002"}
    assert sorted(findings) == members
    for member, closest in zip(near["members"], near["closest"], strict=True):
        finding = findings[member]
        assert finding["message"].endswith(f"({closest['measure']} {closest['similarity']} with "
                                           f"{closest['path']})")
        assert len(finding["related"]) == 5
        assert closest["path"] in [r["path"] for r in finding["related"]]


def test_a_run_without_duplicates_keeps_its_summary_keys() -> None:
    out = report(run_check(discover([str(SAMPLE)]), dup_rules()))
    assert "duplicate_groups" not in out["summary"]


@pytest.mark.parametrize("focus", [None, {"copy-2.txt", "other-1.txt"}])
def test_a_warm_rerun_does_no_duplicate_verification(corpus: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     focus: set[str] | None) -> None:
    files = discover([str(corpus)])
    focus = None if focus is None else {f.path for f in files if f.path.endswith(tuple(focus))}
    rules = dup_rules()

    def cache() -> ResultCache:
        return ResultCache(tmp_path / "cache", "f" * 32, secret=b"k" * 32)

    cold = report(run_check(files, rules, focus=focus, cache=cache()))
    assert cold["summary"]["by_rule"]["DUP002"] >= 1

    def no_verification(*args: object) -> object:
        raise AssertionError("duplicates verified on a warm run")

    monkeypatch.setattr(dedup, "component_matches", no_verification)
    warm_cache = cache()
    warm = report(run_check(files, rules, focus=focus, cache=warm_cache))
    assert warm == cold and warm_cache.corpus_hits == 1
    assert warm_cache.hits == len(files)
