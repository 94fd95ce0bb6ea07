"""Benchmark corpus-validators on a generated corpus; every number side by side, in one run.

    python benchmarks/run_benchmarks.py --size-mb 200 --jobs 2

Prints:
- throughput (MB/s) of ``corpus-validate check`` with the full default rule set, cold cache;
- the floor: the same files read, strictly decoded and scanned once with a tag regex in one plain
  Python process, and the ratio full / floor;
- peak memory of the check (the whole process tree: PSS summed over the parent and its workers,
  sampled every 50 ms; and the largest single process's max RSS);
- seconds per check type (CORPUS_VALIDATE_PROFILE, in a run of its own; summed over the worker
  processes);
- cold vs warm cache: the same check again with the cache the first run filled (the median of
  ``--repeat`` runs);
- a one-file check (and the pre-commit per-file hook) against ``python -c "import pandera.pandas"``.

The corpus comes from benchmarks/generate_corpus.py (fixed seed) and is reused when it exists.
Every command runs in a subprocess, as a user runs it; timings are wall-clock seconds of that
subprocess (interpreter start-up and rule loading included). Files are read once before timing,
so every measurement sees the same warm page cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate_corpus import VERSION, generate  # noqa: E402

FLOOR = r"""
import json, os, re, sys, time
TAG = re.compile(r"</?(?:cand|a)>")
start = time.perf_counter()
files = nbytes = tags = undecodable = 0
for folder, dirs, names in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(names):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(folder, name), "rb") as handle:
            data = handle.read()
        files += 1
        nbytes += len(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            undecodable += 1
            continue
        tags += sum(1 for _ in TAG.finditer(text))
print(json.dumps({"files": files, "bytes": nbytes, "tags": tags, "undecodable": undecodable,
                  "inner_seconds": time.perf_counter() - start}))
"""


# --- measuring a subprocess ----------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return found


def _memory_kb(pid: int) -> int:
    """PSS of one process (shared pages counted once across the tree), else its RSS."""
    for name, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(name) as handle:
                for line in handle:
                    if line.startswith(field):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed memory of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.max_processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            tree, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo.extend(_children(pid))
            self.peak_kb = max(self.peak_kb, sum(_memory_kb(p) for p in tree))
            self.max_processes = max(self.max_processes, len(tree))
            self.done.wait(self.interval)


def timed(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None,
          sample: bool = False) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # bytecode cached, as an installation has it (PYTHONDONTWRITEBYTECODE would compile every run)
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(cmd, cwd=cwd, env={**base, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid) if sample else None
    if sampler:
        sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if sampler:
        sampler.done.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err.strip()[-2000:]}")
    return {"wall": wall, "stdout": out, "stderr": err, "returncode": proc.returncode,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            # ru_maxrss of RUSAGE_CHILDREN: the largest single descendant so far (KB on Linux)
            "max_rss_kb": after.ru_maxrss,
            "tree_peak_kb": sampler.peak_kb if sampler else None,
            "processes": sampler.max_processes if sampler else None}


def _rule_set_folders(cache_dir: Path) -> set[str]:
    return {p.name for p in cache_dir.glob("*/*") if p.is_dir()}


def cli() -> list[str]:
    script = Path(sys.executable).with_name("corpus-validate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "validators"]


def check_help() -> str:
    return subprocess.run([*cli(), "check", "--help"], capture_output=True, text=True).stdout


def median_time(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, list[float]]:
    times = [timed(cmd, cwd=cwd)["wall"] for _ in range(repeat)]
    return statistics.median(times), times


# --- the benchmark -------------------------------------------------------------------------------

def corpus_for(args: argparse.Namespace, work: Path) -> tuple[Path, dict[str, Any], float | None]:
    corpus = work / f"corpus-{args.size_mb:g}mb-seed{args.seed}"
    manifest_file = corpus / "manifest.json"
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        if (manifest.get("size_mb"), manifest.get("seed"), manifest.get("generator")) == (
                args.size_mb, args.seed, VERSION):
            return corpus, manifest, None
    start = time.perf_counter()
    manifest = generate(corpus, args.size_mb, args.seed)
    return corpus, manifest, time.perf_counter() - start


def warm_page_cache(corpus: Path) -> None:
    for folder, _dirs, names in os.walk(corpus):
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                while handle.read(1 << 20):
                    pass


def snapshot_code(work: Path) -> str:
    """Copy the package, its rules and the sample corpus to ``work/snapshot`` and make every
    subprocess import that copy: every run of the benchmark then uses the same code (the cache is
    keyed by the package's code, so an edit during the benchmark would make a warm run cold)."""
    snap = work / "snapshot"
    shutil.rmtree(snap, ignore_errors=True)
    for name in ("validators", "rules", "sample-corpus"):
        shutil.copytree(REPO / name, snap / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(snap), os.environ.get("PYTHONPATH", "")) if p)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                          text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "validators", "rules"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    probe = subprocess.run([sys.executable, "-c", "import validators; print(validators.__file__)"],
                           capture_output=True, text=True, cwd=work).stdout.strip()
    if not probe.startswith(str(snap)):
        raise SystemExit(f"the snapshot is not imported first (got {probe})")
    return f"git {head}" + (" + uncommitted changes" if dirty else "") + ", snapshot"


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    code = snapshot_code(work) if args.snapshot else "working tree"
    corpus, manifest, generated_in = corpus_for(args, work)
    warm_page_cache(corpus)
    mb = manifest["bytes"] / 1e6
    res: dict[str, Any] = {"corpus": str(corpus), "manifest": manifest, "generated_in": generated_in,
                           "load_before": os.getloadavg()[0], "code": code,
                           "jobs": args.jobs, "cpus": os.cpu_count(),
                           "python": platform.python_version(), "machine": platform.machine()}

    floor = timed([sys.executable, "-c", FLOOR, str(corpus)], cwd=work)
    floor_info = json.loads(floor["stdout"])
    res["floor"] = {"wall": floor["wall"], "cpu": floor["cpu"], "mb_s": mb / floor["wall"],
                    **floor_info}

    help_text = check_help()
    cache_dir = work / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache_args = ["--cache-dir", str(cache_dir)] if "--cache-dir" in help_text else []
    report = work / "findings.json"
    profile = work / "profile.json"
    if profile.exists():
        profile.unlink()
    cmd = [*cli(), "check", str(corpus), "--jobs", str(args.jobs), "--format", "json",
           "--output", str(report), "--fail-on", "never", *cache_args,
           *(["--config", str(args.config.resolve())] if args.config else [])]
    cold = timed(cmd, cwd=work, sample=True)  # as a user runs it (a profile times rule by rule)
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    res["full"] = {"wall": cold["wall"], "cpu": cold["cpu"], "mb_s": mb / cold["wall"],
                   "tree_peak_mb": (cold["tree_peak_kb"] or 0) / 1024,
                   "max_rss_mb": cold["max_rss_kb"] / 1024, "processes": cold["processes"],
                   "findings": summary["findings"], "by_rule": summary["by_rule"],
                   "rules": len(json.loads(subprocess.run(
                       [*cli(), "rules", "list", "--format", "json"], capture_output=True,
                       text=True, cwd=work).stdout or "[]")),
                   "command": " ".join(cmd)}
    res["ratio_full_to_floor"] = res["full"]["mb_s"] / res["floor"]["mb_s"]
    # what the ratio would be on an otherwise idle machine with perfect use of the jobs' cores
    res["cpu_ratio"] = floor["cpu"] / (cold["cpu"] / max(args.jobs, 1))
    res["profile"] = None  # from a run of its own, below: profiling runs the corpus rules serially

    cache_used = bool(cache_args) and cache_dir.exists() and any(cache_dir.rglob("*.bin"))
    res["warm"] = None
    if cache_used:
        # The cache is keyed by the rule set and the package's code: a source file edited between
        # two runs makes the second one cold again (a new rule-set folder). Then that run is the
        # cold reference and the next one is tried as the warm run.
        reference = cold
        for _attempt in range(3):
            folders = _rule_set_folders(cache_dir)
            again = timed(cmd, cwd=work, sample=True)
            if _rule_set_folders(cache_dir) == folders:
                # a few seconds, where the machine's noise moves a single run by 10-20 %: the
                # median of --repeat runs, each as the cold one was run (sampled)
                runs = [again, *(timed(cmd, cwd=work, sample=True)
                                 for _ in range(max(args.repeat, 1) - 1))]
                wall = statistics.median(r["wall"] for r in runs)
                cpu = statistics.median(r["cpu"] for r in runs)
                res["warm"] = {"wall": wall, "cpu": cpu, "runs": [r["wall"] for r in runs],
                               "mb_s": mb / wall,
                               "speedup": reference["wall"] / wall,
                               "cpu_speedup": reference["cpu"] / max(cpu, 1e-9),
                               "cold_wall": reference["wall"], "cold_is_first_run": reference is cold,
                               "tree_peak_mb": max((r["tree_peak_kb"] or 0) for r in runs) / 1024}
                warm_summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
                res["warm"]["same_findings"] = warm_summary["findings"] == summary["findings"]
                break
            reference = again
        res["warm_invalidated"] = res["warm"] is None

    # seconds per stage and check type: a profiled run of its own (CORPUS_VALIDATE_PROFILE times
    # each corpus rule in turn in one process, so it does not measure the cold run's wall time)
    profiled = [c for c in cmd if c not in cache_args]
    at = profiled.index("--output")
    profiled[at + 1] = str(work / "profiled.json")
    timed([*profiled, *(["--no-cache"] if "--no-cache" in help_text else [])], cwd=work,
          env={"CORPUS_VALIDATE_PROFILE": str(profile)})
    res["profile"] = json.loads(profile.read_text()) if profile.exists() else None

    if args.compare_jobs_1:
        at = cmd.index("--jobs")
        no_cache = ["--no-cache"] if "--no-cache" in help_text else []
        one = timed([*cmd[:at], "--jobs", "1", *cmd[at + 2:], *no_cache], cwd=work, sample=True)
        res["jobs_1"] = {"wall": one["wall"], "mb_s": mb / one["wall"]}

    sample_file = next(iter(sorted((REPO / "sample-corpus").glob("000_*.txt"))))
    one_file = [*cli(), "check", str(sample_file), "--format", "json", "--output", os.devnull,
                "--fail-on", "never", *(["--no-cache"] if "--no-cache" in help_text else [])]
    pandera = [sys.executable, "-c", "import pandera.pandas"]
    timed(pandera, cwd=work)  # the first import compiles nothing twice: both warm
    timed(one_file, cwd=work)
    res["one_file"] = {"check": median_time(one_file, work, args.repeat)[0],
                       "pandera": median_time(pandera, work, args.repeat)[0],
                       "file": sample_file.name}
    res["one_file"]["ratio"] = res["one_file"]["check"] / res["one_file"]["pandera"]
    hook_help = subprocess.run([*cli(), "hook", "--help"], capture_output=True, text=True)
    if hook_help.returncode == 0:
        hook = [*cli(), "hook", str(sample_file)]
        timed(hook, cwd=work)
        res["one_file"]["hook"] = median_time(hook, work, args.repeat)[0]
    with_imports = subprocess.run(
        [sys.executable, "-c", "import sys; from validators.cli import main; "
         f"main(['check', {str(sample_file)!r}, '--format', 'json', '--output', {os.devnull!r}]); "
         "print(' '.join(sorted(m for m in ('pandas', 'pandera', 'datasketch', 'opencc', 'numpy', "
         "'scipy') if m in sys.modules)))"],
        capture_output=True, text=True, cwd=work)
    res["one_file"]["heavy_imports"] = with_imports.stdout.strip() or "none"
    res["load_after"] = os.getloadavg()[0]
    return res


def fmt_report(res: dict[str, Any], args: argparse.Namespace) -> str:
    m, f, full = res["manifest"], res["floor"], res["full"]
    faults = sum(v for k, v in m["faults"].items() if "duplicate" not in k)
    dups = m["faults"].get("exact_duplicate", 0) + m["faults"].get("near_duplicate", 0)
    lines = [
        f"corpus: {m['files']} files, {m['bytes'] / 1e6:.1f} MB (largest {m['largest_file_bytes'] / 1e6:.1f} MB), "
        f"{faults} injected faults, {dups} duplicates, seed {m['seed']}",
        f"code: {res['code']}",
        f"machine: {res['cpus']} CPUs, Python {res['python']} ({res['machine']}); --jobs {res['jobs']}; "
        f"load average {res['load_before']:.1f} before, {res['load_after']:.1f} after "
        "(other programs share the CPUs when it exceeds 0)",
        "",
        f"{'measure':44s} {'value':>14s}",
        f"{'floor (read+decode+tag regex, 1 process)':44s} {f['mb_s']:10.1f} MB/s  ({f['wall']:.2f} s)",
        f"{'full default rule set (' + str(full['rules']) + ' rules), cold':44s} {full['mb_s']:10.1f} MB/s  "
        f"({full['wall']:.2f} s wall, {full['cpu']:.1f} s CPU, {full['findings']} findings)",
        f"{'ratio full / floor':44s} {res['ratio_full_to_floor'] * 100:10.1f} %     (target >= 10 %)",
        f"{'same ratio in CPU time (load-independent)':44s} {res['cpu_ratio'] * 100:10.1f} %     "
        f"(floor {f['cpu']:.2f} CPU s; full {full['cpu']:.1f} CPU s / {res['jobs']} jobs)",
        f"{'peak memory, process tree (PSS sum)':44s} {full['tree_peak_mb']:10.0f} MB    "
        f"(target <= 500 MB for 200 MB; {full['processes']} processes)",
        f"{'peak memory, largest single process (RSS)':44s} {full['max_rss_mb']:10.0f} MB",
    ]
    if res.get("jobs_1"):
        lines.append(f"{'same, --jobs 1':44s} {res['jobs_1']['mb_s']:10.1f} MB/s  "
                     f"({res['jobs_1']['wall']:.2f} s)")
    warm = res["warm"]
    if warm:
        runs = warm.get("runs", [warm["wall"]])
        lines.append(f"{'warm cache re-run (median of ' + str(len(runs)) + ')':44s} "
                     f"{warm['wall']:10.2f} s     "
                     f"({warm['speedup']:.1f}x faster than cold, {warm['cpu_speedup']:.1f}x in CPU; "
                     f"target >= 20x; runs {min(runs):.2f}-{max(runs):.2f} s; "
                     f"same findings: {warm['same_findings']})")
        if not warm["cold_is_first_run"]:
            lines.append(f"{'':44s} (cold reference: a later run, {warm['cold_wall']:.2f} s: the "
                         "package's code changed between runs)")
    elif res.get("warm_invalidated"):
        lines.append(f"{'warm cache re-run':44s} {'n/a':>10s}       (the code changed during "
                     "every re-run: each was cold again)")
    else:
        lines.append(f"{'warm cache re-run':44s} {'n/a':>10s}       (the CLI does not use the cache)")
    one = res["one_file"]
    lines.append(f"{'one-file check (median of ' + str(args.repeat) + ')':44s} {one['check']:10.3f} s     "
                 f"({one['file']})")
    if "hook" in one:
        lines.append(f"{'pre-commit per-file hook, one file':44s} {one['hook']:10.3f} s")
    label = 'python -c "import pandera.pandas"'
    lines.append(f"{label:44s} {one['pandera']:10.3f} s")
    lines.append(f"{'ratio one-file check / pandera import':44s} {one['ratio']:10.2f} x     "
                 f"(target <= 0.4x; heavy modules imported: {one['heavy_imports']})")
    lines.append(what_a_ratio_takes(res, 0.35))
    prof = res.get("profile")
    if prof:
        total = sum(prof["seconds"].values())
        lines += ["", f"CPU seconds per stage and check type (summed over {prof['workers'] or 1} process(es); "
                      f"total {total:.1f} s):"]
        for key, seconds in prof["seconds"].items():
            if seconds >= 0.005:
                lines.append(f"  {key:40s} {seconds:8.2f} s  {100 * seconds / total:5.1f} %")
    return "\n".join(lines)


def what_a_ratio_takes(res: dict[str, Any], ratio: float) -> str:
    """What the full run would have to take for ``ratio`` of the floor, from this run's figures:
    its wall time, the CPU seconds that leaves the jobs, and the stages that spend most now."""
    full, floor = res["full"], res["floor"]
    wall = floor["wall"] / ratio
    cpu = wall * max(res["jobs"], 1)
    text = (f"{ratio * 100:.0f} % of the floor needs the full run in {wall:.2f} s instead of "
            f"{full['wall']:.2f} s ({full['wall'] / wall:.1f}x less), at most {cpu:.1f} CPU s on "
            f"{res['jobs']} jobs (now {full['cpu']:.1f})")
    prof = res.get("profile")
    if prof and prof["seconds"]:
        total = sum(prof["seconds"].values())
        top = sorted(prof["seconds"].items(), key=lambda kv: -kv[1])[:4]
        text += "; the largest stages now: " + ", ".join(f"{k} {v:.1f} s" for k, v in top)
        text += f" (of {total:.1f} CPU s profiled)"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=200.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each one-file timing")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "corpus-validators-bench")
    parser.add_argument("--compare-jobs-1", action="store_true",
                        help="also time the full check with --jobs 1")
    parser.add_argument("--json", type=Path, help="also write every number here")
    parser.add_argument("--no-snapshot", dest="snapshot", action="store_false",
                        help="run the working tree's code instead of a copy taken at the start")
    parser.add_argument("--config", type=Path,
                        help="a corpus-validate.yaml for the full check (default: the default rules)")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    res = run(args)
    text = fmt_report(res, args)
    sys.stdout.write(f"$ python benchmarks/run_benchmarks.py {' '.join(argv or sys.argv[1:])}\n")
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
