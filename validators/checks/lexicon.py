"""``lexicon``: the text of every span of the given tags must come from a lexicon.

The lexicon is read in both scripts: a Traditional span (並且) is known when its Simplified entry
(并且) is (OpenCC s2t/s2tw/s2hk forms, generated on first need; see validators.lexicons)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from validators.checks import CheckOptions, CheckType, option, register
from validators.checks._tag_names import unknown_tags
from validators.document import Document
from validators.findings import Hit
from validators.lexicons import Lexicon


@register
class LexiconCheck(CheckType):
    name: ClassVar[str] = "lexicon"
    summary: ClassVar[str] = "span texts must come from a list"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        lexicon: Lexicon = option("lexicon", help="a lexicon file (relative to the rule file) or a list")
        tags: list[str] = option("str_list", ["cand"], help="which tags' spans to check")

        def validate(self) -> str | None:
            return unknown_tags(self.tags)

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        lexicon, tags = options.lexicon, options.tags
        for span in doc.markup.spans:
            if span.tag in tags and not lexicon.knows_word(span.text):
                yield Hit(span.line, span.column, span.line, span.end_column,
                          {"text": span.text, "tag": span.tag}, evidence=span.text)
