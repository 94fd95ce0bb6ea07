"""Validation of tables: read a CSV or Parquet table, coerce it, run the pandera schema lazily and
the cross-table checks, and turn every failure case into an ``SCH`` finding with its row and column.

Rows are numbered from 1 (the first data row after the header). In a CSV file a finding's line and
column are the cell's place in the file (the header is line 1), so the text output marks the cell;
a Parquet table is rendered as CSV first, so its lines and columns are those of that rendering
(line = row + 1). Nothing here raises on bad input: a file that is not a table of its format, an
empty file, a missing column, a cell that is not a number are all findings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from validators.document import Document
from validators.findings import Finding, Hit
from validators.tables import KINDS
from validators.tables.extract import BOOL_COLUMNS, COLUMNS, TEXT_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from validators.rules import Rule, RuleSet

PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_INT = re.compile(r"^\s*[+-]?\d+(?:\.0*)?\s*$")
_BOOL = {"true": True, "false": False, "1": True, "0": False}

# what check-table cannot check from one table alone (said in its output)
NEEDS_CORPUS: dict[str, list[str]] = {
    "documents": ["each row against the file it describes (sizes, counts, hash)"],
    "spans": ["the span text against the document's plain text at its offsets",
              "offsets within the document", "the sentence index against the document"],
    "pairs": ["each part against the document's plain text at its offsets",
              "that both parts are <a> spans of the same document and sentence"],
    "findings": [],
    "connectives": [],
}


@dataclass(frozen=True, slots=True)
class Failure:
    """One failure case: which check kind, which row (1-based; None: the table or its header),
    which column (None: the whole row or table), and what is wrong."""

    kind: str
    row: int | None
    column: str | None
    detail: str
    value: str = ""


# ---------------------------------------------------------------------------------------------
# CSV with cell positions


@dataclass(slots=True)
class Record:
    line: int                                   # 1-based line the record starts on
    cells: list[str]
    places: list[tuple[int, int, int]]          # per cell: (line, column, end column), 1-based


def scan_csv(text: str) -> tuple[list[Record], list[tuple[int, str]]]:
    """RFC 4180 CSV (quotes, doubled quotes, quoted line breaks; CRLF or LF), keeping where each
    cell is. Blank lines are skipped. Returns the records and the errors (line, reason)."""
    lines = text.split("\n")
    records: list[Record] = []
    errors: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        raw = lines[i].removesuffix("\r")
        if not raw.strip():
            i += 1
            continue
        if '"' not in raw:
            cells = raw.split(",")
            places = []
            col = 1
            for cell in cells:
                places.append((i + 1, col, col + max(len(cell), 1)))
                col += len(cell) + 1
            records.append(Record(i + 1, cells, places))
            i += 1
            continue
        record, i, error = _scan_quoted(lines, i)
        if error:
            errors.append((record.line, error))
        else:
            records.append(record)
    return records, errors


def _scan_quoted(lines: list[str], i: int) -> tuple[Record, int, str]:
    """One record that has quotes, from line ``i`` on; a quoted cell may hold line breaks (kept,
    with any carriage return inside the quotes)."""
    start_line = i + 1
    cells: list[str] = []
    places: list[tuple[int, int, int]] = []
    raw = lines[i]
    pos = 0
    while True:
        cell_line, cell_col = i + 1, pos + 1
        if pos < len(raw) and raw[pos] == '"':
            parts: list[str] = []
            pos += 1
            while True:
                close = raw.find('"', pos)
                if close == -1:
                    parts.append(raw[pos:] + "\n")
                    i += 1
                    if i >= len(lines):
                        return Record(start_line, cells, places), i, "a quoted cell is never closed"
                    raw, pos = lines[i], 0
                    continue
                parts.append(raw[pos:close])
                if raw.startswith('"', close + 1):
                    parts.append('"')
                    pos = close + 2
                    continue
                pos = close + 1
                break
            comma = raw.find(",", pos)
            tail_end = len(raw) if comma == -1 else comma
            tail = raw[pos:tail_end]
            parts.append(tail.removesuffix("\r") if comma == -1 else tail)  # text after the quote
            value = "".join(parts)
            end_col = tail_end + 1 if i + 1 == cell_line else cell_col + 1
            pos = tail_end
        else:
            comma = raw.find(",", pos)
            tail_end = len(raw) if comma == -1 else comma
            value = raw[pos:tail_end]
            if comma == -1:
                value = value.removesuffix("\r")
            end_col = pos + len(value) + 1
            pos = tail_end
        cells.append(value)
        places.append((cell_line, cell_col, max(end_col, cell_col + 1)))
        if pos >= len(raw):
            return Record(start_line, cells, places), i + 1, ""
        pos += 1  # the comma
        if pos == len(raw.removesuffix("\r")):  # a trailing comma: one more, empty cell
            cells.append("")
            places.append((i + 1, pos + 1, pos + 2))
            return Record(start_line, cells, places), i + 1, ""


# ---------------------------------------------------------------------------------------------
# Reading tables


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


def detect_table(header: Iterable[str]) -> str:
    """The schema whose columns the header matches best (for ``schema: auto``)."""
    names = set(header)
    return max(COLUMNS, key=lambda t: (len(names & set(COLUMNS[t])), -len(COLUMNS[t])))


def header_matches(header: Iterable[str], table: str) -> bool:
    """At least half of the table's columns are in the header: confident enough to pick it."""
    return 2 * len(set(header) & set(COLUMNS[table])) >= len(COLUMNS[table])


def parse_csv_text(text: str, table: str | None, path: str, source_format: str = "csv"
                   ) -> TableData:
    """Read a table from CSV text; ``table=None`` detects the schema from the header."""
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
    data.frame = coerce(data, rows)
    return data


def coerce(data: TableData, rows: dict[int, list[str]]) -> pd.DataFrame:
    """Cells (strings) → the schema's dtypes. A cell that is not of its column's type is a
    ``wrong_type`` failure and becomes a missing value (reported once, not again as missing)."""
    import pandas as pd

    index = list(rows)
    columns: dict[str, Any] = {}
    expected = set(COLUMNS[data.table])
    unique_names = list(dict.fromkeys(data.header))
    for name in unique_names:
        position = data.header.index(name)
        raw = [rows[r][position] for r in index]
        if name not in expected or name in TEXT_COLUMNS:
            columns[name] = pd.Series([v if v != "" else None for v in raw], index=index,
                                      dtype="str")
            continue
        values: list[Any] = []
        for row, value in zip(index, raw, strict=True):
            text = value.strip()
            if text == "":
                values.append(None)
            elif name in BOOL_COLUMNS:
                if text.lower() in _BOOL:
                    values.append(_BOOL[text.lower()])
                else:
                    values.append(None)
                    data.failures.append(Failure("wrong_type", row, name,
                                                 f"{value!r} is not true or false", value))
            elif _INT.match(text) and abs(number := int(text.split(".")[0])) < 2 ** 63:
                values.append(number)
            elif _INT.match(text):
                values.append(None)
                data.failures.append(Failure("wrong_type", row, name, f"{value!r} is too large "
                                             "for a 64-bit integer", value))
            else:
                values.append(None)
                data.failures.append(Failure("wrong_type", row, name,
                                             f"{value!r} is not an integer", value))
        dtype = "boolean" if name in BOOL_COLUMNS else "Int64"
        columns[name] = pd.Series(pd.array(values, dtype=dtype), index=index)
    return pd.DataFrame(columns, index=pd.Index(index, dtype="int64"))


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


def render_csv(df: pd.DataFrame) -> str:
    """CSV with LF line ends; every field with a CR is quoted (the csv module quotes only the
    characters of its line terminator, so a bare CR would read back as a line break)."""
    import csv

    text = str(df.to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL))
    if text.count("\r") == len(df) + 1:  # the common case: the only CRs end the records
        return text.replace("\r\n", "\n")
    return _lf_outside_quotes(text)


def _lf_outside_quotes(text: str) -> str:
    """Turn the CRLF record ends of ``text`` into LF, leaving quoted fields untouched."""
    out: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        if not quoted and text.startswith("\r\n", i):
            out.append("\n")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


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


# ---------------------------------------------------------------------------------------------
# The schema, lazily


def schema_failures(data: TableData) -> list[Failure]:
    """Run the table's pandera schema with ``lazy=True``; every failure case → a Failure."""
    import pandera.errors as errors

    from validators.tables.schemas import schema_of

    if data.frame is None:
        return []
    schema = schema_of(data.table)
    try:
        schema.validate(data.frame, lazy=True)
    except errors.SchemaErrors as exc:
        return _from_failure_cases(data, schema, exc.failure_cases)
    return []


def _cell(frame: pd.DataFrame, row: int, column: str) -> Any:
    value = frame.at[row, column] if column in frame.columns and row in frame.index else None
    return None if _missing(value) else value


def _missing(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _from_failure_cases(data: TableData, schema: Any, cases: pd.DataFrame) -> list[Failure]:
    frame = data.frame
    assert frame is not None
    wrong_type = {(f.row, f.column) for f in data.failures if f.kind == "wrong_type"}
    out: list[Failure] = []
    seen: set[tuple[Any, ...]] = set()
    uniqueness_done = False
    for case in cases.to_dict("records"):
        check = str(case.get("check"))
        column = case.get("column")
        column = None if _missing(column) else str(column)
        row = case.get("index")
        row = None if _missing(row) else int(row)
        number = case.get("check_number")
        number = None if _missing(number) else int(number)
        value = case.get("failure_case")
        if check == "column_in_dataframe":
            name = str(value)
            out.append(Failure("missing_column", None, name, f"the {data.table} table's column "
                               f"'{name}' is missing"))
            continue
        if check.startswith("dtype("):
            actual = str(frame[column].dtype) if column in frame.columns else "?"
            out.append(Failure("wrong_type", None, column, f"column '{column}' has dtype "
                               f"{actual}, the schema wants {check[6:-1]}"))
            continue
        if check in ("field_uniqueness", "multiple_fields_uniqueness"):
            if not uniqueness_done:
                uniqueness_done = True
                out.extend(_duplicates(data, schema))
            if check == "field_uniqueness" and column is not None:
                out.extend(_duplicates(data, schema, [column]))
            continue
        if row is not None and (row, column) in wrong_type:
            continue
        if check == "not_nullable":
            out.append(Failure("missing_value", row, column, "empty cell: the column does not "
                               "allow missing values"))
            continue
        if (case.get("schema_context") == "Column" and column is not None
                and column in schema.columns and number is not None):
            check_obj = schema.columns[column].checks[number]
            out.append(_column_failure(check_obj, row, column, value))
            continue
        if number is not None and number < len(schema.checks):
            key = (number, row)
            if key in seen:
                continue
            seen.add(key)
            out.append(_table_failure(schema.checks[number], frame, row))
            continue
        out.append(Failure("inconsistent", row, column, f"{check} fails for {value!r}"))
    unique: dict[tuple[Any, ...], Failure] = {}
    for failure in out:
        unique.setdefault((failure.kind, failure.row, failure.column, failure.detail), failure)
    return list(unique.values())


def _column_failure(check: Any, row: int | None, column: str, value: Any) -> Failure:
    stats = check.statistics
    shown = repr(value) if isinstance(value, str) else str(value)
    if check.name == "isin":
        allowed = ", ".join(map(str, stats["allowed_values"]))
        return Failure("not_allowed", row, column, f"{shown} is not one of: {allowed}", str(value))
    if check.name == "str_matches":
        return Failure("not_allowed", row, column, f"{shown} does not match "
                       f"{stats['pattern']}", str(value))
    if check.name == "str_length":
        return Failure("not_allowed", row, column, "the text is empty", str(value))
    if check.name == "greater_than_or_equal_to":
        return Failure("out_of_range", row, column, f"{shown} is less than "
                       f"{stats['min_value']}", str(value))
    return Failure("out_of_range" if "than" in check.name or "range" in check.name
                   else "not_allowed", row, column, f"{shown} fails {check.error}", str(value))


def _table_failure(check: Any, frame: pd.DataFrame, row: int | None) -> Failure:
    from validators.tables.schemas import CHECK_KINDS, relation_columns, relation_holds

    kind, stat = CHECK_KINDS.get(check.name, ("inconsistent", ""))
    stats = check.statistics
    if row is None:
        return Failure(kind, None, None, f"{check.error} could not be checked")
    if check.name == "column_order":
        for relation in stats["relations"]:
            names = relation_columns(relation)
            if all(n in frame.columns for n in names) and \
                    not bool(relation_holds(frame.loc[[row]], relation).iloc[0]):
                shown = ", ".join(f"{n}={_cell(frame, row, n)}" for n in names)
                return Failure(kind, row, names[-1], f"{relation} does not hold ({shown})",
                               str(_cell(frame, row, names[-1])))
        return Failure(kind, row, None, f"{check.error} fails")
    if check.name == "text_fits_offsets":
        text = _cell(frame, row, stats["text"]) or ""
        start, end = _cell(frame, row, stats["start"]), _cell(frame, row, stats["end"])
        return Failure(kind, row, stats["text"], f"the text {text!r} has {len(text)} "
                       f"character(s) but its offsets {start}..{end} span {end - start}", text)
    if check.name == "empty_for_tags":
        tag = _cell(frame, row, stats["tag"])
        filled = [c for c in stats["columns"] if _cell(frame, row, c) is not None]
        return Failure(kind, row, filled[0] if filled else stats["columns"][0],
                       f"{' and '.join(filled)} set on a <{tag}> span: only <a> spans belong to "
                       "pairs", str(tag))
    if check.name == "all_or_none":
        names = stats["columns"]
        empty = [c for c in names if _cell(frame, row, c) is None]
        return Failure(kind, row, empty[0] if empty else names[-1],
                       f"{' and '.join(names)} must be both filled or both empty; "
                       f"{', '.join(empty)} is empty")
    if check.name == "pair_complete":
        doc, pair = _cell(frame, row, stats["doc"]), _cell(frame, row, stats["pair"])
        same = frame[(frame[stats["doc"]] == doc) & (frame[stats["pair"]] == pair)]
        roles = sorted(str(r) for r in same[stats["role"]].dropna())
        sentences = sorted({str(s) for s in same[stats["sentence"]]})
        other = [str(r) for r in same.index if r != row]
        return Failure(kind, row, stats["pair"], f"pair {pair} of {doc} has the role(s) "
                       f"{', '.join(roles) or 'none'} in sentence(s) {', '.join(sentences)} "
                       f"(rows {', '.join(other) or 'none other'}); a pair is one first and one "
                       "second span of one sentence", str(pair))
    if check.name == "column_sum":
        parts = " + ".join(f"{p} ({_cell(frame, row, p)})" for p in stats["parts"])
        return Failure(kind, row, stats["total"], f"{stats['total']} "
                       f"({_cell(frame, row, stats['total'])}) is not {parts}")
    if check.name == "category_of_rule":
        return Failure(kind, row, stats["category"], f"category "
                       f"{_cell(frame, row, stats['category'])!r} is not the prefix of rule "
                       f"{_cell(frame, row, stats['rule'])!r}")
    column = stats.get(stat) if isinstance(stats.get(stat), str) else None
    return Failure(kind, row, column, f"{check.error} fails")


def _duplicates(data: TableData, schema: Any, subset: list[str] | None = None) -> list[Failure]:
    frame = data.frame
    assert frame is not None
    keys = subset or ([schema.unique] if isinstance(schema.unique, str) else list(schema.unique or []))
    if not keys or not all(k in frame.columns for k in keys):
        return []
    key_frame = frame[keys].astype("str")
    dup = key_frame.duplicated(keep="first") & frame[keys].notna().all(axis=1)
    first_row = {tuple(v): r for r, v in zip(key_frame.index, key_frame.itertuples(index=False),
                                             strict=True) if not dup[r]}
    out = []
    for row in key_frame.index[dup]:
        values = tuple(key_frame.loc[row])
        shown = ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True))
        out.append(Failure("duplicate", int(row), keys[-1], f"duplicate key ({shown}): first in "
                           f"row {first_row.get(values, '?')}", "|".join(values)))
    return out


# ---------------------------------------------------------------------------------------------
# Cross-table checks (another table, or the documents themselves)


@dataclass
class Reference:
    """What a table is checked against: the documents' plain texts and, when known, the
    sentence of an offset and the other tables (frames indexed by 1-based rows)."""

    plain_texts: dict[str, str]
    sentence_of: Callable[[str, int], int | None] | None = None
    documents: pd.DataFrame | None = None
    spans: pd.DataFrame | None = None
    pairs: pd.DataFrame | None = None
    source: str = "the corpus"


def _rows(frame: pd.DataFrame, columns: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    names = [c for c in columns if c in frame.columns]
    for row, values in zip(frame.index, frame[names].itertuples(index=False), strict=True):
        yield int(row), {n: (None if _missing(v) else v) for n, v in zip(names, values, strict=True)}


def spans_against_texts(spans: pd.DataFrame, ref: Reference) -> list[Failure]:
    out = []
    for row, r in _rows(spans, ("doc_id", "text", "start", "end", "sentence")):
        doc = r.get("doc_id")
        if doc is None:
            continue
        plain = ref.plain_texts.get(doc)
        if plain is None:
            out.append(Failure("broken_reference", row, "doc_id", f"document {doc!r} is not in "
                               f"{ref.source}", str(doc)))
            continue
        start, end, text = r.get("start"), r.get("end"), r.get("text")
        if start is None or end is None or start < 0 or end <= start:
            continue
        if end > len(plain):
            out.append(Failure("out_of_range", row, "end", f"end {end} is past the end of the "
                               f"document's plain text ({len(plain)} characters)", str(end)))
            continue
        if text is not None and plain[start:end] != text:
            out.append(Failure("text_mismatch", row, "text", f"the text is {text!r} but the "
                               f"document has {plain[start:end]!r} at {start}..{end}", str(text)))
        if ref.sentence_of is not None and "sentence" in r:
            expected = ref.sentence_of(doc, start)
            if expected != r["sentence"]:
                out.append(Failure("inconsistent", row, "sentence", f"sentence {r['sentence']} but "
                                   f"offset {start} is in sentence {expected} of the document",
                                   str(r["sentence"])))
    return out


def pairs_against_texts(pairs: pd.DataFrame, ref: Reference) -> list[Failure]:
    out = []
    names = ("doc_id", "first_text", "first_start", "first_end", "second_text", "second_start",
             "second_end")
    for row, r in _rows(pairs, names):
        plain = ref.plain_texts.get(r.get("doc_id"))  # type: ignore[arg-type]
        if r.get("doc_id") is None:
            continue
        if plain is None:
            out.append(Failure("broken_reference", row, "doc_id", f"document {r['doc_id']!r} is "
                               f"not in {ref.source}", str(r["doc_id"])))
            continue
        for part in ("first", "second"):
            start, end, text = r.get(f"{part}_start"), r.get(f"{part}_end"), r.get(f"{part}_text")
            if start is None or end is None or text is None or end <= start or start < 0:
                continue
            if end > len(plain):
                out.append(Failure("out_of_range", row, f"{part}_end", f"{part}_end {end} is past "
                                   f"the end of the document's plain text ({len(plain)} "
                                   "characters)", str(end)))
            elif plain[start:end] != text:
                out.append(Failure("text_mismatch", row, f"{part}_text", f"{part}_text is "
                                   f"{text!r} but the document has {plain[start:end]!r} at "
                                   f"{start}..{end}", str(text)))
    return out


def pairs_against_spans(pairs: pd.DataFrame, spans: pd.DataFrame, source: str) -> list[Failure]:
    """Every pair points at two <a> spans of its document and sentence, which name it back."""
    index: dict[tuple[str, int], dict[str, Any]] = {}
    for _, s in _rows(spans, ("doc_id", "span_id", "tag", "text", "start", "end", "sentence",
                              "pair_id", "role")):
        if s.get("doc_id") is not None and s.get("span_id") is not None:
            index.setdefault((s["doc_id"], int(s["span_id"])), s)
    out = []
    for row, p in _rows(pairs, COLUMNS["pairs"]):
        doc = p.get("doc_id")
        for part in ("first", "second"):
            span_id = p.get(f"{part}_span")
            if doc is None or span_id is None:
                continue
            column = f"{part}_span"
            span = index.get((doc, int(span_id)))
            if span is None:
                out.append(Failure("broken_reference", row, column, f"span {span_id} of {doc} is "
                                   f"not in {source}", str(span_id)))
                continue
            problems = []
            if span.get("tag") != "a":
                problems.append(f"it is a <{span.get('tag')}> span, not <a>")
            if p.get("sentence") is not None and span.get("sentence") != p["sentence"]:
                problems.append(f"it is in sentence {span.get('sentence')}, the pair in "
                                f"{p['sentence']}")
            for name in ("text", "start", "end"):
                mine = p.get(f"{part}_{name}")
                if mine is not None and span.get(name) != mine:
                    problems.append(f"its {name} is {span.get(name)!r}, the pair says {mine!r}")
            if span.get("pair_id") is not None and p.get("pair_id") is not None and (
                    span.get("pair_id") != p["pair_id"] or span.get("role") != part):
                problems.append(f"it names pair {span.get('pair_id')} ({span.get('role')})")
            if problems:
                out.append(Failure("broken_reference", row, column, f"span {span_id} of {doc} in "
                                   f"{source}: " + "; ".join(problems), str(span_id)))
    return out


def spans_against_pairs(spans: pd.DataFrame, pairs: pd.DataFrame) -> list[Failure]:
    known = {(p["doc_id"], int(p["pair_id"])) for _, p in _rows(pairs, ("doc_id", "pair_id"))
             if p.get("doc_id") is not None and p.get("pair_id") is not None}
    out = []
    for row, s in _rows(spans, ("doc_id", "pair_id")):
        if s.get("pair_id") is not None and (s.get("doc_id"), int(s["pair_id"])) not in known:
            out.append(Failure("broken_reference", row, "pair_id", f"pair {s['pair_id']} of "
                               f"{s.get('doc_id')} is not in the pairs table", str(s["pair_id"])))
    return out


def documents_against_tables(documents: pd.DataFrame, spans: pd.DataFrame,
                             pairs: pd.DataFrame) -> list[Failure]:
    counts: dict[str, Counter[str]] = {}
    for _, s in _rows(spans, ("doc_id", "tag")):
        c = counts.setdefault(str(s.get("doc_id")), Counter())
        c["spans"] += 1
        c[str(s.get("tag"))] += 1
    for _, p in _rows(pairs, ("doc_id",)):
        counts.setdefault(str(p.get("doc_id")), Counter())["pairs"] += 1
    out = []
    for row, d in _rows(documents, ("doc_id", "spans", "cand", "a", "pairs")):
        found = counts.get(str(d.get("doc_id")), Counter())
        for name, table in (("spans", "spans"), ("cand", "spans"), ("a", "spans"),
                            ("pairs", "pairs")):
            if d.get(name) is not None and d[name] != found[name]:
                out.append(Failure("broken_reference", row, name, f"{name} is {d[name]} but the "
                                   f"{table} table has {found[name]} for this document",
                                   str(d[name])))
    return out


def documents_against_corpus(documents: pd.DataFrame, corpus: pd.DataFrame) -> list[Failure]:
    truth = {r["doc_id"]: r for _, r in _rows(corpus, COLUMNS["documents"])}
    out = []
    for row, d in _rows(documents, COLUMNS["documents"]):
        if d.get("doc_id") is None:
            continue
        real = truth.get(d["doc_id"])
        if real is None:
            out.append(Failure("broken_reference", row, "doc_id", f"document {d['doc_id']!r} is "
                               "not in the corpus", str(d["doc_id"])))
            continue
        for name in COLUMNS["documents"]:
            if name in ("doc_id", "path") or name not in d or d[name] is None:
                continue
            if d[name] != real[name]:
                out.append(Failure("broken_reference", row, name, f"{name} is {d[name]!r} but the "
                                   f"file has {real[name]!r}", str(d[name])))
    return out


def cross_failures(data: TableData, ref: Reference | None) -> list[Failure]:
    """The checks that need more than the table: against the documents and the other tables."""
    frame = data.frame
    if frame is None or ref is None or not set(frame.columns) >= {"doc_id"}:
        return []
    out: list[Failure] = []
    if data.table == "spans":
        out += spans_against_texts(frame, ref)
        if ref.pairs is not None:
            out += spans_against_pairs(frame, ref.pairs)
    elif data.table == "pairs":
        out += pairs_against_texts(frame, ref)
        if ref.spans is not None:
            out += pairs_against_spans(frame, ref.spans, f"the spans of {ref.source}")
    elif data.table == "documents":
        if ref.spans is not None and ref.pairs is not None and ref.documents is None:
            out += documents_against_tables(frame, ref.spans, ref.pairs)
        if ref.documents is not None:
            out += documents_against_corpus(frame, ref.documents)
    return out


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


# ---------------------------------------------------------------------------------------------
# Findings


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
    """SCH findings (rule id, severity and message from ``rules/schema.yaml`` as configured), each
    with the failure it reports; failures of rules configured ``off`` are dropped."""
    from validators.engine import to_finding

    if failures:
        locate(data)
    doc = Document(data.path, b"", text=data.text)
    rules = _schema_rules(ruleset)
    occurrences: Counter[Any] = Counter()
    findings: list[tuple[Finding, Failure]] = []
    for failure in failures:
        rule = rules.get(KINDS[failure.kind])
        if rule is None or not rule.enabled:
            continue
        hit = failure_hit(data, failure)
        occurrences[(rule.id, hit.evidence)] += 1
        finding = to_finding(rule, doc, hit, occurrences[(rule.id, hit.evidence)] - 1, data.path)
        findings.append((finding, failure))
    return findings


def _schema_rules(ruleset: RuleSet | None) -> dict[str, Rule]:
    if ruleset is None:
        from validators.config import Config, build_ruleset

        ruleset = build_ruleset(Config())
    return {rule_id: rule for rule_id, rule in ruleset.rules.items() if rule_id.startswith("SCH")}
