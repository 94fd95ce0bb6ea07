"""Table failures → SCH findings. Which rule reports a failure is said by the rule files alone:
every enabled ``table_schema`` rule whose ``failure`` option is the failure's kind (and whose
``schema`` option is ``auto`` or the table's) reports it, with its own id, severity and message.
A kind that no enabled rule names is not reported, as a rule configured ``off`` is not."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from validators.document import Document
from validators.findings import Finding, Hit
from validators.tables.reading import locate
from validators.tables.table_data import Failure, TableData

if TYPE_CHECKING:
    from validators.rules import Rule, RuleSet

TABLE_SCHEMA = "table_schema"  # the check type of the rules that report table failures


def failure_hit(data: TableData, failure: Failure) -> Hit:
    line, column, end_column = data.place(failure.row, failure.column)
    if failure.row is None:
        where = f"column '{failure.column}'" if failure.column else "table"
        if failure.kind == "missing_column":
            where = "header"
    else:
        where = f"row {failure.row}" + (f", column '{failure.column}'" if failure.column else "")
    fields = {"where": where, "detail": failure.detail, "row": failure.row,
              "column": failure.column or "", "table": data.table, "text": failure.value}
    return Hit(line, column, line, end_column, fields,
               evidence=f"{failure.kind}|{failure.column}|{failure.value}|{failure.detail}")



def to_findings(data: TableData, failures: list[Failure], ruleset: RuleSet | None
                ) -> list[tuple[Finding, Failure]]:
    """SCH findings (rule id, severity and message as configured), each with the failure it
    reports; failures that no enabled rule of this table reports are dropped."""
    from validators.engine import to_finding

    if failures:
        locate(data)
    doc = Document(data.path, b"", text=data.text)
    by_kind = rules_by_failure(ruleset, data.table)
    occurrences: Counter[Any] = Counter()
    findings: list[tuple[Finding, Failure]] = []
    for failure in failures:
        for rule in by_kind.get(failure.kind, ()):
            hit = failure_hit(data, failure)
            occurrences[(rule.id, hit.evidence)] += 1
            finding = to_finding(rule, doc, hit, occurrences[(rule.id, hit.evidence)] - 1,
                                 data.path)
            findings.append((finding, failure))
    return findings


def rules_by_failure(ruleset: RuleSet | None, table: str) -> dict[str, list[Rule]]:
    """The enabled table_schema rules that apply to ``table``, by the failure kind each reports
    (in rule-id order); the default rules when ``ruleset`` is None."""
    if ruleset is None:
        from validators.config import Config, build_ruleset

        ruleset = build_ruleset(Config())
    by_kind: dict[str, list[Rule]] = {}
    for rule_id in sorted(ruleset.rules):
        rule = ruleset.rules[rule_id]
        if rule.check.name != TABLE_SCHEMA or not rule.enabled:
            continue
        if rule.options.schema in ("auto", table):
            by_kind.setdefault(rule.options.failure, []).append(rule)
    return by_kind
