"""The executors against each other, in one run: `--executor local` with 1 and 2 jobs and
`--executor dask` with 1 and 2 workers (a LocalCluster started by the command itself), on the
same generated corpus, with the same findings required of all.

Prints, per configuration, the median wall time over ``--repeat`` runs, MB/s and the ratio to
`local --jobs 1`; the cluster's start-up and shutdown (a LocalCluster timed on its own); the
scheduler's overhead per file; the near-duplicate costs measured on this corpus (band keys per
document, candidate pairs and exact verification per pair); and from those, an estimate of the
wall time of a 100 GB corpus on 32 workers, with its formula.

    python benchmarks/bench_executors.py --size-mb 20 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from generate_corpus import generate  # noqa: E402

CONFIGS = [("local", 1), ("local", 2), ("dask", 1), ("dask", 2)]


def timed_check(corpus: Path, executor: str, jobs: int, cwd: Path) -> tuple[float, bytes]:
    cmd = [sys.executable, "-m", "validators", "check", str(corpus), "--format", "json",
           "--no-cache", "--executor", executor, "--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return wall, proc.stdout


def cluster_overhead(workers: int) -> tuple[float, float]:
    """Seconds to start a LocalCluster of ``workers`` processes and a client, and to close both."""
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    client.wait_for_workers(workers)
    started = time.perf_counter() - start
    start = time.perf_counter()
    client.close()
    cluster.close()
    return started, time.perf_counter() - start


def near_duplicate_costs(corpus: Path) -> dict[str, float]:
    """Per document: band keys; per candidate pair: exact verification; and the candidate rate."""
    from validators.checks._dedup import band_keys, bucket_pairs, choose_bands, jaccard
    from validators.config import build_ruleset, load_config
    from validators.discover import discover
    from validators.load import load

    ruleset = build_ruleset(load_config(None))
    rule = ruleset.rules["DUP002"]
    check = rule.check
    items = {}
    for f in discover([str(corpus)]):
        item = check.collect(load(f.path, f.fs_path), rule.options)
        if item:
            items[f.path] = item
    num_perm = rule.options.num_perm
    bands, rows = choose_bands(check.lsh_threshold(rule.options), num_perm)
    start = time.perf_counter()
    keys = {path: band_keys(item["sig"], num_perm, bands, rows) for path, item in items.items()}
    per_doc_keys = (time.perf_counter() - start) / max(len(keys), 1)
    buckets: dict[Any, list[str]] = {}
    for path, ks in keys.items():
        for key in ks:
            buckets.setdefault(key, []).append(path)
    pairs = {pair for members in buckets.values() for pair in bucket_pairs(sorted(members))}
    import numpy as np

    grams = {p: np.frombuffer(i["ngrams"], dtype=np.uint32) for p, i in items.items()}
    start = time.perf_counter()
    for a, b in pairs:
        jaccard(grams[a], grams[b])
    per_pair = (time.perf_counter() - start) / max(len(pairs), 1)
    n = len(items)
    return {"documents": n, "band_keys_seconds_per_document": per_doc_keys,
            "candidate_pairs": len(pairs), "candidate_rate": len(pairs) / max(n * (n - 1) / 2, 1),
            "verification_seconds_per_pair": per_pair}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write every number here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cv-bench-exec-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        manifest = generate(corpus, args.size_mb, args.seed)
        files, size = int(manifest["files"]), int(manifest["bytes"])
        walls: dict[str, list[float]] = {}
        outputs: dict[str, bytes] = {}
        for _ in range(args.repeat):  # interleaved, so drift of the machine hits every config
            for executor, jobs in CONFIGS:
                name = f"{executor} x{jobs}"
                wall, out = timed_check(corpus, executor, jobs, work)
                walls.setdefault(name, []).append(wall)
                outputs[name] = out
        findings = {name: json.dumps(json.loads(out)["findings"], sort_keys=True) for name, out in outputs.items()}
        same = len(set(findings.values())) == 1
        start1, stop1 = cluster_overhead(1)
        start2, stop2 = cluster_overhead(2)
        costs = near_duplicate_costs(corpus)
    med = {name: statistics.median(ws) for name, ws in walls.items()}
    base = med["local x1"]
    overhead_per_file = (med["dask x1"] - start1 - stop1 - base) / files
    # per-document CPU of the local single process, per MB, for the estimate
    per_mb = base / (size / 1e6)
    corpus_mb, workers = 100_000, 32
    docs = corpus_mb * 1e6 / (size / files)
    per_doc_stage = per_mb * corpus_mb / workers
    band_stage = docs * costs["band_keys_seconds_per_document"] / workers
    pairs = costs["candidate_rate"] * docs * (docs - 1) / 2
    verify = pairs * costs["verification_seconds_per_pair"] / workers
    low_rate_verify = 1e-6 * docs * (docs - 1) / 2 * costs["verification_seconds_per_pair"] / workers
    result = {"files": files, "bytes": size, "repeat": args.repeat, "walls": walls, "medians": med,
              "same_findings": same, "cluster_start_stop": {"1": [start1, stop1], "2": [start2, stop2]},
              "scheduler_overhead_seconds_per_file": overhead_per_file, "near_duplicates": costs,
              "estimate_100gb_32_workers_seconds": {"per_document": per_doc_stage, "bands": band_stage,
                                                    "verification_at_measured_rate": verify,
                                                    "verification_at_rate_1e-6": low_rate_verify}}
    lines = [f"corpus: {files} files, {size / 1e6:.1f} MB (generated, seed {args.seed}); "
             f"{os.cpu_count()} CPUs, Python {platform.python_version()}; median of {args.repeat}",
             "", f"{'executor':<12}{'median wall':>12}{'MB/s':>8}{'vs local x1':>13}"]
    for name in walls:
        lines.append(f"{name:<12}{med[name]:>11.2f}s{size / 1e6 / med[name]:>8.2f}{med[name] / base:>12.2f}x")
    lines += [f"same findings on every executor: {same}",
              f"LocalCluster start/stop: 1 worker {start1:.2f}/{stop1:.2f} s, 2 workers {start2:.2f}/{stop2:.2f} s",
              f"scheduler overhead per file (dask x1 - cluster start/stop - local x1) / files: "
              f"{overhead_per_file * 1000:.2f} ms",
              f"near duplicates: {costs['documents']} documents, band keys "
              f"{costs['band_keys_seconds_per_document'] * 1e6:.1f} µs/document, "
              f"{costs['candidate_pairs']} candidate pairs (rate r = {costs['candidate_rate']:.2e} of all pairs), "
              f"verification {costs['verification_seconds_per_pair'] * 1e3:.3f} ms/pair",
              "", f"estimate, 100 GB on 32 workers ({docs / 1e6:.2f} M documents of this corpus's mean size):",
              f"  per-document stage = {per_mb:.3f} s/MB x 100 000 MB / 32 = {per_doc_stage / 60:.0f} min",
              f"  band keys = documents x {costs['band_keys_seconds_per_document'] * 1e6:.1f} µs / 32 = "
              f"{band_stage / 60:.1f} min (plus the shuffle of the keys)",
              f"  verification = r x N²/2 x {costs['verification_seconds_per_pair'] * 1e3:.3f} ms / 32 = "
              f"{verify / 3600:.0f} h at the measured r; {low_rate_verify / 60:.1f} min at r = 1e-6"]
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
