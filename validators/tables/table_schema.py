"""``table_schema``: an extracted table (CSV or Parquet) that fails its pandera schema (the SCH
rules).

These rules never run in a corpus ``check``: their scope is ``table``. ``corpus-validate
check-table`` and ``extract`` apply them: each failure of a table is reported by the rules whose
``failure`` option names its kind (and whose ``schema`` is ``auto`` or that table). A rule's
examples are small CSV tables. One check type for every kind of failure: the kinds are outcomes
of one validation of the table (reading, coercion, the pandera schema, the cross-table checks),
not separate logics.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from validators.checks import CheckOptions, CheckType, option, register
from validators.document import Document
from validators.findings import Hit
from validators.tables import FAILURE_KINDS, TABLES


# It lives beside the tables it checks: validators.checks.load_check_types imports it by name.
@register
class TableSchemaCheck(CheckType):
    name: ClassVar[str] = "table_schema"
    scope: ClassVar[str] = "table"
    summary: ClassVar[str] = "an extracted table (CSV or Parquet) that fails its pandera schema"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        failure: str = option("choice", choices=FAILURE_KINDS,
                              help="which kind of failure the rule reports")
        schema: str = option("choice", "auto", choices=("auto", *TABLES),
                             help="the tables the rule applies to; auto: every table (an example "
                                  "is read with the schema its header matches best)")

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        from validators.tables.findings import failure_hit
        from validators.tables.reading import locate, parse_csv_text
        from validators.tables.validate import validate

        table = None if options.schema == "auto" else options.schema
        data = parse_csv_text(doc.text or "", table, doc.path)
        failures = [f for f in validate(data) if f.kind == options.failure]
        if failures:
            locate(data)
        for failure in failures:
            yield failure_hit(data, failure)
