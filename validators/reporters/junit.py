"""``--format junit``: JUnit XML for CI test-report views (GitLab, Jenkins, Azure, …).

One ``<testsuite>`` per checked file and one ``<testcase>`` per file and enabled rule (document
and corpus-wide rules; table-schema rules apply to extracted tables, not files), passing
ones included, in a stable order (path, then rule id), so a CI system can track a test case
across runs. A test case fails when its file has findings of that rule at or above the gate's
``--fail-on`` level; findings below it are listed in ``<system-out>``. Corpus text is escaped,
and characters XML 1.0 cannot carry (control characters, undecodable file-name bytes) are written
as ``⟨U+XXXX⟩``, so the report is well-formed whatever the corpus holds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any, TextIO

from validators.findings import SEVERITY_RANK, Finding
from validators.reporters import one_line

FILE_SCOPES = ("document", "corpus")  # rules that apply to corpus files (not check-table's tables)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def _line(finding: Finding) -> str:
    text = (f"{one_line(finding.path)}:{finding.line}:{finding.column}: {finding.rule} "
            f"[{finding.severity}] {one_line(finding.message)}")
    if finding.context:
        text += f"\n    {one_line(finding.context)}"
    for related in finding.related:
        text += f"\n    also in {one_line(related.path)}:{related.line}"
    return text


def build_junit(result: Any) -> ET.Element:
    fail_on = getattr(result, "fail_on", "error")
    threshold = SEVERITY_RANK.get(fail_on, 10**6)  # "never": nothing fails
    rules = sorted((r for r in result.ruleset if r.enabled and r.check.scope in FILE_SCOPES),
                   key=lambda r: r.id)
    names = {r.id: r.name for r in rules}
    by_case: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_case[(finding.path, finding.rule)].append(finding)
        names.setdefault(finding.rule, finding.name)
    paths = sorted({d.path for d in result.documents} | {p for p, _ in by_case})
    rule_ids = sorted(names)
    root = ET.Element("testsuites", name="corpus-validate")
    total = failed = 0
    for path in paths:
        suite = ET.SubElement(root, "testsuite", name=xml_text(path))
        suite_failed = 0
        for rule_id in rule_ids:
            findings = by_case.get((path, rule_id), [])
            case = ET.SubElement(suite, "testcase", classname=xml_text(path),
                                 name=xml_text(f"{rule_id} {names[rule_id]}"), file=xml_text(path),
                                 time="0")
            failing = [f for f in findings if SEVERITY_RANK[f.severity] >= threshold]
            passing = [f for f in findings if SEVERITY_RANK[f.severity] < threshold]
            if failing:
                suite_failed += 1
                count = sum(1 + f.unlisted for f in failing)  # those not listed count too
                failure = ET.SubElement(case, "failure", type=rule_id, message=xml_text(
                    f"{count} finding(s): {failing[0].message}"))
                failure.text = xml_text("\n".join(_line(f) for f in failing))
            if passing:
                out = ET.SubElement(case, "system-out")
                out.text = xml_text("\n".join(_line(f) for f in passing))
        suite.set("tests", str(len(rule_ids)))
        suite.set("failures", str(suite_failed))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0")
        total += len(rule_ids)
        failed += suite_failed
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    root.set("time", "0")
    return root


def report(result: Any, stream: TextIO) -> None:
    root = build_junit(result)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
