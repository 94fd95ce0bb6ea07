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


def _same_yaml(a: object, b: object) -> bool:
    """Equal values, types and recorded lines (of each mapping, key and list)."""
    from validators.yamlload import LineDict, LineList

    if type(a) is not type(b):
        return False
    if isinstance(a, LineDict) and isinstance(b, LineDict):
        return a.line == b.line and list(a) == list(b) and all(
            a.line_of(k) == b.line_of(k) and _same_yaml(a[k], b[k]) for k in a)
    if isinstance(a, LineList) and isinstance(b, LineList):
        return a.line == b.line and len(a) == len(b) and all(map(_same_yaml, a, b))
    return a == b


def test_a_yaml_file_is_parsed_once_and_read_back_with_its_lines(key_dir: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled rule files and lexicons (what a one-file check loads at every start) come back
    from the derived table exactly as the parser gives them, lines included, without parsing."""
    from validators import yamlload

    repo = Path(__file__).resolve().parent.parent
    files = sorted((repo / "rules").rglob("*.yaml"))
    parsed = {f: yamlload.load_yaml_text(f.read_text(encoding="utf-8"), str(f)) for f in files}
    assert [_same_yaml(yamlload.load_yaml_file(f), parsed[f]) for f in files] == [True] * len(files)

    def no_parsing(text: str, source: str) -> object:
        raise AssertionError(f"{source} parsed again")

    monkeypatch.setattr(yamlload, "load_yaml_text", no_parsing)
    assert [_same_yaml(yamlload.load_yaml_file(f), parsed[f]) for f in files] == [True] * len(files)


def test_a_yaml_file_whose_values_are_not_json_is_parsed_every_time(key_dir: Path, tmp_path: Path) -> None:
    """A YAML timestamp or set has no JSON form: the file loads as it always did, and an error is
    never kept (a broken file fails the same way at every load)."""
    import datetime

    from validators.errors import ConfigError
    from validators.yamlload import load_yaml_file

    dated = tmp_path / "dated.yaml"
    dated.write_text("released: 2026-12-02\ntags: !!set {a, b}\n", encoding="utf-8")
    for _ in range(2):
        loaded = load_yaml_file(dated)
        assert loaded == {"released": datetime.date(2026, 12, 2), "tags": {"a", "b"}}
        assert loaded.line_of("tags") == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  a: [1, 2\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="invalid YAML"):
            load_yaml_file(broken)
