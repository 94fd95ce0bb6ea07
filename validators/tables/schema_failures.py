"""The pandera schema of a table, run lazily: every failure case becomes a :class:`Failure` with
its kind (the SCH rule that reports it), row and column, and a message a reader can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from validators.tables.table_data import Failure, TableData, is_missing

if TYPE_CHECKING:
    import pandas as pd


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
    return None if is_missing(value) else value




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
        column = None if is_missing(column) else str(column)
        row = case.get("index")
        row = None if is_missing(row) else int(row)
        number = case.get("check_number")
        number = None if is_missing(number) else int(number)
        value = case.get("failure_case")
        if check == "column_in_dataframe":
            name = str(value)
            out.append(Failure("missing_column", None, name, f"the {data.table} table's column "
                               f"'{name}' is missing"))
            continue
        if check.startswith(("dtype(", "coerce_dtype(")):  # a whole column: said once
            actual = str(frame[column].dtype) if column in frame.columns else "?"
            wanted = check[check.index("(") + 1:-1].strip("'")
            out.append(Failure("wrong_type", None, column, f"column '{column}' has dtype "
                               f"{actual}, the schema wants {wanted}"))
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

