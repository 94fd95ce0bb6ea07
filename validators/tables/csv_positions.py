"""CSV with cell positions: every cell's line and columns in the file, so that a finding marks
the cell it is about (the header is line 1). ``render_csv`` writes a frame the way ``scan_csv``
reads it back, so a Parquet or in-memory table gets positions too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


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

