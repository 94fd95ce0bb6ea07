"""``paired_markers``: ``<a>`` spans must pair up inside their sentence.

One family of two problems of one pairing (validators.pairing): a span left over when the spans of
a sentence are paired in order (unpaired), and a left-over span at the end of one sentence that
only pairs with a left-over one at the start of the next (crosses_sentence). Which of the two a
left-over span is depends on its neighbour sentence, so one pass decides both. Whether a pair is a
known connective is ``pair_lexicon``'s question.

Sentences whose tags are broken are skipped (WELL_FORMED_TAGS): the TAG finding is the one to fix
first, and it names the rules that skipped its sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from validators.checks import (
    DECODED_TEXT,
    WELL_FORMED_TAGS,
    CheckOptions,
    CheckType,
    Requirement,
    option,
    register,
)
from validators.document import Document
from validators.findings import Hit
from validators.pairing import pair_markers
from validators.sentences import DEFAULT_SENTENCE_END

PROBLEMS = ("unpaired", "crosses_sentence")


@register
class PairedMarkersCheck(CheckType):
    name: ClassVar[str] = "paired_markers"
    summary: ClassVar[str] = "paired connectives (<a>…<a>) must pair up within a sentence"
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT, WELL_FORMED_TAGS)

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        problem: str = option("choice", choices=PROBLEMS,
                              help="unpaired: a left-over <a>; crosses_sentence: a pair split by "
                                   "a sentence end")
        sentence_end: str = option("chars", DEFAULT_SENTENCE_END,
                                   help="characters that end a sentence (a line end always does)")

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        pairing = pair_markers(doc, options.sentence_end)
        if options.problem == "unpaired":
            for span in pairing.unpaired:
                yield Hit(span.line, span.column, span.line, span.end_column,
                          {"text": span.text}, evidence=span.text)
        else:
            for first, second in pairing.crossing:
                yield Hit(first.line, first.column, second.line, second.end_column,
                          {"text": first.text, "first": first.text, "second": second.text},
                          evidence=f"{first.text}…{second.text}")
