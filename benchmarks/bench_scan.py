"""Benchmark the character-level rules: the code before the fused character scan against this tree,
on the same documents, in one run.

    python benchmarks/bench_scan.py [--size-mb 20] [--rounds 3] [--old REV_OR_PATH]

``--old`` is a git revision (exported with ``git archive`` into the work folder) or a folder
holding an old tree; the default is the commit before the one that added validators/char_scan.py
(HEAD while that file is not committed yet). Each tree runs in its own process with
``PYTHONPATH`` set to it, on the generated corpus of benchmarks/generate_corpus.py: every document
is decoded and parsed (not timed), then each rule of the character-level check types runs on
every document, timed in CPU seconds of that process; numpy is loaded first, as a corpus run has
it (validators.facts.scan_pays), and imports and tables are made before timing. The trees take
turns, ``--rounds`` times, and each rule's best round counts, so that a busy machine slows both
alike. The hits of each rule
are compared between the trees (a digest of every hit's position, fields and evidence): the
benchmark fails if they differ. The floor of run_benchmarks.py (read, strict decode, tag regex, in
one process) is measured in the same run, as the scale for the totals.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from run_benchmarks import FLOOR, corpus_for, timed  # noqa: E402

# The check types whose per-line loops the scan replaces, and the generic ones it serves.
CHECK_TYPES = ("byte_order_mark", "replacement_characters", "control_characters", "invisible_characters",
               "private_use_characters", "line_endings", "mojibake", "punctuation_width", "fullwidth_alphanumerics",
               "masked_chars",
               "paired_punctuation",
               "pattern", "count", "span_boundary")

WORKER = r"""
import hashlib, json, sys, time
from pathlib import Path
import numpy  # noqa: F401 - loaded, as in a corpus run (the duplicate rules load it)
from validators.engine import run_rule
from validators.load import decode
from validators.resources import default_rule_files
from validators.rules import load_rule_files

corpus, types = Path(sys.argv[1]), sys.argv[2].split(",")
rules = [r for r in load_rule_files(default_rule_files()).document_rules() if r.check.name in types]
paths = sorted(corpus.rglob("*.txt"))
datas = [(str(p.relative_to(corpus)), p.read_bytes()) for p in paths]
docs = []
for path, data in datas:
    doc = decode(path, data)
    if doc.readable:
        doc.markup, doc.lines  # the one parse, shared by every rule: not timed
    docs.append(doc)
warm = decode("warm.txt", "预热，<cand>但</cand>是。\n".encode() * 400)
for rule in rules:  # imports and tables built once per process: not timed either
    run_rule(rule, warm)
seconds, digests = {}, {}
for rule in rules:
    digest = hashlib.sha256()
    start = time.process_time()
    for doc in docs:
        for h in run_rule(rule, doc):
            digest.update(repr((doc.path, h.line, h.column, h.end_line, h.end_column,
                                sorted(h.fields.items()), h.evidence, h.unlisted)).encode())
    seconds[rule.id] = time.process_time() - start
    digests[rule.id] = (rule.check.name, digest.hexdigest())
print(json.dumps({"seconds": seconds, "digests": digests,
                  "chars": sum(len(d.text or "") for d in docs), "documents": len(docs)}))
"""


def old_tree(spec: str, work: Path) -> tuple[Path, str]:
    """(folder, label) of the old code: a folder as given, or a git revision exported once."""
    if Path(spec).is_dir():
        return Path(spec).resolve(), spec
    rev = subprocess.run(["git", "rev-parse", "--short", spec], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.strip()
    target = work / f"old-{rev}"
    if not (target / "validators").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev, "validators", "rules"], cwd=REPO,
                                 capture_output=True, check=True).stdout
        with tempfile.TemporaryFile() as handle:
            handle.write(archive)
            handle.seek(0)
            with tarfile.open(fileobj=handle) as tar:
                tar.extractall(target, filter="data")
    return target, f"git {rev}"


def default_old() -> str:
    """The commit before the one that added the scan; HEAD while it is not committed."""
    added = subprocess.run(["git", "log", "-1", "--format=%H", "--diff-filter=A", "--",
                            "validators/char_scan.py"], cwd=REPO, capture_output=True,
                           text=True).stdout.strip()
    return f"{added}^" if added else "HEAD"


def run_worker(tree: Path, corpus: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, "-c", WORKER, str(corpus), ",".join(CHECK_TYPES)],
                          capture_output=True, text=True, env=env, cwd=tree)
    if proc.returncode:
        raise SystemExit(f"the worker on {tree} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def floor_seconds(corpus: Path) -> float:
    """CPU seconds of run_benchmarks.py's floor on the corpus (its own process)."""

    return float(timed([sys.executable, "-c", FLOOR, str(corpus)], cwd=corpus)["cpu"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old", default=None, help="git revision or folder of the old tree")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "corpus-validators-bench-scan")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    old, label = old_tree(args.old or default_old(), work)
    corpus = corpus_for(args, work)[0]
    best: dict[str, dict[str, float]] = {"old": {}, "new": {}}
    digests: dict[str, dict[str, Any]] = {}
    floor = float("inf")
    info: dict[str, Any] = {}
    start = time.perf_counter()
    for _ in range(args.rounds):
        for name, tree in (("old", old), ("new", REPO)):
            result = run_worker(tree, corpus)
            info = result
            digests[name] = result["digests"]
            for rule, seconds in result["seconds"].items():
                best[name][rule] = min(best[name].get(rule, float("inf")), seconds)
        floor = min(floor, floor_seconds(corpus))
    rules = sorted(best["new"], key=lambda r: (digests["new"][r][0], r))
    differ = [r for r in rules if digests["old"].get(r) != digests["new"][r]]
    out = [f"$ python benchmarks/bench_scan.py {' '.join(argv if argv is not None else sys.argv[1:])}",
           f"corpus: {info['documents']} documents, {info['chars'] / 1e6:.1f} M characters ({corpus.name}); "
           f"old: {label}; new: working tree; best of {args.rounds} rounds, CPU seconds; "
           f"{time.perf_counter() - start:.0f} s in all",
           "", f"{'rule':8s} {'check type':20s} {'old s':>8s} {'new s':>8s} {'speed-up':>9s}  same hits"]
    for rule in rules:
        o, n = best["old"].get(rule, float("nan")), best["new"][rule]
        out.append(f"{rule:8s} {digests['new'][rule][0]:20s} {o:8.3f} {n:8.3f} {o / max(n, 1e-9):8.1f}x  "
                   f"{'yes' if rule not in differ else 'NO'}")
    total_old, total_new = sum(best["old"].values()), sum(best["new"].values())
    out += [f"{'all':29s} {total_old:8.3f} {total_new:8.3f} {total_old / total_new:8.1f}x",
            "", f"floor (read + decode + tag regex, one process): {floor:.3f} CPU s; the rules above "
            f"take {total_old / floor:.1f}x the floor before, {total_new / floor:.1f}x after"]
    print("\n".join(out))
    if differ:
        print(f"different hits: {', '.join(differ)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
