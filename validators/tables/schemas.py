"""pandera schemas of the extracted tables. They are the documentation of the tables: the README's
column tables and ``schemas/*.yaml`` (pandera's ``to_yaml``) are generated from these models.

Integers are pandas' nullable ``Int64`` and flags its nullable ``boolean``, so that a missing cell
in a table made elsewhere is reported as a missing value of its row, not as a column of the wrong
dtype; text columns are pandas 3's ``str`` dtype. An empty cell is a missing value.

The cross-column checks are registered pandera check methods (``column_order``, ``text_fits_offsets``,
…) so that they serialize with the schema and read as what they check. Checks that need another
table or the documents themselves (a span's text against the plain text, a pair's spans in the spans
table) are in :mod:`validators.tables.cross_table`.

This module imports pandas and pandera: import it only on the ``extract``/``check-table`` paths.
"""

# ruff: noqa: RUF012  (pandera's Config classes are declarative: lists and dicts are intended)
from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pandera.extensions as extensions
import pandera.pandas as pa
from pandera.typing import Series

from validators.findings import CATEGORIES, SEVERITIES

ENCODINGS = ["utf-8", "not-utf-8", "binary", "unreadable"]
LINE_ENDINGS = ["lf", "crlf", "cr", "mixed", "none"]
SCRIPTS = ["simplified", "traditional", "mixed", "none"]
TAGS = ["cand", "a"]
ROLES = ["first", "second"]
RULE_ID_PATTERN = r"^(?:" + "|".join(CATEGORIES) + r")[0-9]{3}$"  # not \d: it matches ٠

_TERM = re.compile(r"^\s*(?:(\d+)\s*\*\s*)?([A-Za-z_]\w*)\s*$")
_RELATION = re.compile(r"^(.*?)(<=|<|==)(.*)$")


def _term(df: pd.DataFrame, text: str) -> Any:
    m = _TERM.match(text)
    if not m:
        raise ValueError(f"bad term {text!r}")
    factor = int(m.group(1) or 1)
    return df[m.group(2)] * factor if factor != 1 else df[m.group(2)]


def relation_holds(df: pd.DataFrame, relation: str) -> pd.Series:
    """``"start < end"``, ``"plain_chars <= chars"``, ``"2*pairs <= a"``: True where it holds or a
    value is missing (a missing value is the not-nullable check's finding, not this one's)."""
    m = _RELATION.match(relation)
    if not m:
        raise ValueError(f"bad relation {relation!r}")
    left, op, right = _term(df, m.group(1)), m.group(2), _term(df, m.group(3))
    result = left < right if op == "<" else left <= right if op == "<=" else left == right
    return pd.Series(result, index=df.index).astype("boolean").fillna(True).astype(bool)


def relation_columns(relation: str) -> list[str]:
    m = _RELATION.match(relation)
    assert m is not None
    return [_TERM.match(part).group(2) for part in (m.group(1), m.group(3))]  # type: ignore[union-attr]


def _has(df: pd.DataFrame, *columns: str) -> bool:
    return all(c in df.columns for c in columns)


def _true(df: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=df.index)


@extensions.register_check_method(statistics=["relations"], supported_types=pd.DataFrame)
def column_order(df: pd.DataFrame, *, relations: list[str]) -> pd.Series:
    """Every relation (``a < b``, ``a <= b``, ``a == b``, ``2*a <= b``) holds in every row."""
    ok = _true(df)
    for relation in relations:
        if _has(df, *relation_columns(relation)):
            ok &= relation_holds(df, relation)
    return ok


@extensions.register_check_method(statistics=["text", "start", "end"], supported_types=pd.DataFrame)
def text_fits_offsets(df: pd.DataFrame, *, text: str, start: str, end: str) -> pd.Series:
    """``end - start`` equals the length of ``text``: the text can be the one at its offsets
    (rows whose end is not after their start are ``column_order``'s finding)."""
    if not _has(df, text, start, end):
        return _true(df)
    length = pd.array(df[text].str.len(), dtype="Int64")
    width = df[end] - df[start]
    ok = pd.Series((width == length) | (width <= 0), index=df.index)
    return ok.astype("boolean").fillna(True).astype(bool)


@extensions.register_check_method(statistics=["tag", "values", "columns"], supported_types=pd.DataFrame)
def empty_for_tags(df: pd.DataFrame, *, tag: str, values: list[str], columns: list[str]) -> pd.Series:
    """``columns`` are empty in every row whose ``tag`` is one of ``values``."""
    if not _has(df, tag, *columns):
        return _true(df)
    tagged = df[tag].isin(values).astype("boolean").fillna(False).astype(bool)
    filled = df[columns].notna().any(axis=1)
    return ~(tagged & filled)


@extensions.register_check_method(statistics=["columns"], supported_types=pd.DataFrame)
def all_or_none(df: pd.DataFrame, *, columns: list[str]) -> pd.Series:
    """In every row, ``columns`` are either all filled or all empty."""
    if not _has(df, *columns):
        return _true(df)
    count = df[columns].notna().sum(axis=1)
    return (count == 0) | (count == len(columns))


@extensions.register_check_method(statistics=["doc", "pair", "role", "sentence"],
                                  supported_types=pd.DataFrame)
def pair_complete(df: pd.DataFrame, *, doc: str, pair: str, role: str, sentence: str) -> pd.Series:
    """Every pair id of a document is held by exactly two rows, one ``first`` and one ``second``,
    in one sentence."""
    if not _has(df, doc, pair, role, sentence) or df.empty:
        return _true(df)
    paired = df[df[pair].notna()]
    if paired.empty:
        return _true(df)
    key = paired[doc].astype("str") + "\x00" + paired[pair].astype("str")
    parts = pd.DataFrame({
        "key": key,
        "first": (paired[role] == "first").astype("boolean").fillna(False).astype(int),
        "second": (paired[role] == "second").astype("boolean").fillna(False).astype(int),
        "sentence": paired[sentence].astype("Int64").fillna(-1),
    })
    groups = parts.groupby("key").agg(first=("first", "sum"), second=("second", "sum"),
                                      rows=("first", "size"), sentences=("sentence", "nunique"))
    good = (groups["first"] == 1) & (groups["second"] == 1) & (groups["rows"] == 2) \
        & (groups["sentences"] == 1)
    ok = _true(df)
    ok.loc[paired.index] = key.map(good).astype(bool).to_numpy()
    return ok


@extensions.register_check_method(statistics=["total", "parts"], supported_types=pd.DataFrame)
def column_sum(df: pd.DataFrame, *, total: str, parts: list[str]) -> pd.Series:
    """``total`` equals the sum of ``parts`` in every row."""
    if not _has(df, total, *parts):
        return _true(df)
    result = df[total] == sum(df[p] for p in parts)
    return pd.Series(result, index=df.index).astype("boolean").fillna(True).astype(bool)


@extensions.register_check_method(statistics=["rule", "category"], supported_types=pd.DataFrame)
def category_of_rule(df: pd.DataFrame, *, rule: str, category: str) -> pd.Series:
    """``category`` is the prefix of the rule id in ``rule`` (``PAIR001`` → ``PAIR``)."""
    if not _has(df, rule, category):
        return _true(df)
    prefix = df[rule].astype("str").str.rstrip("0123456789")
    result = (prefix == df[category]) | df[rule].isna() | df[category].isna()
    return pd.Series(result, index=df.index).astype(bool)


# How a failure of each check is reported: the SCH failure kind and the statistic naming the column
# the failure concerns (for a relation: its right-hand column, e.g. ``end`` in ``start < end``).
CHECK_KINDS: dict[str, tuple[str, str]] = {
    "column_order": ("inconsistent", "relations"),
    "text_fits_offsets": ("text_mismatch", "text"),
    "empty_for_tags": ("inconsistent", "columns"),
    "all_or_none": ("inconsistent", "columns"),
    "pair_complete": ("broken_reference", "pair"),
    "column_sum": ("inconsistent", "total"),
    "category_of_rule": ("inconsistent", "category"),
}


class Documents(pa.DataFrameModel):
    """One row per document of the corpus."""

    doc_id: Series[str] = pa.Field(unique=True, str_length={"min_value": 1},
                                   description="document id: the path relative to the corpus root")
    path: Series[str] = pa.Field(str_length={"min_value": 1}, description="the path findings "
                                 "name (relative to the working directory when possible)")
    bytes: Series[pd.Int64Dtype] = pa.Field(ge=0, description="file size in bytes")
    chars: Series[pd.Int64Dtype] = pa.Field(ge=0, description="code points of the decoded text, tags "
                                  "included (0 when it did not decode)")
    plain_chars: Series[pd.Int64Dtype] = pa.Field(ge=0, description="code points of the plain text (tags "
                                        "removed, lines joined with \\n); span offsets index it")
    lines: Series[pd.Int64Dtype] = pa.Field(ge=0, description="lines (paragraphs), empty lines included")
    encoding: Series[str] = pa.Field(isin=ENCODINGS, description="utf-8 when the strict UTF-8 "
                                     "decode succeeded, else why not")
    bom: Series[pd.BooleanDtype] = pa.Field(description="the file starts with a UTF-8 byte-order mark")
    line_endings: Series[str] = pa.Field(isin=LINE_ENDINGS, description="line-break style of "
                                         "the bytes (mixed: more than one)")
    script: Series[str] = pa.Field(isin=SCRIPTS, description="Chinese script as the SCR rules "
                                   "classify the text (none: no script-specific character)")
    annotated: Series[pd.BooleanDtype] = pa.Field(description="the document carries connective markup")
    spans: Series[pd.Int64Dtype] = pa.Field(ge=0, description="tagged spans (rows of the spans table)")
    cand: Series[pd.Int64Dtype] = pa.Field(ge=0, description="<cand> spans")
    a: Series[pd.Int64Dtype] = pa.Field(ge=0, description="<a> spans")
    pairs: Series[pd.Int64Dtype] = pa.Field(ge=0, description="matched <a> pairs (rows of the pairs table)")
    sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of the "
                                   "file's bytes (the content hash)")

    class Config:
        name = "documents"
        coerce = True
        description = "One row per document of the corpus."
        column_order = {"relations": ["plain_chars <= chars", "2*pairs <= a"]}
        column_sum = {"total": "spans", "parts": ["cand", "a"]}


class Spans(pa.DataFrameModel):
    """One row per well-formed tagged span."""

    doc_id: Series[str] = pa.Field(str_length={"min_value": 1}, description="document id (documents.doc_id)")
    span_id: Series[pd.Int64Dtype] = pa.Field(ge=0, description="0-based order of the span in its document")
    tag: Series[str] = pa.Field(isin=TAGS, description="cand: a single connective; a: one part "
                                "of a paired connective")
    text: Series[str] = pa.Field(str_length={"min_value": 1}, description="the span's content: "
                                 "the connective's surface form")
    start: Series[pd.Int64Dtype] = pa.Field(ge=0, description="plain-text offset of the first character")
    end: Series[pd.Int64Dtype] = pa.Field(ge=1, description="plain-text offset just past the last "
                                "character (exclusive)")
    line: Series[pd.Int64Dtype] = pa.Field(ge=1, description="1-based line of the opening tag")
    column: Series[pd.Int64Dtype] = pa.Field(ge=1, description="1-based code-point column of the opening "
                                   "tag in the raw line")
    sentence: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="0-based sentence index in "
                                     "the document (empty: the span is in no sentence)")
    pair_id: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="pairs.pair_id of the pair "
                                    "the <a> span belongs to (empty for <cand> and unpaired <a>)")
    role: Series[str] = pa.Field(isin=ROLES, nullable=True, description="first or second part of "
                                 "its pair (empty exactly when pair_id is)")

    class Config:
        name = "spans"
        coerce = True
        description = "One row per well-formed tagged span."
        unique = ["doc_id", "span_id"]
        column_order = {"relations": ["start < end"]}
        text_fits_offsets = {"text": "text", "start": "start", "end": "end"}
        empty_for_tags = {"tag": "tag", "values": ["cand"], "columns": ["pair_id", "role"]}
        all_or_none = {"columns": ["pair_id", "role"]}
        pair_complete = {"doc": "doc_id", "pair": "pair_id", "role": "role",
                         "sentence": "sentence"}


class Pairs(pa.DataFrameModel):
    """One row per matched pair of <a> spans (a paired connective)."""

    doc_id: Series[str] = pa.Field(str_length={"min_value": 1}, description="document id (documents.doc_id)")
    pair_id: Series[pd.Int64Dtype] = pa.Field(ge=0, description="0-based order of the pair in its document")
    sentence: Series[pd.Int64Dtype] = pa.Field(ge=0, description="the sentence both spans are in")
    first_span: Series[pd.Int64Dtype] = pa.Field(ge=0, description="spans.span_id of the first part")
    second_span: Series[pd.Int64Dtype] = pa.Field(ge=0, description="spans.span_id of the second part")
    first_text: Series[str] = pa.Field(str_length={"min_value": 1}, description="text of the "
                                       "first part (不仅)")
    second_text: Series[str] = pa.Field(str_length={"min_value": 1}, description="text of the "
                                        "second part (也)")
    first_start: Series[pd.Int64Dtype] = pa.Field(ge=0, description="plain-text offset of the first part")
    first_end: Series[pd.Int64Dtype] = pa.Field(ge=1, description="end offset of the first part (exclusive)")
    second_start: Series[pd.Int64Dtype] = pa.Field(ge=0, description="plain-text offset of the second part")
    second_end: Series[pd.Int64Dtype] = pa.Field(ge=1, description="end offset of the second part "
                                       "(exclusive)")

    class Config:
        name = "pairs"
        coerce = True
        description = "One row per matched pair of <a> spans (a paired connective)."
        unique = ["doc_id", "pair_id"]
        column_order = {"relations": ["first_start < first_end", "first_end <= second_start",
                                      "second_start < second_end", "first_span < second_span"]}


class Findings(pa.DataFrameModel):
    """One row per finding of the validation run (the JSON report's findings)."""

    rule: Series[str] = pa.Field(str_matches=RULE_ID_PATTERN, description="rule id (PAIR001)")
    name: Series[str] = pa.Field(str_length={"min_value": 1}, description="rule name (unpaired-pair-marker)")
    category: Series[str] = pa.Field(isin=list(CATEGORIES), description="the rule id's prefix")
    severity: Series[str] = pa.Field(isin=list(SEVERITIES), description="info, warning or error")
    path: Series[str] = pa.Field(str_length={"min_value": 1}, description="the file the finding is in")
    line: Series[pd.Int64Dtype] = pa.Field(ge=1, description="1-based line")
    column: Series[pd.Int64Dtype] = pa.Field(ge=1, description="1-based code-point column of the raw line")
    end_line: Series[pd.Int64Dtype] = pa.Field(ge=1, description="line where the finding ends")
    end_column: Series[pd.Int64Dtype] = pa.Field(ge=1, description="column just past the end (exclusive)")
    message: Series[str] = pa.Field(str_length={"min_value": 1}, description="the rule's message")
    context: Series[str] = pa.Field(nullable=True, description="the source line (clipped)")
    fingerprint: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{16}$", description="line-free "
                                        "identity used by baselines")
    related: Series[str] = pa.Field(nullable=True, description="other places (path:line; …) of "
                                    "a duplicate group")

    class Config:
        name = "findings"
        coerce = True
        description = "One row per finding of the validation run (the JSON report's findings)."
        column_order = {"relations": ["line <= end_line"]}
        category_of_rule = {"rule": "rule", "category": "category"}


class Connectives(pa.DataFrameModel):
    """One row per connective form tagged in the corpus: how often it is tagged and untagged."""

    form: Series[str] = pa.Field(unique=True, str_length={"min_value": 1},
                                 description="the connective's surface form (但是)")
    tagged: Series[pd.Int64Dtype] = pa.Field(ge=1, description="spans with this text in the "
                                             "annotated documents (<cand> and <a>)")
    untagged: Series[pd.Int64Dtype] = pa.Field(ge=0, description="occurrences of the form "
                                               "outside every span of the annotated documents, "
                                               "counted as CON001 counts them")
    cand: Series[pd.Int64Dtype] = pa.Field(ge=0, description="<cand> spans with this text")
    a: Series[pd.Int64Dtype] = pa.Field(ge=0, description="<a> spans with this text")

    class Config:
        name = "connectives"
        coerce = True
        description = ("One row per connective form tagged in the corpus: how often it is "
                       "tagged and untagged.")
        column_sum = {"total": "tagged", "parts": ["cand", "a"]}


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "documents": Documents, "spans": Spans, "pairs": Pairs, "findings": Findings,
    "connectives": Connectives,
}


def schema_of(table: str) -> pa.DataFrameSchema:
    return MODELS[table].to_schema()


# every table's columns in order, as its model declares them
COLUMNS: dict[str, tuple[str, ...]] = {table: tuple(schema_of(table).columns) for table in MODELS}


def column_dtypes(table: str) -> dict[str, str]:
    """The dtype of each column of ``table`` (``Int64``, ``boolean``, ``str``) by its model."""
    return {name: _dtype_name(column) for name, column in schema_of(table).columns.items()}


def coerced(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` in the dtypes of ``table``'s model, by pandera's own coercion (``coerce = True``);
    a column the model does not have is left as it is."""
    return schema_of(table).coerce_dtype(frame)


def schema_yaml(table: str) -> str:
    """The schema serialized with pandera's ``to_yaml`` (what ``schemas/<table>.yaml`` holds)."""
    return str(schema_of(table).to_yaml())


def _dtype_name(column: Any) -> str:
    dtype = str(column.dtype)
    return {"string[pyarrow]": "str", "Int64": "Int64", "boolean": "boolean"}.get(dtype, dtype)


def _checks_text(column: Any) -> str:
    parts = []
    for check in column.checks:
        stats = check.statistics
        if check.name == "greater_than_or_equal_to":
            parts.append(f"≥ {stats['min_value']}")
        elif check.name == "isin":
            parts.append(" \\| ".join(f"`{v}`" for v in stats["allowed_values"]))
        elif check.name == "str_matches":
            parts.append(f"matches `{stats['pattern']}`")
        elif check.name == "str_length":
            parts.append("not empty")
        else:
            parts.append(check.name)
    if column.unique:
        parts.append("unique")
    return ", ".join(parts)


def markdown_table(table: str) -> str:
    """The README column table of one schema, generated from its model."""
    schema = schema_of(table)
    out = [f"**`{table}`** — {schema.description}", "",
           "| column | dtype | empty allowed | checks | meaning |", "|---|---|---|---|---|"]
    for name, column in schema.columns.items():
        description = (column.description or "").replace("<", "&lt;").replace("|", "\\|")
        out.append(f"| `{name}` | {_dtype_name(column)} | {'yes' if column.nullable else 'no'} | "
                   f"{_checks_text(column)} | {description} |")
    rows = []
    if schema.unique:
        rows.append("unique together: " + ", ".join(f"`{c}`" for c in schema.unique))
    rows += [f"`{check.name}`: {_table_check_text(check)}" for check in schema.checks]
    if rows:
        out += ["", "Table checks:", ""] + [f"- {row}" for row in rows]
    return "\n".join(out) + "\n"


def _table_check_text(check: Any) -> str:
    stats = check.statistics
    if check.name == "column_order":
        return "; ".join(f"`{r}`" for r in stats["relations"]).replace("<=", "≤")
    if check.name == "column_sum":
        return f"`{stats['total']} = {' + '.join(stats['parts'])}`"
    if check.name == "text_fits_offsets":
        return f"`{stats['end']} - {stats['start']}` is the length of `{stats['text']}`"
    if check.name == "empty_for_tags":
        return (" and ".join(f"`{c}`" for c in stats["columns"]) + " are empty where `"
                + stats["tag"] + "` is " + " or ".join(f"`{v}`" for v in stats["values"]))
    if check.name == "all_or_none":
        return " and ".join(f"`{c}`" for c in stats["columns"]) + " are both filled or both empty"
    if check.name == "pair_complete":
        return (f"each (`{stats['doc']}`, `{stats['pair']}`) is held by one `first` and one "
                f"`second` span of one `{stats['sentence']}`")
    if check.name == "category_of_rule":
        return f"`{stats['category']}` is the prefix of `{stats['rule']}`"
    return str(check.error)


def markdown_tables() -> str:
    return "\n".join(markdown_table(t) for t in MODELS)
