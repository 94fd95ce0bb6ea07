"""``markup``: the tag problems found by the strict tokenizer, one rule per kind of problem."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.findings import Hit
from validators.markup import ISSUE_KINDS


@register
class MarkupCheck(CheckType):
    name: ClassVar[str] = "markup"
    summary: ClassVar[str] = "problems of the inline tags found by the strict tokenizer"
    options: ClassVar[dict[str, Option]] = {
        "problem": Option("choice", choices=ISSUE_KINDS, help="which tokenizer problem to report"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        wanted = options["problem"]
        for issue in doc.markup.issues:
            if issue.kind != wanted:
                continue
            hint = f" (did you mean {issue.suggestion}?)" if issue.suggestion else ""
            yield Hit(issue.line, issue.column, issue.end_line, issue.end_column,
                      {"text": issue.text, "tag": issue.tag, "hint": hint,
                       "expected": issue.suggestion},
                      evidence=issue.text)
