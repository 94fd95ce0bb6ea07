"""``paired_markers``: ``<a>`` spans must pair up inside their sentence, in lexicon order.

The pair lexicon knows frames (当/在/从 … 以后/之后/时), variants of a part (不仅仅 for 不仅) and both
scripts (雖然…但是): see validators.lexicons."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.findings import Hit
from validators.pairing import pair_markers
from validators.rules import lexicon_of
from validators.sentences import DEFAULT_SENTENCE_END

PROBLEMS = ("unpaired", "crosses_sentence", "unknown_pair", "reversed")


@register
class PairedMarkersCheck(CheckType):
    name: ClassVar[str] = "paired_markers"
    summary: ClassVar[str] = "paired connectives (<a>…<a>) must pair up within a sentence"
    options: ClassVar[dict[str, Option]] = {
        "problem": Option("choice", choices=PROBLEMS),
        "sentence_end": Option("chars", DEFAULT_SENTENCE_END,
                               help="characters that end a sentence (a line end always does)"),
        "lexicon": Option("lexicon", None, help="paired-connective lexicon (first/second)"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        pairing = pair_markers(doc, options["sentence_end"])
        problem = options["problem"]
        if problem == "unpaired":
            for span in pairing.unpaired:
                yield Hit(span.line, span.column, span.line, span.end_column,
                          {"text": span.text}, evidence=span.text)
        elif problem == "crosses_sentence":
            for first, second in pairing.crossing:
                yield Hit(first.line, first.column, second.line, second.end_column,
                          {"text": first.text, "first": first.text, "second": second.text},
                          evidence=f"{first.text}…{second.text}")
        else:
            lexicon = lexicon_of(options)
            if not lexicon.pairs:
                return
            for pair in pairing.pairs:
                if lexicon.knows_pair(pair.first.text, pair.second.text):
                    continue
                backward = lexicon.knows_pair(pair.second.text, pair.first.text)
                if (problem == "reversed") == backward:
                    yield Hit(pair.first.line, pair.first.column, pair.second.line,
                              pair.second.end_column,
                              {"text": pair.first.text, "first": pair.first.text,
                               "second": pair.second.text},
                              evidence=f"{pair.first.text}…{pair.second.text}")
