"""``markup``: the tag problems found by the strict tokenizer, one rule per kind of problem.

One family, not eight check types: the eight problems (unclosed, unopened, mismatched, malformed,
nested, empty, crosses_line, stray_bracket) are the outcomes of one left-to-right reading of a
line's tags (validators.markup). Which one a broken tag is depends on the others in its line (an
opener followed by another opener is unclosed, not nested), so the tokenizer decides them all at
once and each rule only selects its kind.

A problem that breaks a sentence's tags (every kind but stray_bracket) makes the checks that
require WELL_FORMED_TAGS skip that sentence; ``breaks`` says so for the rule, so that the engine can
name those checks in the finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from validators.checks import WELL_FORMED_TAGS, CheckOptions, CheckType, Requirement, option, register
from validators.document import Document
from validators.findings import Hit
from validators.markup import ISSUE_KINDS


@register
class MarkupCheck(CheckType):
    name: ClassVar[str] = "markup"
    summary: ClassVar[str] = "problems of the inline tags found by the strict tokenizer"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        problem: str = option("choice", choices=ISSUE_KINDS, help="which tokenizer problem to report")

    def breaks(self, options: Options) -> Requirement | None:
        return WELL_FORMED_TAGS if options.problem in WELL_FORMED_TAGS.broken_by else None

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        wanted = options.problem
        for issue in doc.markup.issues:
            if issue.kind != wanted:
                continue
            hint = f" (did you mean {issue.suggestion}?)" if issue.suggestion else ""
            yield Hit(issue.line, issue.column, issue.end_line, issue.end_column,
                      {"text": issue.text, "tag": issue.tag, "hint": hint,
                       "expected": issue.suggestion},
                      evidence=issue.text)
