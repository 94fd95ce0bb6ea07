"""Extraction: the parsed corpus → ``documents``, ``spans``, ``pairs``, ``findings`` and
``connectives`` tables.

The per-document part (:func:`document_rows`) is plain Python on one parsed :class:`Document`
(picklable rows, no pandas); :func:`build_frames` turns the rows of the whole run into pandas
DataFrames with the columns and dtypes the models in :mod:`validators.tables.schemas` declare
(pandas' nullable ``Int64`` and ``boolean`` for numbers and flags, pandas' ``str`` dtype for text).

:func:`extract_corpus` is the ``corpus-validate extract`` run: every file is read, decoded and
parsed once; the same parse feeds the rule checks (the ``findings`` table) and the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from validators.checks.untagged_connective import connective_item
from validators.document import Document
from validators.facts import DocumentFacts, document_facts
from validators.findings import Finding
from validators.pairing import pair_markers
from validators.rules import RuleSet
from validators.sentences import DEFAULT_SENTENCE_END

if TYPE_CHECKING:
    import pandas as pd

    from validators.discover import CorpusFile
    from validators.settings import Settings


def sentence_end_of(ruleset: RuleSet | None) -> str:
    """The sentence-end characters of the run (:func:`validators.settings.sentence_end_of`)."""
    from validators.settings import sentence_end_of as configured

    return configured(ruleset)


@dataclass
class DocumentRows:
    """One document's rows of the ``documents``, ``spans`` and ``pairs`` tables (picklable), and
    what the ``connectives`` table counts in it (its clean lines and spans, as CON001 sees them)."""

    document: dict[str, Any]
    spans: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    plain_text: str = ""
    connectives: Any = None


def document_rows(doc: Document, doc_id: str, sentence_end: str = DEFAULT_SENTENCE_END, *,
                  facts: DocumentFacts | None = None) -> DocumentRows:
    """The table rows of one parsed document. Offsets are plain-text offsets (tags removed, lines
    joined with ``\\n``); line and column are the raw 1-based position of the opening tag. The
    ``documents`` row is the document's facts (:mod:`validators.facts`): pass those the checks
    computed (``DocumentFacts.from_stats(result.stats)``) so the table and the report agree."""
    readable = doc.readable
    spans = doc.markup.spans if readable else []
    pairing = pair_markers(doc, sentence_end) if readable else None
    role: dict[int, tuple[int, str]] = {}
    pairs: list[dict[str, Any]] = []
    for pair in pairing.pairs if pairing else ():
        role[pair.first.index] = (pair.index, "first")
        role[pair.second.index] = (pair.index, "second")
        pairs.append({
            "doc_id": doc_id, "pair_id": pair.index, "sentence": pair.sentence,
            "first_span": pair.first.index, "second_span": pair.second.index,
            "first_text": pair.first.text, "second_text": pair.second.text,
            "first_start": pair.first.start, "first_end": pair.first.end,
            "second_start": pair.second.start, "second_end": pair.second.end,
        })
    span_rows = []
    for span in spans:
        sentence = doc.sentence_of(span.start, sentence_end)
        pair_id, pair_role = role.get(span.index, (None, None))
        span_rows.append({
            "doc_id": doc_id, "span_id": span.index, "tag": span.tag, "text": span.text,
            "start": span.start, "end": span.end, "line": span.line, "column": span.column,
            "sentence": sentence if sentence >= 0 else None, "pair_id": pair_id, "role": pair_role,
        })
    plain = doc.plain_text if readable else ""
    if facts is None:
        facts = document_facts(doc, sentence_end)
    return DocumentRows(facts.document_row(doc_id), span_rows, pairs, plain, connective_item(doc))


def finding_row(finding: Finding) -> dict[str, Any]:
    row = finding.as_dict()
    row.pop("related", None)
    row["related"] = "; ".join(f"{r.path}:{r.line}" for r in finding.related) or None
    return row


def frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame of ``table`` with its model's columns in order and its dtypes (pandera's
    coercion), also when empty. An empty text is a missing value, as it is in a CSV cell."""
    import pandas as pd

    from validators.tables.schemas import COLUMNS, coerced

    data = {column: pd.Series([None if (value := row.get(column)) == "" else value
                               for row in rows], dtype=object)
            for column in COLUMNS[table]}
    return coerced(table, pd.DataFrame(data, columns=list(COLUMNS[table])))


def connective_table_rows(rows: list[DocumentRows], options: dict[str, Any] | None = None
                          ) -> list[dict[str, Any]]:
    """Per connective form tagged in the corpus: tagged (<cand>, <a>) and untagged occurrences,
    counted as CON001 counts them (with its ``lexicon`` and ``ignore`` options when given), so the
    table and the HTML report's connective counts agree."""
    from validators.checks.untagged_connective import connective_rows
    from validators.corpus_ops import LocalOps

    ops = LocalOps.of({str(r.document["doc_id"]): r.connectives for r in rows})
    return connective_rows(ops, ops.items(""), options or {})


def build_frames(rows: list[DocumentRows], findings: Iterable[Finding],
                 connective_options: dict[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    return {
        "documents": frame("documents", [r.document for r in rows]),
        "spans": frame("spans", [s for r in rows for s in r.spans]),
        "pairs": frame("pairs", [p for r in rows for p in r.pairs]),
        "findings": frame("findings", [finding_row(f) for f in findings]),
        "connectives": frame("connectives", connective_table_rows(rows, connective_options)),
    }


@dataclass
class Extraction:
    frames: dict[str, pd.DataFrame]
    plain_texts: dict[str, str]        # doc id -> plain text (for the text-at-offsets check)
    findings: Sequence[Finding]
    sentence_end: str


def extract_corpus(files: list[CorpusFile], ruleset: RuleSet,
                   progress: Callable[[int, int], None] | None = None,
                   settings: Settings | None = None) -> Extraction:
    """The run of :mod:`validators.pipeline` with table rows as one more per-document product:
    each file is read, decoded and parsed once for the rule checks and the tables."""
    from validators.pipeline import run
    from validators.settings import Settings

    if settings is None:
        settings = Settings(sentence_end=sentence_end_of(ruleset))
    result = run(files, ruleset, settings, progress=progress, rows_of=document_rows)
    rows: list[DocumentRows] = list(result.rows)
    untagged = next((r for r in ruleset if r.check.name == "untagged_connective"), None)
    return Extraction(build_frames(rows, result.findings, untagged.options if untagged else None),
                      {r.document["doc_id"]: r.plain_text for r in rows},
                      result.findings, settings.sentence_end)
