"""``load_problem``: files that could not be read or decoded (the load stage's verdict)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.findings import Hit

PROBLEMS = ("invalid_utf8", "binary", "empty", "unreadable", "too_large")


@register
class LoadProblemCheck(CheckType):
    name: ClassVar[str] = "load_problem"
    needs_text: ClassVar[bool] = False
    summary: ClassVar[str] = "a file that is unreadable, binary, empty or not UTF-8"
    options: ClassVar[dict[str, Option]] = {
        "problem": Option("choice", choices=PROBLEMS, help="which load problem to report"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        for problem in doc.problems:
            if problem.kind == options["problem"]:
                yield Hit(problem.line, problem.column, problem.line, problem.end_column,
                          {"detail": problem.detail, "text": problem.evidence},
                          evidence=problem.evidence or problem.kind)
