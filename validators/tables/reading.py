"""Reading a table for validation: a CSV or Parquet file (or an in-memory frame) into
:class:`TableData`, keeping where each cell is in the file (:mod:`validators.tables.csv_positions`).

Rows are numbered from 1 (the first data row after the header). In a CSV file a finding's line and
column are the cell's place in the file (the header is line 1), so the text output marks the cell;
a Parquet table is rendered as CSV first, so its lines and columns are those of that rendering
(line = row + 1). Nothing here raises on bad input: a file that is not a table of its format, an
empty file, a cell that is not a number are all failures.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from validators.tables.coercion import typed_frame
from validators.tables.csv_positions import Record, render_csv, scan_csv
from validators.tables.table_data import Failure, TableData

if TYPE_CHECKING:
    import pandas as pd

PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def detect_table(header: Iterable[str]) -> str:
    """The schema whose columns the header matches best (for ``schema: auto``)."""
    from validators.tables.schemas import COLUMNS

    names = set(header)
    return max(COLUMNS, key=lambda t: (len(names & set(COLUMNS[t])), -len(COLUMNS[t])))


def header_matches(header: Iterable[str], table: str) -> bool:
    """At least half of the table's columns are in the header: confident enough to pick it."""
    from validators.tables.schemas import COLUMNS

    return 2 * len(set(header) & set(COLUMNS[table])) >= len(COLUMNS[table])


def parse_csv_text(text: str, table: str | None, path: str, source_format: str = "csv"
                   ) -> TableData:
    """Read a table from CSV text; ``table=None`` detects the schema from the header."""
    from validators.tables.schemas import COLUMNS

    records, errors = scan_csv(text)
    data = TableData(table or "spans", path, text=text, source_format=source_format)
    if not records:
        reason = (f"line {errors[0][0]}: {errors[0][1]}" if errors
                  else "the file is empty: a table needs at least a header line")
        data.failures.append(Failure("malformed", None, None, reason))
        return data
    header_record = records[0]
    header = [h.strip() for h in header_record.cells]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    data.table = table or detect_table(header)
    data.header, data.header_places = header, header_record.places
    if not set(header) & set(COLUMNS[data.table]):
        data.failures.append(Failure(
            "malformed", None, None, f"the first line is not a header of the {data.table} table "
            f"(it names none of its columns: {', '.join(COLUMNS[data.table])})"))
    else:
        twice = sorted({name for name in header if header.count(name) > 1})
        data.failures += [Failure("malformed", None, name or None,
                                  f"the header names column '{name}' more than once")
                          for name in twice]
    bad_lines = dict(errors)
    rows: dict[int, list[str]] = {}
    ordered = sorted([(r.line, r) for r in records[1:]] + [(line, None) for line in bad_lines],
                     key=lambda item: item[0])
    for number, (line, record) in enumerate(ordered, 1):
        if record is None:
            data.rows[number] = Record(line, [""], [(line, 1, 2)])
            data.failures.append(Failure("malformed", number, None,
                                         f"line {line}: {bad_lines[line]}"))
            continue
        data.rows[number] = record
        if len(record.cells) != len(header):
            data.failures.append(Failure(
                "malformed", number, None, f"the row has {len(record.cells)} cells, the header "
                f"{len(header)}"))
            continue
        rows[number] = record.cells
    data.frame, wrong_types = typed_frame(data.table, header, rows)
    data.failures += wrong_types
    return data


def read_table(path: Path, table: str | None, shown: str | None = None) -> TableData:
    """Read a CSV or Parquet file (by its suffix or its magic bytes); never raises on content."""
    shown = shown or path.as_posix()
    data = path.read_bytes()  # OSError: the caller's usage error
    parquet = path.suffix.lower() in PARQUET_SUFFIXES or data.startswith(PARQUET_MAGIC)
    if parquet:
        return _read_parquet(data, table, shown)
    if not data.strip():
        return parse_csv_text("", table, shown)
    if b"\x00" in data[:8192]:
        result = TableData(table or "spans", shown)
        result.failures.append(Failure("malformed", None, None, "not a CSV file: it holds NUL "
                                       "bytes (a binary file, or UTF-16 text)"))
        return result
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        result = TableData(table or "spans", shown)
        result.failures.append(Failure("malformed", None, None, f"not a UTF-8 CSV file: byte "
                                       f"0x{data[exc.start]:02x} at offset {exc.start}"))
        return result
    return parse_csv_text(text, table, shown)


def _read_parquet(data: bytes, table: str | None, shown: str) -> TableData:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        frame = pq.read_table(io.BytesIO(data)).to_pandas()
    except (pa.ArrowException, OSError, ValueError, TypeError, NotImplementedError) as exc:
        result = TableData(table or "spans", shown, source_format="parquet")
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        result.failures.append(Failure("malformed", None, None, f"not a Parquet file: {reason}"))
        return result
    return parse_csv_text(render_csv(frame), table, shown, "parquet")


def frame_data(table: str, df: pd.DataFrame, path: str) -> TableData:
    """An in-memory frame (from ``extract``) as TableData: rows renumbered from 1; the CSV
    rendering for positions is made only when a failure needs it (see :func:`locate`)."""
    frame = df.copy()
    frame.index = range(1, len(df) + 1)
    return TableData(table, path, frame=frame, header=list(df.columns))


def locate(data: TableData) -> None:
    """Fill in the CSV text and cell positions of an in-memory table (for findings)."""
    if data.text or data.frame is None:
        return
    data.text = render_csv(data.frame)
    records, _ = scan_csv(data.text)
    if records:
        data.header_places = records[0].places
        data.rows = {number: record for number, record in enumerate(records[1:], 1)}

