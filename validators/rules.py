"""Rule files: load, validate and self-test the YAML rules that configure the check types.

A rule that silently matches nothing is the worst bug a linter can have, so everything is checked
on load: unknown keys, unknown check types, option types, regexes that do not compile, and (for
rule files a project adds) the rule's own ``tests`` examples. Every error names file and line.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from validators.checks import REQUIRED, CheckType, Option, load_check_types
from validators.errors import ConfigError
from validators.findings import CATEGORIES, SEVERITIES, Hit, category_of
from validators.lexicons import Lexicon, lexicon_from_entries, load_lexicon
from validators.yamlload import LineDict, load_yaml_file

RULE_KEYS = {"name", "check", "severity", "message", "description", "why", "options", "tests", "fix"}
RULE_FILE_KEYS = {"rules", "description"}
RULE_ID = regex.compile(r"^(?:" + "|".join(CATEGORIES) + r")[0-9]{3}$")
REGEX_TIMEOUT = 1.0  # seconds a user regex may spend on one line before it counts as runaway


@dataclass(frozen=True)
class CompiledRegex:
    """A user regex (the ``regex`` package, so ``\\p{Han}`` works and a timeout can stop it)."""

    pattern: str
    compiled: Any

    def finditer(self, text: str, pos: int = 0) -> Iterator[Any]:
        try:
            yield from self.compiled.finditer(text, pos, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RegexTimeout(self.timeout_message()) from None

    def search(self, text: str) -> Any:
        try:
            return self.compiled.search(text, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RegexTimeout(self.timeout_message()) from None

    def timeout_message(self) -> str:
        return (f"regex {self.pattern!r} took more than {REGEX_TIMEOUT:g} s on one text "
                "(catastrophic backtracking?)")


class RegexTimeout(ConfigError):
    """A user regex hit :data:`REGEX_TIMEOUT`; the engine re-raises it naming the rule."""


@dataclass
class Rule:
    id: str
    name: str
    check: CheckType
    severity: str
    message: str
    description: str
    options: Any                 # the check type's Options instance
    raw_options: dict[str, Any]
    tests: dict[str, list[Any]]
    source: str
    line: int
    fix: bool = False
    default_severity: str = ""
    why: str = ""                # why it matters (``rules explain``, the README catalogue)

    @property
    def category(self) -> str:
        return category_of(self.id)

    @property
    def enabled(self) -> bool:
        return self.severity != "off"

    @property
    def fix_safety(self) -> str | None:
        """"safe", "unsafe" or None (no fix) for this rule's options."""
        return self.check.fix_safety_for(self.options)

    def format_message(self, hit: Hit) -> str:
        try:
            return _Formatter().vformat(self.message, (), _Fields(hit.fields))
        except ConfigError as exc:  # a {field} the check type does not provide
            raise ConfigError(f"rule {self.id}: {exc} {self.check.name!r} (it provides: "
                              f"{', '.join(sorted(hit.fields)) or 'none'})", self.source,
                              self.line) from None


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        raise ConfigError(f"message field {{{key}}} is not provided by check type")


class _Formatter(string.Formatter):
    pass


@dataclass
class RuleSet:
    rules: dict[str, Rule] = field(default_factory=dict)

    def enabled(self) -> list[Rule]:
        return [r for r in self.rules.values() if r.enabled]

    def document_rules(self) -> list[Rule]:
        return [r for r in self.enabled() if r.check.scope == "document"]

    def corpus_rules(self) -> list[Rule]:
        return [r for r in self.enabled() if r.check.scope == "corpus"]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.rules


def _type_name(value: Any) -> str:
    return {str: "string", int: "integer", float: "number", bool: "boolean", list: "list",
            dict: "mapping"}.get(type(value), type(value).__name__)


def convert_option(name: str, spec: Option, value: Any, base: Path, where: tuple[str, int]) -> Any:
    """Check one option value against its declared type and convert it for the check type."""
    source, line = where

    def bad(expected: str) -> ConfigError:
        return ConfigError(f"option {name!r} must be {expected}, not {_type_name(value)} "
                           f"{value!r}", source, line)

    kind = spec.type
    if kind in ("str", "chars"):
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer")
        if spec.minimum is not None and value < spec.minimum:
            raise ConfigError(f"option {name!r} must be at least {spec.minimum}", source, line)
        if spec.maximum is not None and value > spec.maximum:
            raise ConfigError(f"option {name!r} must be at most {spec.maximum}", source, line)
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        if spec.minimum is not None and value < spec.minimum:
            raise ConfigError(f"option {name!r} must be at least {spec.minimum}", source, line)
        if spec.maximum is not None and value > spec.maximum:
            raise ConfigError(f"option {name!r} must be at most {spec.maximum}", source, line)
        return float(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind == "str_list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of strings")
        return list(value)
    if kind == "choice":
        if value not in spec.choices:
            raise ConfigError(f"option {name!r} must be one of {', '.join(map(str, spec.choices))}"
                              f", not {value!r}", source, line)
        return value
    if kind == "mapping":
        if not isinstance(value, dict):
            raise bad("a mapping")
        return dict(value)
    if kind == "regex":
        if not isinstance(value, str):
            raise bad("a regular expression string")
        try:
            return CompiledRegex(value, regex.compile(value, regex.VERSION1))
        except regex.error as exc:
            raise ConfigError(f"option {name!r}: regex does not compile: {exc}", source,
                              line) from None
    if kind == "lexicon":
        if isinstance(value, list):
            return lexicon_from_entries(value, source, line)
        if not isinstance(value, str):
            raise bad("a lexicon file path or a list of entries")
        path = (base / value).resolve()
        if not path.is_file():
            raise ConfigError(f"option {name!r}: lexicon file {value!r} not found", source, line)
        return load_lexicon(path)
    raise ConfigError(f"option {name!r} has an unknown type {kind!r}", source, line)


def resolve_options(check: CheckType, options: dict[str, Any], base: Path,
                    where: tuple[str, int], line_of: Any = None) -> Any:
    """The check type's ``Options`` filled from a rule's ``options`` mapping: every value checked
    and converted, unknown and missing options refused, then the options' own ``validate``."""
    source, line = where
    specs = check.option_specs()
    unknown = set(options) - set(specs)
    if unknown:
        known = ", ".join(sorted(specs)) or "none"
        name = sorted(unknown)[0]
        opt_line = line_of(name) if line_of else line
        raise ConfigError(f"unknown option {name!r} for check type {check.name!r} "
                          f"(its options: {known})", source, opt_line)
    resolved: dict[str, Any] = {}
    for name, spec in specs.items():
        if name in options:
            opt_line = line_of(name) if line_of else line
            resolved[name] = convert_option(name, spec, options[name], base, (source, opt_line))
        elif spec.default is REQUIRED:
            raise ConfigError(f"check type {check.name!r} needs option {name!r}", source, line)
        elif spec.type in ("regex", "lexicon") and spec.default is not None:
            resolved[name] = convert_option(name, spec, spec.default, base, (source, line))
        else:
            resolved[name] = spec.default
    return build_options(check, resolved, where)


def build_options(check: CheckType, values: dict[str, Any], where: tuple[str, int]) -> Any:
    """The ``Options`` instance of converted ``values``, refused with the file and line when
    its ``validate`` says the combination cannot work."""
    options = check.Options(**values)
    problem = options.validate()
    if problem:
        raise ConfigError(f"check type {check.name!r}: {problem}", *where)
    return options


def with_options(rule: Rule, values: dict[str, Any], where: tuple[str, int]) -> Any:
    """``rule``'s options with converted ``values`` laid over them (configuration, examples)."""
    return build_options(rule.check, {**options_dict(rule.options), **values}, where)


def option_value(options: Any, name: str, default: Any = None) -> Any:
    """One option's value, ``default`` when the check type has no such option."""
    return getattr(options, name, default)


def options_dict(options: Any) -> dict[str, Any]:
    """Option name → value, of an ``Options`` instance."""
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}


def parse_rule(rule_id: Any, body: Any, source: str, line: int, base: Path) -> Rule:
    types = load_check_types()
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        raise ConfigError(f"rule id {rule_id!r} must be a category prefix "
                          f"({', '.join(CATEGORIES)}) and three digits, e.g. PAIR001", source, line)
    if not isinstance(body, dict):
        raise ConfigError(f"rule {rule_id} must be a mapping", source, line)
    line_of = body.line_of if isinstance(body, LineDict) else (lambda key: line)
    unknown = set(body) - RULE_KEYS
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise ConfigError(f"rule {rule_id}: unknown key {key!r} (allowed: "
                          f"{', '.join(sorted(RULE_KEYS))})", source, line_of(key))
    for key in ("name", "check", "message", "description"):
        if not isinstance(body.get(key), str) or not body[key].strip():
            raise ConfigError(f"rule {rule_id}: {key!r} is required and must be a string",
                              source, line_of(key))
    try:
        list(string.Formatter().parse(body["message"]))
    except ValueError as exc:
        raise ConfigError(f"rule {rule_id}: message is not a valid format string ({exc}; write "
                          "{{ and }} for literal braces)", source, line_of("message")) from None
    check_name = body["check"]
    if check_name not in types:
        raise ConfigError(f"rule {rule_id}: unknown check type {check_name!r} (known: "
                          f"{', '.join(sorted(types))})", source, line_of("check"))
    severity = body.get("severity", "error")
    if severity is False:  # YAML 1.1 reads a bare `off` as false
        severity = "off"
    if severity not in (*SEVERITIES, "off"):
        raise ConfigError(f"rule {rule_id}: severity must be error, warning, info or off, not "
                          f"{severity!r}", source, line_of("severity"))
    check = types[check_name]()
    raw_options = body.get("options") or {}
    if not isinstance(raw_options, dict):
        raise ConfigError(f"rule {rule_id}: options must be a mapping", source, line_of("options"))
    opt_line_of = raw_options.line_of if isinstance(raw_options, LineDict) else None
    options = resolve_options(check, raw_options, base, (source, line_of("options")), opt_line_of)
    tests = body.get("tests") or {}
    if not isinstance(tests, dict) or set(tests) - {"pass", "fail"}:
        raise ConfigError(f"rule {rule_id}: tests must be a mapping with 'pass' and 'fail' lists",
                          source, line_of("tests"))
    for kind in ("pass", "fail"):
        if not isinstance(tests.get(kind, []), list):
            raise ConfigError(f"rule {rule_id}: tests.{kind} must be a list", source,
                              line_of("tests"))
    why = body.get("why", "")
    if not isinstance(why, str):
        raise ConfigError(f"rule {rule_id}: why must be a string", source, line_of("why"))
    fix = body.get("fix", False)
    if not isinstance(fix, bool):
        raise ConfigError(f"rule {rule_id}: fix must be true or false", source, line_of("fix"))
    if fix and check.fix_safety_for(options) is None:
        raise ConfigError(f"rule {rule_id}: fix: true, but check type {check_name!r} has no fix",
                          source, line_of("fix"))
    return Rule(rule_id, body["name"], check, severity, body["message"].strip(),
                " ".join(body["description"].split()), options, dict(raw_options),
                {"pass": list(tests.get("pass", [])), "fail": list(tests.get("fail", []))},
                source, line, fix, severity, " ".join(why.split()))


def load_rule_file(path: Path) -> list[Rule]:
    data = load_yaml_file(path)
    source = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise ConfigError("a rule file needs a top-level 'rules' mapping", source)
    unknown = set(data) - RULE_FILE_KEYS
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise ConfigError(f"unknown top-level key {key!r}", source,
                          data.line_of(key) if isinstance(data, LineDict) else None)
    rules_map = data["rules"]
    line_of = rules_map.line_of if isinstance(rules_map, LineDict) else (lambda key: 0)
    return [parse_rule(rule_id, body, source, line_of(rule_id), path.parent)
            for rule_id, body in rules_map.items()]


def load_rule_files(paths: Iterable[Path]) -> RuleSet:
    ruleset = RuleSet()
    for path in paths:
        for rule in load_rule_file(path):
            if rule.id in ruleset.rules:
                other = ruleset.rules[rule.id]
                raise ConfigError(f"rule {rule.id} is already defined in {other.source}:"
                                  f"{other.line}", rule.source, rule.line)
            ruleset.rules[rule.id] = rule
    return ruleset


def lexicon_of(options: Any, key: str = "lexicon") -> Lexicon:
    lexicon = getattr(options, key, None)
    if not isinstance(lexicon, Lexicon):
        return Lexicon("(none)", frozenset(), frozenset())
    return lexicon
