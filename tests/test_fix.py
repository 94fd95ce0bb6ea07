"""``check --fix`` / ``--diff``: lossless, atomic, exit code for what remains."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import REPO, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_texts import (
    CLEAN,
    LEGACY,
    LEGACY_COPIES,
    RULESET,
    SIMPLIFIED,
    TALK,
    TRADITIONAL,
    check_text,
    text_of,
)

from validators.checks._chars import is_han
from validators.fix import fix_bytes, unambiguous_decode
from validators.load import decode

FIXED_RULES = {"ENC001", "ENC005", "ENC008", "ENC010", "PUN001", "PUN002"}


def han(text: str) -> Counter[str]:
    return Counter(c for c in text if is_han(c))


def spans(text: str) -> list[tuple[str, str]]:
    return [(s.tag, s.text) for s in decode("x.txt", text.encode()).markup.spans]


def damage(text: str) -> bytes:
    """BOM, CRLF, zero-width characters, half-width commas and full-width digits, all at once."""
    lines = text.split("\n")
    comma = next(i for i, line in enumerate(lines) if "，" in line)
    lines[comma] = lines[comma].replace("，", ",")
    lines[2] = "\u200b".join(lines[2][i:i + 7] for i in range(0, len(lines[2]), 7))
    digits = max(i for i, line in enumerate(lines) if any(c.isdigit() for c in line))
    lines[digits] = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isdigit() else c
                            for c in lines[digits])
    return b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8")


def annotate(text: str) -> str:
    """A tagged copy: the fix must keep every tag."""
    return text.replace("但", "<cand>但</cand>", 2).replace("，而", "，<cand>而</cand>", 1)


def check_dir(path: Path, *args: str) -> tuple[int, dict]:
    proc = run_cli("check", "--format", "json", "--no-cache", str(path), *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_fix_round_trip_restores_the_clean_files_and_keeps_han_and_tags(tmp_path: Path) -> None:
    originals = {name: annotate(text_of(name)) for name in SIMPLIFIED + TRADITIONAL}
    for name, original in originals.items():
        (tmp_path / name).write_bytes(damage(original))
    _, before = check_dir(tmp_path)
    for name in originals:
        rules = {f["rule"] for f in before["findings"] if f["path"].endswith(name)}
        assert {"ENC005", "ENC008", "ENC010", "PUN001", "PUN002"} <= rules, name
    code, after = check_dir(tmp_path, "--fix")
    for name, original in originals.items():
        fixed = (tmp_path / name).read_bytes().decode("utf-8")
        assert fixed == original  # every fault was one the fixer reverses exactly
        assert han(fixed) == han(original) and spans(fixed) == spans(original)
    assert [f for f in after["findings"] if f["rule"] in FIXED_RULES] == []
    assert code == (1 if any(f["severity"] == "error" for f in after["findings"]) else 0)


@pytest.mark.parametrize(("legacy", "clean"), [(name, clean) for name, (clean, _)
                                               in LEGACY_COPIES.items()])
def test_legacy_encodings_are_converted_when_unambiguous(legacy: str, clean: str) -> None:
    fixed, changes, skipped = fix_bytes((LEGACY / legacy).read_bytes(), RULESET)
    assert fixed == (CLEAN / clean).read_bytes() and not skipped
    assert changes and "converted from" in changes[0]


def test_utf16_with_a_bom_is_converted() -> None:
    text = text_of(TALK)
    fixed, changes, _ = fix_bytes(text.encode("utf-16"), RULESET)
    assert fixed == text.encode("utf-8") and "UTF-16" in changes[0]


@pytest.mark.parametrize("data", [b"\xa4\xa4\xa4\xe5\xa7\xda", b"ok\n\xff\xfe\xfd",
                                  "大模型".encode() + b"\xb5\xab"])
def test_ambiguous_or_damaged_bytes_are_never_converted(data: bytes) -> None:
    assert unambiguous_decode(data) is None
    fixed, changes, skipped = fix_bytes(data, RULESET)
    assert fixed == data and changes == [] and "ambiguous" in skipped


def test_without_fix_nothing_is_written(tmp_path: Path) -> None:
    target = tmp_path / "doc.txt"
    target.write_bytes(damage(text_of(SIMPLIFIED[0])))
    os.utime(target, (1_000_000_000, 1_000_000_000))
    before = target.read_bytes()
    check_dir(tmp_path)
    assert target.read_bytes() == before and target.stat().st_mtime == 1_000_000_000


def test_diff_previews_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "doc.txt"
    target.write_bytes(damage(text_of(SIMPLIFIED[1])))
    before = target.read_bytes()
    proc = run_cli("check", "--diff", "--no-cache", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert target.read_bytes() == before
    assert "--- a/doc.txt\n+++ b/doc.txt\n" in proc.stdout  # the file the patch applies to
    assert "-⟨U+FEFF⟩" in proc.stdout and "⟨U+200B⟩" in proc.stdout
    assert "# PUN001 replaced" in proc.stdout
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "doc.txt").write_text(text_of(SIMPLIFIED[1]), encoding="utf-8")
    assert run_cli("check", "--diff", "--no-cache", str(clean)).returncode == 0


def test_exit_code_is_computed_from_what_remains(tmp_path: Path) -> None:
    target = tmp_path / "doc.txt"
    target.write_bytes(b"\xef\xbb\xbf" + text_of(SIMPLIFIED[0]).encode())
    assert run_cli("check", "--fail-on", "warning", "--no-cache", str(tmp_path)).returncode == 1
    assert run_cli("check", "--fix", "--fail-on", "warning", "--no-cache",
                   str(tmp_path)).returncode == 0
    target.write_bytes(b"\xef\xbb\xbf" + text_of(SIMPLIFIED[0]).replace("，", "\ufffd", 1).encode())
    proc = run_cli("check", "--fix", "--format", "json", "--no-cache", str(tmp_path))
    assert proc.returncode == 1
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["ENC006"]
    assert not target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_permissions_are_kept_and_symlinks_are_not_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    target = real / "doc.txt"
    target.write_bytes(damage(text_of(SIMPLIFIED[2])))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "link.txt").symlink_to(target)
    (corpus / "doc.txt").write_bytes(damage(text_of(SIMPLIFIED[2])))
    (corpus / "doc.txt").chmod(0o444)
    proc = run_cli("check", "--fix", "--no-cache", str(corpus))
    assert (corpus / "link.txt").is_symlink()
    assert target.read_bytes() == damage(text_of(SIMPLIFIED[2]))  # skipped, its target untouched
    assert "link.txt: a symbolic link: not fixed" in proc.stderr
    assert (corpus / "doc.txt").read_bytes() == text_of(SIMPLIFIED[2]).encode()
    assert (corpus / "doc.txt").stat().st_mode & 0o777 == 0o444


SLOW_FIX = """
import os, sys, time
from pathlib import Path
import validators.atomic as atomic
marker = Path(sys.argv[1])
def slow_fsync(fd):
    marker.write_text("writing")
    time.sleep(60)
atomic.os.fsync = slow_fsync
from validators.cli import main
sys.exit(main(["check", "--fix", "--no-cache", "--jobs", "1", sys.argv[2]]))
"""


def test_an_interrupted_fix_leaves_the_original_intact(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    target = corpus / "doc.txt"
    original = damage(text_of(SIMPLIFIED[0]) * 20)  # a larger file, killed mid-write
    target.write_bytes(original)
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_FIX, str(marker), str(corpus)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the fix never started writing"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert target.read_bytes() == original
    assert sorted(p.name for p in corpus.glob("*.txt")) == ["doc.txt"]  # a temp file is no document


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
WORD = st.lists(HAN, min_size=1, max_size=6).map("".join)


@st.composite
def damaged_documents(draw: st.DrawFn) -> tuple[str, bytes]:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        parts = []
        for _ in range(draw(st.integers(1, 5))):
            word = draw(WORD)
            tag = draw(st.sampled_from(["", "", "cand", "a"]))
            parts.append(f"<{tag}>{word}</{tag}>" if tag else word)
            parts.append(draw(st.sampled_from(["，", "。", "：", ""])))
        lines.append("".join(parts))
    clean = "\n".join(lines)
    damaged = clean
    if draw(st.booleans()):
        damaged = damaged.replace("，", ",")
    if draw(st.booleans()):
        damaged = damaged.replace("\n", "\r\n")
    if draw(st.booleans()):
        damaged = "\ufeff" + damaged
    if draw(st.booleans()):
        pos = draw(st.integers(0, len(damaged)))
        damaged = damaged[:pos] + "\u200b" + damaged[pos:]
    return clean, damaged.encode("utf-8")


@settings(max_examples=60, deadline=None)
@given(case=damaged_documents())
def test_fixing_keeps_every_han_character_and_tag(case: tuple[str, bytes]) -> None:
    clean, damaged = case
    fixed, _, _ = fix_bytes(damaged, RULESET)
    text = fixed.decode("utf-8")
    assert han(text) == han(clean) and spans(text) == spans(clean)
    assert [f for f in check_text(fixed) if f.rule in FIXED_RULES] == []
    assert fix_bytes(fixed, RULESET)[0] == fixed  # idempotent


# ---------------------------------------------------------------- unsafe fixes: ENC011 mojibake

def mojibake_copy(text: str) -> tuple[str, str]:
    """(damaged, original): ``text`` with its third line cut to its longest start whose UTF-8
    reads as GBK (克莉丝托･卡艾伊：感), that start so read (鍏嬭帀涓濇墭锝ュ崱鑹句紛锛氭劅), and its
    fourth line's UTF-8 read as Latin-1: upstream mix-ups that lost no byte, which the mojibake
    fix undoes exactly. (A byte 0xAD read as Latin-1 is a soft hyphen, which ENC008's safe fix
    would remove first: the Latin-1 line has none.)"""
    lines = text.split("\n")
    lines[2] = next(lines[2][:k] for k in range(len(lines[2]), 0, -1) if _reads_as_gbk(lines[2][:k]))
    damaged = list(lines)
    damaged[2] = lines[2].encode("utf-8").decode("gbk")
    damaged[3] = lines[3].encode("utf-8").decode("latin-1")
    assert len(lines[2]) > 4 and "\u00ad" not in damaged[3]
    return "\n".join(damaged), "\n".join(lines)


def _reads_as_gbk(text: str) -> bool:
    try:
        text.encode("utf-8").decode("gbk")
    except UnicodeDecodeError:
        return False
    return True


def test_fix_alone_leaves_mojibake_and_says_how_to_repair_it(tmp_path: Path) -> None:
    damaged, _ = mojibake_copy(text_of(TALK))
    target = tmp_path / "doc.txt"
    target.write_text(damaged, encoding="utf-8")
    proc = run_cli("check", "--fix", "--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert target.read_text(encoding="utf-8") == damaged
    assert "ENC011 repaired" not in proc.stdout + proc.stderr
    assert {(f["rule"], f["line"]) for f in json.loads(proc.stdout)["findings"]} >= {("ENC011", 3), ("ENC011", 4)}
    # as ruff's "hidden fixes": the unsafe fix is named, with the flag that applies it
    assert "ENC011 can fix what it reports, unsafely" in proc.stderr and "--unsafe-fixes" in proc.stderr
    clean = tmp_path / "doc.txt"
    clean.write_text(text_of(SIMPLIFIED[0]), encoding="utf-8")  # nothing ENC011 reports: no hint
    assert "--unsafe-fixes" not in run_cli("check", "--fix", "--no-cache", ".", cwd=tmp_path).stderr


def test_unsafe_fixes_repair_mojibake_and_leave_clean_files_alone(tmp_path: Path) -> None:
    damaged, original = mojibake_copy(text_of(TALK))
    target, clean = tmp_path / "doc.txt", tmp_path / "clean.txt"
    target.write_text(damaged, encoding="utf-8")
    clean.write_text(text_of(SIMPLIFIED[0]), encoding="utf-8")
    os.utime(clean, (1_000_000_000, 1_000_000_000))
    proc = run_cli("check", "--fix", "--unsafe-fixes", "--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert target.read_text(encoding="utf-8") == original, proc.stderr
    assert [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "ENC011"] == []
    assert clean.read_text(encoding="utf-8") == text_of(SIMPLIFIED[0])
    assert clean.stat().st_mtime == 1_000_000_000


def test_diff_shows_the_mojibake_repair_only_with_unsafe_fixes(tmp_path: Path) -> None:
    damaged, original = mojibake_copy(text_of(TALK))
    target = tmp_path / "doc.txt"
    target.write_text(damaged, encoding="utf-8")
    safe = run_cli("check", "--diff", "--no-cache", ".", cwd=tmp_path)
    assert safe.returncode != 2 and "ENC011" not in safe.stdout, safe.stderr + safe.stdout
    proc = run_cli("check", "--diff", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "# ENC011 repaired mojibake" in proc.stdout
    assert "+" + original.split("\n")[2] + "\n" in proc.stdout
    assert "-" + damaged.split("\n")[2] + "\n" in proc.stdout
    assert target.read_text(encoding="utf-8") == damaged


@pytest.mark.parametrize("name", SIMPLIFIED + TRADITIONAL)
def test_unsafe_fixes_change_no_clean_document(name: str) -> None:
    data = text_of(name).encode("utf-8")
    assert fix_bytes(data, RULESET, unsafe=True) == (data, [], "")
