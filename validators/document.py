"""A loaded document: its bytes, the strict decode, and (lazily) its markup and sentences.

Every per-document check receives one :class:`Document`; the expensive views (markup, sentences)
are computed once and shared by all checks, so a file is read once and parsed once.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from validators.markup import Markup, line_starts, parse
from validators.requirements import WELL_FORMED_TAGS
from validators.sentences import Sentence, split_line
from validators.sentences import _boundary as sentence_boundary


@dataclass(slots=True)
class LoadProblem:
    """Why a file could not be decoded or read; each kind is reported by one ENC rule."""

    kind: str   # "invalid_utf8" | "binary" | "empty" | "unreadable"
    line: int = 1
    column: int = 1
    end_column: int = 2
    detail: str = ""
    evidence: str = ""


class TextLines(Sequence[str]):
    """The raw lines of a text, sliced on access: kept as a list, a million short lines cost
    ~100 bytes each, while their start offsets cost 4. A slice is another such view."""

    __slots__ = ("_range", "_starts", "_text")

    def __init__(self, text: str, starts: array[int], lines: range | None = None) -> None:
        self._text = text
        self._starts = starts
        self._range = range(len(starts)) if lines is None else lines

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return TextLines(self._text, self._starts, self._range[index])
        i = self._range[index]
        stop = self._starts[i + 1] - 1 if i + 1 < len(self._starts) else len(self._text)
        return self._text[self._starts[i]:stop]

    def __iter__(self) -> Iterator[str]:
        text, starts = self._text, self._starts
        last = len(starts) - 1
        for i in self._range:
            yield text[starts[i]:starts[i + 1] - 1] if i < last else text[starts[i]:]


@dataclass
class Document:
    path: str                 # document id: the path relative to the corpus root, POSIX style
    data: bytes               # the file's bytes, read once
    text: str | None = None   # the strict UTF-8 decode; None when it failed
    problems: list[LoadProblem] = field(default_factory=list)
    fs_path: str | None = None
    cache: dict[Any, Any] = field(default_factory=dict)  # per-document results shared by checks

    @cached_property
    def _raw_starts(self) -> array[int]:
        return line_starts(self.text or "")

    @cached_property
    def lines(self) -> Sequence[str]:
        """The raw lines (read-only; ``list(doc.lines)`` for a copy to edit)."""
        return TextLines(self.text, self._raw_starts) if self.text is not None else []

    @property
    def readable(self) -> bool:
        """Text checks run only on documents that decoded; the load problem is the finding."""
        return self.text is not None

    @cached_property
    def markup(self) -> Markup:
        return parse(self.text or "", self._raw_starts)

    @cached_property
    def plain_text(self) -> str:
        return self.markup.plain_text

    @property
    def line_starts(self) -> Sequence[int]:
        """Plain-text offset of each line's first character."""
        return self.markup._plain_starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, raw column) of a document plain-text offset."""
        index = max(bisect.bisect_right(self.line_starts, offset) - 1, 0)
        line = self.markup.lines[index]
        return index + 1, line.raw_column(offset - line.offset) + 1

    def sentences(self, ends: str) -> list[Sentence]:
        """Sentences for the given sentence-end characters; spans get their sentence index."""
        key = ("sentences", ends)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        result: list[Sentence] = []
        if "\n" in ends or not ends:
            for line_no, line in enumerate(self.markup.lines, 1):
                result.extend(split_line(line.plain, line.offset, line_no, len(result), ends))
        else:
            # one regex pass over the whole plain text (a boundary never contains a line end),
            # then the boundaries are dealt out to the lines: the same sentences as split_line
            text = self.plain_text
            bounds = [m.end() for m in sentence_boundary(ends).finditer(text)]
            append = result.append
            b, nb, index = 0, len(bounds), 0
            starts = self.markup._plain_starts
            for line_no in range(1, len(starts) + 1):
                pos = starts[line_no - 1]
                stop = starts[line_no] - 1 if line_no < len(starts) else len(text)
                while b < nb and bounds[b] <= stop:
                    append(Sentence(index, line_no, pos, bounds[b]))
                    index += 1
                    pos = bounds[b]
                    b += 1
                if pos < stop and text[pos:stop].strip():
                    append(Sentence(index, line_no, pos, stop))
                    index += 1
        self.cache[key] = result
        return result

    def sentence_of(self, offset: int, ends: str) -> int:
        sentences = self.sentences(ends)
        key = ("sentence_starts", ends)
        starts = self.cache.get(key)
        if starts is None:
            starts = self.cache[key] = [s.start for s in sentences]
        i = bisect.bisect_right(starts, offset) - 1
        return sentences[i].index if i >= 0 and offset < sentences[i].end else -1

    def broken_sentences(self, ends: str) -> set[int]:
        """Sentences whose tags are broken (WELL_FORMED_TAGS fails there): the checks that
        require well-formed tags skip them (no cascades)."""
        breaking = WELL_FORMED_TAGS.broken_by
        key = ("broken", ends)
        if key not in self.cache and not any(i.kind in breaking for i in self.markup.issues):
            self.cache[key] = set()  # nothing is broken: no need to look at the sentences
        if key not in self.cache:
            broken: set[int] = set()
            sentences = self.sentences(ends)
            by_line: dict[int, list[Sentence]] = {}
            for sentence in sentences:
                by_line.setdefault(sentence.line, []).append(sentence)
            # per line: its sentences' raw column ranges (ordered, disjoint), computed once, so
            # that each breaking issue finds the sentences it touches by bisection: linear in
            # the issues even for 200 000 of them on one line
            ranges: dict[int, tuple[list[int], list[int], list[int], int]] = {}
            for issue in self.markup.issues:
                if issue.kind not in breaking:
                    continue
                for line_no in range(issue.line, issue.end_line + 1):
                    if line_no not in by_line:
                        continue
                    if line_no not in ranges:
                        line = self.markup.lines[line_no - 1]
                        firsts, lasts, indexes = [], [], []
                        for sentence in by_line[line_no]:
                            firsts.append(line.raw_column(sentence.start - line.offset) + 1)
                            lasts.append(line.raw_column(max(sentence.end - 1 - line.offset, 0)) + 1)
                            indexes.append(sentence.index)
                        ranges[line_no] = (firsts, lasts, indexes, len(line.raw) + 1)
                    firsts, lasts, indexes, line_end = ranges[line_no]
                    lo = issue.column if line_no == issue.line else 1
                    hi = issue.end_column if line_no == issue.end_line else line_end
                    # the sentences with last + 1 >= lo and first <= hi
                    i = bisect.bisect_left(lasts, lo - 1)
                    while i < len(firsts) and firsts[i] <= hi:
                        broken.add(indexes[i])
                        i += 1
            self.cache[key] = broken
        return self.cache[key]

    @property
    def annotated(self) -> bool:
        return bool(self.markup.spans) or bool(self.markup.issues and any(
            i.kind != "stray_bracket" for i in self.markup.issues))
