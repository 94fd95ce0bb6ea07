"""What the corpus rules collect is kept on disk between the stages of a local run
(validators.spill): values come back equal, each document's shared parts are written once, the
file is anonymous and closed with the run's last result, and a run gives the same findings with
it as without it."""

from __future__ import annotations

import gc
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.cache import PackedCollected, pack_collected
from validators.config import Config, build_ruleset
from validators.discover import discover
from validators.run import run_check
from validators.spill import Spill, SpilledCollected

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.text(max_size=20),
                    st.floats(allow_nan=False), st.binary(max_size=40))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.lists(inner, max_size=5).map(tuple),
    st.dictionaries(st.text(max_size=8), inner, max_size=5)), max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(collected=st.dictionaries(st.sampled_from(["CON001", "DUP002", "DUP004", "SCR001"]), values,
                                 max_size=4))
def test_spilled_values_read_back_equal(collected: dict[str, Any]) -> None:
    spill = Spill()
    kept = spill.keep(collected)
    assert set(kept) == set(collected) and len(kept) == len(collected)
    for rule_id, value in collected.items():
        assert kept[rule_id] == value
        if isinstance(value, list | dict):  # decoded each time: nothing kept in memory
            assert kept[rule_id] is not kept[rule_id]
    spill.close()


def test_a_value_shared_by_rules_is_written_once_and_a_cached_entry_as_it_is() -> None:
    item = {"lines": ((1, "但是很好"),) * 50, "spans": ((1, 0, 2, "cand"),)}
    spill = Spill()
    kept = spill.keep({"CON001": item, "CON002": item, "CON003": item})
    once = spill._end
    assert once < 2 * len(repr(item).encode())
    assert [kept[r] for r in ("CON001", "CON002", "CON003")] == [item] * 3
    packed = pack_collected({"DUP002": {"ngrams": b"\x01\x02" * 100}})  # by a worker
    again = spill.keep(packed)
    assert isinstance(again, SpilledCollected) and again["DUP002"] == {"ngrams": b"\x01\x02" * 100}
    cached = PackedCollected(*packed.packed())  # as a cache entry is read: kept as it is
    assert spill.keep(cached) is cached
    assert pickle.loads(pickle.dumps(packed)).fresh and not pickle.loads(pickle.dumps(cached)).fresh


def test_values_the_packer_refuses_stay_in_memory() -> None:
    odd = {"X001": {1, 2}}  # a set: not a cache type
    assert Spill().keep(odd) is odd


def test_the_spill_file_is_anonymous_and_closed_with_the_last_result(tmp_path: Path) -> None:
    spill = Spill()
    fd = spill._file.fileno()
    assert os.fstat(fd).st_nlink == 0  # no name in any folder
    kept = spill.keep({"DUP001": {"hash": "x"}})
    assert isinstance(kept, SpilledCollected)
    with pytest.raises(TypeError):  # never sent to another process
        pickle.dumps(kept)
    del spill
    gc.collect()
    assert kept["DUP001"] == {"hash": "x"}  # the result keeps the file alive
    closer = kept._spill._closer
    del kept
    gc.collect()
    assert not closer.alive


def test_a_local_run_spills_and_finds_what_a_run_without_it_finds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from validators import pipeline

    ruleset = build_ruleset(Config())
    files = discover([str(SAMPLE)])
    spilled = run_check(files, ruleset)
    assert any(isinstance(d.collected, SpilledCollected) for d in spilled.documents)
    monkeypatch.setattr(pipeline, "spills", lambda *args: False)
    kept = run_check(files, ruleset)
    assert not any(isinstance(d.collected, SpilledCollected) for d in kept.documents)
    assert [f.as_dict() for f in spilled.findings] == [f.as_dict() for f in kept.findings]
    assert spilled.summary() == kept.summary()


def test_a_temporary_folder_that_fails_leaves_the_data_in_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while spilling, or no temporary folder at all: the run goes on with the data
    in memory, with the same findings."""
    import errno

    from validators import pipeline

    def full(self: Spill, data: bytes) -> tuple[int, int]:
        raise OSError(errno.ENOSPC, "No space left on device")

    collected = {"DUP001": {"hash": "x"}}
    with monkeypatch.context() as patch:
        patch.setattr(Spill, "_write", full)
        assert Spill().keep(collected) is collected
    ruleset = build_ruleset(Config())
    files = discover([str(SAMPLE)])
    expected = [f.as_dict() for f in run_check(files, ruleset).findings]

    def no_folder() -> Spill:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(pipeline, "Spill", no_folder)
    result = run_check(files, ruleset)
    assert not any(isinstance(d.collected, SpilledCollected) for d in result.documents)
    assert [f.as_dict() for f in result.findings] == expected



def test_a_corpus_rule_reads_each_spilled_document_as_its_plan_steps_reach_it(
        monkeypatch: pytest.MonkeyPatch, sample_copy: Path) -> None:
    """The corpus stage reads a document's part when a plan step reaches it and keeps nothing:
    DUP002's reads are whole passes over the documents in path order, one per step that reads
    its items (before, every document's part was decoded once, before the plan, and all of it
    stayed in memory while the rule ran)."""
    largest = max(sample_copy.glob("*.txt"), key=lambda p: p.stat().st_size)
    (sample_copy / "near-copy.txt").write_bytes(largest.read_bytes() + "另加一行。\n".encode())
    ruleset = build_ruleset(Config())
    files = discover([str(sample_copy)])
    reads: list[int] = []
    read = SpilledCollected.__getitem__

    def counting(self: SpilledCollected, rule_id: str) -> Any:
        if rule_id == "DUP002":
            reads.append(id(self))
        return read(self, rule_id)

    monkeypatch.setattr(SpilledCollected, "__getitem__", counting)
    result = run_check(files, ruleset)
    order = [id(d.collected) for d in sorted(result.documents, key=lambda d: d.path)
             if isinstance(d.collected, SpilledCollected) and "DUP002" in d.collected]
    assert len(order) > 2
    passes, rest = divmod(len(reads), len(order))
    assert rest == 0 and passes >= 3
    assert reads == order * passes
    assert any(f.rule == "DUP002" for f in result.findings)
