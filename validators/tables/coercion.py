"""CSV cells → the dtypes of the table's pandera model.

pandera's own coercion (each model's ``coerce = True``) makes the dtypes. Reading a cell's text
as a Python value comes first because pandera's coercion of text does not read what tables hold:
``True``/``False`` (what pandas writes for a boolean column), ``1``/``0`` and ``3.0`` fail it,
and it reports a failing cell by its position in the column, not by its row. So each cell of a
column the model declares integer or boolean is read here; a cell that is not of that type is a
``wrong_type`` failure at its row and column and becomes a missing value (reported once, not
again as a missing value).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from validators.tables.table_data import Failure

if TYPE_CHECKING:
    import pandas as pd

_INT = re.compile(r"^\s*[+-]?\d+(?:\.0*)?\s*$")
_BOOL = {"true": True, "false": False, "1": True, "0": False}
_INT64_LIMIT = 2 ** 63


def cell_value(text: str, dtype: str) -> tuple[Any, str | None]:
    """The value of one cell of an ``Int64`` or ``boolean`` column (None when empty) and, when
    the cell is not of that type, why not."""
    stripped = text.strip()
    if stripped == "":
        return None, None
    if dtype == "boolean":
        value = _BOOL.get(stripped.lower())
        return (value, None) if value is not None else (None, f"{text!r} is not true or false")
    if not _INT.match(stripped):
        return None, f"{text!r} is not an integer"
    number = int(stripped.split(".")[0])
    if abs(number) >= _INT64_LIMIT:
        return None, f"{text!r} is too large for a 64-bit integer"
    return number, None


def typed_frame(table: str, header: list[str], rows: dict[int, list[str]]
                ) -> tuple[pd.DataFrame, list[Failure]]:
    """The frame of a table's rows (index: their 1-based row numbers) in the dtypes its model
    declares, and the cells that are not of their column's type. A column the model does not
    have is text; an empty cell is a missing value."""
    import pandas as pd

    from validators.tables.schemas import coerced, column_dtypes

    dtypes = column_dtypes(table)
    index = list(rows)
    failures: list[Failure] = []
    columns: dict[str, Any] = {}
    for name in dict.fromkeys(header):
        position = header.index(name)
        raw = [rows[row][position] for row in index]
        dtype = dtypes.get(name)
        if dtype not in ("Int64", "boolean"):
            columns[name] = pd.Series([v if v != "" else None for v in raw], index=index,
                                      dtype="str" if dtype is None else object)
            continue
        values = []
        for row, text in zip(index, raw, strict=True):
            value, wrong = cell_value(text, dtype)
            values.append(value)
            if wrong:
                failures.append(Failure("wrong_type", row, name, wrong, text))
        columns[name] = pd.Series(values, index=index, dtype=object)
    frame = pd.DataFrame(columns, index=pd.Index(index, dtype="int64"))
    return coerced(table, frame), failures
