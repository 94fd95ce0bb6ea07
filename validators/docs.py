"""Rule documentation generated from the rule files: `rules list`, `rules explain`, README."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from validators.findings import CATEGORIES
from validators.rules import Rule, RuleSet


def _options_text(rule: Rule) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name, value in rule.options.items():
        if name in rule.raw_options:
            shown[name] = rule.raw_options[name]
        elif hasattr(value, "pattern"):
            shown[name] = value.pattern
        elif hasattr(value, "source"):
            shown[name] = value.source
        else:
            shown[name] = value
    return shown


def explain_rule(rule: Rule) -> str:
    lines = [f"{rule.id} ({rule.name})", "",
             f"Category:  {rule.category} ({CATEGORIES.get(rule.category, '?')})",
             f"Severity:  {rule.severity}" + (f" (default {rule.default_severity})"
                                              if rule.severity != rule.default_severity else ""),
             f"Check:     {rule.check.name}: {rule.check.summary}",
             f"Message:   {rule.message}",
             f"Defined:   {rule.source}:{rule.line}", "",
             *textwrap.wrap(rule.description, 88), ""]
    options = _options_text(rule)
    if options:
        lines.append("Options:")
        lines += [f"  {k}: {v!r}" for k, v in options.items()]
        lines.append("")
    for name, value in rule.options.items():  # a lexicon lists its frames, variants and scripts
        describe = getattr(value, "describe", None)
        if callable(describe):
            lines.append(f"Lexicon ({name}):")
            lines += [f"  {line}" for line in describe()]
            lines.append("")
    for kind, title in (("pass", "Passes"), ("fail", "Fails")):
        if rule.tests[kind]:
            lines.append(f"{title}:")
            lines += [f"  {json.dumps(e, ensure_ascii=False)}" for e in rule.tests[kind]]
            lines.append("")
    return "\n".join(lines)


def rules_table(ruleset: RuleSet) -> str:
    rows = [f"{r.id:<8} {r.severity:<8} {r.name:<34} {r.check.name}" for r in ruleset]
    return "\n".join(rows) + "\n"


def rules_json(ruleset: RuleSet) -> str:
    return json.dumps([{"id": r.id, "name": r.name, "category": r.category,
                        "severity": r.severity, "check": r.check.name,
                        "description": r.description, "message": r.message,
                        "options": _options_text(r)} for r in ruleset],
                      ensure_ascii=False, indent=2) + "\n"


def rules_markdown(ruleset: RuleSet) -> str:
    out = ["| id | name | severity | check | what it reports |", "|---|---|---|---|---|"]
    for r in ruleset:
        first = r.description.split(". ")[0].rstrip(".") + "."
        first = first.replace("|", "\\|").replace("<", "&lt;")
        out.append(f"| `{r.id}` | {r.name} | {r.severity} | `{r.check.name}` | {first} |")
    return "\n".join(out) + "\n"
