"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` lists every enabled rule with its description; each result has
``ruleId``/``ruleIndex``, a level (error/warning/note), a region whose columns count Unicode code
points (``columnKind: unicodeCodePoints``; ``endColumn`` is exclusive, as in our findings), a
``partialFingerprints`` entry (the finding's line-free fingerprint, so code scanning tracks a
finding across edits) and, for duplicates, ``relatedLocations``. Paths become percent-encoded URI
references relative to ``%SRCROOT%`` (the working directory), so 语料/文档.txt is
``%E8%AF%AD%E6%96%99/%E6%96%87%E6%A1%A3.txt``. A suppression of the configuration that hides
nothing is a ``toolConfigurationNotification`` of the invocation, on its line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from validators import __version__
from validators.findings import CATEGORIES, Finding
from validators.suppressions import dead_suppressions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "corpusValidate/v1"
INFORMATION_URI = "https://pypi.org/project/corpus-validators/"


def path_uri(path: str) -> tuple[str, str | None]:
    """A finding path as a SARIF URI: (uri, uriBaseId). Every byte that is not unreserved or
    ``/`` is percent-encoded (UTF-8 for non-ASCII): a backslash is part of a POSIX file name
    (``bad\\xb5.txt``, the shown name of an undecodable one) and becomes ``%5C``, never a folder."""
    raw = os.fsencode(path) if path else b""
    if path.startswith("/"):
        return "file://" + quote(raw, safe="/"), None
    if re.match(r"^[A-Za-z]:[\\/]", path):  # a Windows drive path
        return "file:///" + quote(path.replace("\\", "/").encode("utf-8", "surrogateescape"),
                                  safe="/:"), None
    return quote(raw, safe="/"), "%SRCROOT%"


def _location(path: str, line: int, column: int = 0, end_line: int = 0,
              end_column: int = 0) -> dict[str, Any]:
    uri, base = path_uri(path)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line >= 1:
        region: dict[str, Any] = {"startLine": line}
        if column >= 1:
            region["startColumn"] = column
        if end_line >= line:
            region["endLine"] = end_line
            if end_column >= 1 and (end_line > line or end_column >= max(column, 1)):
                region["endColumn"] = end_column
        physical["region"] = region
    return {"physicalLocation": physical}


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.。!?！？])(\s|$)", text)
    return match.group(1) if match else text


def rule_descriptor(rule: Any) -> dict[str, Any]:
    description = rule.description or rule.name
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _first_sentence(description)},
        "fullDescription": {"text": description},
        "help": {"text": f"{description}\n\nExamples and options: "
                         f"`corpus-validate rules explain {rule.id}`."},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"category": rule.category,
                       "tags": [CATEGORIES.get(rule.category, rule.category)]},
    }


def build_sarif(result: Any) -> dict[str, Any]:
    ruleset = result.ruleset
    rules = [rule_descriptor(r) for r in sorted(ruleset, key=lambda r: r.id) if r.enabled]
    index = {r["id"]: i for i, r in enumerate(rules)}
    for finding in result.findings:  # a finding of a rule not in the set still gets a descriptor
        if finding.rule not in index:
            index[finding.rule] = len(rules)
            rules.append({"id": finding.rule, "name": finding.name,
                          "shortDescription": {"text": finding.name}})
    results = [_result(f, index[f.rule]) for f in result.findings]
    root = Path.cwd().resolve().as_posix().rstrip("/") + "/"
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "corpus-validate", "version": __version__,
                            "semanticVersion": __version__, "informationUri": INFORMATION_URI,
                            "rules": rules}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + quote(os.fsencode(root),
                                                                     safe="/")}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [_invocation(result)],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _invocation(result: Any) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    dead = dead_suppressions(result.extra_summary)
    if dead:
        invocation["toolConfigurationNotifications"] = [
            {"level": "warning", "descriptor": {"id": "dead-suppression"}, "message": {"text": text},
             "locations": [_location(source, line)]} for source, line, text in dead]
    return invocation


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [_location(finding.path, finding.line, finding.column, finding.end_line,
                                finding.end_column)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"category": finding.category, "severity": finding.severity},
    }
    if finding.related:
        related = []
        for i, rel in enumerate(finding.related, 1):
            loc = _location(rel.path, rel.line)
            loc["id"] = i
            loc["message"] = {"text": f"also in {rel.path}:{rel.line}"}
            related.append(loc)
        out["relatedLocations"] = related
    return out


def report(result: Any, stream: TextIO) -> None:
    text = json.dumps(build_sarif(result), ensure_ascii=False, indent=2)
    stream.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
