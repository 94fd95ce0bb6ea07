"""A check type is one module, and adding one touches only its module and its rule file.

The README's "Writing a check type" example is loaded from a temporary folder as a module of
``validators.checks`` (as a contributor's new file would be), and its rule runs through the
engine, its own examples, ``--fix`` and ``rules explain`` without any other file knowing it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO

import validators.checks as checks_package
from validators.checks import REGISTRY, load_check_types
from validators.config import build_ruleset, load_config
from validators.discover import discover
from validators.docs import explain_rule
from validators.errors import ConfigError
from validators.fix import fix_bytes
from validators.run import run_check

EXAMPLE = re.compile(r"<!-- check-type-example:start -->\s*```python\n(.*?)```\s*```yaml\n(.*?)```",
                     re.DOTALL)


def readme_example() -> tuple[str, str]:
    found = EXAMPLE.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert found, "README.md lost its 'Writing a check type' example"
    return found.group(1), found.group(2)


@pytest.fixture
def new_check_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The README's module, found by the registry in a folder added to the package's path; the
    registry, the module cache and the import system are restored afterwards."""
    module, rule_file = readme_example()
    folder = tmp_path / "more-checks"
    folder.mkdir()
    (folder / "trailing_whitespace.py").write_text(module, encoding="utf-8")
    project = tmp_path / "project"
    (project / "corpus").mkdir(parents=True)
    (project / "house-rules.yaml").write_text(rule_file, encoding="utf-8")
    (project / "corpus-validate.yaml").write_text("paths: [corpus/]\nrule_files: [house-rules.yaml]\n",
                                                  encoding="utf-8")
    monkeypatch.setattr(checks_package, "__path__", [*checks_package.__path__, str(folder)])
    load_check_types.cache_clear()
    monkeypatch.chdir(project)
    try:
        yield project
    finally:
        REGISTRY.pop("trailing_whitespace", None)
        sys.modules.pop("validators.checks.trailing_whitespace", None)
        load_check_types.cache_clear()


def test_a_check_type_module_added_to_the_package_runs_its_rule_examples_and_fix(
        new_check_type: Path) -> None:
    corpus = new_check_type / "corpus"
    (corpus / "a.txt").write_text("第一行。\n第二行。  \n第三行。\t\n", encoding="utf-8")
    config = load_config(new_check_type / "corpus-validate.yaml")
    ruleset = build_ruleset(config)  # a project rule file: its own examples are run here
    rule = ruleset.rules["ENC101"]
    assert rule.check.name == "trailing_whitespace" and rule.fix and rule.check.fix_safety == "safe"
    found = run_check(discover(config.corpus_paths()), ruleset).findings
    assert [(f.rule, f.line, f.column) for f in found if f.rule == "ENC101"] == [
        ("ENC101", 2, 5), ("ENC101", 3, 5)]
    fixed, changes, skipped = fix_bytes((corpus / "a.txt").read_bytes(), ruleset)
    assert fixed.decode() == "第一行。\n第二行。\n第三行。\n"
    assert changes == ["ENC101 removed whitespace at 2 line end(s)"] and skipped == ""
    page = explain_rule(rule)
    assert "Why it matters" in page and "the duplicate rules see two lines" in page
    assert "Safe fix" in page and "(2:5)" in page  # the fail example, where it fails


def test_its_options_are_checked_when_the_rule_file_loads(new_check_type: Path) -> None:
    rules = new_check_type / "house-rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "    fix: true\n", "    fix: true\n    options: {chars: ''}\n"), encoding="utf-8")
    with pytest.raises(ConfigError, match="chars must name at least one character") as caught:
        build_ruleset(load_config(new_check_type / "corpus-validate.yaml"))
    assert caught.value.path is not None and caught.value.path.endswith("house-rules.yaml")


def test_every_check_module_is_one_check_type_of_its_own_name() -> None:
    """yamllint's layout: a module per check type, named as it; helpers start with ``_``."""
    types = load_check_types()
    for module in pkgutil.iter_modules(checks_package.__path__):
        if module.name.startswith("_"):
            continue
        imported = importlib.import_module(f"validators.checks.{module.name}")
        registered = [name for name, cls in types.items() if cls.__module__ == imported.__name__]
        assert registered == [module.name], (module.name, registered)
    for name, cls in types.items():
        assert cls.__module__.rsplit(".", 1)[1] == name, (name, cls.__module__)
