"""The fused character scan: every code point of a text classified once, by one table lookup over
the text as an array, for all character-level rules.

The table maps each code point to a 16-bit value: its *id* (low 10 bits) when it lies in one of
the blocks that punctuation, control and look-alike characters come from (:data:`TRACKED_RANGES`:
ASCII and Latin-1, general punctuation, geometric shapes, CJK symbols and punctuation, half- and
full-width forms and specials), and *class bits* (high 6 bits) for the classes that span other
blocks (Han, rare Han, Latin-1 look-alikes, signs of mojibake, invisible, private use). A :class:`CharClass` is any
union of class bits and single characters. Characters outside the tracked blocks can still be
named in a class (a rule option may name any character): those are found by a second pass.
Queries for single characters look only at the code points of the tracked blocks, which the scan
lists once (in Chinese text most code points are Han, which have none). The scan keeps 2 bytes a
code point; a text of 67 M characters (a 200 MB file) costs 134 MB, and the few arrays as long
as the text that a query makes are made a chunk at a time.

A check reads the scan (``validators.facts.char_scan``) to find the few lines that can have a
finding, and runs its per-line Python on those lines only, so its findings are those of the
per-line code by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from validators.checks._chars import INVISIBLE, badness_signs, common_han

# Blocks whose code points get an id of their own: a class of characters from them needs no bit.
TRACKED_RANGES = ((0x0000, 0x0100),   # ASCII, Latin-1 (C0 and C1 controls, × ·)
                  (0x2000, 0x2070),   # general punctuation (“ ” ‘ ’ … —, zero-width characters)
                  (0x25A0, 0x2600),   # geometric shapes (□ ○ ■)
                  (0x3000, 0x3040),   # CJK symbols and punctuation (、。〈〉《》「」『』【】〇)
                  (0xFF00, 0x10000))  # half- and full-width forms (，：（）＊ＡＢ１), specials (U+FFFD)
ID_BITS = 10
ID_MASK = (1 << ID_BITS) - 1
# class bits, above the id
HAN = 1 << 10               # validators.checks._chars.is_han: CJK ideographs and 〇
RARE_HAN = 1 << 11          # a CJK ideograph (not 〇) outside GB2312/Big5 level 1 (common_han)
LATIN1_LOOKALIKE = 1 << 12  # mojibake.LATIN_CHAR: what UTF-8 bytes become when read as cp1252
BADNESS_SIGN = 1 << 13      # validators.checks._chars.badness_signs: what ftfy's heuristic needs
INVISIBLE_CHAR = 1 << 14    # validators.checks._chars.INVISIBLE
PRIVATE_USE = 1 << 15       # U+E000–U+F8FF and planes 15–16

IDEOGRAPHIC_ZERO = 0x3007  # 〇: Han for is_han, not an ideograph for mojibake.HAN
HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x31350))
LATIN1_LOOKALIKE_RANGES = ((0xC0, 0x100), (0x152, 0x154), (0x160, 0x162), (0x178, 0x179),
                           (0x17D, 0x17F), (0x192, 0x193), (0x2C6, 0x2C7), (0x2DC, 0x2DD),
                           (0x2013, 0x2123))
PRIVATE_USE_RANGES = ((0xE000, 0xF900), (0xF0000, 0x110000))
CHUNK = 1 << 20  # code points encoded or tested at a time: temporary arrays stay a few MB


def tracked_id(code_point: int) -> int:
    """The id of a code point of the tracked blocks (1, 2, …), 0 for any other code point."""
    first = 1
    for lo, hi in TRACKED_RANGES:
        if lo <= code_point < hi:
            return first + code_point - lo
        first += hi - lo
    return 0


def _tracked_ids() -> np.ndarray:
    """:func:`tracked_id` of every code point."""
    ids = np.zeros(0x110000, np.uint16)
    for lo, hi in TRACKED_RANGES:
        ids[lo:hi] = np.arange(tracked_id(lo), tracked_id(lo) + hi - lo, dtype=np.uint16)
    return ids


def _code_points(chars: Iterable[str]) -> np.ndarray:
    return np.fromiter((ord(c) for c in chars), np.int64)


@lru_cache(maxsize=1)
def table() -> np.ndarray:
    """The classification of every code point (uint16: id | class bits), built once a process."""
    values = _tracked_ids()
    for lo, hi in HAN_RANGES:
        values[lo:hi] |= HAN | RARE_HAN
    values[IDEOGRAPHIC_ZERO] |= HAN
    values[_code_points(common_han())] &= np.uint16(0xFFFF ^ RARE_HAN)
    for lo, hi in LATIN1_LOOKALIKE_RANGES:
        values[lo:hi] |= LATIN1_LOOKALIKE
    values[_code_points(badness_signs())] |= BADNESS_SIGN
    values[_code_points(INVISIBLE)] |= INVISIBLE_CHAR
    for lo, hi in PRIVATE_USE_RANGES:
        values[lo:hi] |= PRIVATE_USE
    values.flags.writeable = False
    return values


@lru_cache(maxsize=1)
def bmp_table() -> np.ndarray:
    """The table's first 65 536 entries on their own: small enough to stay in the CPU's cache."""
    return np.ascontiguousarray(table()[:0x10000])


NEWLINE_ID = tracked_id(0x0A)
assert tracked_id(TRACKED_RANGES[-1][1] - 1) <= ID_MASK


@dataclass(frozen=True, eq=False)
class CharClass:
    """A set of characters: class ``bits`` of the table, single characters of the tracked blocks
    (``ids[id]``), and ``untracked`` code points (named characters outside those blocks)."""

    bits: int
    ids: np.ndarray
    untracked: tuple[int, ...]
    has_ids: bool = False  # any of ``ids`` set (asked on every query: a field, not an array scan)

    def contains(self, values: np.ndarray) -> np.ndarray:
        """Which of the table values are in the class (a class without untracked characters)."""
        if self.untracked:
            raise ValueError("a class with characters outside the tracked blocks needs the text")
        found = self.ids[values & ID_MASK]
        return found | ((values & self.bits) != 0) if self.bits else found


@lru_cache(maxsize=256)
def char_class(chars: str = "", bits: int = 0) -> CharClass:
    """The class of the characters ``chars`` and of every character with one of the ``bits``."""
    ids = np.zeros(ID_MASK + 1, bool)
    untracked = []
    for char in dict.fromkeys(chars):
        cid = tracked_id(ord(char))
        if cid:
            ids[cid] = True
        else:
            untracked.append(ord(char))
    ids.flags.writeable = False
    return CharClass(bits, ids, tuple(sorted(untracked)), bool(ids.any()))


def _codes(piece: str) -> np.ndarray:
    """The code points of ``piece`` as uint32 (lone surrogates pass through, as code points)."""
    return np.frombuffer(piece.encode("utf-32-le", "surrogatepass"), np.uint32)


class CharScan:
    """One text, classified: ``values[i]`` is the table's value of ``text[i]`` (2 bytes a code
    point); lines are split at ``\\n`` as the document's lines are (``starts``/``ends``: each line's
    first offset and the offset just past its last character)."""

    __slots__ = ("_tracked", "ends", "starts", "text", "values")

    def __init__(self, text: str) -> None:
        self.text = text
        lookup, bmp = table(), bmp_table()
        values = np.empty(len(text), np.uint16)
        for lo in range(0, len(text), CHUNK):
            piece = text[lo:lo + CHUNK]
            units = np.frombuffer(piece.encode("utf-16-le", "surrogatepass"), np.uint16)
            out = values[lo:lo + len(piece)]
            if len(units) == len(piece):  # no astral character: the 128 KB table of the BMP
                np.take(bmp, units, out=out)
            else:
                np.take(lookup, _codes(piece), out=out)
        self.values = values
        newlines = np.flatnonzero(values == NEWLINE_ID)  # "\n" has no class bit
        self.starts = np.concatenate(([0], newlines + 1))
        self.ends = np.concatenate((newlines, [len(text)]))
        self._tracked: tuple[np.ndarray, np.ndarray] | bool | None = None

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def tracked(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(offsets, ids) of the code points of the tracked blocks, listed once: queries for single
        characters look at these only (in Chinese text most code points are Han, which have no
        id: a fifth to a third of its code points are tracked). None when they are more than
        half of the text (ASCII text), where each query looks at every value instead and no
        list as long as the text is kept."""
        if self._tracked is None:
            chunks = range(0, len(self.values), CHUNK)
            count = sum(np.count_nonzero(self.values[lo:lo + CHUNK] & ID_MASK) for lo in chunks)
            if count * 2 > len(self.values):
                self._tracked = False
            else:  # offsets in 4 bytes where they fit (a file is at most 256 MB by default)
                offset = np.int32 if len(self.values) < 2**31 else np.int64
                at = np.concatenate([np.zeros(0, offset)] + [
                    (lo + np.flatnonzero(self.values[lo:lo + CHUNK] & ID_MASK)).astype(offset) for lo in chunks])
                self._tracked = (at, self.values[at] & ID_MASK)
        return self._tracked if isinstance(self._tracked, tuple) else None

    def positions(self, cls: CharClass) -> np.ndarray:
        """Offsets of the code points in ``cls``, ascending."""
        tracked = self.tracked() if cls.has_ids and not cls.bits and not cls.untracked else None
        if tracked is not None:
            at, ids = tracked
            return at[cls.ids[ids]]
        return np.concatenate([np.zeros(0, np.int64)] + [
            lo + np.flatnonzero(self._members(cls, lo)) for lo in range(0, len(self.values), CHUNK)])

    def runs(self, cls: CharClass, inside: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(starts, ends) of the maximal runs of code points in ``cls`` (``inside=False``: of code
        points not in it), ascending; an end is exclusive."""
        bounds = []
        previous = False
        for lo in range(0, len(self.values), CHUNK):
            members = self._members(cls, lo)
            if not inside:
                members = ~members
            bounds.append(lo + np.flatnonzero(np.diff(members.view(np.int8), prepend=np.int8(previous))))
            previous = bool(members[-1])
        if previous:
            bounds.append(np.array([len(self.values)]))
        every = np.concatenate([np.zeros(0, np.int64), *bounds])
        return every[0::2], every[1::2]

    def _members(self, cls: CharClass, lo: int) -> np.ndarray:
        """Which code points of the chunk at ``lo`` are in ``cls``."""
        values = self.values[lo:lo + CHUNK]
        found = cls.ids[values & ID_MASK] if cls.has_ids else np.zeros(len(values), bool)
        if cls.bits:
            found |= (values & cls.bits) != 0
        if cls.untracked:
            found |= np.isin(_codes(self.text[lo:lo + CHUNK]), np.array(cls.untracked, np.uint32))
        return found

    def line_of(self, positions: np.ndarray) -> np.ndarray:
        """0-based line of each offset."""
        return np.searchsorted(self.starts, positions, side="right") - 1

    def lines_with(self, cls: CharClass) -> np.ndarray:
        """0-based lines holding a code point of ``cls``, ascending, each once."""
        return distinct_sorted(self.line_of(self.positions(cls)))

    def counts_per_line(self, cls: CharClass) -> np.ndarray:
        """How many code points of ``cls`` each line holds."""
        return np.bincount(self.line_of(self.positions(cls)), minlength=self.line_count)

    def neighbours(self, positions: np.ndarray, step: int) -> np.ndarray:
        """The values of the code points ``step`` (-1 or 1) away from ``positions``; past either
        end of the text, the value of ``\\n``: a line boundary is no character of any class."""
        at = positions + step
        inside = (at >= 0) & (at < len(self.values))
        out = np.full(len(positions), NEWLINE_ID, np.uint16)
        out[inside] = self.values[at[inside]]
        return out


@lru_cache(maxsize=1)
def _tracked_chars() -> tuple[str, ...]:
    """id -> character of the tracked blocks ("" for id 0)."""
    chars = [""]
    for lo, hi in TRACKED_RANGES:
        chars.extend(map(chr, range(lo, hi)))
    return tuple(chars)


def chars_of(values: np.ndarray) -> list[str]:
    """The characters of table values of the tracked blocks ("" for any other value)."""
    chars = _tracked_chars()
    return [chars[i] for i in (values & ID_MASK).tolist()]


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array (np.unique without its sort)."""
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]

