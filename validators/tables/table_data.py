"""A table read for validation (:class:`TableData`) and one failure of it (:class:`Failure`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from validators.tables.csv_positions import Record

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Failure:
    """One failure case: which check kind, which row (1-based; None: the table or its header),
    which column (None: the whole row or table), and what is wrong."""

    kind: str
    row: int | None
    column: str | None
    detail: str
    value: str = ""



@dataclass
class TableData:
    """A table read for validation: the typed frame (index = 1-based row numbers) and, for
    positions and context, the CSV text it was read from."""

    table: str
    path: str
    frame: pd.DataFrame | None = None
    text: str = ""
    header: list[str] = field(default_factory=list)
    header_places: list[tuple[int, int, int]] = field(default_factory=list)
    rows: dict[int, Record] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    source_format: str = "csv"

    def place(self, row: int | None, column: str | None) -> tuple[int, int, int]:
        """(line, column, end column) of a cell, a row, or the header."""
        if row is not None and row in self.rows:
            record = self.rows[row]
            if column is not None and column in self.header:
                index = self.header.index(column)
                if index < len(record.places):
                    return record.places[index]
            first, last = record.places[0], record.places[-1]
            return record.line, first[1], last[2] if last[0] == first[0] else first[2]
        if column is not None and column in self.header:
            return self.header_places[self.header.index(column)]
        if self.header_places:
            return 1, 1, self.header_places[-1][2]
        return 1, 1, 2

    @property
    def row_count(self) -> int:
        return 0 if self.frame is None else len(self.frame)


def is_missing(value: Any) -> bool:
    """A cell that holds no value (None, NaN, pandas' NA); False for anything pandas cannot
    judge."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
