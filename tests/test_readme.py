"""The README stays true: its rule catalogue and rule pages are what the commands it names print."""

from __future__ import annotations

import re

from conftest import REPO, load_script, run_cli

UPDATE_README = load_script(REPO / "tools" / "update_readme.py", "update_readme")


def _readme_block(name: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = UPDATE_README.block_pattern(name).search(readme)
    assert block, f"README lacks the {name}:start/{name}:end markers"
    return block.group(2)


def _generated_block(name: str) -> str:
    args, _ = UPDATE_README.BLOCKS[name]
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    return UPDATE_README.block_text(name, proc.stdout)


def test_readme_rule_catalogue_is_generated_from_the_rule_files() -> None:
    assert _readme_block("rules") == _generated_block("rules"), (
        "README rule catalogue is stale: run `python tools/update_readme.py`")


def test_readme_rule_pages_are_the_output_of_rules_explain() -> None:
    args, fence = UPDATE_README.BLOCKS["explain"]
    block = _readme_block("explain")
    assert block.startswith(f"```{fence}\n") and "TAG001 (unclosed-tag)" in block
    assert block == _generated_block("explain"), (
        f"README `{' '.join(args)}` pages are stale: run `python tools/update_readme.py`")


def test_readme_names_the_command_of_each_generated_block() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, (args, _) in UPDATE_README.BLOCKS.items():
        assert f"corpus-validate {' '.join(args)}" in readme, name


def test_readme_quick_start_states_the_sample_corpus_result() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"It prints (\d+) findings and exits with 1", readme)
    assert stated, "README quick start no longer states the sample corpus result"
    proc = run_cli("check", "--no-cache")
    assert proc.returncode == 1
    assert f"Found {stated.group(1)} finding(s)" in proc.stdout
