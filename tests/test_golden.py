"""Golden findings of the bundled sample corpus. Review every change to tests/golden/*.json:
regenerate with ``UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and read the diff."""

from __future__ import annotations

import json
import os

import pytest
from conftest import GOLDEN, check_json

GOLDEN_FILE = GOLDEN / "sample-corpus.json"
KEYS = ("rule", "severity", "path", "line", "column", "end_line", "end_column", "message")


def test_sample_corpus_findings_match_the_golden_file() -> None:
    _, report = check_json("sample-corpus")
    found = [{k: f[k] for k in KEYS} | ({"related": f["related"]} if "related" in f else {})
             for f in report["findings"]]
    expected = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
    if os.environ.get("UPDATE_GOLDEN") and found != expected:
        GOLDEN_FILE.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n",
                               encoding="utf-8")
        # a rewrite is never a pass: review `git diff tests/golden` and run again without it
        pytest.fail(f"{GOLDEN_FILE.name} rewritten: review the diff, then run without UPDATE_GOLDEN")
    assert found == expected


def test_the_annotated_sample_document_has_no_tag_or_pair_finding() -> None:
    _, report = check_json("sample-corpus/000_c48a539151d484c8.txt")
    assert [f for f in report["findings"] if f["category"] in ("TAG", "PAIR")] == []
    assert report["summary"]["spans"] == 82
