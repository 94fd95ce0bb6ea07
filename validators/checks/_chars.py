"""Character classes shared by the encoding, script and punctuation check types (no check here)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def is_han(char: str) -> bool:
    """A CJK unified or compatibility ideograph (and 〇); False for "" (no neighbour)."""
    if len(char) != 1:
        return False
    cp = ord(char)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x3134F or cp == 0x3007)


# Invisible and zero-width characters; the fixer removes those in REMOVABLE_INVISIBLE.
INVISIBLE = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]      # ZWSP, ZWNJ, ZWJ, LRM, RLM
    + [chr(c) for c in range(0x2060, 0x2065)]    # word joiner, invisible operators
    + [chr(c) for c in range(0x202A, 0x202F)]    # bidi embeddings and overrides
    + [chr(c) for c in range(0x2066, 0x206A)]    # bidi isolates
    + ["\u00ad", "\u180e", "\u034f", "\ufeff", "\u2028", "\u2029"]
)
REMOVABLE_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad")
JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner


def _joinable(char: str) -> bool:
    """A letter, mark or symbol of a script or emoji that ZWJ/ZWNJ can act on (not ASCII, not Han,
    not CJK or full-width punctuation, not whitespace)."""
    cp = ord(char)
    return (cp > 0x7F and not is_han(char) and not 0x3000 <= cp <= 0x303F and not 0xFF00 <= cp <= 0xFFEF
            and unicodedata.category(char)[0] in "LMS")


def joiner_in_use(before: str, after: str) -> bool:
    """Whether a ZWJ/ZWNJ between ``before`` and ``after`` carries meaning: inside an emoji
    sequence (👨‍👩‍👧 is one family, not three people) or between letters of a script that uses
    joiners (Persian می‌خواهم, Devanagari क्‍ष). Next to Han, ASCII, whitespace or a line
    boundary it is clutter from a web page, which ``--fix`` may remove."""
    return len(before) == 1 and len(after) == 1 and _joinable(before) and _joinable(after)


def is_control(char: str) -> bool:
    """C0 (except tab, LF and CR, which the line-ending rule owns), DEL and C1 controls."""
    cp = ord(char)
    return (cp < 0x20 and char not in "\t\n\r") or 0x7F <= cp <= 0x9F


def is_private_use(char: str) -> bool:
    cp = ord(char)
    return 0xE000 <= cp <= 0xF8FF or 0xF0000 <= cp <= 0x10FFFF


def describe(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``."""
    name = unicodedata.name(char, "")
    if not name and is_control(char):
        name = "control character"
    if not name and is_private_use(char):
        name = "private-use character"
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def shown(text: str) -> str:
    """Invisible and control characters made visible: ⟨U+200B⟩."""
    return "".join(f"⟨U+{ord(c):04X}⟩" if c in INVISIBLE or is_control(c) or c == "\r" else c
                   for c in text)


@lru_cache(maxsize=1)
def common_han() -> frozenset[str]:
    """Frequent characters: GB2312 level 1 (Simplified) and Big5 level 1 (Traditional)."""
    # every two-byte code of the two ranges, decoded at once: a space after each code keeps an
    # invalid one from pairing with the next (it becomes U+FFFD, which is no Han character)
    gb2312 = b" ".join(bytes([lead, trail]) for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF))
    big5 = b" ".join(code.to_bytes(2, "big") for code in range(0xA440, 0xC67F))
    chars = set(gb2312.decode("gb2312", "replace")) | set(big5.decode("big5", "replace"))
    return frozenset(c for c in chars if is_han(c))


@lru_cache(maxsize=1)
def badness_signs() -> frozenset[str]:
    """The characters without one of which ftfy's mojibake heuristic (``ftfy.badness.is_bad``)
    never fires: the non-ASCII characters of its expression and of the character categories it
    is built from, except the "common" ones and the quotation marks and brackets
    (start_/end_punctuation), which each of its alternatives accepts only next to one of these.
    Chinese text is full of “ ” — …; text without any of these signs needs no ftfy call.
    tests/test_char_scan.py checks the claim against the installed ftfy. Built once per user and
    ftfy version (validators.derived): importing ftfy and scanning the BMP costs a one-file check
    ~50 ms."""
    from validators.derived import cached_table, library_version, source_digest

    return frozenset(cached_table("ftfy-badness-signs",
                                  f"ftfy {library_version('ftfy')}, code {source_digest(__file__)}",
                                  lambda: sorted(_badness_signs())))


def _badness_signs() -> frozenset[str]:
    from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES

    categories = re.compile("[" + "".join(MOJIBAKE_CATEGORIES.values()) + "]")
    harmless = re.compile("[" + "".join(MOJIBAKE_CATEGORIES[k] for k in (
        "common", "start_punctuation", "end_punctuation")) + "]")
    signs = set(categories.findall("".join(map(chr, range(0x80, 0x10000)))))
    signs.update(c for c in BADNESS_RE.pattern if not c.isascii())
    return frozenset(c for c in signs if not harmless.match(c))
