"""``paired_punctuation``: an opening “ 《 （ 「 … without its closing partner in the same line,
or a closing one without its opener.

A line is a paragraph in this corpus format, so quotes and brackets close within it. (Fiction that
opens each paragraph of a long quotation with 「 and closes only the last one is the exception:
switch the rule off, or narrow ``pairs``, for such a corpus.) Runs on plain lines: tags masked.
With the document's character scan the unmatched characters of all lines come from one pass of
array arithmetic (:func:`scanned_unbalanced`); :func:`unbalanced` is the same for one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from validators.checks import CheckOptions, CheckType, option, register
from validators.document import Document
from validators.facts import plain_char_scan
from validators.findings import Hit

if TYPE_CHECKING:
    from validators.char_scan import CharScan

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


def scanned_unbalanced(scan: CharScan, pairs: list[str]) -> dict[int, list[tuple[int, str, str]]]:
    """What :func:`unbalanced` gives for each line (0-based) that has anything, from the character
    scan. Its stack, per pair and line, as sums: with +1 for an opener and -1 for a closer, the
    depth after each character is the running sum minus its lowest value so far (a closer on an
    empty stack changes nothing); a closer finds the stack empty when the depth before it is 0,
    and an opener is never closed when the depth never drops below its own later in the line."""
    import numpy as np

    from validators.char_scan import char_class

    found: dict[int, list[tuple[int, str, str]]] = {}
    for pair in pairs:
        marks = char_class(pair)
        at = scan.positions(marks)
        if not len(at):
            continue
        if marks.untracked:
            opens = np.array([scan.text[i] == pair[0] for i in at.tolist()], bool)
        else:
            opens = char_class(pair[0]).contains(scan.values[at])
        lines = scan.line_of(at)
        step = np.where(opens, 1, -1)
        first = np.concatenate(([True], lines[1:] != lines[:-1]))
        last = np.concatenate((first[1:], [True]))
        group = np.cumsum(first) - 1
        total = np.cumsum(step)
        in_line = total - (total - step)[first][group]  # the running sum, from each line's start
        spread = 2 * len(at) + 2  # a line's values shifted below the ones before: minima restart
        lowest = np.minimum.accumulate(in_line - group * spread) + group * spread
        depth = in_line - np.minimum(lowest, 0)
        depth_before = np.concatenate(([0], depth[:-1]))
        depth_before[first] = 0
        backwards = (depth + group * spread)[::-1]  # the same, from each line's end
        lowest_from = (np.minimum.accumulate(backwards) - (group * spread)[::-1])[::-1]
        lowest_after = np.where(last, spread, np.concatenate((lowest_from[1:], [spread])))
        unmatched = np.where(opens, lowest_after >= depth, depth_before == 0)
        for line, col, opener in zip(lines[unmatched].tolist(), (at - scan.starts[lines])[unmatched].tolist(),
                                     opens[unmatched].tolist(), strict=True):
            found.setdefault(line, []).append((col, pair[0], pair[1]) if opener else (col, pair[1], pair[0]))
    return {line: sorted(items) for line, items in found.items()}


@register
class PairedPunctuationCheck(CheckType):
    name: ClassVar[str] = "paired_punctuation"
    summary: ClassVar[str] = "unbalanced paired punctuation (“” 《》 （） 「」) within a line"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        pairs: list[str] = option("str_list", DEFAULT_PAIRS,
                                  help="opening and closing character of each pair, as "
                                       "two-character strings")

        def validate(self) -> str | None:
            """A pair is an opener and its closer: any other length could never match."""
            wrong = next((pair for pair in self.pairs if len(pair) != 2), None)
            if wrong is not None:
                return f"each entry of 'pairs' must be two characters, not {wrong!r}"
            return None

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        pairs = options.pairs
        scan = plain_char_scan(doc)
        lines = doc.markup.lines
        if scan is None:
            for line_no, line in enumerate(lines, 1):
                yield from _hits(line_no, line, unbalanced(line.plain, pairs), pairs)
            return
        for index, found in sorted(scanned_unbalanced(scan, pairs).items()):
            yield from _hits(index + 1, lines[index], found, pairs)


def _hits(line_no: int, line: Any, found: list[tuple[int, str, str]], pairs: list[str]) -> Iterator[Hit]:
    openers = {p[0] for p in pairs}
    for col, char, partner in found:
        raw_col = line.raw_column(col) + 1
        is_opener = char in openers
        yield Hit(line_no, raw_col, line_no, raw_col + 1,
                  {"text": char, "partner": partner,
                   "detail": (f"'{char}' is never closed by '{partner}' in its line"
                              if is_opener else
                              f"'{char}' closes nothing: no '{partner}' before it in its "
                              "line")},
                  evidence=char + line.plain[max(col - 4, 0):col + 5])
