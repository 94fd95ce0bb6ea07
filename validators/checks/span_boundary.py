"""``span_boundary``: a span that cuts a longer lexicon connective (``<cand>但</cand>是``)."""

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
class SpanBoundaryCheck(CheckType):
    name: ClassVar[str] = "span_boundary"
    summary: ClassVar[str] = "a span boundary that cuts a longer connective of the lexicon"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        lexicon: Lexicon = option("lexicon", help="the longer connectives a span must not cut")
        tags: list[str] = option("str_list", ["cand"], help="which tags' spans to check")
        ignore: list[str] = option("str_list", [], help="longer forms never to suggest")

        def validate(self) -> str | None:
            return unknown_tags(self.tags)

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        words, longest = options.lexicon.words, options.lexicon.longest
        ignore = set(options.ignore)
        plain = doc.plain_text
        for span in doc.markup.spans:
            if span.tag not in options.tags:
                continue
            found = ""
            for extra in range(longest - len(span.text), 0, -1):
                after = plain[span.end:span.end + extra]
                before = plain[max(span.start - extra, 0):span.start]
                for longer, lo, hi in ((span.text + after, span.end, span.end + extra),
                                       (before + span.text, span.start - extra, span.start)):
                    if (len(longer) == len(span.text) + extra and longer in words
                            and longer not in ignore and "\n" not in longer
                            and not doc.markup.overlaps_span(lo, hi)):
                        found = longer
                        break
                if found:
                    break
            if found:
                yield Hit(span.line, span.column, span.line, span.end_column,
                          {"text": span.text, "longer": found}, evidence=f"{span.text}>{found}")
