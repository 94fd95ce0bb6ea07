"""``pair_lexicon``: every pair of ``<a>`` spans must be a paired connective of the lexicon, in
the lexicon's order.

One family of two answers of one lookup: a pair the lexicon does not know (unknown_pair) is
reported unless the lexicon knows it backwards, which is the other problem (reversed). The pairs
come from ``paired_markers``' pairing; the lexicon knows frames (当/在/从 … 以后/之后/时),
variants of a part (不仅仅 for 不仅) and both scripts (雖然…但是): see validators.lexicons.

Sentences whose tags are broken are skipped (WELL_FORMED_TAGS), as for ``paired_markers``.
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
from validators.lexicons import Lexicon
from validators.pairing import pair_markers
from validators.sentences import DEFAULT_SENTENCE_END

PROBLEMS = ("unknown_pair", "reversed")


@register
class PairLexiconCheck(CheckType):
    name: ClassVar[str] = "pair_lexicon"
    summary: ClassVar[str] = "a pair of <a> spans must be a known paired connective, in order"
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT, WELL_FORMED_TAGS)

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        problem: str = option("choice", choices=PROBLEMS,
                              help="unknown_pair: not in the lexicon; reversed: in it backwards")
        lexicon: Lexicon = option("lexicon", help="paired-connective lexicon (first/second)")
        sentence_end: str = option("chars", DEFAULT_SENTENCE_END,
                                   help="characters that end a sentence (a line end always does)")

        def validate(self) -> str | None:
            if not self.lexicon.pairs:
                return (f"lexicon {self.lexicon.source} has no pairs (first/second entries): "
                        "every pair would be unknown")
            return None

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        lexicon, reversed_wanted = options.lexicon, options.problem == "reversed"
        for pair in pair_markers(doc, options.sentence_end).pairs:
            first, second = pair.first, pair.second
            if lexicon.knows_pair(first.text, second.text):
                continue
            if lexicon.knows_pair(second.text, first.text) == reversed_wanted:
                yield Hit(first.line, first.column, second.line, second.end_column,
                          {"text": first.text, "first": first.text, "second": second.text},
                          evidence=f"{first.text}…{second.text}")
