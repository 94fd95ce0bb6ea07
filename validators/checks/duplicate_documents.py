"""``duplicate_documents``: documents whose normalised text is identical (corpus-wide).

Normalisation (validators.dedup.fold): tags stripped, NFKC width folding, Traditional folded to
Simplified with OpenCC, case folded, whitespace and punctuation removed. So a copy that only
differs in script, character width, line breaks or annotation is the same document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators import dedup
from validators.checks import CorpusCheckType, Option, register
from validators.document import Document
from validators.findings import Hit, Related


@register
class DuplicateDocumentsCheck(CorpusCheckType):
    name: ClassVar[str] = "duplicate_documents"
    summary: ClassVar[str] = "documents identical after normalisation (tags, script, width, spaces)"
    min_documents: ClassVar[int] = 2  # compares documents with each other: a one-file run skips it
    options: ClassVar[dict[str, Option]] = {
        "fold_script": Option("bool", True, help="fold Traditional to Simplified (OpenCC t2s) "
                                                 "before comparing"),
        "min_chars": Option("int", 1, minimum=1, help="ignore documents with fewer normalised "
                                                      "characters (letters and digits)"),
    }

    def collect(self, doc: Document, options: dict[str, Any]) -> Any:
        folded = dedup.folded_document(doc, options["fold_script"])
        if len(folded) < options["min_chars"]:
            return None
        line, end = dedup.first_content_line(doc)
        return {"hash": dedup.content_hash(folded), "chars": len(folded), "line": line,
                "end": end}

    def finish(self, collected: dict[str, Any], options: dict[str, Any],
               focus: set[str] | None = None) -> Iterator[Hit]:
        by_hash: dict[str, list[str]] = {}
        for path, item in sorted(collected.items()):
            if item:
                by_hash.setdefault(item["hash"], []).append(path)
        for members in sorted(g for g in by_hash.values() if len(g) > 1):
            for path in dedup.in_focus(members, focus):
                others = [p for p in members if p != path]
                item = collected[path]
                yield Hit(item["line"], 1, item["line"], item["end"],
                          {"others": dedup.describe_others(others), "count": len(members),
                           "similarity": "1.00", "text": item["hash"]},
                          related=tuple(Related(p, collected[p]["line"]) for p in others),
                          evidence="\0".join(others), path=path)
