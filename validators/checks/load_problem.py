"""``load_problem``: files that could not be read or decoded (the load stage's verdict).

One check type for five problems (invalid UTF-8, binary, empty, unreadable, too large), unlike
the character checks: they share one logic, which is reporting what the load stage
(validators.load) already found, and they differ only in which kind of problem they pass on.
Splitting them would give five copies of that one loop. They are the only checks that run on a
file that did not decode (``requires = ()``). The fix converts an unambiguous legacy encoding to
UTF-8 (invalid_utf8 only).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from validators.checks import CheckOptions, CheckType, Fix, FixTarget, Requirement, option, register
from validators.checks._chars import common_han, is_control, is_han, is_private_use
from validators.document import Document
from validators.findings import Hit
from validators.load import likely_encoding

PROBLEMS = ("invalid_utf8", "binary", "empty", "unreadable", "too_large")

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
LEGACY = {"gb18030": "GB18030/GBK", "big5": "Big5"}
MIN_COMMON = 0.9      # share of common characters in the one acceptable decode
MAX_OTHER = 0.6       # any other decode must look like garbage
MIN_HAN = 10          # too little text to tell encodings apart: never converted


def _common_share(text: str) -> float:
    han = [c for c in text if is_han(c)]
    if not han:
        return 0.0
    common = common_han()
    return sum(c in common for c in han) / len(han)


def unambiguous_decode(data: bytes) -> tuple[str, str] | None:
    """(encoding name, text) when the bytes have exactly one plausible legacy decode."""
    if data.startswith(UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        if any(is_control(c) or c == "\x00" for c in text):
            return None
        return "UTF-16", text
    scores: dict[str, tuple[float, str]] = {}
    for encoding in LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(is_private_use(c) or is_control(c) for c in text):
            continue  # unassigned/user-defined areas: not this encoding
        if sum(1 for c in text if is_han(c)) >= MIN_HAN:
            scores[encoding] = (_common_share(text), text)
    good = [e for e, (share, _) in scores.items() if share >= MIN_COMMON]
    if len(good) != 1 or any(share >= MAX_OTHER for e, (share, _) in scores.items() if e != good[0]):
        return None
    if likely_encoding(data) != LEGACY[good[0]]:
        return None
    return LEGACY[good[0]], scores[good[0]][1]


@register
class LoadProblemCheck(CheckType):
    name: ClassVar[str] = "load_problem"
    requires: ClassVar[tuple[Requirement, ...]] = ()  # it reports why a file did not decode
    summary: ClassVar[str] = "a file that is unreadable, binary, empty or not UTF-8"
    fix_safety: ClassVar[str | None] = "safe"  # invalid_utf8 only, and only when unambiguous

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        problem: str = option("choice", choices=PROBLEMS, help="which load problem to report")

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        for problem in doc.problems:
            if problem.kind == options.problem:
                yield Hit(problem.line, problem.column, problem.line, problem.end_column,
                          {"detail": problem.detail, "text": problem.evidence},
                          evidence=problem.evidence or problem.kind)

    def fix_safety_for(self, options: Options) -> str | None:
        return self.fix_safety if options.problem == "invalid_utf8" else None  # the others: none

    def fix(self, target: FixTarget, options: Options) -> Fix | None:
        """invalid_utf8: a legacy-encoded file (GB18030/GBK, Big5, UTF-16 with a BOM) converted
        to UTF-8, only when the decode is unambiguous: exactly one candidate decodes strictly
        into (at least ten, mostly common) Chinese characters, the others do not, and
        charset-normalizer agrees."""
        data = target.data
        if options.problem != "invalid_utf8" or target.text is not None:
            return None
        if b"\x00" in data and not data.startswith(UTF16_BOMS):
            return None  # binary: ENC002's, never converted
        decoded = unambiguous_decode(data)
        if decoded is None:
            return Fix(skipped=f"not converted to UTF-8: the encoding is ambiguous or the bytes "
                               f"are damaged (likely: {likely_encoding(data) or 'unknown'})")
        name, text = decoded
        if text.startswith("\ufeff") and name == "UTF-16":
            text = text[1:]
        return Fix(text, f"converted from {name} to UTF-8")
