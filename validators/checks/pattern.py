"""``pattern``: a user regex that must not match, in lines, span texts or the whole document.

Generic: lets a project add a rule without writing code. Regexes use the ``regex`` package
(``\\p{Han}``, ``\\p{P}``) with a timeout, so a runaway pattern cannot hang a commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.checks import CheckOptions, CheckType, option, register
from validators.checks._tag_names import unknown_tags
from validators.document import Document
from validators.errors import ConfigError
from validators.findings import Hit

SCOPES = ("line", "plain_line", "span", "document")


def _search_all(pattern: Any, text: str) -> Iterator[Any]:
    try:
        yield from pattern.finditer(text)
    except TimeoutError:
        raise ConfigError(f"regex {pattern.pattern!r} took more than its time limit "
                          "(catastrophic backtracking?)") from None


@register
class PatternCheck(CheckType):
    name: ClassVar[str] = "pattern"
    summary: ClassVar[str] = "a regular expression that must not match"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        regex: Any = option("regex", help="the pattern that must not match")
        scope: str = option("choice", "line", choices=SCOPES,
                            help="line: raw lines with tags; plain_line: lines with tags removed; "
                                 "span: each span's text; document: the whole plain text")
        tags: list[str] = option("str_list", ["cand", "a"], help="with scope span: which tags")

        def validate(self) -> str | None:
            return unknown_tags(self.tags)

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        scope, pattern = options.scope, options.regex
        if scope == "line":
            for line_no, raw in enumerate(doc.lines, 1):
                for m in _search_all(pattern, raw):
                    yield Hit(line_no, m.start() + 1, line_no, max(m.end(), m.start() + 1) + 1,
                              {"text": m.group(), "match": m.group()}, evidence=m.group())
        elif scope == "span":
            tags = options.tags
            seen: dict[str, list[tuple[int, str]]] = {}  # connectives repeat: match each text once
            for span in doc.markup.spans:
                if span.tag not in tags:
                    continue
                found = seen.get(span.text)
                if found is None:
                    found = seen[span.text] = [(m.start(), m.group())
                                               for m in _search_all(pattern, span.text)]
                for start, group in found:
                    col = span.column + len(span.tag) + 2 + start
                    yield Hit(span.line, col, span.line, col + max(len(group), 1),
                              {"text": span.text, "match": group, "tag": span.tag},
                              evidence=span.text)
        else:
            texts = ([(line.plain, line.offset) for line in doc.markup.lines]
                     if scope == "plain_line" else [(doc.plain_text, 0)])
            for text, offset in texts:
                for m in _search_all(pattern, text):
                    line, col = doc.position(offset + m.start())
                    end_line, end_col = doc.position(offset + max(m.end() - 1, m.start()))
                    yield Hit(line, col, end_line, end_col + 1,
                              {"text": m.group(), "match": m.group()}, evidence=m.group())
