"""``count``: a tag or pattern must occur between ``min`` and ``max`` times per document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.findings import Hit


@register
class CountCheck(CheckType):
    name: ClassVar[str] = "count"
    summary: ClassVar[str] = "occurrences per document must stay between min and max"
    options: ClassVar[dict[str, Option]] = {
        "tag": Option("choice", None, choices=(None, "cand", "a"), help="count spans of this tag"),
        "regex": Option("regex", None, help="or count matches of this pattern in the plain text"),
        "min": Option("int", None, minimum=0),
        "max": Option("int", None, minimum=0),
        "annotated_only": Option("bool", False, help="skip documents without any tag"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        if options["annotated_only"] and not doc.annotated:
            return
        if options["tag"]:
            what = f"<{options['tag']}>"
            count = sum(1 for s in doc.markup.spans if s.tag == options["tag"])
        elif options["regex"] is not None:
            what = options["regex"].pattern
            count = sum(1 for _ in options["regex"].finditer(doc.plain_text))
        else:
            return
        low, high = options["min"], options["max"]
        if (low is not None and count < low) or (high is not None and count > high):
            bound = f"at least {low}" if low is not None and count < low else f"at most {high}"
            yield Hit(1, 1, 1, 2, {"count": count, "what": what, "bound": bound,
                                   "text": what}, evidence=f"{what}:{bound}")
