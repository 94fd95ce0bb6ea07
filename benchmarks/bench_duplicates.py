"""Benchmark the duplicate stage (DUP001 + DUP002) against a straightforward datasketch loop.

    python benchmarks/bench_duplicates.py [--docs 2000] [--pairs 100] [--seed 4]

A generated corpus of ``--docs`` distinct documents built from the real sentences of the bundled
sample corpus (clauses recombined, so documents share words but not passages), plus ``--pairs``
known copies of each kind, each of a different original:

- exact: the same bytes;
- edited: 8% of the lines removed, a few characters changed, another headline;
- truncated: the first 50-80% of the lines;
- script: converted to Traditional with OpenCC (s2t) and re-wrapped with half-width punctuation.

and ``--pairs`` hard negatives: documents that quote 30-40% of another document's lines among
their own (not duplicates: a precision trap for LSH without verification).

Measured in one run, printed side by side and as ratios:
- this stage: the ``duplicate_documents`` and ``near_duplicates`` check types with the rule options
  of rules/duplicates.yaml (collect per document, then finish over the corpus);
- the naive loop a user writes from the datasketch README: ``MinHash()`` (128 permutations, SHA-1)
  updated shingle by shingle, ``MinHashLSH(threshold=0.5)`` with its default band choice, every
  query result taken as a duplicate, once with whitespace-separated word shingles and once with
  character 5-grams of the raw text.

Recall: the known (original, copy) pairs that end up in one reported group. Precision: reported
pairs whose two documents are of one family (an original and its copy). Time: wall-clock seconds
of the stage in this process (imports excluded: both sides import before timing), and its CPU
seconds (the ratio printed uses CPU seconds: on a shared machine wall-clock time also measures the
neighbours).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from validators.checks import CorpusCheckType  # noqa: E402
from validators.checks import _dedup as dedup  # noqa: E402
from validators.load import decode  # noqa: E402
from validators.rules import load_rule_file  # noqa: E402

KINDS = ("exact", "edited", "truncated", "script")
HEADLINES = ("【转载】", "重磅：", "深度｜", "独家：")


def clauses_of_sample() -> list[str]:
    """Real clauses (split at ，；。！？) of the sample corpus, tags removed."""
    out: list[str] = []
    for path in sorted((REPO / "sample-corpus").glob("*.txt")):
        text = dedup.strip_tags(path.read_text("utf-8"))
        for line in text.split("\n"):
            out.extend(c.strip() for c in re.split(r"(?<=[，；。！？,;!?])", line)
                       if len(c.strip()) >= 6)
    return out


def make_document(rng: random.Random, clauses: list[str]) -> str:
    lines = []
    for _ in range(rng.randint(8, 16)):
        line = "".join(rng.choice(clauses) for _ in range(rng.randint(3, 6)))
        lines.append(line.rstrip("，,；;") + "。")
    return "\n".join(lines) + "\n"


def make_copy(kind: str, text: str, rng: random.Random, s2t: Any) -> str:
    lines = text.rstrip("\n").split("\n")
    if kind == "exact":
        return text
    if kind == "edited":
        drop = set(rng.sample(range(len(lines)), max(1, round(0.08 * len(lines)))))
        kept = [line for i, line in enumerate(lines) if i not in drop]
        edited = []
        for line in kept:
            chars = list(line)
            for _ in range(2):
                chars[rng.randrange(len(chars))] = rng.choice("的了是在有和")
            edited.append("".join(chars))
        return rng.choice(HEADLINES) + edited[0][:16] + "\n" + "\n".join(edited) + "\n"
    if kind == "truncated":
        keep = max(2, int(len(lines) * rng.uniform(0.5, 0.8)))
        return "\n".join(lines[:keep]) + "\n"
    if kind == "script":
        flat = s2t.convert("".join(lines)).replace("，", ", ").replace("。", ". ")
        return "\n".join(flat[i:i + 38] for i in range(0, len(flat), 38)) + "\n"
    raise ValueError(kind)


def build(n_docs: int, n_pairs: int, seed: int) -> tuple[dict[str, str], dict[str, str]]:
    rng = random.Random(seed)
    clauses = clauses_of_sample()
    s2t = dedup._opencc("s2t")
    docs = {f"doc/{i:05d}.txt": make_document(rng, clauses) for i in range(n_docs)}
    originals = rng.sample(sorted(docs), len(KINDS) * n_pairs)
    family: dict[str, str] = {p: p for p in docs}
    for i, source in enumerate(rng.sample(sorted(docs), n_pairs)):
        lines = docs[source].rstrip("\n").split("\n")
        quoted = rng.sample(lines, max(1, int(len(lines) * rng.uniform(0.3, 0.4))))
        own = make_document(rng, clauses).rstrip("\n").split("\n")
        mixed = own + quoted
        rng.shuffle(mixed)
        docs[f"quotes/{i:05d}.txt"] = "\n".join(mixed) + "\n"
        family[f"quotes/{i:05d}.txt"] = f"quotes/{i:05d}.txt"
    for k, kind in enumerate(KINDS):
        for original in originals[k * n_pairs:(k + 1) * n_pairs]:
            copy = f"{kind}/{original.split('/')[1]}"
            docs[copy] = make_copy(kind, docs[original], rng, s2t)
            family[copy] = original
    return docs, family


def score(groups: list[list[str]], family: dict[str, str]) -> dict[str, Any]:
    group_of = {p: i for i, g in enumerate(groups) for p in g}
    recall = {}
    for kind in KINDS:
        copies = [p for p in family if p.startswith(kind + "/")]
        found = sum(1 for c in copies
                    if c in group_of and group_of[c] == group_of.get(family[c], -1))
        recall[kind] = found / len(copies)
    pairs = [(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1:]]
    good = sum(1 for a, b in pairs if family[a] == family[b])
    return {"recall": recall, "all": sum(recall.values()) / len(KINDS),
            "precision": good / len(pairs) if pairs else 1.0, "pairs": len(pairs)}


def run_stage(docs: dict[str, str]) -> tuple[list[list[str]], tuple[float, float]]:
    rules = {r.id: r for r in load_rule_file(REPO / "rules" / "duplicates.yaml")}
    exact, near = rules["DUP001"], rules["DUP002"]
    assert isinstance(exact.check, CorpusCheckType) and isinstance(near.check, CorpusCheckType)
    start = time.perf_counter(), time.process_time()
    collected_exact, collected_near = {}, {}
    for path, text in docs.items():
        doc = decode(path, text.encode("utf-8"))
        collected_exact[path] = exact.check.collect(doc, exact.options)
        collected_near[path] = near.check.collect(doc, near.options)
    pairs: list[tuple[str, str]] = []
    for rule, collected in ((exact, collected_exact), (near, collected_near)):
        assert isinstance(rule.check, CorpusCheckType)
        for hit in rule.check.finish(collected, rule.options):
            group = getattr(hit, "group", None)  # (code before issue 14: every mate in related)
            pairs.extend((hit.path or "", p) for p in (group.members if group is not None
                                                       else [r.path for r in hit.related]))
    groups = dedup.groups_of(pairs)
    return groups, (time.perf_counter() - start[0], time.process_time() - start[1])


def run_naive(docs: dict[str, str], shingles: Callable[[str], set[str]]) -> tuple[
        list[list[str]], tuple[float, float]]:
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    minhashes = {}
    for path, text in docs.items():
        m = MinHash(num_perm=128)
        for s in shingles(text):
            m.update(s.encode("utf-8"))
        lsh.insert(path, m)
        minhashes[path] = m
    pairs = [(path, other) for path, m in minhashes.items() for other in lsh.query(m)
             if other != path]
    groups = dedup.groups_of(pairs)
    return groups, (time.perf_counter() - start[0], time.process_time() - start[1])


def words(text: str) -> set[str]:
    return set(text.split())


def char5(text: str) -> set[str]:
    return {text[i:i + 5] for i in range(max(len(text) - 4, 1))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=100, help="copies of each kind")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    docs, family = build(args.docs, args.pairs, args.seed)
    import datasketch  # noqa: F401  (imports outside the timings, for both sides)
    import opencc  # noqa: F401
    import xxhash  # noqa: F401

    chars = sum(len(t) for t in docs.values())
    print(f"corpus: {len(docs)} documents ({args.docs} distinct, {args.pairs} quoting 30-40% of "
          f"another, {args.pairs} copies of each of {', '.join(KINDS)}), "
          f"{chars / 1e6:.2f} M characters, seed {args.seed}")
    results = {}
    for name, runner in (("this stage", lambda: run_stage(docs)),
                         ("naive words", lambda: run_naive(docs, words)),
                         ("naive char5", lambda: run_naive(docs, char5))):
        groups, seconds = runner()
        results[name] = (score(groups, family), seconds)
    header = f"{'':14}" + "".join(f"{k:>10}" for k in KINDS) + \
        f"{'recall':>9}{'precision':>11}{'pairs':>8}{'cpu s':>8}{'wall s':>8}"
    print(header)
    for name, (s, (wall, cpu)) in results.items():
        print(f"{name:14}" + "".join(f"{s['recall'][k]:>10.2f}" for k in KINDS)
              + f"{s['all']:>9.2f}{s['precision']:>11.3f}{s['pairs']:>8}{cpu:>8.2f}{wall:>8.2f}")
    ours, (_, our_time) = results["this stage"]
    for name in ("naive words", "naive char5"):
        theirs, (_, their_time) = results[name]
        print(f"this stage / {name}: recall x{ratio(ours['all'], theirs['all'])}, precision "
              f"x{ratio(ours['precision'], theirs['precision'])}, CPU time "
              f"x{ratio(our_time, their_time)}")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "inf"


if __name__ == "__main__":
    main()
