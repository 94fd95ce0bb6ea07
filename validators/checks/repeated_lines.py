"""``repeated_lines``: a line (paragraph) that occurs again in the same document.

Typical of scraped pages: the title printed twice, a caption or a paragraph pasted twice. Lines are
compared in their normalised form (validators.dedup.fold: tags, width, script, spaces and
punctuation folded); short lines (blank lines, ``---``, a lone ``“”``, ``编辑``) never count: a
line must have ``min_chars`` letters or digits. Every later occurrence is reported, pointing at the
first one in ``related``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators import dedup
from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.findings import Hit, Related


@register
class RepeatedLinesCheck(CheckType):
    name: ClassVar[str] = "repeated_lines"
    summary: ClassVar[str] = "a line repeated inside one document"
    options: ClassVar[dict[str, Option]] = {
        "min_chars": Option("int", 10, minimum=1,
                            help="only lines with at least this many letters and digits count"),
        "fold_script": Option("bool", True, help="fold Traditional to Simplified before "
                                                 "comparing"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        first: dict[str, int] = {}
        folded_lines = dedup.folded_lines(doc, options["fold_script"])
        for number, (raw, folded) in enumerate(zip(doc.lines, folded_lines, strict=True), 1):
            line = raw.rstrip("\r")
            if len(folded) < options["min_chars"]:
                continue
            if folded not in first:
                first[folded] = number
                continue
            text = line.strip()
            yield Hit(number, 1, number, len(line) + 1,
                      {"first_line": first[folded], "text": text[:40] + ("…" if len(text) > 40
                                                                          else ""),
                       "similarity": "1.00"},
                      related=(Related(doc.path, first[folded]),), evidence=folded)
