"""Extracted tables: the parsed corpus as pandas DataFrames, enforced by pandera schemas.

``documents`` (one row per document), ``spans`` (one row per tagged span), ``pairs`` (one row per
matched ``<a>`` pair) and ``findings`` (the validation result). :mod:`validators.tables.extract`
builds them, :mod:`validators.tables.schemas` holds the pandera ``DataFrameModel``s that document
and enforce them, and :mod:`validators.tables.validate` turns every schema failure into an ``SCH``
finding with the row and column it concerns.

pandas and pandera are heavy imports: nothing in this package imports them at module level except
``schemas`` (which is only imported by the ``extract`` and ``check-table`` paths), so a plain
``corpus-validate check`` run never pays for them.
"""

TABLES = ("documents", "spans", "pairs", "findings", "connectives")

# Failure kinds of a table and the stable SCH rule that reports each (rules/schema.yaml).
KINDS: dict[str, str] = {
    "malformed": "SCH001",         # not a table of its format: empty, binary, bad CSV row
    "missing_column": "SCH002",    # a column of the schema is absent
    "wrong_type": "SCH003",        # a cell (or column) that is not of the column's dtype
    "missing_value": "SCH004",     # an empty cell in a column that does not allow one
    "not_allowed": "SCH005",       # a value outside the column's enum or pattern
    "duplicate": "SCH006",         # a repeated key (doc_id + span_id, …)
    "out_of_range": "SCH007",      # a negative offset, an offset past the document's end, …
    "inconsistent": "SCH008",      # cross-column: end <= start, a pair id on a <cand>, …
    "text_mismatch": "SCH009",     # a span text that is not the text at its offsets
    "broken_reference": "SCH010",  # cross-table: a pair whose spans are missing or elsewhere, …
}
