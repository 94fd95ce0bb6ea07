"""Where the bundled rules and sample corpus live: inside the wheel, or beside the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    inside_wheel = _PACKAGE / "_bundled" / name
    return inside_wheel if inside_wheel.exists() else _PACKAGE.parent / name


def default_rules_dir() -> Path:
    return _bundled("rules")


def default_rule_files() -> list[Path]:
    return sorted(default_rules_dir().glob("*.yaml"))


def sample_corpus_dir() -> Path:
    return _bundled("sample-corpus")
