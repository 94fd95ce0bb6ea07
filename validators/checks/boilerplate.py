"""``boilerplate``: a paragraph (line) that recurs across many documents, such as the web page's
``打开APP``, ``相关文章``, ``来源：…`` or a newsletter footer that a scraper kept (corpus-wide).

Per document (``collect``): the 64-bit hashes of its normalised lines with at least ``min_chars``
letters or digits, with their line numbers and a 30-character snippet for the message (never the
whole text). Over the corpus (``finish``): a line hash found in at least ``min_count`` distinct
documents (documents with identical normalised text count once) is boilerplate, and each document
containing it gets one finding.

A document most of whose lines are "boilerplate" is a copy of another, not a page with a
template: when more than ``max_share`` of its counted lines recur, it is left to the
``duplicate_documents`` / ``near_duplicates`` rules instead of getting one finding per line.
"""

from __future__ import annotations

from typing import Any, ClassVar

from validators import dedup
from validators.checks import CorpusCheckType, Option, register
from validators.corpus_ops import CorpusOps
from validators.document import Document
from validators.findings import Hit, Related

MAX_RELATED = 10  # other occurrences named in a finding
SNIPPET = 30      # characters of the line kept for the message


@register
class BoilerplateCheck(CorpusCheckType):
    name: ClassVar[str] = "boilerplate"
    summary: ClassVar[str] = "a paragraph repeated across many documents (boilerplate)"
    min_documents: ClassVar[int] = 2  # a line must recur in min_count (>= 2) documents
    options: ClassVar[dict[str, Option]] = {
        "min_chars": Option("int", 4, minimum=1,
                            help="only lines with at least this many letters and digits count"),
        "min_count": Option("int", 3, minimum=2,
                            help="distinct documents a line must occur in to be boilerplate"),
        "max_share": Option("float", 0.5, minimum=0.0, maximum=1.0,
                            help="a document with a larger share of recurring lines is a copy, "
                                 "not a template: no boilerplate finding for it"),
        "fold_script": Option("bool", True, help="fold Traditional to Simplified before "
                                                 "comparing"),
    }

    def collect(self, doc: Document, options: dict[str, Any]) -> Any:
        lines: dict[int, tuple[int, int, str]] = {}  # line hash -> (first line, end, snippet)
        folded_lines = dedup.folded_lines(doc, options["fold_script"])
        for number, (raw, folded) in enumerate(zip(doc.lines, folded_lines, strict=True), 1):
            line = raw.rstrip("\r")
            if len(folded) >= options["min_chars"]:
                snippet = line.strip()
                snippet = snippet[:SNIPPET] + ("…" if len(snippet) > SNIPPET else "")
                lines.setdefault(dedup.line_hash(folded), (number, len(line) + 1, snippet))
        if not lines:
            return None
        folded_doc = dedup.folded_document(doc, options["fold_script"])
        return {"doc": dedup.content_hash(folded_doc), "lines": sorted(
            (h, n, end, snippet) for h, (n, end, snippet) in lines.items())}

    def plan(self, ops: CorpusOps, items: Any, options: dict[str, Any],
             focus: set[str] | None = None) -> list[Hit]:
        """Group line occurrences by line hash; only the recurring lines (with their count and
        first occurrences) reach the client, and each document's hits are made where it lives."""
        recurring = dict(ops.gather(ops.flat_map(ops.group(ops.flat_map(items, _line_entries)),
                                                 _recurring, options["min_count"])))
        if not recurring:
            return []
        found = ops.gather(ops.flat_map(items, _document_hits, ops.share(recurring),
                                        options["max_share"], focus))
        return [hit for _, hits in sorted(found, key=lambda ph: ph[0]) for hit in hits]


def _line_entries(entry: tuple[str, Any]) -> list[tuple[int, tuple[str, int, str]]]:
    path, item = entry
    return [(h, (path, number, item["doc"])) for h, number, _, _ in item["lines"]]


def _recurring(group: tuple[int, list[tuple[str, int, str]]],
               min_count: int) -> list[tuple[int, tuple[int, int, list[tuple[str, int]]]]]:
    """A recurring line: (distinct documents, occurrences, the first occurrences in path order;
    a document has one entry per line hash, so one more than a finding names is enough)."""
    h, where = group
    documents = len({doc for _, _, doc in where})
    if documents < min_count:
        return []
    return [(h, (documents, len(where), [(p, n) for p, n, _ in where[:MAX_RELATED + 1]]))]


def _document_hits(entry: tuple[str, Any], recurring: dict[int, tuple[int, int, list[tuple[str, int]]]],
                   max_share: float, focus: set[str] | None) -> list[tuple[str, list[Hit]]]:
    path, item = entry
    if focus is not None and path not in focus:
        return []
    mine = [line for line in item["lines"] if line[0] in recurring]
    if not mine or len(mine) > max_share * len(item["lines"]):
        return []
    hits = []
    for h, number, end, snippet in sorted(mine, key=lambda x: x[1]):
        documents, occurrences, first = recurring[h]
        others = [(p, n) for p, n in first if p != path]
        hits.append(Hit(number, 1, number, end,
                        {"count": documents, "others":
                            dedup.describe_others_counted([p for p, _ in others], occurrences - 1),
                         "text": snippet},
                        related=tuple(Related(p, n) for p, n in others[:MAX_RELATED]),
                        evidence=f"{h:016x}", path=path))
    return [(path, hits)]
