"""Extracted tables: the parsed corpus as pandas DataFrames, enforced by pandera schemas.

``documents`` (one row per document), ``spans`` (one row per tagged span), ``pairs`` (one row per
matched ``<a>`` pair), ``findings`` (the validation result) and ``connectives``.
:mod:`~validators.tables.schemas` holds the pandera ``DataFrameModel``s that document and enforce
them (columns, dtypes, coercion); :mod:`~validators.tables.extract` builds them. Validating a
table is :mod:`~validators.tables.reading` (CSV or Parquet, with each cell's place in the file),
:mod:`~validators.tables.coercion` (cells → the models' dtypes),
:mod:`~validators.tables.schema_failures` (the schema, lazily),
:mod:`~validators.tables.cross_table` (against the documents and the other tables), all run by
:func:`validators.tables.validate.validate`; :mod:`~validators.tables.findings` turns each
failure into the finding of the SCH rule whose ``failure`` option names its kind
(rules/schema.yaml; :mod:`~validators.tables.table_schema` is their check type).

pandas and pandera are heavy imports: nothing in this package imports them at module level except
``schemas`` (which is only imported by the ``extract`` and ``check-table`` paths), so a plain
``corpus-validate check`` run never pays for them.
"""

# the table names, known without importing pandera (a test keeps them equal to schemas.MODELS)
TABLES = ("documents", "spans", "pairs", "findings", "connectives")

# What can be wrong with a table: the values of a table_schema rule's ``failure`` option. Which
# rule reports each is said by the rule files alone (rules/schema.yaml: SCH001 has
# ``failure: malformed``).
FAILURE_KINDS = (
    "malformed",         # not a table of its format: empty, binary, bad CSV row
    "missing_column",    # a column of the schema is absent
    "wrong_type",        # a cell (or column) that is not of the column's dtype
    "missing_value",     # an empty cell in a column that does not allow one
    "not_allowed",       # a value outside the column's enum or pattern
    "duplicate",         # a repeated key (doc_id + span_id, …)
    "out_of_range",      # a negative offset, an offset past the document's end, …
    "inconsistent",      # cross-column: end <= start, a pair id on a <cand>, …
    "text_mismatch",     # a span text that is not the text at its offsets
    "broken_reference",  # cross-table: a pair whose spans are missing or elsewhere, …
)
