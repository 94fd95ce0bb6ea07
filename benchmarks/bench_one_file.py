"""A one-file check against a bare ``import pandera.pandas``, in one run (issue 14's start-up target).

    python benchmarks/bench_one_file.py [--repeat 9]

Runs, in turn, ``corpus-validate check FILE --no-cache --format json`` on one file of the sample
corpus (the whole default rule set: what a pre-commit hook pays per call) and ``python -c "import
pandera.pandas"``, each as a fresh process with its bytecode already cached (one warm-up run of
each first). Prints the medians of CPU seconds (user + system) and wall seconds of each and the
ratio of the medians, pairwise so that a drift of the machine's speed moves both alike. The
per-user tables (validators.derived: script sets, lexicon spellings, parsed rule files) are
those of a scratch key folder that the warm-up fills, as a user's first run fills theirs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``cmd`` as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    sample = sorted((REPO / "sample-corpus").glob("*.txt"))[0]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["CORPUS_VALIDATE_KEY_DIR"] = tempfile.mkdtemp(prefix="cv-one-file-key-")
    check = [sys.executable, "-m", "validators", "check", str(sample), "--no-cache", "--format", "json"]
    pandera = [sys.executable, "-c", "import pandera.pandas"]
    for cmd in (check, pandera):  # bytecode and the per-user tables, as on a user's second run
        run(cmd, env)
    checks, imports = [], []
    for _ in range(args.repeat):
        checks.append(run(check, env))
        imports.append(run(pandera, env))
    ratios = [c[0] / p[0] for c, p in zip(checks, imports, strict=True)]
    print(f"one file: {sample.relative_to(REPO)}; {args.repeat} runs each, alternating; medians")
    for name, runs in (("one-file check", checks), ("import pandera.pandas", imports)):
        print(f"{name:24s} cpu {statistics.median(c for c, _ in runs):6.3f} s   "
              f"wall {statistics.median(w for _, w in runs):6.3f} s")
    print(f"one-file check / pandera import: cpu x{statistics.median(ratios):.2f} "
          f"(pairwise median; min {min(ratios):.2f}, max {max(ratios):.2f}); target <= 0.40")


if __name__ == "__main__":
    main()
