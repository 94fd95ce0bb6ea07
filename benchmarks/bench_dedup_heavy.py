"""The duplicate stage on a duplicate-heavy corpus against a plain datasketch MinHash + LSH loop,
at several sizes, in one run (issue 14).

    python benchmarks/bench_dedup_heavy.py [--sizes 10 20 50] [--groups 5]

The corpus (benchmarks/duplicate_heavy_corpus.py): ``--groups`` texts, each copied with its lines
shuffled until the corpus has the size asked for (50 MB: 5 groups of about 750 documents), as a
crawl of syndicated articles; every pair of one group is a near duplicate, no two groups share
anything. Its groups grow with the corpus: a cost that grows with the square of a group's size
shows as a growing time per MB.

Measured, in this process, CPU seconds (``time.process_time``: on a shared machine wall-clock
time also measures the neighbours), imports done before any timing:

- this stage: DUP001 and DUP002 with the options of rules/duplicates.yaml, ``collect`` on every
  document (decode, fold, n-grams, MinHash), then ``finish`` (the corpus-wide plan over LocalOps,
  findings made); the corpus-wide part is also shown on its own;
- datasketch: the loop its README shows, ``MinHash(num_perm=128)`` updated with the character
  5-grams of the raw text (``update_batch``), ``MinHashLSH(threshold=0.5)``, every document
  inserted and queried, every query result taken as a duplicate (no verification).

Recall: documents reported in one group with the first document of their own group (its text's
family). Precision: the pairs of reported groups that are of one family. Ratios are printed
against datasketch (time and recall, same documents, same run) and against the smallest size
(CPU seconds per MB: 1.00 is linear).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from duplicate_heavy_corpus import documents, path_of  # noqa: E402

from validators.checks import CorpusCheckType  # noqa: E402
from validators.checks import _dedup as dedup  # noqa: E402
from validators.load import decode  # noqa: E402
from validators.rules import load_rule_file  # noqa: E402


def run_stage(texts: list[str]) -> tuple[list[list[str]], float, float]:
    """Groups reported by DUP001 + DUP002, CPU seconds of the whole stage and of its corpus-wide part."""
    rules = {r.id: r for r in load_rule_file(REPO / "rules" / "duplicates.yaml")}
    chosen = [rules["DUP001"], rules["DUP002"]]
    start = time.process_time()
    collected: dict[str, dict[str, Any]] = {rule.id: {} for rule in chosen}
    for index, text in enumerate(texts):
        doc = decode(path_of(index), text.encode("utf-8"))
        for rule in chosen:
            assert isinstance(rule.check, CorpusCheckType)
            collected[rule.id][doc.path] = rule.check.collect(doc, rule.options)
    corpus_start = time.process_time()
    links: list[tuple[str, str]] = []
    for rule in chosen:
        assert isinstance(rule.check, CorpusCheckType)
        for hit in rule.check.finish(collected[rule.id], rule.options):
            group = getattr(hit, "group", None)  # (code before issue 14: every mate in related)
            members = group.members if group is not None else [r.path for r in hit.related]
            links.extend((hit.path or "", member) for member in members)
    end = time.process_time()
    return dedup.groups_of(links), end - start, end - corpus_start


def run_datasketch(texts: list[str]) -> tuple[list[list[str]], float]:
    from datasketch import MinHash, MinHashLSH

    start = time.process_time()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    minhashes = {}
    for index, text in enumerate(texts):
        m = MinHash(num_perm=128)
        m.update_batch([text[i:i + 5].encode("utf-8") for i in range(max(len(text) - 4, 1))])
        lsh.insert(path_of(index), m)
        minhashes[path_of(index)] = m
    links = [(path, other) for path, m in minhashes.items() for other in lsh.query(m) if other != path]
    groups = dedup.groups_of(links)
    return groups, time.process_time() - start


def score(groups: list[list[str]], family: dict[str, int]) -> tuple[float, float]:
    """(recall, precision): see the module docstring."""
    leader: dict[int, str] = {}
    for path in sorted(family):
        leader.setdefault(family[path], path)
    group_of = {p: i for i, g in enumerate(groups) for p in g}
    found = sum(1 for p, f in family.items() if p in group_of and group_of[p] == group_of.get(leader[f], -1))
    pairs = good = 0
    for g in groups:
        counts = Counter(family[p] for p in g)
        pairs += len(g) * (len(g) - 1) // 2
        good += sum(c * (c - 1) // 2 for c in counts.values())
    return found / len(family), good / pairs if pairs else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[10.0, 20.0, 50.0], help="MB")
    parser.add_argument("--groups", type=int, default=5)
    args = parser.parse_args()
    import datasketch  # noqa: F401  (imports outside the timings, for both sides)
    import numpy  # noqa: F401
    import opencc  # noqa: F401
    import xxhash  # noqa: F401

    print(f"{'MB':>6}{'docs':>7}{'group':>7} | {'stage s':>8}{'corpus s':>9}{'recall':>7}{'prec':>6}"
          f" | {'datasketch s':>13}{'recall':>7}{'prec':>6} | {'stage/ds':>9}{'s/MB':>7}{'vs first':>9}")
    first: float | None = None
    for size in args.sizes:
        texts, order = documents(size, args.groups)
        family = {path_of(i): g for i, g in enumerate(order)}
        megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        groups, stage, corpus = run_stage(texts)
        recall, precision = score(groups, family)
        ds_groups, ds_time = run_datasketch(texts)
        ds_recall, ds_precision = score(ds_groups, family)
        per_mb = stage / megabytes
        first = per_mb if first is None else first
        print(f"{megabytes:6.1f}{len(texts):7d}{len(texts) // args.groups:7d} | {stage:8.2f}{corpus:9.2f}"
              f"{recall:7.3f}{precision:6.3f} | {ds_time:13.2f}{ds_recall:7.3f}{ds_precision:6.3f} | "
              f"{stage / ds_time:9.2f}{per_mb:7.3f}{per_mb / first:9.2f}", flush=True)
    print("stage/ds: CPU time of this stage over the datasketch loop's (below 1: faster); "
          "vs first: CPU seconds per MB over the smallest size's (1.00: linear)")


if __name__ == "__main__":
    main()
