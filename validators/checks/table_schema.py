"""``table_schema``: failures of an extracted table against its pandera schema (the SCH rules).

These rules do not run in a corpus ``check``: their scope is ``table``, and ``corpus-validate
check-table`` / ``extract`` apply them (validators.tables.validate). As a check type, the text it
receives is a CSV table (that is how the rules' own ``tests`` examples are written); pandas and
pandera are imported only when it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.findings import Hit
from validators.tables import KINDS, TABLES


@register
class TableSchemaCheck(CheckType):
    name: ClassVar[str] = "table_schema"
    scope: ClassVar[str] = "table"
    summary: ClassVar[str] = "an extracted table (CSV or Parquet) that fails its pandera schema"
    options: ClassVar[dict[str, Option]] = {
        "failure": Option("choice", choices=tuple(KINDS), help="which kind of failure to report"),
        "schema": Option("choice", default="auto", choices=("auto", *TABLES),
                         help="the table's schema; auto: the one its header matches best"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        from validators.tables.validate import failure_hit, locate, parse_csv_text, validate

        table = None if options["schema"] == "auto" else options["schema"]
        data = parse_csv_text(doc.text or "", table, doc.path)
        failures = [f for f in validate(data) if f.kind == options["failure"]]
        if failures:
            locate(data)
        for failure in failures:
            yield failure_hit(data, failure)
