"""The README stays true: its rule catalogue is the one generated from the rule files."""

from __future__ import annotations

import re

from conftest import REPO, run_cli


def test_readme_rule_catalogue_is_generated_from_the_rule_files() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert block, "README lacks the rules:start/rules:end markers"
    generated = run_cli("rules", "list", "--format", "markdown").stdout
    assert block.group(1) == generated, (
        "README rule catalogue is stale: run `python tools/update_readme.py`")


def test_readme_quick_start_states_the_sample_corpus_result() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"It prints (\d+) findings and exits with 1", readme)
    assert stated, "README quick start no longer states the sample corpus result"
    proc = run_cli("check", "--no-cache")
    assert proc.returncode == 1
    assert f"Found {stated.group(1)} finding(s)" in proc.stdout
