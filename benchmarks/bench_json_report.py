"""``--format json`` written by the C encoder against the pure-Python one, in one run (issue 14).

    python benchmarks/bench_json_report.py [--findings 300000] [--related 0.2]

``--findings`` findings of realistic shape (a long message, a context line, a fingerprint; a share
``--related`` of them with five related locations, as a capped duplicate finding) are written
to an in-memory stream by validators/reporters/json_format.py, and by what it did before: the
payload through ``json.JSONEncoder(ensure_ascii=False, indent=2).iterencode`` (with ``indent`` the
json module uses its pure-Python encoder), written in 64 KiB pieces. Prints the CPU seconds of each
(median of ``--repeat``; written to a stream that keeps nothing, so only encoding is timed), their
ratio, and whether the two texts are byte-identical.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, TextIO

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from validators.findings import Finding, Related  # noqa: E402
from validators.reporters import json_format  # noqa: E402


class Result:
    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings

    def summary(self) -> dict[str, Any]:
        return {"documents": len(self.findings) // 3, "findings": len(self.findings),
                "by_rule": {"DUP002": len(self.findings)}}


def python_encoder(result: Any, stream: TextIO) -> None:
    """The reporter before issue 14."""
    payload = {"version": 1, "summary": result.summary(),
               "findings": [f.as_dict() for f in result.findings]}
    pieces: list[str] = []
    size = 0
    for piece in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(payload):
        pieces.append(piece)
        size += len(piece)
        if size >= json_format.WRITE_CHUNK:
            stream.write("".join(pieces))
            pieces.clear()
            size = 0
    pieces.append("\n")
    stream.write("".join(pieces))


def findings(count: int, related_share: float) -> list[Finding]:
    out = []
    every = max(1, round(1 / related_share)) if related_share > 0 else 0
    for i in range(count):
        path = f"part-{i // 500:03d}/doc-{i:06d}.txt"
        related = tuple(Related(f"part-{j // 500:03d}/doc-{j:06d}.txt", 1) for j in range(i + 1, i + 6)) \
            if every and i % every == 0 else ()
        out.append(Finding("PUN001", "halfwidth-punctuation", "PUN", "warning", path, 10 + i % 90,
                           3, 10 + i % 90, 4, "half-width ',' in Chinese text; use ，",
                           "但时至今日，能转起大模型商业化齿轮的, 似乎仍以互联网大厂既有业务为主",
                           f"{i:016x}", related))
    return out


class Discard:
    """A stream that keeps nothing (a pipe to a fast reader): the timing is the encoder's."""

    def write(self, text: str) -> int:
        return len(text)


def cpu_seconds(write: Any, result: Result) -> float:
    start = time.process_time()
    write(result, Discard())
    return time.process_time() - start


def text_of(write: Any, result: Result) -> str:
    stream = io.StringIO()
    write(result, stream)
    return stream.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=300_000)
    parser.add_argument("--related", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = Result(findings(args.findings, args.related))
    times: dict[str, list[float]] = {"C encoder (now)": [], "pure-Python encoder (before)": []}
    texts = set()
    writers = (("C encoder (now)", json_format.report), ("pure-Python encoder (before)", python_encoder))
    for _ in range(args.repeat):
        for name, write in writers:
            times[name].append(cpu_seconds(write, result))
    for _, write in writers:  # not timed: the text itself, to compare
        texts.add(text_of(write, result))
    size = len(next(iter(texts)).encode("utf-8")) / 1e6
    print(f"{args.findings} findings ({args.related:.0%} with 5 related), {size:.1f} MB of JSON; "
          f"median CPU seconds of {args.repeat} runs")
    for name, values in times.items():
        print(f"{name:30s} {statistics.median(values):7.2f} s")
    now, before = (statistics.median(v) for v in times.values())
    print(f"before / now: x{before / now:.1f}; byte-identical: {len(texts) == 1}")


if __name__ == "__main__":
    main()
