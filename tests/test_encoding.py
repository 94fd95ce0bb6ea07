"""ENC rules (and the fault-injection measurement of issue 3 over all ENC/SCR/PUN faults) on real
documents the project had never seen: tests/data/reference-texts (see its SOURCE.md)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_texts import (
    CLEAN,
    LEGACY,
    LEGACY_COPIES,
    NEWS,
    SIMPLIFIED,
    TALK,
    TRADITIONAL,
    TW_TALK,
    check_bytes,
    check_text,
    rules_at,
    text_of,
)

from validators.checks._chars import is_han
from validators.engine import document_stats
from validators.load import decode, likely_encoding, load

# ---------------------------------------------------------------- fault injection (issue 3)

Fault = tuple[dict[str, bytes], str, int]  # documents, expected rule, expected line (in "doc.txt")
S2T, T2S = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")


def _lines_with(lines: list[str], test: Callable[[str], bool]) -> list[int]:
    return [i for i, line in enumerate(lines) if test(line)]


def _insert(lines: list[str], rng: random.Random, char: str) -> tuple[str, int]:
    k = rng.choice(_lines_with(lines, lambda s: len(s) > 10))
    pos = rng.randrange(1, len(lines[k]) - 1)
    out = list(lines)
    out[k] = out[k][:pos] + char + out[k][pos:]
    return "\n".join(out), k + 1


def _replace_at(lines: list[str], rng: random.Random, test: Callable[[str, int], bool],
                repl: Callable[[str], str]) -> tuple[str, int] | None:
    spots = [(k, j) for k, line in enumerate(lines) for j in range(1, len(line) - 1)
             if test(line, j)]
    if not spots:
        return None
    k, j = rng.choice(spots)
    out = list(lines)
    out[k] = out[k][:j] + repl(out[k][j]) + out[k][j + 1:]
    return "\n".join(out), k + 1


def _first_line_with(text: str, chars: set[str], start_line: int = 1) -> int:
    for no, line in enumerate(text.split("\n"), 1):
        if no >= start_line and any(c in chars for c in line):
            return no
    return -1


def faults_for(name: str, seed: int) -> list[tuple[str, Fault]]:
    """One injected fault per entry, on a copy of the real document ``name``."""
    from validators.script_sets import script_sets

    rng = random.Random(seed)
    text = text_of(name)
    lines = text.split("\n")
    traditional = name in TRADITIONAL
    faults: list[tuple[str, Fault]] = []

    def add(kind: str, new: str | bytes | None, rule: str, line: int, extra: dict[str, bytes] | None
            = None) -> None:
        if new is None:
            return
        data = new.encode("utf-8") if isinstance(new, str) else new
        faults.append((kind, ({"doc.txt": data, **(extra or {})}, rule, line)))

    add("bom", b"\xef\xbb\xbf" + text.encode("utf-8"), "ENC005", 1)
    for kind, char, rule in (("U+FFFD", "\ufffd", "ENC006"), ("BEL", "\x07", "ENC007"),
                             ("NEL", "\x85", "ENC007"), ("ZWSP", "\u200b", "ENC008"),
                             ("WJ", "\u2060", "ENC008"), ("inner BOM", "\ufeff", "ENC008"),
                             ("RLM", "\u200f", "ENC008"), ("PUA", "\ue05a", "ENC009")):
        new, line = _insert(lines, rng, char)
        add(kind, new, rule, line)
    add("all CRLF", text.replace("\n", "\r\n"), "ENC010", 1)
    k = rng.choice(_lines_with(lines[:-1], bool))
    add("one CRLF", "\n".join(lines[:k + 1]) + "\r\n" + "\n".join(lines[k + 1:]), "ENC010", k + 1)
    k = rng.choice(_lines_with(lines, lambda s: len(s) > 20))
    damaged = list(lines)
    damaged[k] = lines[k].encode("utf-8").decode("gbk", "replace")
    add("mojibake UTF-8 as GBK", "\n".join(damaged), "ENC011", k + 1)
    k = rng.choice(_lines_with(lines, lambda s: len(s) > 20))
    damaged = list(lines)
    damaged[k] = lines[k].encode("utf-8").decode("cp1252", "replace")
    add("mojibake UTF-8 as cp1252", "\n".join(damaged), "ENC011", k + 1)
    add("legacy encoding", text.encode("big5" if traditional else "gb18030"), "ENC001", 1)

    # script faults (Simplified documents get Traditional text, and the other way round)
    convert = T2S.convert if traditional else S2T.convert
    other_chars = script_sets().simplified if traditional else script_sets().traditional
    body = _lines_with(lines, lambda s: len(s) > 20)
    k = rng.choice(body[1:])
    out = list(lines)
    out[k] = convert(lines[k])
    add("line in the other script", "\n".join(out), "SCR002", k + 1)
    k = rng.choice(body[1:])
    out = list(lines)
    half = len(lines[k]) // 2
    out[k] = lines[k][:half] + convert(lines[k][half:])
    if any(c in other_chars for c in out[k]):
        add("half a line converted", "\n".join(out), "SCR002", k + 1)
    converted = lines[0] + "\n" + convert("\n".join(lines[1:]))
    add("body under a title in the other script", converted, "SCR003",
        _first_line_with(converted, set(other_chars), 2))
    if not traditional:
        whole = convert(text)
        others = {n: text_of(n).encode("utf-8") for n in SIMPLIFIED if n != name}
        add("document in the other script", whole, "SCR001",
            _first_line_with(whole, set(other_chars)), others)

    # punctuation faults
    def between_han(char: str) -> Callable[[str, int], bool]:
        return lambda s, j: s[j] == char and is_han(s[j - 1]) and is_han(s[j + 1])

    add_pair = _replace_at(lines, rng, between_han("，"), lambda c: ",")
    if add_pair:
        add("half-width comma", *add_pair[:1], "PUN001", add_pair[1])
    found = _replace_at(lines, rng, lambda s, j: s[j] in "：；" and is_han(s[j - 1]) and is_han(s[j + 1]),
                        lambda c: {"：": ":", "；": ";"}[c])
    if found:
        add("half-width colon/semicolon", found[0], "PUN001", found[1])
    found = _replace_at(lines, rng, lambda s, j: s[j].isdigit() and s[j].isascii(),
                        lambda c: chr(ord(c) + 0xFEE0))
    if found:
        add("full-width digit", found[0], "PUN002", found[1])
    for mask in ("*", "×", "□", "＊"):
        found = _replace_at(lines, rng, lambda s, j: is_han(s[j]) and is_han(s[j - 1])
                            and is_han(s[j + 1]), lambda c, m=mask: m)
        if found:
            add(f"masked character {mask}", found[0], "PUN003", found[1])
    for closer in "”）》」":
        found = _replace_at(lines, rng, lambda s, j, c=closer: s[j] == c, lambda c: "")
        if found:
            add(f"lost {closer}", found[0], "PUN004", found[1])
    return faults


ALL_FAULTS = [(name, kind, fault) for seed, name in enumerate(SIMPLIFIED + TRADITIONAL)
              for kind, fault in faults_for(name, seed)]


def test_injected_faults_are_reported_at_the_right_line(capsys: pytest.CaptureFixture[str]) -> None:
    hits, misses = 0, []
    for name, kind, (documents, rule, line) in ALL_FAULTS:
        found = rules_at([f for f in check_bytes(documents) if f.path == "doc.txt"])
        if (rule, line) in found:
            hits += 1
        else:
            misses.append(f"{name}: {kind}: expected {rule} at line {line}, got {sorted(found)}")
    rate = hits / len(ALL_FAULTS)
    with capsys.disabled():
        print(f"\nissue 3 fault injection: {hits}/{len(ALL_FAULTS)} faults reported at the right "
              f"line ({rate:.1%}) over {len(SIMPLIFIED) + len(TRADITIONAL)} real documents")
        for miss in misses:
            print("  missed:", miss)
    assert len(ALL_FAULTS) >= 80
    assert rate >= 0.9, misses


def test_every_fault_kind_is_injected_in_every_document() -> None:
    kinds = {kind for _, kind, _ in ALL_FAULTS}
    assert {"bom", "ZWSP", "all CRLF", "mojibake UTF-8 as GBK", "legacy encoding",
            "line in the other script", "half-width comma", "masked character *"} <= kinds


# ---------------------------------------------------------------- ENC001 names the encoding

@pytest.mark.parametrize(("name", "expected"), [(name, encoding) for name, (_, encoding)
                                                in LEGACY_COPIES.items()])
def test_invalid_utf8_names_the_likely_legacy_encoding(name: str, expected: str) -> None:
    findings = check_text((LEGACY / name).read_bytes())
    assert [(f.rule, f.line, f.column) for f in findings] == [("ENC001", 1, 1)]
    assert findings[0].message.endswith(f"looks like {expected}")


def test_utf16_with_bom_is_named_and_a_lone_bad_byte_names_nothing() -> None:
    findings = check_text(text_of(TALK)[:200].encode("utf-16"))
    assert findings[0].rule == "ENC002" and "UTF-16" in findings[0].message
    assert [f.rule for f in check_text(b"ok\n\xff")] == ["ENC001"]


UTF32_TEXT = "大模型应用。\n第二行 ok 一二三，好。\n"


@pytest.mark.parametrize(("data", "order", "bom"), [
    (UTF32_TEXT.encode("utf-32"), "little", "byte-order mark FF FE 00 00"),
    (b"\x00\x00\xfe\xff" + UTF32_TEXT.encode("utf-32-be"), "big", "byte-order mark 00 00 FE FF"),
    (UTF32_TEXT.encode("utf-32-le"), "little", "no byte-order mark"),
    (UTF32_TEXT.encode("utf-32-be"), "big", "no byte-order mark")], ids=["le-bom", "be-bom", "le", "be"])
def test_utf32_is_named_utf32(data: bytes, order: str, bom: str) -> None:
    findings = check_text(data)
    assert [f.rule for f in findings] == ["ENC002"]
    assert f"UTF-32 text ({order}-endian, {bom})" in findings[0].message
    assert "UTF-16" not in findings[0].message
    assert likely_encoding(data) == "UTF-32"


@pytest.mark.parametrize(("codec", "order"), [("utf-16-le", "little"), ("utf-16-be", "big")])
def test_utf16_without_bom_is_named_by_its_nul_bytes(codec: str, order: str) -> None:
    data = text_of(TALK)[:300].encode(codec)
    detail = decode("a.txt", data).problems[0].detail
    assert detail == f"NUL byte: UTF-16 text ({order}-endian, no byte-order mark)"
    assert likely_encoding(data) == "UTF-16"


def test_a_binary_file_is_not_called_utf16_or_utf32_text() -> None:
    rng = random.Random(12)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4000))
    ints = b"".join(i.to_bytes(4, "little") for i in range(1000))  # an array of small integers
    for data in (png, ints, bytes(64)):
        assert decode("a.bin", data).problems[0].detail == "NUL byte: a binary file, or UTF-16/UTF-32 text"


@pytest.mark.parametrize("text", ["\u3000", "\u3000\u3000\n\u00a0\n", " \u2003\t\r\n\u3000", "\ufeff",
                                  "\ufeff\u3000\n", "\n\u00a0\u202f\u205f\u2028"])
def test_a_file_of_only_unicode_white_space_is_empty(text: str) -> None:
    findings = [f for f in check_text(text) if f.rule == "ENC003"]
    assert len(findings) == 1
    doc = decode("a.txt", text.encode("utf-8"))
    assert [p.kind for p in doc.problems] == ["empty"]
    assert doc.problems[0].detail == ("the file holds only a byte-order mark" if text == "\ufeff"
                                      else "the file holds only white space")


def test_a_file_with_one_character_of_text_is_not_empty() -> None:
    # U+200B and the information separators U+001C/U+001D are not white space (str.isspace says so)
    for text in ("\u3000但\u3000", "\ufeff\u3000x", "\u200b", "\x1c\x1d"):
        assert not any(p.kind == "empty" for p in decode("a.txt", text.encode("utf-8")).problems), text


def test_utf8_with_a_damaged_sequence_is_not_called_a_legacy_encoding() -> None:
    findings = check_text(text_of(NEWS)[:100].encode() + b"\xb5\xab")
    assert [f.rule for f in findings] == ["ENC001"]
    assert "looks like UTF-8 with 2 damaged byte sequence(s)" in findings[0].message


def test_no_other_rule_runs_on_an_undecodable_file() -> None:
    assert {f.category for f in check_text((LEGACY / "zh_news_voa.gbk.txt").read_bytes())} == {"ENC"}


# ---------------------------------------------------------------- positions and grouping

def test_runs_of_invisible_characters_are_one_finding_with_exact_columns() -> None:
    findings = [f for f in check_text("大模型\u200b\u200b应用\n第二行\u2060。") if f.rule == "ENC008"]
    assert [(f.line, f.column, f.end_column) for f in findings] == [(1, 4, 6), (2, 4, 5)]
    assert "ZERO WIDTH SPACE" in findings[0].message


def test_a_bom_is_only_the_bom_rule() -> None:
    findings = check_text("\ufeff大模型应用。")
    assert [f.rule for f in findings] == ["ENC005"]


def test_tab_newline_and_cr_are_not_control_characters() -> None:
    findings = check_text("大模型\t应用。\r\n第二行。\r\n")
    assert [f.rule for f in findings] == ["ENC010"]
    assert "2 line breaks" in findings[0].message


def test_mixed_line_endings_point_at_the_minority_line() -> None:
    findings = [f for f in check_text("一。\n二。\n三。\r\n四。\n") if f.rule == "ENC010"]
    assert [(f.line, f.column) for f in findings] == [(3, 3)]
    assert "mixed line endings: 3 LF, 1 CRLF (Windows)" in findings[0].message


def test_mojibake_names_the_likely_original() -> None:
    first, second = text_of(TALK).split("\n")[1:3]  # 记者：谢谢你克莉丝托… / 克莉丝托･卡艾伊：感谢你…
    damaged = first + "\n" + second[:30].encode().decode("gbk", "replace")
    findings = [f for f in check_text(damaged) if f.rule == "ENC011"]
    assert findings and findings[0].line == 2
    assert "GBK" in findings[0].message and "克莉丝托" in findings[0].message


@pytest.mark.parametrize("name", SIMPLIFIED + TRADITIONAL)
def test_real_documents_have_no_encoding_finding(name: str) -> None:
    assert [f for f in check_text(text_of(name)) if f.category == "ENC"] == []


# ---------------------------------------------------------------- document statistics

def test_document_stats_report_encoding_bom_line_endings_and_script(tmp_path: Path) -> None:
    crlf = document_stats(decode("a.txt", b"\xef\xbb\xbf" + text_of(TW_TALK)
                                 .replace("\n", "\r\n").encode()))
    assert (crlf["encoding"], crlf["bom"], crlf["line_endings"], crlf["script"]) == (
        "utf-8", True, "crlf", "traditional")
    legacy = document_stats(load("b.txt", str(LEGACY / "zh_tw_talk_ly.big5.txt")))
    assert (legacy["encoding"], legacy["encoding_guess"], legacy["script"]) == ("not-utf-8", "Big5", "none")
    clean = document_stats(load("c.txt", str(CLEAN / NEWS)))
    assert (clean["encoding"], clean["bom"], clean["line_endings"], clean["script"]) == (
        "utf-8", False, "lf", "simplified")


# ---------------------------------------------------------------- properties

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
PUNCT = st.sampled_from("，。、；：？！")
CLEAN_LINE = st.lists(st.one_of(HAN, PUNCT), min_size=1, max_size=30).map("".join)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(CLEAN_LINE, min_size=1, max_size=6), data=st.data())
def test_one_injected_invisible_character_is_found_exactly(lines: list[str], data: st.DataObject
                                                           ) -> None:
    k = data.draw(st.integers(0, len(lines) - 1))
    pos = data.draw(st.integers(0, len(lines[k])))
    char = data.draw(st.sampled_from("\u200b\u200c\u200d\u2060\u200e"))
    lines[k] = lines[k][:pos] + char + lines[k][pos:]
    findings = [f for f in check_text("\n".join(lines)) if f.category == "ENC"]
    assert [(f.rule, f.line, f.column) for f in findings] == [("ENC008", k + 1, pos + 1)]
