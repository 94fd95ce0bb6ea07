"""Sentence segmentation of the plain text, with the sentence-end characters as an option."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_SENTENCE_END = "。！？!?"
# closing quotes and brackets that still belong to the sentence they follow: 他说：“好。”
CLOSERS = "”’」』）)》〉\"'"


@dataclass(slots=True, frozen=True)
class Sentence:
    index: int   # 0-based, across the document
    line: int    # 1-based line number
    start: int   # document plain-text offset
    end: int     # exclusive


@lru_cache(maxsize=64)
def _boundary(ends: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(ends)}]+[{re.escape(CLOSERS)}]*")


def split_line(plain: str, offset: int, line_no: int, first_index: int, ends: str) -> list[Sentence]:
    """Sentences of one line; a line end always ends a sentence, empty lines have none."""
    out: list[Sentence] = []
    pos = 0
    if ends:
        for m in _boundary(ends).finditer(plain):
            out.append(Sentence(first_index + len(out), line_no, offset + pos, offset + m.end()))
            pos = m.end()
    if pos < len(plain) and plain[pos:].strip():
        out.append(Sentence(first_index + len(out), line_no, offset + pos, offset + len(plain)))
    return out
