"""``count``: a tag or pattern must occur between ``min`` and ``max`` times per document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.checks import CheckOptions, CheckType, option, register
from validators.document import Document
from validators.findings import Hit
from validators.markup import TAG_NAMES


@register
class CountCheck(CheckType):
    name: ClassVar[str] = "count"
    summary: ClassVar[str] = "occurrences per document must stay between min and max"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        tag: str | None = option("choice", None, choices=(None, *TAG_NAMES),
                                 help="count spans of this tag")
        regex: Any = option("regex", None, help="or count matches of this pattern in the plain text")
        min: int | None = option("int", None, minimum=0, help="fewer is a finding")
        max: int | None = option("int", None, minimum=0, help="more is a finding")
        annotated_only: bool = option("bool", False, help="skip documents without any tag")

        def validate(self) -> str | None:
            """A rule that counts nothing, or never reports, is a mistake in the rule file (it
            used to match nothing, silently)."""
            if (self.tag is None) == (self.regex is None):
                return "it needs exactly one of 'tag' (a tag's spans) and 'regex' (a pattern's matches)"
            if self.min is None and self.max is None:
                return "it needs 'min', 'max' or both: without them it never reports"
            if self.min is not None and self.max is not None and self.min > self.max:
                return f"its min ({self.min}) is above its max ({self.max}): every document would fail"
            return None

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        if options.annotated_only and not doc.annotated:
            return
        if options.tag is not None:
            what = f"<{options.tag}>"
            count = sum(1 for s in doc.markup.spans if s.tag == options.tag)
        else:
            what = options.regex.pattern
            count = sum(1 for _ in options.regex.finditer(doc.plain_text))
        low, high = options.min, options.max
        if (low is not None and count < low) or (high is not None and count > high):
            bound = f"at least {low}" if low is not None and count < low else f"at most {high}"
            yield Hit(1, 1, 1, 2, {"count": count, "what": what, "bound": bound,
                                   "text": what}, evidence=f"{what}:{bound}")
