"""The fused character scan (validators.char_scan): its table agrees with the character classes of
the checks for every code point, and on any text its positions, lines, per-line counts and
neighbours are those a per-line Python loop finds."""

from __future__ import annotations

import contextlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.char_scan import (
    BADNESS_SIGN,
    HAN,
    ID_MASK,
    INVISIBLE_CHAR,
    LATIN1_LOOKALIKE,
    NEWLINE_ID,
    PRIVATE_USE,
    RARE_HAN,
    TRACKED_RANGES,
    CharScan,
    char_class,
    chars_of,
    tracked_id,
)
from validators.checks import _char_runs, mojibake
from validators.checks._chars import INVISIBLE, badness_signs, common_han, is_han, is_private_use

EVERY_CODE_POINT = "".join(map(chr, range(0x110000)))  # lone surrogates included


@pytest.fixture(scope="module")
def everything() -> CharScan:
    return CharScan(EVERY_CODE_POINT)


def _with_bit(scan: CharScan, bit: int) -> set[int]:
    return set(scan.positions(char_class(bits=bit)).tolist())


def _matching(pattern: re.Pattern[str]) -> set[int]:
    return {m.start() for m in pattern.finditer(EVERY_CODE_POINT)}


def test_each_class_bit_is_its_checks_character_class(everything: CharScan) -> None:
    assert _with_bit(everything, HAN) == {cp for cp in range(0x110000) if is_han(chr(cp))}
    common = {ord(c) for c in common_han()}
    assert _with_bit(everything, RARE_HAN) == _matching(mojibake.HAN) - common
    assert _with_bit(everything, LATIN1_LOOKALIKE) == _matching(mojibake.LATIN_CHAR)
    assert _with_bit(everything, BADNESS_SIGN) == {ord(c) for c in badness_signs()}
    assert _with_bit(everything, INVISIBLE_CHAR) == {ord(c) for c in INVISIBLE}
    private = _matching(re.compile("[" + _char_runs.CLASSES["private_use"] + "]"))
    assert _with_bit(everything, PRIVATE_USE) == private
    assert private == {cp for cp in range(0x110000) if is_private_use(chr(cp))}


def test_every_tracked_code_point_has_an_id_of_its_own(everything: CharScan) -> None:
    tracked = [cp for lo, hi in TRACKED_RANGES for cp in range(lo, hi)]
    ids = [tracked_id(cp) for cp in tracked]
    assert 0 not in ids and len(set(ids)) == len(ids) and max(ids) <= ID_MASK
    listed = everything.tracked()
    assert listed is not None and listed[0].tolist() == tracked  # few of this text's: listed
    assert CharScan("a,b" * 100).tracked() is None  # most of this one's: no list as long as it
    assert chars_of(everything.values[tracked]) == [chr(cp) for cp in tracked]
    assert tracked_id(0x4E00) == 0 and chars_of(everything.values[[0x4E00]]) == [""]


def test_the_encoding_classes_are_the_scan_classes_of_their_problems(everything: CharScan) -> None:
    for problem, pattern in _char_runs.CLASSES.items():
        found = set(everything.positions(_char_runs.scan_class(problem)).tolist())
        assert found == _matching(re.compile(f"[{pattern}]")), problem


def test_common_han_is_what_each_code_decodes_to_alone() -> None:
    """The bulk decode of common_han equals decoding every two-byte code on its own."""
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([lead, trail]).decode("gb2312"))
    for code in range(0xA440, 0xC67F):
        with contextlib.suppress(UnicodeDecodeError):
            chars.add(code.to_bytes(2, "big").decode("big5"))
    assert common_han() == frozenset(c for c in chars if is_han(c))
    assert "的" in common_han() and "鍏" not in common_han()


def test_ftfy_finds_no_mojibake_without_a_badness_sign() -> None:
    """The claim the mojibake check's prefilter rests on, against the installed ftfy: text made of
    every other character of the ranges its heuristic looks at is never bad."""
    from ftfy.badness import is_bad

    signs = badness_signs()
    assert {"Ã", "¤", "€", "â"} <= signs and not {"“", "”", "—", "…", "，"} & signs
    harmless = [chr(cp) for cp in range(0x20, 0x3100) if chr(cp) not in signs
                and not 0xD800 <= cp < 0xE000] + ["中", "\n", "\t"]

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from(harmless), min_size=1, max_size=40))
    def never_bad(text: str) -> None:
        assert not is_bad(text), text

    never_bad()
    for sign in sorted(signs):  # and each sign can start a bad text, or ends one
        if is_bad(sign + "¤") or is_bad("¤" + sign):
            break
    else:
        pytest.fail("no badness sign makes ftfy's heuristic fire")


# --- the scan against a per-line loop ------------------------------------------------------------

ALPHABET = [*"中文〇，。、“”‘’《》（）「」 ,.?!:;()*＊×□ａＡ１aZ9\r\t\u3000\u0301\u200b\ufeff\ufffd\x00\x85\ue000€Ã¤å¹",
            "\U00020000", "\U0001F600", "\U000F0001", "\n", "\n"]
texts = st.text(alphabet=st.sampled_from(ALPHABET), max_size=60)
CLASSES = [("", HAN), ("", RARE_HAN | LATIN1_LOOKALIKE), ("，。,.", 0), ("“”", HAN), ("\r\u3000\u0301", 0),
           ("某\U0001F600", 0), ("*×", PRIVATE_USE), ("\t ", 0), ("", INVISIBLE_CHAR | BADNESS_SIGN)]


def _in_class(char: str, chars: str, bits: int) -> bool:
    by_bit = {HAN: is_han(char),
              RARE_HAN: bool(mojibake.HAN.match(char)) and char not in common_han(),
              LATIN1_LOOKALIKE: bool(mojibake.LATIN_CHAR.match(char)),
              BADNESS_SIGN: char in badness_signs(), INVISIBLE_CHAR: char in INVISIBLE,
              PRIVATE_USE: is_private_use(char)}
    return char in chars or any(by_bit[bit] for bit in by_bit if bits & bit)


def _scan(text: str, listed: bool) -> CharScan:
    """The scan of ``text``, with or without the list of its tracked code points (each query
    then takes the other way; which one a text takes depends on how much of it is tracked)."""
    scan = CharScan(text)
    ids = scan.values & ID_MASK
    scan._tracked = (np.flatnonzero(ids), ids[np.flatnonzero(ids)]) if listed else False
    return scan


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(CLASSES), st.booleans())
def test_positions_lines_and_counts_equal_a_per_line_loop(text: str, chars_bits: tuple[str, int],
                                                          listed: bool) -> None:
    chars, bits = chars_bits
    scan = _scan(text, listed)
    cls = char_class(chars, bits)
    lines = text.split("\n")
    starts = [sum(len(line) + 1 for line in lines[:i]) for i in range(len(lines))]
    assert scan.starts.tolist() == starts
    assert scan.ends.tolist() == [s + len(line) for s, line in zip(starts, lines, strict=True)]
    expected = [i for i, c in enumerate(text) if _in_class(c, chars, bits)]
    assert scan.positions(cls).tolist() == expected
    per_line = [[col for col, c in enumerate(line) if _in_class(c, chars, bits)] for line in lines]
    assert scan.line_of(scan.positions(cls)).tolist() == [i for i, cols in enumerate(per_line) for _ in cols]
    assert scan.lines_with(cls).tolist() == [i for i, cols in enumerate(per_line) if cols]
    assert scan.counts_per_line(cls).tolist() == [len(cols) for cols in per_line]


@settings(max_examples=200, deadline=None)
@given(texts, st.sampled_from([-1, 1]))
def test_neighbours_are_the_next_characters_in_the_line(text: str, step: int) -> None:
    """A neighbour past a line's end is a line end: in no class, whichever class is asked."""
    scan = CharScan(text)
    at = scan.positions(char_class("，,.*“", HAN))
    near = scan.neighbours(at, step)
    every_class = char_class(",.“”", HAN | RARE_HAN | LATIN1_LOOKALIKE | BADNESS_SIGN | INVISIBLE_CHAR
                             | PRIVATE_USE)
    asked = char_class("“，,", HAN)
    for k, offset in enumerate(at.tolist()):
        line_start = text.rfind("\n", 0, offset) + 1
        line_end = text.find("\n", offset) % (len(text) + 1)
        if line_start <= offset + step < line_end:
            assert asked.contains(near[k:k + 1])[0] == _in_class(text[offset + step], "“，,", HAN)
        else:
            assert near[k] == NEWLINE_ID and not every_class.contains(near[k:k + 1])[0]


def test_a_class_with_characters_outside_the_tracked_blocks_needs_the_text() -> None:
    scan = CharScan("某甲\n乙某")
    cls = char_class("某")
    assert cls.untracked == (ord("某"),)
    assert scan.positions(cls).tolist() == [0, 4]
    with pytest.raises(ValueError):
        cls.contains(scan.values)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(CLASSES), st.booleans(), st.sampled_from([1, 2, 7, 1 << 20]))
def test_runs_and_positions_are_the_same_in_chunks_of_any_size(text: str, chars_bits: tuple[str, int],
                                                               inside: bool, chunk: int) -> None:
    """The scan encodes and tests the text a chunk at a time; a run may cross chunks."""
    import validators.char_scan as char_scan

    chars, bits = chars_bits
    saved = char_scan.CHUNK
    char_scan.CHUNK = chunk
    try:
        scan = _scan(text, listed=False)
        cls = char_class(chars, bits)
        members = [_in_class(c, chars, bits) == inside for c in text]
        assert scan.positions(cls).tolist() == [i for i, c in enumerate(text) if _in_class(c, chars, bits)]
        starts, ends = scan.runs(cls, inside)
    finally:
        char_scan.CHUNK = saved
    expected = [(m.start(), m.end()) for m in re.finditer("1+", "".join("1" if m else "0" for m in members))]
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == expected
    assert scan.values.tolist() == CharScan(text).values.tolist()
