"""The result cache: a second run over an unchanged corpus is served from it (counted in hits,
not timed); any change to the rules, their options, lexicon contents or severities invalidates
it; a corrupt entry is a miss; two runs may share it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE

from validators.cache import ResultCache, cached_corpus_findings, ruleset_fingerprint
from validators.config import build_ruleset, load_config
from validators.discover import discover
from validators.engine import DocumentResult
from validators.findings import Finding
from validators.gate import open_cache
from validators.load import load
from validators.rules import RULE_ID
from validators.run import run_check

BROKEN = "第一句很正常。\n他说<cand>但时至今日。\n<cand>大模型</cand>很好。\n"


@pytest.fixture(autouse=True)
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-user cache key of these tests (and their subprocesses) is their own, never the
    real one in ~/.cache."""
    monkeypatch.setenv("CORPUS_VALIDATE_KEY_DIR", str(tmp_path / "user-key"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in sorted(SAMPLE.glob("*.txt")):
        (corpus / f.name).write_bytes(f.read_bytes())
    (corpus / "broken.txt").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "connectives.yaml").write_text("entries: [但, 但是, 大模型]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def configure(project: Path, extra: str = "") -> Path:
    config = project / "corpus-validate.yaml"
    config.write_text("paths: [corpus/]\n" + extra, encoding="utf-8")
    return config


def run_once(project: Path, config_text: str = "") -> tuple[list[dict], ResultCache]:
    config = load_config(configure(project, config_text))
    ruleset = build_ruleset(config)
    cache = open_cache(config, ruleset)
    assert cache is not None
    files = discover(config.corpus_paths(), config.include, config.exclude)
    result = run_check(files, ruleset, cache=cache)
    return [f.as_dict() for f in result.findings], cache


def test_second_run_is_served_from_the_cache_with_the_same_findings(project: Path) -> None:
    first, cache = run_once(project)
    documents = 6
    assert (cache.hits, cache.misses, cache.stores) == (0, documents, documents)
    second, cache = run_once(project)
    assert (cache.hits, cache.misses, cache.stores) == (documents, 0, 0)
    assert second == first
    assert any(f["rule"] == "TAG001" and f["path"] == "corpus/broken.txt" for f in second)
    # the same findings as a run without any cache
    config = load_config(project / "corpus-validate.yaml")
    ruleset = build_ruleset(config)
    uncached = run_check(discover(config.corpus_paths()), ruleset)
    assert [f.as_dict() for f in uncached.findings] == first
    # the cache directory is tagged and ignored by git
    root = project / ".corpus-validate-cache"
    assert (root / ".gitignore").read_text() == "*\n" and (root / "CACHEDIR.TAG").is_file()


def test_a_warm_run_of_an_unchanged_corpus_decodes_no_collected_data(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus-wide findings and the summary's CON001 counts of an unchanged corpus come from
    the cache: everything the rules collected (n-gram sets, signatures, annotated lines) stays
    packed; after an edit, the corpus stage reads every document's parts again."""
    from validators.cache import PackedCollected
    from validators.spill import SpilledCollected

    first, _ = run_once(project)
    asked: list[str] = []
    for kind in (PackedCollected, SpilledCollected):  # (a local run reads them from its spill)
        def recording(self: Any, rule_id: str, original: Any = kind.__getitem__) -> Any:
            asked.append(rule_id)
            return original(self, rule_id)

        monkeypatch.setattr(kind, "__getitem__", recording)
    second, cache = run_once(project)
    assert second == first and cache.hits == 6
    rules_asked = {key for key in asked if RULE_ID.match(key)}  # (not the corpus entry's own keys)
    assert rules_asked == set()  # neither the connectives summary nor the duplicate rules
    (project / "corpus" / "broken.txt").write_text(BROKEN + "又一行。\n", encoding="utf-8")
    asked.clear()
    run_once(project)
    assert {"DUP001", "DUP002", "DUP004"} <= set(asked)  # the corpus rules comparing documents


def test_cached_documents_are_looked_up_before_any_worker_and_only_the_rest_is_checked(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm run takes every unchanged document's result in the run's own process (no worker
    started, nothing pickled): only an edited one reaches the per-document stage, and each
    lookup is counted once."""
    from validators import pipeline

    first, _ = run_once(project)
    checked: list[str] = []
    process_document = pipeline.process_document

    def recording(corpus_file: Any, task: Any) -> Any:
        checked.append(corpus_file.path)
        return process_document(corpus_file, task)

    monkeypatch.setattr(pipeline, "process_document", recording)
    second, cache = run_once(project)
    assert second == first and checked == []
    assert (cache.hits, cache.misses, cache.stores) == (6, 0, 0)
    (project / "corpus" / "broken.txt").write_text(BROKEN + "又一行。\n", encoding="utf-8")
    third, cache = run_once(project)
    assert checked == ["corpus/broken.txt"]
    assert (cache.hits, cache.misses, cache.stores) == (5, 1, 1)
    assert [f for f in third if f["path"] != "corpus/broken.txt"] == \
        [f for f in first if f["path"] != "corpus/broken.txt"]


def test_an_edited_document_misses_and_the_others_hit(project: Path) -> None:
    run_once(project)
    (project / "corpus" / "broken.txt").write_text(BROKEN.replace("<cand>但", "<cand>但</cand>"),
                                                    encoding="utf-8")
    findings, cache = run_once(project)
    assert (cache.hits, cache.misses) == (5, 1)
    assert not any(f["rule"] == "TAG001" for f in findings)


@pytest.mark.parametrize("change", [
    "options: {sentence_end: '。！？!?；'}\n",                          # a global option
    "rules: {LEX001: {options: {lexicon: connectives.yaml}}}\n",       # a rule option
    "rules: {LEX001: error}\n",                                        # a severity
    "rules: {TAG008: off}\n",                                          # a rule switched off
])
def test_changing_the_rule_set_invalidates_the_cache(project: Path, change: str) -> None:
    before, _ = run_once(project)
    after, cache = run_once(project, change)
    assert cache.hits == 0 and cache.misses == 6
    if "LEX001" in change:
        assert before != after  # and the findings do change


def test_changing_a_lexicon_file_s_contents_invalidates_the_cache(project: Path) -> None:
    option = "rules: {LEX001: {options: {lexicon: connectives.yaml}}}\n"
    from validators.lexicons import load_lexicon

    def lex001(findings: list[dict]) -> list[dict]:
        return [f for f in findings if f["rule"] == "LEX001" and f["path"] == "corpus/broken.txt"]

    before, _ = run_once(project, option)
    assert lex001(before) == []  # 大模型 is in this lexicon
    _, cache = run_once(project, option)
    assert cache.hits == 6
    (project / "connectives.yaml").write_text("entries: [但, 但是]\n", encoding="utf-8")
    load_lexicon.cache_clear()  # a new process reads the file anew; this test runs in one
    after, cache = run_once(project, option)
    assert cache.hits == 0
    assert [f["line"] for f in lex001(after)] == [3]


def test_the_fingerprint_covers_tool_version_and_settings(project: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = build_ruleset(load_config(configure(project)))
    base = ruleset_fingerprint(ruleset)
    assert ruleset_fingerprint(build_ruleset(load_config(configure(project)))) == base
    assert ruleset_fingerprint(ruleset, {"script": "traditional"}) != base
    monkeypatch.setattr("validators.cache.__version__", "99.0")
    assert ruleset_fingerprint(ruleset) != base


def test_corrupt_truncated_or_foreign_entries_are_misses(project: Path) -> None:
    run_once(project)
    entries = sorted((project / ".corpus-validate-cache").rglob("*.bin"))
    assert len(entries) == 6
    entries[0].write_bytes(entries[0].read_bytes()[:-7])          # truncated
    entries[1].write_bytes(b"")                                    # empty
    data = bytearray(entries[2].read_bytes())
    data[60] ^= 0xFF
    entries[2].write_bytes(bytes(data))                            # a flipped bit in its head
    entries[3].write_bytes(entries[4].read_bytes())                # another document's entry
    findings, cache = run_once(project)
    assert (cache.hits, cache.misses, cache.errors) == (2, 4, 4)
    assert findings == run_once(project)[0]                        # rewritten, all hits again
    assert run_once(project)[1].hits == 6


def test_same_content_under_another_path_gets_its_own_path(project: Path) -> None:
    run_once(project)
    (project / "corpus" / "renamed.txt").write_bytes((project / "corpus" / "broken.txt")
                                                     .read_bytes())
    findings, cache = run_once(project)
    assert cache.misses == 1
    tag001 = sorted(f["path"] for f in findings if f["rule"] == "TAG001")
    assert tag001 == ["corpus/broken.txt", "corpus/renamed.txt"]


def test_unreadable_documents_are_not_cached(project: Path) -> None:
    config = load_config(configure(project))
    ruleset = build_ruleset(config)
    cache = open_cache(config, ruleset)
    assert cache is not None
    assert cache.key(load("gone.txt", str(project / "gone.txt"))) is None
    assert cache.key(load("corpus/broken.txt", str(project / "corpus" / "broken.txt")))


def test_concurrent_writers_and_readers_never_see_a_partial_entry(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", "f" * 32)
    key = "ab" * 20
    results = [DocumentResult("a.txt", [], {"n": i, "pad": "x" * 50_000}) for i in range(20)]
    seen: list[object] = []
    stop = threading.Event()

    def writer(offset: int) -> None:
        writer_cache = ResultCache(tmp_path / "cache", "f" * 32)
        for result in results[offset::2]:
            writer_cache.store(key, result)

    def reader() -> None:
        reader_cache = ResultCache(tmp_path / "cache", "f" * 32)
        while not stop.is_set():
            seen.append(reader_cache.lookup(key))

    threads = [threading.Thread(target=reader)] + [threading.Thread(target=writer, args=(i,))
                                                   for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    stop.set()
    threads[0].join()
    assert cache.lookup(key) in results
    for value in seen:  # a miss before the first write, else one complete result
        assert value is None or value in results


def test_two_cli_runs_can_share_one_cache(project: Path) -> None:
    configure(project)
    command = [sys.executable, "-m", "validators", "check", "--format", "json"]
    procs = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [1, 1], [err for _, err in outputs]
    first, second = (json.loads(out)["findings"] for out, _ in outputs)
    assert first == second
    assert len(list((project / ".corpus-validate-cache").rglob("*.bin"))) == 6
    third = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)
    assert json.loads(third.stdout)["findings"] == first


def test_no_cache_and_cache_dir_options(project: Path) -> None:
    configure(project, "cache_dir: build/cv-cache\n")
    command = [sys.executable, "-m", "validators", "check"]
    proc = subprocess.run([*command, "--no-cache"], cwd=project, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert not (project / "build").exists() and not (project / ".corpus-validate-cache").exists()
    subprocess.run(command, cwd=project, capture_output=True, timeout=600)
    assert len(list((project / "build" / "cv-cache").rglob("*.bin"))) == 6
    subprocess.run([*command, "--cache-dir", "elsewhere"], cwd=project, capture_output=True,
                   timeout=600)
    assert len(list((project / "elsewhere").rglob("*.bin"))) == 6


# --- the corpus-wide stage (issue 14) ------------------------------------------------------------

def duplicate_docs() -> dict[str, bytes]:
    """Six line-shuffled copies of one text (one DUP002 group) and an exact copy (DUP001)."""
    import random

    lines = [line for f in sorted(SAMPLE.glob("*.txt")) for line in
             f.read_text(encoding="utf-8").splitlines() if len(line) >= 30][:6]
    rng = random.Random(14)
    docs = {}
    for i in range(6):
        rng.shuffle(lines)
        docs[f"dup/{i}.txt"] = ("\n".join(lines) + "\n").encode("utf-8")
    docs["dup/copy.txt"] = docs["dup/0.txt"]
    return docs


def corpus_stage(docs: dict[str, bytes]) -> tuple[list[tuple[str, str]], Any]:
    """(path, content hash) of every document and the corpus stage of the duplicate rules over
    what they collected, counting its runs."""
    from validators.engine import check_document, finish_corpus
    from validators.load import decode
    from validators.rules import RuleSet, load_rule_file

    ruleset = RuleSet({r.id: r for r in load_rule_file(SAMPLE.parent / "rules" / "duplicates.yaml")})
    results = [check_document(decode(path, data), ruleset) for path, data in sorted(docs.items())]
    runs: list[object] = []

    def finish(focus: set[str] | None) -> list[Finding]:
        runs.append(focus)
        return finish_corpus(ruleset, results, focus)

    finish.runs = runs  # type: ignore[attr-defined]
    finish.rule_ids = [r.id for r in ruleset.corpus_rules()]  # type: ignore[attr-defined]
    return [(r.path, r.stats["sha256"]) for r in results], finish


def test_an_unchanged_corpus_is_served_without_any_duplicate_verification(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from validators.checks import _dedup as dedup

    cache = ResultCache(tmp_path / "cache", "f" * 32, secret=b"k" * 32)
    documents, finish = corpus_stage(duplicate_docs())
    first = cached_corpus_findings(cache, finish.rule_ids, documents, None, finish)
    assert {f.rule for f in first} == {"DUP001", "DUP002"} and finish.runs == [None]
    assert (cache.corpus_hits, cache.corpus_misses, cache.corpus_stores) == (0, 1, 1)
    assert cache.stores == 0  # the documents' counts are theirs

    def no_verification(*args: object) -> object:
        raise AssertionError("duplicates verified on a warm run")

    monkeypatch.setattr(dedup, "component_matches", no_verification)
    warm = ResultCache(tmp_path / "cache", "f" * 32, secret=b"k" * 32)  # the next run
    second = cached_corpus_findings(warm, finish.rule_ids, documents, None, finish)
    assert finish.runs == [None] and warm.corpus_hits == 1
    assert [f.as_dict() for f in second] == [f.as_dict() for f in first]
    # the duplicate groups come back too, one object per group
    assert [f.group for f in second] == [f.group for f in first]
    near = [f for f in second if f.rule == "DUP002"]
    assert len(near) == 7 and len({id(f.group) for f in near}) == 1
    assert near[0].group is not None and len(near[0].group.members) == 7


def test_a_focused_run_keeps_the_cached_findings_of_its_documents(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", "f" * 32, secret=b"k" * 32)
    documents, finish = corpus_stage(duplicate_docs())
    focus = {"dup/1.txt", "dup/copy.txt"}
    # the focused corpus stage itself, in report order (the order an entry keeps findings in)
    expected = sorted(corpus_stage(duplicate_docs())[1](focus), key=Finding.sort_key)
    cold = cached_corpus_findings(cache, finish.rule_ids, documents, focus, finish)
    assert finish.runs == [None] and cold == expected  # the whole corpus computed, and stored
    warm = cached_corpus_findings(cache, finish.rule_ids, documents, focus, finish)
    assert finish.runs == [None] and warm == expected
    assert {f.path for f in warm} == focus


def test_a_changed_document_or_rule_set_recomputes_the_corpus_stage(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", "f" * 32, secret=b"k" * 32)
    docs = duplicate_docs()
    documents, finish = corpus_stage(docs)
    cached_corpus_findings(cache, finish.rule_ids, documents, None, finish)
    docs["dup/2.txt"] = docs["dup/2.txt"].replace("。".encode(), "，".encode(), 1)
    changed, finish2 = corpus_stage(docs)
    cached_corpus_findings(cache, finish2.rule_ids, changed, None, finish2)
    assert finish2.runs == [None] and cache.corpus_misses == 2
    renamed = [("dup/renamed.txt" if p == "dup/2.txt" else p, h) for p, h in changed]
    cached_corpus_findings(cache, finish2.rule_ids, renamed, None, finish2)
    assert len(finish2.runs) == 2
    other_rules = ResultCache(tmp_path / "cache", "e" * 32, secret=b"k" * 32)
    cached_corpus_findings(other_rules, finish2.rule_ids, renamed, None, finish2)
    assert len(finish2.runs) == 3 and other_rules.corpus_misses == 1
    # one entry per rule set, replaced when the corpus changes: entries do not pile up
    assert len(list((tmp_path / "cache").rglob("*.corpus"))) == 2


def test_a_corrupt_or_foreign_corpus_entry_is_a_miss(tmp_path: Path) -> None:
    documents, finish = corpus_stage(duplicate_docs())
    cache = ResultCache(tmp_path / "cache", "f" * 32, secret=b"k" * 32)
    expected = cached_corpus_findings(cache, finish.rule_ids, documents, None, finish)
    (entry,) = (tmp_path / "cache").rglob("*.corpus")
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert cached_corpus_findings(cache, finish.rule_ids, documents, None, finish) == expected
    assert len(finish.runs) == 2
    foreign = ResultCache(tmp_path / "cache", "f" * 32, secret=b"x" * 32)  # another user's key
    assert cached_corpus_findings(foreign, finish.rule_ids, documents, None, finish) == expected
    assert len(finish.runs) == 3 and foreign.corpus_hits == 0


def test_without_a_cache_or_corpus_rules_the_stage_just_runs(tmp_path: Path) -> None:
    documents, finish = corpus_stage(duplicate_docs())
    assert cached_corpus_findings(None, finish.rule_ids, documents, {"dup/1.txt"}, finish)
    cache = ResultCache(tmp_path / "cache", "f" * 32, secret=b"k" * 32)
    assert cached_corpus_findings(cache, [], documents, None, lambda focus: []) == []
    assert finish.runs == [{"dup/1.txt"}] and cache.corpus_stores == 0


def test_an_unchanged_corpus_takes_its_connective_counts_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CON001's per-connective table (the JSON summary's ``connectives``) is kept beside the
    corpus-wide findings: a warm run over an unchanged corpus does not search the corpus for it
    again; a changed document makes it counted anew."""
    import shutil

    from conftest import run_cli

    from validators.checks import untagged_connective

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    args = ("check", str(corpus), "--format", "json", "--jobs", "1", "--fail-on", "never",
            "--cache-dir", str(tmp_path / "cache"))
    cold = run_cli(*args)
    assert cold.returncode == 0, cold.stderr
    table = json.loads(cold.stdout)["summary"]["connectives"]
    assert table and all(row["tagged"] for row in table)
    counted = []
    original = untagged_connective.connective_rows

    def counting(*a: Any, **k: Any) -> Any:
        counted.append(1)
        return original(*a, **k)

    monkeypatch.setattr(untagged_connective, "connective_rows", counting)
    warm = run_cli(*args)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout == cold.stdout and not counted
    first = sorted(corpus.glob("*.txt"))[0]
    first.write_text(first.read_text("utf-8") + "\n<cand>但</cand>这是新的一行。\n", "utf-8")
    changed = run_cli(*args)
    assert changed.returncode == 0, changed.stderr
    assert counted == [1]
    new_table = {row["form"]: row["tagged"] for row in json.loads(changed.stdout)["summary"]["connectives"]}
    assert new_table["但"] == {row["form"]: row["tagged"] for row in table}["但"] + 1


def test_a_corpus_entry_gives_each_finding_its_own_group_whatever_order_they_came_in() -> None:
    """An entry keeps a result's findings in report order; the groups are named by position, so
    they are numbered in that order too (findings given in another order kept their groups)."""
    from validators.cache import pack_corpus, pack_result, unpack_corpus, unpack_result
    from validators.findings import DuplicateGroup

    first, second = DuplicateGroup(("a.txt", "b.txt")), DuplicateGroup(("c.txt", "d.txt"))
    found = [Finding("DUP001", "duplicate-document", "DUP", "warning", path, 1, 1, 1, 2, "m",
                     group=group)
             for path, group in (("d.txt", second), ("a.txt", first), ("c.txt", second), ("b.txt", first))]
    back = unpack_corpus(unpack_result(pack_result(pack_corpus("k", found))), "k")
    assert back is not None
    assert [(f.path, f.group) for f in back] == [("a.txt", first), ("b.txt", first),
                                                 ("c.txt", second), ("d.txt", second)]
