"""The result cache can never execute code or hide findings (DESIGN §6, issue 12): entries are
data (no pickle), authenticated with a per-user key kept outside the repository, so an entry
planted in the work tree, forged or copied from another user's cache is a miss, never a result;
a cache directory that git tracks is not used at all."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validators.cache import ResultCache, document_key, ruleset_fingerprint
from validators.config import build_ruleset, load_config
from validators.discover import discover
from validators.engine import DocumentResult
from validators.findings import Finding, Related
from validators.load import load
from validators.run import run_check

KEY_DIR_ENV = "CORPUS_VALIDATE_KEY_DIR"  # where tests keep the per-user key (never ~/.cache)
BROKEN = "第一句很正常。\n他说<cand>但时至今日。\n<cand>大模型</cand>很好。\n"
CACHE = "cv-cache"


@pytest.fixture(autouse=True)
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's key lives in the test's own folder (subprocesses inherit the variable)."""
    folder = tmp_path / "user-key"
    monkeypatch.setenv(KEY_DIR_ENV, str(folder))
    return folder


def make_project(root: Path) -> Path:
    """The sample corpus, a faulty document, an exact and a near copy (so corpus-wide findings
    and collected bytes are part of every result)."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    samples = sorted(SAMPLE.glob("*.txt"))
    for f in samples:
        (corpus / f.name).write_bytes(f.read_bytes())
    (corpus / "broken.txt").write_text(BROKEN, encoding="utf-8")
    (corpus / "copy.txt").write_bytes(samples[0].read_bytes())
    text = samples[3].read_text(encoding="utf-8").splitlines(keepends=True)
    (corpus / "near.txt").write_text("".join(text[:-1]), encoding="utf-8")
    (root / "corpus-validate.yaml").write_text("paths: [corpus/]\n", encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(make_project(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def uncached(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The findings of a ``--no-cache`` CLI run over the project (paths are relative to it)."""
    findings = cli_findings(make_project(tmp_path_factory.mktemp("reference")), "--no-cache")
    assert '"DUP001"' in findings and '"DUP002"' in findings  # collected bytes came into play
    assert '"TAG001"' in findings
    return findings


def cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("check", "--format", "json", *args, cwd=project)


def cli_findings(project: Path, *args: str) -> str:
    """The findings of a CLI run as JSON text (compared byte for byte)."""
    proc = cli(project, *args)
    assert proc.returncode == 1, proc.stderr
    return json.dumps(json.loads(proc.stdout)["findings"], ensure_ascii=False)


def open_project_cache(project: Path) -> tuple[ResultCache, list[Any]]:
    """The cache the CLI opens for ``--cache-dir cv-cache`` (its ruleset fingerprint) and the
    corpus documents, loaded."""
    config = load_config(project / "corpus-validate.yaml")
    cache = ResultCache(project / CACHE, ruleset_fingerprint(build_ruleset(config), {}))
    files = discover(config.corpus_paths(), config.include, config.exclude)
    return cache, [load(f.path, f.fs_path) for f in files]


def entry_paths(project: Path, cache: ResultCache, key: str) -> list[Path]:
    """Where an entry of ``key`` is read from: this layout's folder, and the pickle layout's."""
    name = Path(key[:2]) / f"{key}.bin"
    return [cache.folder / name, project / CACHE / "v1" / cache.fingerprint / name]


class Marker:
    """Unpickling this creates a file: proof that a cache entry ran code."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.path), "w"))


def test_a_planted_pickle_never_runs_and_is_a_miss(project: Path, uncached: str) -> None:
    marker = project / "pwned"
    cache, docs = open_project_cache(project)
    for doc in docs:
        key = cache.key(doc)
        assert key is not None
        payload = pickle.dumps((key, Marker(marker)), protocol=pickle.HIGHEST_PROTOCOL)
        entry = b"CVCACHE1" + hashlib.blake2b(payload, digest_size=32).digest() + payload
        for path in entry_paths(project, cache, key):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(entry)
    assert all(cache.lookup(cache.key(doc)) is None for doc in docs)
    assert (cache.hits, cache.misses) == (0, len(docs))
    assert not marker.exists()
    planted = cli_findings(project, "--cache-dir", CACHE)
    assert not marker.exists()
    assert planted == uncached


def test_an_entry_forged_with_another_key_does_not_hide_a_finding(
        project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, uncached: str) -> None:
    """An attacker writes, with their own key, a well-formed entry that claims the faulty
    document has no findings; the user's run shows the finding."""
    monkeypatch.setenv(KEY_DIR_ENV, str(tmp_path / "attacker-key"))
    cache, docs = open_project_cache(project)
    broken = next(doc for doc in docs if doc.path.endswith("broken.txt"))
    key = cache.key(broken)
    assert key is not None
    real = run_check(discover([broken.path]), build_ruleset(load_config(
        project / "corpus-validate.yaml"))).documents[0]
    assert real.findings
    cache.store(key, DocumentResult(real.path, [], real.stats, real.collected))
    assert cache.stores == 1 and cache.lookup(key) is not None  # valid for the attacker
    monkeypatch.setenv(KEY_DIR_ENV, str(tmp_path / "user-key"))
    victim = ResultCache(cache.directory, cache.fingerprint)
    assert victim.lookup(key) is None and victim.misses == 1
    findings = cli_findings(project, "--cache-dir", CACHE)
    assert any(f["rule"] == "TAG001" and f["path"] == "corpus/broken.txt"
               for f in json.loads(findings))
    assert findings == uncached


def test_a_tampered_entry_is_a_miss(tmp_path: Path) -> None:
    from validators.cache import HEAD_SIZE

    cache = ResultCache(tmp_path / "cache", "f" * 32)
    key = "ab" * 20
    finding = Finding("TAG001", "unclosed", "TAG", "error", "a.txt", 2, 3, 2, 9, "unclosed <cand>")
    cache.store(key, DocumentResult("a.txt", [finding], {"lines": 3}, {"DUP002": {"x": b"\0\1"}}))
    entry = cache.folder / key[:2] / f"{key}.bin"
    good = entry.read_bytes()
    assert cache.lookup(key) is not None
    for position in (len(b"CVCACHE2"), HEAD_SIZE - 1, HEAD_SIZE + 5):
        bad = bytearray(good)
        bad[position] ^= 0x01  # the key id, the HMAC, the header
        entry.write_bytes(bytes(bad))
        assert ResultCache(tmp_path / "cache", "f" * 32).lookup(key) is None, position
    for damaged in (good[:-1], good + b"\0"):  # the collected data's area cut short, or grown
        entry.write_bytes(damaged)
        assert ResultCache(tmp_path / "cache", "f" * 32).lookup(key) is None
    # a changed byte of the area (the lookup reads only the head, which names the area's
    # SHA-256): caught when a corpus stage reads it, which removes the entry
    bad = bytearray(good)
    bad[-1] ^= 0x01
    entry.write_bytes(bytes(bad))
    found = ResultCache(tmp_path / "cache", "f" * 32).lookup(key)
    assert found is not None and found.stats == {"lines": 3}
    with pytest.raises(OSError, match="damaged or changed during the run"):
        found.collected["DUP002"]
    assert not entry.exists()
    from validators.finding_blocks import pack_findings

    items = pack_findings("a.txt", [finding]).text  # the findings' compressed text, in the entry
    at = good.index(items) + len(items) // 2
    findings_changed = good[:at] + bytes([good[at] ^ 0x01]) + good[at + 1:]
    entry.write_bytes(findings_changed)
    assert ResultCache(tmp_path / "cache", "f" * 32).lookup(key) is None


def test_an_entry_copied_from_another_key_misses_and_a_valid_one_hits(
        project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, uncached: str) -> None:
    monkeypatch.setenv(KEY_DIR_ENV, str(tmp_path / "other-user-key"))
    theirs, docs = open_project_cache(project)
    config = load_config(project / "corpus-validate.yaml")
    run_check(discover(config.corpus_paths()), build_ruleset(config), cache=theirs)
    assert theirs.stores == len(docs)
    monkeypatch.setenv(KEY_DIR_ENV, str(tmp_path / "user-key"))
    cache, docs = open_project_cache(project)
    assert [cache.lookup(cache.key(doc)) for doc in docs] == [None] * len(docs)
    assert (cache.hits, cache.misses) == (0, len(docs))
    cold = cli_findings(project, "--cache-dir", CACHE)              # recomputed, and stored
    assert cold == uncached
    warm = ResultCache(cache.directory, cache.fingerprint)
    assert all(warm.lookup(warm.key(doc)) is not None for doc in docs)
    assert (warm.hits, warm.misses) == (len(docs), 0)
    assert cli_findings(project, "--cache-dir", CACHE) == cold      # a warm run: byte-identical


def test_worker_processes_use_the_key_loaded_by_the_parent(project: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("validators.executors.local.PARALLEL_MIN_BYTES", 0)  # a pool even for this corpus
    config = load_config(project / "corpus-validate.yaml")
    ruleset = build_ruleset(config)
    files = discover(config.corpus_paths(), config.include, config.exclude)
    runs = []
    for _ in range(2):
        cache = ResultCache(project / CACHE, ruleset_fingerprint(ruleset, {}))
        result = run_check(files, ruleset, cache=cache, jobs=2)
        runs.append(([f.as_dict() for f in result.findings], cache.stats()))
    (cold, cold_stats), (warm, warm_stats) = runs
    assert cold_stats["stores"] == len(files) and warm_stats["hits"] == len(files)
    assert warm == cold


def test_a_cache_directory_git_tracks_is_not_used(tmp_path: Path) -> None:
    from validators.cache import open_result_cache, tracked_by_git

    repo = tmp_path / "repo"
    cache_dir = repo / ".corpus-validate-cache"
    (cache_dir / "v2").mkdir(parents=True)
    (cache_dir / "v2" / "planted.bin").write_bytes(b"entry")
    (cache_dir / ".gitignore").write_text("*\n", encoding="utf-8")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)

    git("init", "-q")
    assert not tracked_by_git(cache_dir)                   # present but not in the index
    assert not tracked_by_git(tmp_path / "elsewhere")      # not a repository at all
    cache, warning = open_result_cache(cache_dir, "f" * 32)
    assert cache is not None and warning is None
    git("add", "-f", ".corpus-validate-cache/v2/planted.bin")
    assert tracked_by_git(cache_dir)
    assert tracked_by_git(cache_dir / "v2")
    assert not tracked_by_git(repo / "other-cache")        # a sibling folder is not tracked
    cache, warning = open_result_cache(cache_dir, "f" * 32)
    assert cache is None
    assert warning is not None and "\n" not in warning
    assert warning.startswith("corpus-validate: warning:") and "tracked by git" in warning
    assert "git rm -r --cached" in warning
    _, warning = open_result_cache(repo / "odd\nname", "f" * 32, tracked=True)
    assert warning is not None and "\n" not in warning                  # still one line


def test_the_cli_warns_once_and_ignores_a_tracked_cache(project: Path, uncached: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    (project / CACHE).mkdir()
    (project / CACHE / "planted.bin").write_bytes(b"entry")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    subprocess.run(["git", "add", "-f", f"{CACHE}/planted.bin"], cwd=project, check=True, env=env)
    proc = cli(project, "--cache-dir", CACHE)
    assert proc.returncode == 1
    warnings = [line for line in proc.stderr.splitlines() if "tracked by git" in line]
    assert len(warnings) == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert sorted(p.name for p in (project / CACHE).rglob("*")) == ["planted.bin"]
    assert json.dumps(json.loads(proc.stdout)["findings"], ensure_ascii=False) == uncached


def test_without_a_usable_key_the_run_goes_on_uncached(project: Path, tmp_path: Path, uncached: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A key folder that cannot be created (here: under a file; a read-only home alike)."""
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setenv(KEY_DIR_ENV, str(tmp_path / "a-file" / "keys"))
    cache, _ = open_project_cache(project)
    assert cache.key_problem
    result = DocumentResult("x.txt", [])
    cache.store("ab" * 20, result)
    assert cache.lookup("ab" * 20) is None and cache.stores == 0
    assert cli_findings(project, "--cache-dir", CACHE) == uncached
    assert not list((project / CACHE).rglob("*.bin"))


def _key_problem(folder: Path) -> str | None:
    from validators.userkey import load_key

    key, problem = load_key(folder)
    assert (key is None) == (problem is not None)
    return problem


def test_the_key_is_private_and_an_unsafe_key_file_is_not_used(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    from validators.userkey import KEY_SIZE, load_key

    folder = tmp_path / "keys"
    key, problem = load_key(folder)
    assert problem is None and key is not None and len(key) == KEY_SIZE
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "key").stat().st_mode & 0o777 == 0o600
    assert load_key(folder) == (key, None)                       # the same key, read back
    assert sorted(p.name for p in folder.iterdir()) == ["key"]   # no temporary file left
    (folder / "key").chmod(0o644)
    assert "not private" in (_key_problem(folder) or "")
    assert (folder / "key").read_bytes() == key                  # reported, not replaced
    (folder / "key").chmod(0o600)
    elsewhere = tmp_path / "attacker-key"
    elsewhere.write_bytes(b"k" * KEY_SIZE)
    elsewhere.chmod(0o600)
    (folder / "key").unlink()
    (folder / "key").symlink_to(elsewhere)
    assert "symlink" in (_key_problem(folder) or "")
    (folder / "key").unlink()
    (folder / "key").mkdir()
    assert _key_problem(folder)
    (folder / "key").rmdir()
    (folder / "key").write_bytes(b"short")
    (folder / "key").chmod(0o600)
    assert "bytes" in (_key_problem(folder) or "")
    assert ResultCache(tmp_path / "cache", "f" * 32).key_problem is None  # this test's key
    monkeypatch.setenv(KEY_DIR_ENV, str(folder))
    cache = ResultCache(tmp_path / "cache", "f" * 32)
    assert cache.key_problem and "bytes" in cache.key_problem


def test_processes_creating_the_key_at_once_end_with_one_key(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    code = ("import sys; from pathlib import Path; from validators.userkey import load_key; "
            "key, problem = load_key(Path(sys.argv[1])); print(key.hex() if key else problem)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE,
                              text=True) for _ in range(4)]
    keys = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert keys == {(folder / "key").read_bytes().hex()}
    assert sorted(p.name for p in folder.iterdir()) == ["key"]


# --- the data format: encode -> decode is the identity ------------------------------------------

def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (True is not 1, a tuple is not a list); a
    cached result's collected data (decoded per rule when asked for) and its findings (kept
    packed until read) are compared value by value."""
    from validators.cache import PackedCollected
    from validators.finding_blocks import FindingBlock

    a, b = (dict(x) if isinstance(x, PackedCollected) else list(x) if isinstance(x, FindingBlock)
            else x for x in (a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(k, j) and same(a[k], b[j]) for k, j in zip(a, b, strict=True))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, DocumentResult):
        return same([a.path, a.findings, a.stats, a.collected],
                    [b.path, b.findings, b.stats, b.collected])
    if isinstance(a, float):
        return repr(a) == repr(b)  # -0.0 and nan too
    return bool(a == b)


texts = st.text(st.characters(exclude_categories=()) | st.characters(min_codepoint=0xD800,
                                                                    max_codepoint=0xDFFF),
                max_size=8) | st.sampled_from(
    ["", "\x7f", "\x7ft", "\x7fb", "\0t", "corpus/新闻.txt", "a\udcffb.txt", "\ud83d\ude00"])
scalars = (st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats() | texts)
keys = (texts | st.integers() | st.booleans() | st.none() | st.tuples(texts, st.integers()))
values = st.recursive(
    scalars | st.binary(max_size=40),
    lambda inner: (st.lists(inner, max_size=5) | st.tuples(inner, inner)
                   | st.dictionaries(texts, inner, max_size=4)
                   | st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12)
lines = st.integers(0, 2 ** 40)
findings = st.builds(
    Finding, rule=st.sampled_from(["TAG001", "DUP002", "PUN001"]), name=st.just("unclosed-tag"),
    category=st.sampled_from(["TAG", "DUP"]), severity=st.sampled_from(["info", "warning", "error"]),
    path=texts, line=lines, column=lines, end_line=lines, end_column=lines, message=texts,
    context=texts, fingerprint=st.sampled_from(["", "0123456789abcdef"]),
    related=st.lists(st.builds(Related, path=texts, line=lines), max_size=3).map(tuple))
results = st.builds(DocumentResult, path=texts, findings=st.lists(findings, max_size=3),
                    stats=st.dictionaries(texts, values, max_size=3),
                    collected=st.dictionaries(texts, values, max_size=3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results)
def test_encoding_then_decoding_a_result_is_the_identity(result: DocumentResult) -> None:
    from validators.cache import decode_entry, encode_entry, pack_result, unpack_result

    # a document's findings come back in report order (packed so: a stable sort)
    expected = replace(result, findings=sorted(result.findings, key=Finding.sort_key))
    assert same(unpack_result(pack_result(result)), expected)
    secret = b"s" * 32
    key = document_key(b"data", "f" * 32, "corpus/a\udcff.txt")
    entry = encode_entry(key, result, secret)
    assert same(decode_entry(key, entry, secret), expected)
    assert decode_entry(key, entry, b"t" * 32) is None                # another user's key
    assert decode_entry(key[::-1], entry, secret) is None             # another entry's name


def test_values_that_are_not_plain_data_are_not_cached(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", "f" * 32)
    cache.store("ab" * 20, DocumentResult("a.txt", [], {}, {"X": {1, 2}}))
    cache.store("cd" * 20, DocumentResult("a.txt", [], {}, {"X": Path("p")}))
    assert (cache.stores, cache.errors) == (0, 2)
    assert cache.lookup("ab" * 20) is None


def test_a_cached_entrys_collected_data_is_read_again_when_asked_for_and_checked_again(
        tmp_path: Path) -> None:
    """A looked-up entry keeps no copy of what the corpus rules collected (a warm run of an
    unchanged corpus never reads it): a corpus stage reads the entry again, authenticated again;
    an entry that went away or was replaced since is an error that says so, never other data."""
    from validators.cache import PackedCollected

    cache = ResultCache(tmp_path / "cache", "f" * 32)
    key = "ab" * 20
    cache.store(key, DocumentResult("a.txt", [], {"lines": 3}, {"DUP002": {"ngrams": b"\0\1" * 50}}))
    found = cache.lookup(key)
    assert found is not None and isinstance(found.collected, PackedCollected)
    assert not any(isinstance(v, bytes) and len(v) >= 100 for v in vars_of(found.collected))
    assert found.collected["DUP002"] == {"ngrams": b"\0\1" * 50}
    later = cache.lookup(key)
    assert later is not None
    entry = cache.folder / key[:2] / f"{key}.bin"
    good = entry.read_bytes()
    forged = bytearray(good)
    forged[-1] ^= 0x01
    entry.write_bytes(bytes(forged))
    with pytest.raises(OSError, match="changed during the run"):
        later.collected["DUP002"]
    assert not entry.exists()  # removed: the next run computes the document again
    with pytest.raises(OSError, match="went away"):
        later.collected["DUP002"]
    entry.write_bytes(good)
    assert later.collected["DUP002"] == {"ngrams": b"\0\1" * 50}
    # sent to another process on this machine (the look-ups' fork): the head's data and the
    # entry's name travel, the area stays on disk until asked for; to any other process (a
    # worker of a Dask cluster may have another disk) the parts themselves
    import pickle

    from validators.cache import CachedCollected

    collected = cache.lookup(key).collected  # type: ignore[union-attr]
    assert isinstance(collected, CachedCollected)
    sent = pickle.dumps(collected)
    assert b"\0\1" * 50 in sent and pickle.loads(sent)["DUP002"] == {"ngrams": b"\0\1" * 50}
    collected.same_machine = True
    sent = pickle.dumps(collected)
    assert b"\0\1" * 50 not in sent
    assert pickle.loads(sent)["DUP002"] == {"ngrams": b"\0\1" * 50}


def vars_of(collected: Any) -> list[Any]:
    """The values a PackedCollected keeps for its parts (each one's text, and their area)."""
    return [*collected._parts.values(), collected._area]


def test_a_table_of_tuples_is_packed_under_one_tag_and_comes_back_as_tuples() -> None:
    """What the CON rules collect is a table of (line, text) and (line, start, end, tag) rows:
    packed with one tag per row, the corpus stage spent a third of its time in the JSON object
    hook rebuilding them (each CON rule reads every document's part several times)."""
    from validators.cache import pack_result, unpack_result

    lines = tuple((number, f"第{number}行") for number in range(1, 1001))
    spans = ((1, 0, 1, "cand"), (2, 3, 5, "a"))
    mixed = ((1, 2), [3])  # not a table: a list among the rows
    result = DocumentResult("a.txt", [], {}, {"CON001": {"lines": lines, "spans": spans, "m": mixed}})
    packed = pack_result(result)
    assert packed.count(b"\x7fr") == 2 and packed.count(b"\x7ft") == 2  # the mixed one and its row
    back = unpack_result(packed).collected["CON001"]
    assert same(back, {"lines": lines, "spans": spans, "m": mixed})
