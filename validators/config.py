"""Project configuration: ``corpus-validate.yaml`` or ``[tool.corpus-validate]`` in pyproject.toml.

```yaml
extends: default            # the bundled rule set; "none" for only your own rule files; or a path
paths: [corpus/]
include: ["**/*.txt"]
exclude: ["drafts/**"]
fail_on: error              # error | warning | info | never
rule_files: [rules/house-style.yaml]
options: {sentence_end: "。！？!?；"}   # default for every rule that has this option
rules:
  PAIR003: off              # severity only
  LEX001: {severity: info, options: {lexicon: my-connectives.yaml}}
per_file_ignores:           # globs -> rule ids or categories (validators.suppressions)
  "classics/**": [PUN001]
ignore:                     # single findings accepted after review; a reason is required
  - {fingerprint: 3f2a9c0d1e2b4a5f, reason: "the title quotes a URL"}
```
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validators.engine import example_failures
from validators.errors import ConfigError
from validators.findings import SEVERITIES
from validators.resources import default_rule_files, sample_corpus_dir
from validators.rules import RuleSet, convert_option, load_rule_files, with_options
from validators.suppressions import Suppressions, parse_suppressions
from validators.yamlload import LineDict, load_yaml_file

CONFIG_FILE = "corpus-validate.yaml"
FAIL_ON = ("error", "warning", "info", "never")
# key -> expected type name, for the error message; add keys here as features grow
CONFIG_KEYS: dict[str, str] = {
    "extends": "a string", "paths": "a list of paths", "include": "a list of globs",
    "exclude": "a list of globs", "fail_on": "error|warning|info|never",
    "rule_files": "a list of paths", "options": "a mapping", "rules": "a mapping",
    "script": "simplified|traditional|traditional-tw|traditional-hk|auto", "cache_dir": "a path",
    "jobs": "an integer",
    "max_file_bytes": "an integer", "per_file_ignores": "a mapping of globs to rule ids",
    "ignore": "a list of {fingerprint, reason}",
}


@dataclass
class Config:
    source: str | None = None          # the file it came from, if any
    root: Path = field(default_factory=Path.cwd)
    extends: str = "default"
    paths: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=lambda: ["**/*.txt"])
    exclude: list[str] = field(default_factory=list)
    fail_on: str = "error"
    rule_files: list[Path] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # other known keys (script, jobs, …)
    lines: dict[str, int] = field(default_factory=dict)
    suppressions: Suppressions = field(default_factory=Suppressions)  # per_file_ignores, ignore

    def corpus_paths(self) -> list[str]:
        """Configured paths; without ``paths``, the configuration's folder (whose repository's
        files are the corpus: ``run.files_for``); with no configuration file at all, the bundled
        sample corpus."""
        if self.paths:
            return [str(self.root / p) if not Path(p).is_absolute() else p for p in self.paths]
        if self.source is not None:
            return [str(self.root)]
        return [str(sample_corpus_dir())]


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_section(pyproject) is not None:
            return pyproject
    return None


def _pyproject_section(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", str(path)) from None
    section = data.get("tool", {}).get("corpus-validate")
    return section if isinstance(section, dict) else None


def _expect_list(data: dict[str, Any], key: str, source: str, line: int) -> list[str]:
    value = data[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key!r} must be {CONFIG_KEYS[key]}", source, line)
    return list(value)


def load_config(path: Path | None, _seen: tuple[Path, ...] = ()) -> Config:
    if path is None:
        return Config()
    path = path.resolve()
    if path in _seen:
        raise ConfigError("'extends' forms a cycle", str(path))
    source = str(path)
    if path.name == "pyproject.toml":
        section = _pyproject_section(path)
        if section is None:
            raise ConfigError("no [tool.corpus-validate] section", source)
        data: dict[str, Any] = section
    else:
        loaded = load_yaml_file(path)
        if loaded is None:
            loaded = LineDict()
        if not isinstance(loaded, dict):
            raise ConfigError("the configuration must be a mapping", source)
        data = loaded
    line_of = data.line_of if isinstance(data, LineDict) else (lambda key: 0)
    unknown = set(data) - set(CONFIG_KEYS)
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise ConfigError(f"unknown configuration key {key!r}{did_you_mean(key, CONFIG_KEYS)} (known: "
                          f"{', '.join(sorted(CONFIG_KEYS))})", source, line_of(key))
    config = Config(source=source, root=path.parent)
    extends = data.get("extends", "default")
    if not isinstance(extends, str):
        raise ConfigError("'extends' must be 'default', 'none' or a path", source,
                          line_of("extends"))
    if extends not in ("default", "none"):
        if not (path.parent / extends).is_file():
            raise ConfigError(f"'extends' must be 'default', 'none' or the path of another "
                              f"configuration file; {extends!r} is not a file"
                              f"{did_you_mean(extends, ('default', 'none'))}", source,
                              line_of("extends"))
        parent = load_config((path.parent / extends), (*_seen, path))
        config.extends = parent.extends
        config.paths, config.include, config.exclude = parent.paths, parent.include, parent.exclude
        config.fail_on, config.rule_files = parent.fail_on, list(parent.rule_files)
        config.options, config.rules = dict(parent.options), dict(parent.rules)
        config.extra = dict(parent.extra)
        config.suppressions = parent.suppressions
        config.root = parent.root if not data.get("paths") else config.root
    else:
        config.extends = extends
    for key in ("paths", "include", "exclude"):
        if key in data:
            setattr(config, key, _expect_list(data, key, source, line_of(key)))
            if key == "paths":
                config.root = path.parent
    if "fail_on" in data:
        if data["fail_on"] not in FAIL_ON:
            raise ConfigError(f"'fail_on' must be one of {', '.join(FAIL_ON)}", source,
                              line_of("fail_on"))
        config.fail_on = data["fail_on"]
    if "rule_files" in data:
        config.rule_files += [path.parent / p for p in
                              _expect_list(data, "rule_files", source, line_of("rule_files"))]
    for key in ("options", "rules"):
        if key in data:
            if not isinstance(data[key], dict):
                raise ConfigError(f"{key!r} must be a mapping", source, line_of(key))
            for name, value in data[key].items():
                getattr(config, key)[name] = (value, source, _line(data[key], name), path.parent)
    # a file's own suppressions add to those of the file it extends (each keeps its folder)
    config.suppressions = config.suppressions + parse_suppressions(data, source, path.parent, line_of)
    for key in set(data) & {"script", "cache_dir", "jobs", "max_file_bytes"}:
        config.extra[key] = data[key]
        config.lines[key] = line_of(key)
    limit = data.get("max_file_bytes")
    if "max_file_bytes" in data and (isinstance(limit, bool) or not isinstance(limit, int)
                                     or limit < 1):
        raise ConfigError(f"'max_file_bytes' must be a whole number of bytes >= 1, not {limit!r}",
                          source, line_of("max_file_bytes"))
    return config


def did_you_mean(word: str, known: Any) -> str:
    """' (did you mean 'paths'?)' for a near miss among ``known``, else ''."""
    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _line(mapping: Any, key: str) -> int:
    return mapping.line_of(key) if isinstance(mapping, LineDict) else 0


def build_ruleset(config: Config) -> RuleSet:
    """The default rules (unless ``extends: none``), the project's rule files, then overrides."""
    files = list(default_rule_files()) if config.extends == "default" else []
    ruleset = load_rule_files([*files, *config.rule_files])
    project_files = {str(p) for p in config.rule_files}
    for rule in ruleset:
        # the bundled rules' examples are run by the test suite; a project's own are run here
        if rule.source in project_files:
            problems = example_failures(rule)
            if problems:
                raise ConfigError(f"the rule's own tests fail: {problems[0]}", rule.source,
                                  rule.line)
    if "script" in config.extra:
        # `script: simplified|traditional|traditional-tw|traditional-hk|auto`: the default of
        # every rule's `script` option
        # (a global `options: {script: ...}` or a rule's own override still wins)
        where = (config.source or CONFIG_FILE, config.lines.get("script", 0))
        for rule in ruleset:
            spec = rule.check.option_specs().get("script")
            if spec is not None:
                rule.options = with_options(rule, {"script": convert_option(
                    "script", spec, config.extra["script"], config.root, where)}, where)
    for name, (value, source, line, base) in config.options.items():
        for rule in ruleset:
            spec = rule.check.option_specs().get(name)
            if spec is not None:
                rule.options = with_options(rule, {name: convert_option(
                    name, spec, value, base, (source, line))}, (source, line))
    for rule_id, (value, source, line, base) in config.rules.items():
        if rule_id not in ruleset:
            raise ConfigError(f"rules: unknown rule {rule_id!r}"
                              f"{did_you_mean(str(rule_id), ruleset.rules)}", source, line)
        rule = ruleset.rules[rule_id]
        if isinstance(value, str):
            value = {"severity": value}
        if value is False:
            value = {"severity": "off"}
        if not isinstance(value, dict) or set(value) - {"severity", "options"}:
            raise ConfigError(f"rules.{rule_id}: give a severity, or a mapping with 'severity' "
                              "and/or 'options'", source, line)
        if "severity" in value:
            if value["severity"] is False:  # YAML 1.1 reads a bare `off` as false
                value = {**value, "severity": "off"}
            if value["severity"] not in (*SEVERITIES, "off"):
                raise ConfigError(f"rules.{rule_id}: severity must be error, warning, info or off",
                                  source, line)
            rule.severity = value["severity"]
        options = value.get("options") or {}
        if not isinstance(options, dict):
            raise ConfigError(f"rules.{rule_id}.options must be a mapping", source, line)
        specs = rule.check.option_specs()
        for name, option_value in options.items():
            spec = specs.get(name)
            if spec is None:
                raise ConfigError(f"rules.{rule_id}: unknown option {name!r}"
                                  f"{did_you_mean(str(name), specs)} (its options: "
                                  f"{', '.join(sorted(specs))})", source,
                                  _line(options, name) or line)
            where = (source, _line(options, name) or line)
            rule.options = with_options(rule, {name: convert_option(name, spec, option_value, base,
                                                                    where)}, where)
    unknown = config.suppressions.unknown_rules(ruleset.rules)
    if unknown:  # a typo in a suppression would silence nothing, forever
        what, rule_id, source, line, known = unknown[0]
        raise ConfigError(f"{what}: unknown rule {rule_id!r}{did_you_mean(rule_id, known)}", source, line)
    return ruleset
