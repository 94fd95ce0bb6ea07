"""Markup costs linear time and bounded memory (issue 12).

Each pathological line (200 000 tags or a million-character token) is tokenized, and checked by the
real command, in a subprocess: the timeout is a hang guard against quadratic behaviour (the old
tokenizer rescanned the rest of the line for every tag: hours), not a speed assertion. The
findings must be the expected ones: one per tag, listed up to the per-rule cap with the exact
"and N more". A ~20 MB annotated file must be checked in peak memory within 10 times its size
plus the cost of a one-line check (interpreter, imports, rule set). A hypothesis test compares the
O(1)-per-tag tokenizer with a straightforward reference tokenizer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.engine import MAX_HITS_PER_RULE
from validators.markup import (
    TAG_LIKE,
    TAG_WITH_ATTRIBUTES,
    VALID_TAG,
    MarkupIssue,
    Span,
    _suggest,
    tokenize_line_general,
)

HANG_GUARD = 120  # seconds: a hang detector only (each child takes seconds; the old code, 4+ minutes)
N = 200_000
ROOT = Path(__file__).resolve().parent.parent

# The child prints the tokenizer's issues of the file's first line: count per kind, first and last.
TOKENIZE = """
import json, sys
from collections import Counter
from validators.markup import parse
text = open(sys.argv[1], encoding="utf-8").read()
issues = parse(text).issues
print(json.dumps({"kinds": Counter(i.kind for i in issues),
                  "first": [issues[0].line, issues[0].column, issues[0].end_column],
                  "last": [issues[-1].line, issues[-1].column, issues[-1].end_column]}))
"""

# Runs a command and reports its own peak RSS (not pytest's, which a forked child would inherit).
WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
sys.stderr.write(f"\\nMAXRSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.exit(code if code >= 0 else 128 - code)
"""


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str
    max_rss_mb: float


def run(args: list[str], tmp_path: Path) -> Ran:
    """Run ``python ARGS`` under the wrapper, killed (test failure) past the hang guard."""
    out, err = tmp_path / ".stdout", tmp_path / ".stderr"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-c", WRAPPER, sys.executable, *args], cwd=ROOT,
                                stdout=stdout, stderr=stderr, start_new_session=True)
        try:
            proc.wait(timeout=HANG_GUARD)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"python {' '.join(args)[:80]} hung (killed after {HANG_GUARD} s)")
    error, _, peak = err.read_text("utf-8", "replace").rpartition("\nMAXRSS_KB=")
    return Ran(proc.returncode, out.read_text("utf-8", "replace"), error, int(peak) / 1024)


def check(path: Path, tmp_path: Path) -> tuple[Ran, dict]:
    ran = run(["-m", "validators", "check", "--format", "json", "--no-cache", "--jobs", "1",
               "--fail-on", "error", str(path)], tmp_path)
    assert ran.returncode in (0, 1), ran.stderr
    assert "Traceback" not in ran.stderr
    return ran, json.loads(ran.stdout)


# line, issue kind, its rule, columns (1-based) of the first and the last issue
PATHOLOGICAL = {
    # the issue is the opening tag, not its content: columns 1..7 of "<cand>但"
    "unclosed-cand-but": ("<cand>但" * N, "unclosed", "TAG001", (1, 7), (7 * (N - 1) + 1, 7 * N)),
    "nested-cand": ("<cand>" * N, "unclosed", "TAG001", (1, 7), (6 * (N - 1) + 1, 6 * N + 1)),
    "misspelt-cnad": ("<cnad>" * N, "malformed", "TAG004", (1, 7), (6 * (N - 1) + 1, 6 * N + 1)),
    "closing-only": ("</cand>" * N, "unopened", "TAG002", (1, 8), (7 * (N - 1) + 1, 7 * N + 1)),
    "a-openers": ("<a>" * N, "unclosed", "TAG001", (1, 4), (3 * (N - 1) + 1, 3 * N + 1)),
    "angle-brackets": ("<" * N, "stray_bracket", "TAG008", (1, 2), (N, N + 1)),
}


@pytest.mark.parametrize("case", list(PATHOLOGICAL))
def test_a_line_of_200_000_broken_tags_is_one_finding_per_tag(case: str, tmp_path: Path) -> None:
    line, kind, rule, first, last = PATHOLOGICAL[case]
    path = tmp_path / "doc.txt"
    path.write_text(line + "\n", encoding="utf-8")

    tokenized = run(["-c", TOKENIZE, str(path)], tmp_path)
    assert tokenized.returncode == 0, tokenized.stderr
    result = json.loads(tokenized.stdout)
    assert result["kinds"] == {kind: N}
    assert result["first"] == [1, *first]
    assert result["last"] == [1, *last]

    _, report = check(path, tmp_path)
    mine = [f for f in report["findings"] if f["rule"] == rule]
    assert len(mine) == MAX_HITS_PER_RULE
    assert (mine[0]["line"], mine[0]["column"]) == (1, first[0])
    unlisted = N - MAX_HITS_PER_RULE
    assert [f["message"].endswith(f"(and {unlisted} more {rule} findings in this file, not listed)")
            for f in mine].count(True) == 1
    # no cascade: no other TAG rule fires on a line that is all one kind of fault
    assert {f["rule"] for f in report["findings"] if f["rule"].startswith("TAG")} == {rule}


def test_a_bracket_before_a_million_spaces_is_one_stray_bracket(tmp_path: Path) -> None:
    # '<' then a million spaces: the tag-like patterns once tried every split of the spaces
    path = tmp_path / "doc.txt"
    path.write_text("<" + " " * 1_000_000 + "但\n", encoding="utf-8")
    tokenized = run(["-c", TOKENIZE, str(path)], tmp_path)
    assert tokenized.returncode == 0, tokenized.stderr
    assert json.loads(tokenized.stdout) == {"kinds": {"stray_bracket": 1}, "first": [1, 1, 2],
                                            "last": [1, 1, 2]}
    _, report = check(path, tmp_path)
    assert [f["rule"] for f in report["findings"] if f["rule"].startswith("TAG")] == ["TAG008"]


# The per-document views every check shares: the parse, the lines, the spans, the pairs (with no
# <a>, pairing needs no sentences; Sentence objects are still ~200 bytes each, see the report).
DOCUMENT_STAGE = """
import sys
from validators.load import load
from validators.pairing import pair_markers
doc = load("doc.txt", sys.argv[1])
markup = doc.markup
assert sum(1 for _ in doc.lines) == len(doc.lines) and sum(1 for _ in markup.lines) == len(doc.lines)
print(len(markup.spans), sum(s.tag == "cand" for s in markup.spans), len(markup.issues),
      len(pair_markers(doc, "。！？!?").pairs), len(doc.plain_text))
"""


def annotated_files(tmp_path: Path) -> tuple[Path, Path, int, float]:
    """A one-line and a ~20 MB file of ``他说<cand>但</cand>`` lines: folders, lines, MB."""
    line = "他说<cand>但</cand>\n"
    small, big = tmp_path / "small", tmp_path / "big"
    small.mkdir()
    big.mkdir()
    (small / "doc.txt").write_text(line, encoding="utf-8")
    count = 20_000_000 // len(line.encode("utf-8")) // 10_000 * 10_000
    with open(big / "doc.txt", "w", encoding="utf-8") as handle:
        for _ in range(count // 10_000):
            handle.write(line * 10_000)
    return small, big, count, (big / "doc.txt").stat().st_size / 2**20


def test_the_parsed_views_of_a_20_mb_file_stay_within_10_times_its_size(tmp_path: Path) -> None:
    """Parse, lines, spans and pairs of a ~20 MB annotated file: within 10 times the
    file's size on top of the same for a one-line file (interpreter and imports, ~25 MB, which do
    not grow with the file). Kept as objects (a LineMarkup, a Span and their strings per line)
    they took ~1 000 bytes per 23-byte line."""
    small, big, count, size_mb = annotated_files(tmp_path)
    baseline = run(["-c", DOCUMENT_STAGE, str(small / "doc.txt")], tmp_path)
    measured = run(["-c", DOCUMENT_STAGE, str(big / "doc.txt")], tmp_path)
    assert measured.returncode == 0, measured.stderr
    # one span per line, no issue, no pair, 4 plain characters a line (3 and the line end)
    assert measured.stdout.split() == [str(count), str(count), "0", "0", str(4 * count)]
    print(f"peak RSS: {baseline.max_rss_mb:.0f} MB for one line, {measured.max_rss_mb:.0f} MB "
          f"for {size_mb:.0f} MB")  # shown with -s
    assert measured.max_rss_mb <= baseline.max_rss_mb + 10 * size_mb


@pytest.mark.slow
def test_peak_memory_of_checking_a_20_mb_annotated_file_is_within_10_times_its_size(
        tmp_path: Path) -> None:
    """The whole check of the same file (the 22 MB file of the issue peaked at 1.27 GB, 47 bytes
    per byte): within 10 times its size on top of checking a one-line file the same way (the
    interpreter, imports and rule set, ~60 MB)."""
    small, big, _, size_mb = annotated_files(tmp_path)
    baseline, _ = check(small, tmp_path)
    measured, report = check(big, tmp_path)
    print(f"peak RSS: {baseline.max_rss_mb:.0f} MB for one line, {measured.max_rss_mb:.0f} MB "
          f"for {size_mb:.0f} MB")  # shown with -s
    assert not [f for f in report["findings"] if f["rule"].startswith(("TAG", "PAIR", "LEX"))]
    assert measured.max_rss_mb <= baseline.max_rss_mb + 10 * size_mb


# --- the tokenizer against a straightforward reference ------------------------------------------

def reference_tokenize(raw: str, line_no: int, offset: int, first: int
                       ) -> tuple[list[Span], list[MarkupIssue], list[tuple[str, int, int, bool]]]:
    """The tokenizer's rules written the obvious way (rescans, a scan of the stack for a matching
    opener, tainting by walking the stack): quadratic, but easy to read, for comparison only."""
    spans: list[Span] = []
    issues: list[MarkupIssue] = []
    stack: list[list] = []  # [tag or None, column, end, plain_start, tainted]
    removed = consumed = 0

    def issue(kind: str, start: int, end: int, tag: str = "", suggestion: str = "") -> None:
        issues.append(MarkupIssue(kind, line_no, start + 1, line_no, end + 1, raw[start:end],
                                  tag, suggestion))

    def never_closed(pos: int, outer: str, inner: str) -> bool:
        close = raw.find(f"</{inner}>", pos)
        if close < 0:
            return f"</{outer}>" not in raw[pos:]
        for m in VALID_TAG.finditer(raw, close + len(inner) + 3):
            if m.group(2) == outer:
                return m.group(1) != "/"
        return True

    for start, char in enumerate(raw):
        if char not in "<>" or start < consumed:
            continue
        if char == ">":
            issue("stray_bracket", start, start + 1)
            continue
        valid = VALID_TAG.match(raw, start)
        if valid:
            end = consumed = valid.end()
            closing, tag = valid.group(1) == "/", valid.group(2)
            plain_col = start - removed
            removed += end - start
            if not closing:
                if stack and stack[-1][0] is not None and never_closed(end, stack[-1][0], tag):
                    top = stack.pop()
                    issue("unclosed", top[1], top[2], top[0])
                if stack:
                    for entry in stack:
                        entry[4] = True
                    if stack[-1][0] is not None:
                        issue("nested", start, end, tag)
                stack.append([tag, start, end, plain_col, bool(stack)])
            elif not stack:
                issue("unopened", start, end, tag)
            elif any(entry[0] == tag for entry in stack):
                top = stack.pop()
                while top[0] != tag:
                    top = stack.pop()
                text = raw[top[2]:start]
                if top[4]:
                    continue
                if not text:
                    issue("empty", top[1], end, tag)
                    continue
                spans.append(Span(first + len(spans), tag, text, line_no, top[1] + 1, end + 1,
                                  offset + top[3], offset + top[3] + len(text)))
            else:
                top = stack.pop()
                if top[0] is not None:
                    issues.append(MarkupIssue("mismatched", line_no, top[1] + 1, line_no, end + 1,
                                              raw[top[1]:end], top[0], f"</{top[0]}>"))
            continue
        like = TAG_WITH_ATTRIBUTES.match(raw, start) or TAG_LIKE.match(raw, start)
        if like and (like.group(4) or like.group(1) or _suggest(*like.groups())):
            end = consumed = like.end()
            issue("malformed", start, end, like.group(2), _suggest(*like.groups()))
            for entry in stack:
                entry[4] = True
            if like.group(1):
                if stack:
                    stack.pop()
            else:
                stack.append([None, start, end, start - removed, False])
            continue
        issue("stray_bracket", start, start + 1)
    return spans, issues, [(e[0], e[1], e[2], e[4]) for e in stack if e[0] is not None]


FRAGMENTS = ["但", "x", " ", "。", "<cand>", "</cand>", "<a>", "</a>", "<cnad>", "</cand", "<CAND>",
             "< a>", "<", ">", "</", "<\\cand>", "</a0", "<a href=x>", "<cand>但</cand>", "<a>也</a>"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=24).map("".join))
def test_the_linear_tokenizer_agrees_with_the_reference(raw: str) -> None:
    _, spans, issues, left_open = tokenize_line_general(raw, 4, 7, 2)
    ref_spans, ref_issues, ref_open = reference_tokenize(raw, 4, 7, 2)
    assert spans == ref_spans
    assert issues == ref_issues
    assert [(e.tag, e.column, e.end, e.tainted) for e in left_open] == ref_open
