"""One pipeline: every file is read once, whatever the command asks of it (issue 13).

Before, ``--changed-since`` ran the focused files twice (the per-file rules, then the corpus-wide
rules over the whole corpus) and ``--fix`` read every file once to fix it and again to check it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from validators import fix as fix_module
from validators import pipeline
from validators.config import Config, build_ruleset
from validators.discover import discover
from validators.executors.local import LocalExecutor
from validators.settings import settings_from


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each file's bytes were read, by the check's load or by --fix."""
    counted: Counter[str] = Counter()
    read_bytes, read_regular = pipeline.read_bytes, fix_module._read_regular

    def counting_read_bytes(path: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        counted[path] += 1
        return read_bytes(path, *args, **kwargs)

    def counting_read_regular(corpus_file, *args, **kwargs):  # type: ignore[no-untyped-def]
        counted[corpus_file.path] += 1
        return read_regular(corpus_file, *args, **kwargs)

    monkeypatch.setattr(pipeline, "read_bytes", counting_read_bytes)
    monkeypatch.setattr(fix_module, "_read_regular", counting_read_regular)
    return counted


def _run(corpus: Path, **kwargs: object) -> pipeline.RunResult:
    config = Config()
    ruleset = build_ruleset(config)
    files = discover([str(corpus)])
    focus = kwargs.pop("focus", None)
    settings = settings_from(config, ruleset, focus=focus)
    with LocalExecutor(1) as executor:
        return pipeline.run(files, ruleset, settings, executor=executor, **kwargs)  # type: ignore[arg-type]


def test_a_focused_run_reads_every_file_once(sample_copy: Path, reads: Counter[str]) -> None:
    files = discover([str(sample_copy)])
    focus = {files[0].path, files[1].path}
    result = _run(sample_copy, focus=focus)
    assert {d.path for d in result.documents} == focus       # per-file findings: the focus only
    assert set(reads) == {f.path for f in files}              # corpus-wide rules: every file
    assert set(reads.values()) == {1}


def test_fix_hands_its_bytes_to_the_check(sample_copy: Path, reads: Counter[str]) -> None:
    result = _run(sample_copy, fix="write")
    assert any(f.changed for f in result.fixes)               # something was fixed and written
    assert set(reads.values()) == {1} and len(reads) == len(discover([str(sample_copy)]))
