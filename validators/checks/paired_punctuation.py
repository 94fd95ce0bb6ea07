"""``paired_punctuation``: an opening “ 《 （ 「 … without its closing partner in the same line,
or a closing one without its opener.

A line is a paragraph in this corpus format, so quotes and brackets close within it. (Fiction that
opens each paragraph of a long quotation with 「 and closes only the last one is the exception:
switch the rule off, or narrow ``pairs``, for such a corpus.) Runs on plain lines: tags masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.errors import ConfigError
from validators.findings import Hit

DEFAULT_PAIRS = ["“”", "《》", "（）", "「」", "『』", "【】"]


def unbalanced(plain: str, pairs: list[str]) -> list[tuple[int, str, str]]:
    """(plain column, character, partner) of every unmatched opener or closer in a line."""
    found: list[tuple[int, str, str]] = []
    for pair in pairs:
        opener, closer = pair[0], pair[1]
        if opener not in plain and closer not in plain:
            continue
        stack: list[int] = []
        for m in re.finditer("[" + re.escape(pair) + "]", plain):
            i, char = m.start(), m.group()
            if char == opener:
                stack.append(i)
            elif char == closer:
                if stack:
                    stack.pop()
                else:
                    found.append((i, closer, opener))
        found.extend((i, opener, closer) for i in stack)
    return sorted(found)


@register
class PairedPunctuationCheck(CheckType):
    name: ClassVar[str] = "paired_punctuation"
    summary: ClassVar[str] = "unbalanced paired punctuation (“” 《》 （） 「」) within a line"
    options: ClassVar[dict[str, Option]] = {
        "pairs": Option("str_list", DEFAULT_PAIRS,
                        help="opening and closing character of each pair, as two-character strings"),
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        pairs = options["pairs"]
        for pair in pairs:
            if len(pair) != 2:
                raise ConfigError(f"paired_punctuation: each entry of 'pairs' must be two "
                                  f"characters, not {pair!r}")
        for line_no, line in enumerate(doc.markup.lines, 1):
            for col, char, partner in unbalanced(line.plain, pairs):
                raw_col = line.raw_column(col) + 1
                is_opener = any(p[0] == char for p in pairs)
                yield Hit(line_no, raw_col, line_no, raw_col + 1,
                          {"text": char, "partner": partner,
                           "detail": (f"'{char}' is never closed by '{partner}' in its line"
                                      if is_opener else
                                      f"'{char}' closes nothing: no '{partner}' before it in its "
                                      "line")},
                          evidence=char + line.plain[max(col - 4, 0):col + 5])
