"""``lexicon``: the text of every span of the given tags must come from a lexicon.

The lexicon is read in both scripts: a Traditional span (並且) is known when its Simplified entry
(并且) is (OpenCC s2t/s2tw/s2hk forms, generated on first need; see validators.lexicons)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.findings import Hit
from validators.rules import lexicon_of


@register
class LexiconCheck(CheckType):
    name: ClassVar[str] = "lexicon"
    summary: ClassVar[str] = "span texts must come from a list"
    options: ClassVar[dict[str, Option]] = {
        "lexicon": Option("lexicon", help="a lexicon file (relative to the rule file) or a list"),
        "tags": Option("str_list", ["cand"], help="which tags' spans to check"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        lexicon = lexicon_of(options)
        for span in doc.markup.spans:
            if span.tag in options["tags"] and not lexicon.knows_word(span.text):
                yield Hit(span.line, span.column, span.line, span.end_column,
                          {"text": span.text, "tag": span.tag}, evidence=span.text)
