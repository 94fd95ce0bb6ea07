"""Findings kept packed from the worker to the report (issue 14: "findings kept compact until a
reporter writes them"): a document's findings travel as one FindingBlock, and a run's findings
are merged into report order only as a reporter reads them. Reports, summaries and exit codes
must be exactly those of the findings as objects."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validators import pipeline
from validators.config import Config, build_ruleset
from validators.discover import discover
from validators.executors.local import LocalExecutor
from validators.finding_blocks import FindingBlock, Findings, pack_findings
from validators.finding_json import SEPARATOR, SEPARATOR_UTF8, encode_batch
from validators.findings import DuplicateGroup, Finding, Related
from validators.reporters import json_format
from validators.settings import settings_from

PATHS = ["a.txt", "b/c.txt", "b/d\udcff.txt", "z.txt"]
RULES = [("TAG001", "unclosed-tag", "TAG", "error"), ("PUN001", "punctuation-width", "PUN", "warning"),
         ("DUP002", "near-duplicate", "DUP", "warning"), ("LEX001", "unknown", "LEX", "info")]


def _findings(path: str | None = None) -> st.SearchStrategy[Finding]:
    small = st.integers(1, 3)  # few values: ties in every part of the sort key
    return st.builds(
        lambda rule, p, line, column, message, unlisted, related: Finding(
            *rule, p, line, column, line, column + 1, message, "上下文", "0123456789abcdef",
            related, unlisted),
        st.sampled_from(RULES), st.just(path) if path else st.sampled_from(PATHS), small, small,
        st.sampled_from(["但", "甲", "m"]), st.sampled_from([0, 0, 2]),
        st.lists(st.builds(Related, st.sampled_from(PATHS), small), max_size=2).map(tuple))


documents = st.lists(st.tuples(st.sampled_from(PATHS), st.data()), max_size=4, unique_by=lambda d: d[0])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.lists(_findings(), max_size=6))
def test_merged_blocks_iterate_as_the_stable_sort_of_every_finding(docs, corpus) -> None:  # type: ignore[no-untyped-def]
    """What run_plan did before: concatenate the documents' findings (file order), then the
    corpus findings, and sort stably; the blocks are given in another order on purpose."""
    per_document = [(path, data.draw(st.lists(_findings(path), max_size=6))) for path, data in docs]
    expected = sorted([f for _, found in per_document for f in found] + corpus, key=Finding.sort_key)
    blocks = [pack_findings(path, found) for path, found in reversed(per_document)]
    merged = Findings(sorted(corpus, key=Finding.sort_key), blocks)
    assert list(merged) == expected
    assert [f.message for f in merged] == [f.message for f in expected]  # ties in their order
    # the JSON report's way: each block's text as packed, re-encoded where findings share a path
    assert SEPARATOR.join(merged.texts()) == SEPARATOR.join(encode_batch([f.as_dict() for f in expected]))
    # into a UTF-8 file: the bytes the report's stream would write (a lone surrogate escaped)
    assert SEPARATOR_UTF8.join(merged.utf8_texts()) == SEPARATOR.join(merged.texts()).encode(
        "utf-8", "backslashreplace")
    # the halves a report writes in two processes: the first's texts, then the second's
    first, second = merged.halves()
    assert [*first.texts(), *second.texts()] == list(merged.texts())
    assert len(first) + len(second) == len(merged)
    assert len(merged) == len(expected)
    counts: dict[tuple[str, str, str, str], tuple[int, int]] = {}
    for f in expected:
        key = (f.rule, f.name, f.category, f.severity)
        listed, weight = counts.get(key, (0, 0))
        counts[key] = (listed + 1, weight + 1 + f.unlisted)
    assert merged.weights() == counts


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(PATHS).flatmap(lambda p: st.tuples(st.just(p), st.lists(_findings(), max_size=8))))
def test_a_block_decodes_to_its_findings_in_report_order(case) -> None:  # type: ignore[no-untyped-def]
    path, found = case
    block = pack_findings(path, found)
    in_order = sorted(found, key=Finding.sort_key)  # stable: ties as they were found
    assert block.decode() == in_order and list(block) == in_order and len(block) == len(found)
    assert [f.message for f in block] == [f.message for f in in_order]
    assert [f.unlisted for f in block] == [f.unlisted for f in in_order]
    assert block.report_text() == SEPARATOR.join(encode_batch([f.as_dict() for f in in_order]))
    assert block.own_path == all(f.path == path for f in found)


def test_a_block_keeps_no_duplicate_group_and_refuses_a_wrong_type() -> None:
    group = DuplicateGroup(("a.txt", "b.txt"))
    finding = Finding(*RULES[2], "a.txt", 1, 1, 1, 2, "m", group=group)
    assert pack_findings("a.txt", [finding]).decode()[0].group is None
    with pytest.raises(TypeError):
        pack_findings("a.txt", [Finding(*RULES[0], "a.txt", "1", 1, 1, 2, "m")])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="another document"):
        Findings([], [pack_findings("a.txt", [Finding(*RULES[0], "b.txt", 1, 1, 1, 2, "m")])])


def _run(corpus: Path, jobs: int) -> pipeline.RunResult:
    config = Config()
    ruleset = build_ruleset(config)
    settings_ = settings_from(config, ruleset)
    with LocalExecutor(jobs) as executor:
        return pipeline.run(discover([str(corpus)]), ruleset, settings_, executor=executor)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_reports_packed_findings_exactly_as_objects(sample_copy: Path, jobs: int) -> None:
    """The run's documents hold blocks (no finding object crosses from a worker); the JSON
    report, summary and exit code equal those of the same findings as a list of objects."""
    result = _run(sample_copy, jobs)
    assert result.documents and all(isinstance(d.findings, FindingBlock) for d in result.documents)
    as_objects = pipeline.RunResult(list(result.findings), result.documents, result.ruleset,
                                    result.extra_summary)
    assert len(as_objects.findings) > 0
    assert as_objects.findings == result.findings
    assert as_objects.summary() == result.summary()
    packed, plain = io.StringIO(), io.StringIO()
    json_format.report(result, packed)
    json_format.report(as_objects, plain)
    assert packed.getvalue() == plain.getvalue()
    assert json.loads(packed.getvalue())["findings"]
    # a report file (UTF-8, lone surrogates escaped) takes the blocks' bytes as they are: the
    # same bytes as the text written through the stream
    into = io.BytesIO()
    stream = io.TextIOWrapper(into, encoding="utf-8", errors="backslashreplace", newline="")
    assert json_format.utf8_buffer(stream) is into
    json_format.report(result, stream)
    stream.flush()
    assert into.getvalue() == plain.getvalue().encode("utf-8", "backslashreplace")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_large_report_is_written_in_two_processes_as_one_would_write_it(
        sample_copy: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run with --jobs 2 writes a large JSON report's two halves in this process and a fork of
    it (each into a temporary file, copied in after): byte for byte the report one process
    writes; --jobs 1 never forks for it, nor does a process with other threads alive (a fork
    copies one thread: a lock another one holds would never be released in it)."""
    import threading

    from validators.executors import local

    result = replace(_run(sample_copy, jobs), jobs=jobs)
    one = io.BytesIO()
    stream = io.TextIOWrapper(one, encoding="utf-8", errors="backslashreplace", newline="")
    json_format.report(result, stream)  # under SHARED_REPORT_BYTES: one process
    stream.flush()
    stream.detach()
    forks: list[int] = []
    real = local.in_two_processes

    def recorded(jobs_: Any, *args: Any, **kwargs: Any) -> Any:
        forks.append(len(jobs_))
        return real(jobs_, *args, **kwargs)

    monkeypatch.setattr(local, "in_two_processes", recorded)
    monkeypatch.setattr(json_format, "SHARED_REPORT_BYTES", 0)

    def report_with(threads: int) -> bytes:
        # (the threads this test process has are its runner's business: say how many there are)
        with monkeypatch.context() as patched:
            patched.setattr(threading, "active_count", lambda: threads)
            into = io.BytesIO()
            stream = io.TextIOWrapper(into, encoding="utf-8", errors="backslashreplace",
                                      newline="")
            json_format.report(result, stream)
            stream.flush()
            stream.detach()
            return into.getvalue()

    both = report_with(threads=1)
    assert forks == ([2] if jobs == 2 else [])
    assert both == one.getvalue() and json.loads(both)["findings"]
    assert report_with(threads=2) == one.getvalue()
    assert forks == ([2] if jobs == 2 else [])  # not again: another thread was alive
    for fail_on in ("info", "warning", "error"):
        assert pipeline.exit_code(result.findings, fail_on) == pipeline.exit_code(list(result.findings), fail_on)
