"""``duplicate_documents``: documents whose normalised text is identical (corpus-wide).

Normalisation (validators.checks._dedup.fold): tags stripped, NFKC width folding, Traditional folded to
Simplified with OpenCC, case folded, whitespace and punctuation removed. So a copy that only
differs in script, character width, line breaks or annotation is the same document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.checks import (
    DECODED_TEXT,
    SEVERAL_DOCUMENTS,
    CheckOptions,
    CorpusCheckType,
    Requirement,
    option,
    register,
)
from validators.checks import _dedup as dedup
from validators.corpus_ops import CorpusOps
from validators.document import Document
from validators.findings import DuplicateGroup, Hit, Related


@register
class DuplicateDocumentsCheck(CorpusCheckType):
    name: ClassVar[str] = "duplicate_documents"
    summary: ClassVar[str] = "documents identical after normalisation (tags, script, width, spaces)"
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT, SEVERAL_DOCUMENTS)

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        fold_script: bool = option("bool", True, help="fold Traditional to Simplified (OpenCC "
                                                      "t2s) before comparing")
        min_chars: int = option("int", 1, minimum=1, help="ignore documents with fewer "
                                                          "normalised characters (letters and "
                                                          "digits)")
        max_related: int = option("int", 5, minimum=1,
                                  help="copies a finding lists in related; the whole group is "
                                       "listed once, in the summary")

    def collect(self, doc: Document, options: Options) -> Any:
        folded = dedup.folded_document(doc, options.fold_script)
        if len(folded) < options.min_chars:
            return None
        line, end = dedup.first_content_line(doc)
        return {"hash": dedup.content_hash(folded), "chars": len(folded), "line": line,
                "end": end}

    def plan(self, ops: CorpusOps, items: Any, options: Options,
             focus: set[str] | None = None) -> Iterable[Hit]:
        """Group by content hash; only the groups with copies reach the client."""
        groups = ops.gather(ops.flat_map(ops.group(ops.flat_map(items, _by_hash)), _copies))
        # members are (path, line, end) in path order; a path is in one group only, so this is
        # the order of the groups' path lists
        return _hits(sorted(groups), focus, options.max_related)


def _hits(groups: list[tuple[list[tuple[str, int, int]], str]], focus: set[str] | None,
          max_related: int) -> Iterator[Hit]:
    """One hit per copy (in focus), made as the findings are: the names of all its copies (the
    fingerprint's evidence) exist for one hit at a time."""
    for members, digest in groups:
        shared = DuplicateGroup(tuple(path for path, _, _ in members))
        for path, line, end in members:
            if focus is not None and path not in focus:
                continue
            others = [m for m in members if m[0] != path]
            yield Hit(line, 1, line, end,
                      {"others": dedup.describe_others([p for p, _, _ in others]),
                       "count": len(members), "similarity": "1.00", "text": digest},
                      related=tuple(Related(p, n) for p, n, _ in others[:max_related]),
                      evidence="\0".join(p for p, _, _ in others), path=path, group=shared)


def _by_hash(entry: tuple[str, Any]) -> list[tuple[str, tuple[str, int, int]]]:
    path, item = entry
    return [(item["hash"], (path, item["line"], item["end"]))]


def _copies(group: tuple[str, list[tuple[str, int, int]]]) -> list[tuple[list[tuple[str, int, int]], str]]:
    digest, members = group
    return [(members, digest)] if len(members) > 1 else []
