"""Validating a table: what reading and coercion found, the pandera schema (lazily), and the
cross-table checks, in the order of the table's rows and columns."""

from __future__ import annotations

from validators.tables.cross_table import Reference, cross_failures
from validators.tables.schema_failures import schema_failures
from validators.tables.table_data import Failure, TableData


def validate(data: TableData, ref: Reference | None = None) -> list[Failure]:
    """Every failure of a table: reading, coercion, the pandera schema (lazy), the cross-table
    checks (those of them whose columns are present; none on a table that could not be read)."""
    failures = list(data.failures)
    schema = schema_failures(data)
    if any(f.kind == "malformed" and f.row is None and f.column is None for f in failures):
        schema = [f for f in schema if f.kind != "missing_column"]  # no header: said once
    failures += schema
    if not any(f.kind == "malformed" and f.row is None for f in failures):
        cross = cross_failures(data, ref)
        # a text compared with the document says more than its length compared with its offsets
        compared = {(f.row, f.column) for f in cross if f.kind == "text_mismatch"}
        failures = [f for f in failures if not (f.kind == "text_mismatch" and
                                                (f.row, f.column) in compared)] + cross
    failures.sort(key=lambda f: (f.row or 0, _column_index(data, f.column), f.kind))
    return failures


def _column_index(data: TableData, column: str | None) -> int:
    return data.header.index(column) if column in data.header else -1

