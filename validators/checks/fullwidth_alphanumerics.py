"""``fullwidth_alphanumerics`` (PUN002): full-width Latin letters and digits (ＡＩ, ２０２４) in
Chinese text.

They look like the ASCII ones but are different characters: search, counting and tokenizers treat
ＡＩ and AI as different words. Each is reported wherever it stands (no context makes one right),
except inside a URL, an e-mail address, a domain name, a path, inline code or a Markdown link
target, and in fenced code blocks. One finding per line at the first of them, with the count for
the line (``group: document``: one for the whole document). The fix (safe) replaces each with its
ASCII form, one code point for one code point. The per-line walk, the findings and the fix are
shared with ``punctuation_width`` (``checks/_width.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from validators.checks import CheckOptions, CheckType, Fix, FixTarget, option, register
from validators.checks._width import (
    LineMarks,
    line_edits,
    marks_per_line,
    replacements_in,
    scanned_replacements,
    width_fix,
    width_hits,
)
from validators.document import Document
from validators.findings import Hit

if TYPE_CHECKING:
    from validators.char_scan import CharScan

FULLWIDTH_ALNUM = "".join(chr(c) for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))
                          for c in range(*r))


def to_ascii(chars: str) -> dict[str, str]:
    """The checked full-width letters and digits (``chars``; empty: all of them), each with its
    ASCII form (characters of ``chars`` that are not full-width letters or digits are ignored)."""
    return {c: chr(ord(c) - 0xFEE0) for c in (chars or FULLWIDTH_ALNUM) if c in FULLWIDTH_ALNUM}


def offending(plain: str, options: FullwidthAlphanumericsCheck.Options) -> list[tuple[int, str]]:
    """(plain column, ASCII replacement) for every checked full-width character of one line."""
    return replacements_in(plain, to_ascii(options.chars))


def _scanned(scan: CharScan, options: FullwidthAlphanumericsCheck.Options
             ) -> tuple[dict[int, LineMarks], set[int]]:
    """What :func:`offending` gives each line, from the character scan (0-based lines)."""
    return scanned_replacements(scan, to_ascii(options.chars))


def edits(doc: Document, options: FullwidthAlphanumericsCheck.Options) -> list[tuple[int, int, str]]:
    """(line, 0-based raw column, ASCII replacement) for ``--fix``: same length, nothing lost."""
    return line_edits(doc, _per_line(doc, options))


def _per_line(doc: Document, options: FullwidthAlphanumericsCheck.Options
              ) -> Iterator[tuple[int, LineMarks]]:
    return marks_per_line(doc, lambda plain: offending(plain, options),
                          lambda scan: _scanned(scan, options))


@register
class FullwidthAlphanumericsCheck(CheckType):
    name: ClassVar[str] = "fullwidth_alphanumerics"
    summary: ClassVar[str] = "full-width letters and digits (ＡＩ２０２４) instead of ASCII"
    fix_safety: ClassVar[str | None] = "safe"  # one code point for one code point, tags untouched

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        chars: str = option("chars", "",
                            help="which full-width letters and digits are reported (empty: all)")
        group: str = option("choice", "line", choices=("line", "document"),
                            help="one finding per line, or one for the whole document")

        def validate(self) -> str | None:
            """Any other character in ``chars`` would be silently ignored."""
            other = "".join(dict.fromkeys(c for c in self.chars if c not in FULLWIDTH_ALNUM))
            if other:
                return f"'chars' may hold only full-width letters and digits (ＡＩ２０), not {other!r}"
            return None

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        return width_hits(doc, list(_per_line(doc, options)), options.group)

    def fix(self, target: FixTarget, options: Options) -> Fix | None:
        """Each reported letter or digit replaced by its ASCII form."""
        return width_fix(target, lambda doc: edits(doc, options))
