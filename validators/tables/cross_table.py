"""The cross-table checks: a table against the documents' plain texts and the other tables
(what one table alone cannot tell, said in ``check-table``'s output as :data:`NEEDS_CORPUS`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from validators.tables.table_data import Failure, TableData, is_missing

if TYPE_CHECKING:
    import pandas as pd

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
        yield int(row), {n: (None if is_missing(v) else v) for n, v in zip(names, values, strict=True)}


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
    for row, p in _rows(pairs, pairs.columns):
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
    from validators.tables.schemas import COLUMNS

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
