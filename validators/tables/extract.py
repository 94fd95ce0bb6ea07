"""Extraction: the parsed corpus → ``documents``, ``spans``, ``pairs`` and ``findings`` tables.

The per-document part (:func:`document_rows`) is plain Python on one parsed :class:`Document`
(picklable rows, no pandas); :func:`build_frames` turns the rows of the whole run into pandas
DataFrames with the dtypes the schemas in :mod:`validators.tables.schemas` declare (pandas'
nullable ``Int64`` and ``boolean`` for numbers and flags, pandas' ``str`` dtype for text).

:func:`extract_corpus` is the ``corpus-validate extract`` run: every file is read, decoded and
parsed once; the same parse feeds the rule checks (the ``findings`` table) and the tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from validators.document import Document
from validators.findings import Finding
from validators.pairing import pair_markers
from validators.rules import RuleSet
from validators.sentences import DEFAULT_SENTENCE_END

if TYPE_CHECKING:
    import pandas as pd

    from validators.discover import CorpusFile

# Column order of every table (the schemas declare the same columns; a test keeps them equal).
COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "path", "bytes", "chars", "plain_chars", "lines", "encoding", "bom",
                  "line_endings", "script", "annotated", "spans", "cand", "a", "pairs", "sha256"),
    "spans": ("doc_id", "span_id", "tag", "text", "start", "end", "line", "column", "sentence",
              "pair_id", "role"),
    "pairs": ("doc_id", "pair_id", "sentence", "first_span", "second_span", "first_text",
              "second_text", "first_start", "first_end", "second_start", "second_end"),
    "findings": ("rule", "name", "category", "severity", "path", "line", "column", "end_line",
                 "end_column", "message", "context", "fingerprint", "related"),
}
BOOL_COLUMNS = frozenset({"bom", "annotated"})
TEXT_COLUMNS = frozenset({"doc_id", "path", "encoding", "line_endings", "script", "sha256", "tag",
                          "text", "role", "first_text", "second_text", "rule", "name", "category",
                          "severity", "message", "context", "fingerprint", "related"})


def sentence_end_of(ruleset: RuleSet | None) -> str:
    """The sentence-end characters of the run: PAIR001's option when the rule set has it."""
    if ruleset is not None:
        for rule_id in ("PAIR001", "PAIR002"):
            rule = ruleset.rules.get(rule_id)
            if rule is not None and isinstance(rule.options.get("sentence_end"), str):
                return str(rule.options["sentence_end"])
    return DEFAULT_SENTENCE_END


def encoding_of(doc: Document) -> str:
    kinds = {p.kind for p in doc.problems}
    for kind, name in (("unreadable", "unreadable"), ("binary", "binary"),
                       ("invalid_utf8", "not-utf-8")):
        if kind in kinds:
            return name
    return "utf-8"


def line_endings_of(data: bytes) -> str:
    crlf = data.count(b"\r\n")
    cr = data.count(b"\r") - crlf
    lf = data.count(b"\n") - crlf
    kinds = [name for name, count in (("lf", lf), ("crlf", crlf), ("cr", cr)) if count]
    return kinds[0] if len(kinds) == 1 else ("none" if not kinds else "mixed")


@lru_cache(maxsize=1)
def _converters() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def script_of_document(doc: Document) -> str:
    """The document's script as the SCR rules classify it (validators.script_sets, default
    thresholds), or, where that classifier is not available, :func:`script_of`."""
    try:
        from validators.script_sets import document_script
    except ImportError:  # pragma: no cover - the classifier ships with the SCR rules
        return script_of(doc.plain_text)
    return str(document_script(doc))


def script_of(text: str) -> str:
    """A quick estimate from OpenCC's converters: ``simplified``, ``traditional``, ``mixed`` or
    ``none`` (no character that differs between the scripts)."""
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"]
    if not han:
        return "none"
    sample = "".join(han[:20000])
    t2s, s2t = _converters()
    traditional = sum(a != b for a, b in zip(sample, t2s.convert(sample), strict=False))
    simplified = sum(a != b for a, b in zip(sample, s2t.convert(sample), strict=False))
    if not traditional and not simplified:
        return "none"
    share = traditional / (traditional + simplified)
    return "traditional" if share >= 0.95 else "simplified" if share <= 0.05 else "mixed"


@dataclass
class DocumentRows:
    """One document's rows of the ``documents``, ``spans`` and ``pairs`` tables (picklable)."""

    document: dict[str, Any]
    spans: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    plain_text: str = ""


def document_rows(doc: Document, doc_id: str, sentence_end: str = DEFAULT_SENTENCE_END,
                  script: Callable[[Document], str] = script_of_document) -> DocumentRows:
    """The table rows of one parsed document. Offsets are plain-text offsets (tags removed, lines
    joined with ``\\n``); line and column are the raw 1-based position of the opening tag."""
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
    text = doc.text if readable else ""
    plain = doc.plain_text if readable else ""
    document = {
        "doc_id": doc_id, "path": doc.path, "bytes": len(doc.data), "chars": len(text or ""),
        "plain_chars": len(plain), "lines": len(doc.lines) if readable and text else 0,
        "encoding": encoding_of(doc), "bom": doc.data.startswith(b"\xef\xbb\xbf"),
        "line_endings": line_endings_of(doc.data), "script": script(doc) if readable else "none",
        "annotated": bool(readable and doc.annotated), "spans": len(spans),
        "cand": sum(s.tag == "cand" for s in spans), "a": sum(s.tag == "a" for s in spans),
        "pairs": len(pairs), "sha256": hashlib.sha256(doc.data).hexdigest(),
    }
    return DocumentRows(document, span_rows, pairs, plain)


def finding_row(finding: Finding) -> dict[str, Any]:
    row = finding.as_dict()
    row.pop("related", None)
    row["related"] = "; ".join(f"{r.path}:{r.line}" for r in finding.related) or None
    return row


def frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame of ``table`` with the schema's column order and dtypes, also when empty."""
    import pandas as pd

    data: dict[str, Any] = {}
    for column in COLUMNS[table]:
        values = [row.get(column) for row in rows]
        if column in TEXT_COLUMNS:
            # an empty text is a missing value, as it is in a CSV cell
            data[column] = pd.Series([v if v != "" else None for v in values], dtype="str")
        elif column in BOOL_COLUMNS:
            data[column] = pd.array(values, dtype="boolean")
        else:
            data[column] = pd.array(values, dtype="Int64")
    return pd.DataFrame(data, columns=list(COLUMNS[table]))


def build_frames(rows: list[DocumentRows], findings: list[Finding]) -> dict[str, pd.DataFrame]:
    return {
        "documents": frame("documents", [r.document for r in rows]),
        "spans": frame("spans", [s for r in rows for s in r.spans]),
        "pairs": frame("pairs", [p for r in rows for p in r.pairs]),
        "findings": frame("findings", [finding_row(f) for f in findings]),
    }


@dataclass
class Extraction:
    frames: dict[str, pd.DataFrame]
    plain_texts: dict[str, str]        # doc id -> plain text (for the text-at-offsets check)
    findings: list[Finding]
    sentence_end: str


def extract_corpus(files: list[CorpusFile], ruleset: RuleSet,
                   progress: Callable[[int, int], None] | None = None) -> Extraction:
    """Read, decode and parse each file once; check it with ``ruleset`` and extract its rows."""
    from validators.engine import check_document, finish_corpus
    from validators.load import load

    ends = sentence_end_of(ruleset)
    rows: list[DocumentRows] = []
    results = []
    ids = [f.doc_id for f in files]
    # two corpus roots can hold the same relative path: then every id is the path findings name
    unique_ids = len(set(ids)) == len(ids)
    for i, corpus_file in enumerate(files):
        doc = load(corpus_file.path, corpus_file.fs_path, root=corpus_file.root or None)
        results.append(check_document(doc, ruleset))
        rows.append(document_rows(doc, corpus_file.doc_id if unique_ids else corpus_file.path,
                                  ends))
        if progress:
            progress(i + 1, len(files))
    findings = [f for r in results for f in r.findings]
    findings.extend(finish_corpus(ruleset, results))
    findings.sort(key=Finding.sort_key)
    return Extraction(build_frames(rows, findings), {r.document["doc_id"]: r.plain_text
                                                     for r in rows}, findings, ends)
