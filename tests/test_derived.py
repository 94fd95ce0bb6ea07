"""Tables derived from installed libraries are built once per user and trusted only when our key
signed them (validators.derived)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from validators import derived, script_sets


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CORPUS_VALIDATE_KEY_DIR", str(tmp_path / "keys"))
    return tmp_path / "keys"


def test_a_table_is_built_once_then_read(key_dir: Path) -> None:
    calls: list[int] = []

    def build() -> dict:
        calls.append(1)
        return {"chars": ["群", "羣"], "n": 2}

    assert derived.cached_table("t", "lib 1.0", build) == {"chars": ["群", "羣"], "n": 2}
    assert derived.cached_table("t", "lib 1.0", build) == {"chars": ["群", "羣"], "n": 2}
    assert len(calls) == 1
    derived.cached_table("t", "lib 2.0", build)  # another library version: built again
    assert len(calls) == 2
    entries = list((key_dir / derived.FOLDER).glob("t-*.json"))
    assert len(entries) == 2 and all(e.stat().st_mode & 0o077 == 0 for e in entries)


def test_a_planted_or_damaged_entry_is_rebuilt_not_trusted(key_dir: Path) -> None:
    derived.cached_table("t", "v", lambda: {"simplified": ["群"]})
    (entry,) = (key_dir / derived.FOLDER).glob("t-*.json")
    head, _, payload = entry.read_bytes().partition(b"\n")
    forged = json.dumps({"simplified": []}).encode()
    for blob in (head + b"\n" + forged, b"0" * 64 + b"\n" + forged, b"", b"\xff\xfe"):
        entry.write_bytes(blob)
        assert derived.cached_table("t", "v", lambda: {"simplified": ["群"]}) == {"simplified": ["群"]}
    assert entry.read_bytes() == head + b"\n" + payload  # and written again, signed


def test_without_a_key_the_table_is_built_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # writable by others: no key is kept there
    monkeypatch.setenv("CORPUS_VALIDATE_KEY_DIR", str(shared))
    calls: list[int] = []
    for _ in range(2):
        derived.cached_table("t", "v", lambda: calls.append(1) or {"x": 1})
    assert len(calls) == 2 and not (shared / derived.FOLDER).exists()


def test_the_cached_script_sets_are_the_derived_ones(key_dir: Path) -> None:
    script_sets.script_sets.cache_clear()
    try:
        first = script_sets.script_sets()
        script_sets.script_sets.cache_clear()
        again = script_sets.script_sets()  # read from the entry the first call wrote
        assert list((key_dir / derived.FOLDER).glob("script-sets-*.json"))
        assert again == first == script_sets.sets_of_data(script_sets.data_of_sets(first))
        assert "群" not in again.simplified and "温" not in again.simplified  # issue 18
        assert "们" in again.simplified and "們" in again.traditional
    finally:
        script_sets.script_sets.cache_clear()
