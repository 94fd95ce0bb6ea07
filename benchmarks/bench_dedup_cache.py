"""A re-run over an unchanged duplicate-heavy corpus against the first run, in one run (issue 14).

    python benchmarks/bench_dedup_cache.py [--size-mb 20] [--jobs 2] [--repeat 3]

Builds the corpus of benchmarks/duplicate_heavy_corpus.py (reused when it exists), then runs
``corpus-validate check CORPUS --format json --jobs N`` with the full default rule set as a user
runs it (a subprocess: start-up included): cold (an empty cache directory) and warm (the cache the
cold run filled), ``--repeat`` times each. Prints the medians of wall-clock seconds and of CPU
seconds of the process tree (user + system of the command and its workers), their ratios cold /
warm, and whether the two reports are byte-identical. A warm run reads and hashes every file,
takes every document's result from the cache and, the corpus being unchanged, the corpus-wide
findings too: no duplicate verification at all. Every run imports one snapshot of the package
(copied to the work folder first), so edits of the working tree meanwhile change nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from duplicate_heavy_corpus import VERSION, generate  # noqa: E402


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, bytes]:
    """Wall seconds, CPU seconds of the process tree, and stdout of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env, cwd=env["PYTHONPATH"], check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def snapshot(work: Path) -> Path:
    """A copy of the package and its rules that every run imports: the cache is keyed by the
    package's code, so an edit of the working tree during the benchmark would make a warm run
    cold (the way benchmarks/run_benchmarks.py runs too)."""
    snap = work / "snapshot"
    shutil.rmtree(snap, ignore_errors=True)
    for name in ("validators", "rules", "sample-corpus"):
        shutil.copytree(REPO / name, snap / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return snap


def corpus(work: Path, size_mb: float) -> Path:
    out = work / f"dup-heavy-{size_mb:g}mb-v{VERSION}"
    manifest = out / "manifest.json"
    if not manifest.exists() or json.loads(manifest.read_text(encoding="utf-8")).get("size_mb") != size_mb:
        generate(out, size_mb)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cv-dedup-bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    root = corpus(args.work, args.size_mb)
    cache = args.work / "cache"
    # bytecode cached as a user's installation has it (a PYTHONDONTWRITEBYTECODE in the caller's
    # environment would make every run compile the package: ~0.15 s of a warm run)
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
           "PYTHONPATH": str(snapshot(args.work)),
           "CORPUS_VALIDATE_KEY_DIR": str(args.work / "key")}  # this benchmark's own cache key
    cmd = [sys.executable, "-m", "validators", "check", str(root), "--format", "json", "--fail-on",
           "never", "--jobs", str(args.jobs), "--cache-dir", str(cache)]
    cold, warm = [], []
    outputs = set()
    for _ in range(args.repeat):
        shutil.rmtree(cache, ignore_errors=True)
        wall, cpu, out = timed(cmd, env)
        cold.append((wall, cpu))
        outputs.add(out)
        wall, cpu, out = timed(cmd, env)
        warm.append((wall, cpu))
        outputs.add(out)
    files = len(list(root.rglob("*.txt")))
    print(f"corpus: {root} ({files} files, {args.size_mb:g} MB, duplicate-heavy); --jobs {args.jobs}; "
          f"{args.repeat} runs each, medians")
    for name, runs in (("cold (empty cache)", cold), ("warm (unchanged corpus)", warm)):
        print(f"{name:26s} wall {statistics.median(w for w, _ in runs):8.2f} s   "
              f"cpu {statistics.median(c for _, c in runs):8.2f} s")
    print(f"cold / warm: wall x{statistics.median(w for w, _ in cold) / statistics.median(w for w, _ in warm):.1f}, "
          f"cpu x{statistics.median(c for _, c in cold) / statistics.median(c for _, c in warm):.1f}; "
          f"reports byte-identical: {len(outputs) == 1}")


if __name__ == "__main__":
    main()
