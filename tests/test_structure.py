"""The package's structure (issue 13): imports point one way (no cycle, imports inside functions
counted), nothing imports the command line's private helpers, and no module keeps settings in a
global that a ``global`` statement changes."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "validators"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package modules ``name`` imports anywhere in its code (functions included)."""
    found: set[str] = set()
    package = name if (PACKAGE / Path(*name.split(".")[1:]) / "__init__.py").exists() else \
        name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    # a package's __init__ is imported with every submodule; that edge is not a dependency
    return {name: {t for t in _imports(name, tree, known) if not name.startswith(t + ".")}
            for name, tree in modules.items()}


def test_the_scan_sees_imports_inside_functions() -> None:
    graph = _graph()
    assert "validators.tables.command" in graph["validators.cli"]  # inside build_parser
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_no_module_imports_private_helpers_of_the_command_line() -> None:
    offenders = []
    for name, tree in _modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "validators.cli":
                offenders += [f"{name}: {alias.name}" for alias in node.names
                              if alias.name.startswith("_")]
    assert offenders == []


def test_no_global_statement() -> None:
    """Settings travel with the work; a ``global`` that changes a module's state is a setting
    that a spawned worker would not see."""
    found = [f"{name}:{node.lineno}" for name, tree in _modules().items()
             for node in ast.walk(tree) if isinstance(node, ast.Global)]
    assert found == []


def test_one_run_loop() -> None:
    """Only the pipeline calls the per-document checks (tests and rule examples aside)."""
    callers = sorted(name for name, tree in _modules().items()
                     for node in ast.walk(tree)
                     if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
                     and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
                     == "check_document")
    assert callers == ["validators.pipeline"]
