"""``repeated_lines``: a line (paragraph) that occurs again in the same document.

Typical of scraped pages: the title printed twice, a caption or a paragraph pasted twice. Lines are
compared in their normalised form (validators.checks._dedup.fold: tags, width, script, spaces and
punctuation folded); short lines (blank lines, ``---``, a lone ``“”``, ``编辑``) never count: a
line must have ``min_chars`` letters or digits. A repetition is reported, pointing at the earlier
occurrence it repeats in ``related``, when it is near it (at most ``max_gap`` non-blank lines in
between: a title printed twice in a row) or when it is a whole paragraph (``paragraph_chars``
letters or more, pasted twice anywhere). A shorter line repeated further apart is the structure
of the text (the same sub-heading in two sections of an article), not an extraction artefact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from validators.checks import CheckOptions, CheckType, option, register
from validators.checks import _dedup as dedup
from validators.document import Document
from validators.findings import Hit, Related


@register
class RepeatedLinesCheck(CheckType):
    name: ClassVar[str] = "repeated_lines"
    summary: ClassVar[str] = "a line repeated inside one document"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        min_chars: int = option("int", 10, minimum=1,
                                help="only lines with at least this many letters and digits count")
        fold_script: bool = option("bool", True, help="fold Traditional to Simplified before "
                                                      "comparing")
        max_gap: int = option("int", 2, minimum=0,
                              help="non-blank lines that may stand between a line and its "
                                   "repetition")
        paragraph_chars: int = option("int", 30, minimum=1,
                                      help="a line this long (letters and digits) is reported "
                                           "however far apart it repeats")

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        last: dict[str, tuple[int, int]] = {}  # folded line -> (line number, non-blank index)
        folded_lines = dedup.folded_lines(doc, options.fold_script)
        filled = 0  # non-blank lines so far
        for number, (raw, folded) in enumerate(zip(doc.lines, folded_lines, strict=True), 1):
            line = raw.rstrip("\r")
            if line.strip():
                filled += 1
            if len(folded) < options.min_chars:
                continue
            earlier = last.get(folded)
            last[folded] = (number, filled)
            if earlier is None:
                continue
            gap = filled - earlier[1] - 1  # non-blank lines in between
            if gap > options.max_gap and len(folded) < options.paragraph_chars:
                continue  # a heading or short line of the text's structure
            text = line.strip()
            yield Hit(number, 1, number, len(line) + 1,
                      {"first_line": earlier[0], "text": text[:40] + ("…" if len(text) > 40
                                                                      else ""),
                       "similarity": "1.00"},
                      related=(Related(doc.path, earlier[0]),), evidence=folded)
