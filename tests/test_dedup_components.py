"""Near-linear duplicate clustering (issue 14): exact overlaps of many sets at once
(validators.checks._dedup.Overlaps), each candidate component scored as the pair-by-pair verification
scored it (validators.checks._dedup.component_matches), one finding per document with a few ``related``
group mates and the whole group on the hit, and no pair ever verified one at a time.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_corpus_ops import original_verification

from validators.checks import _dedup as dedup
from validators.load import decode
from validators.rules import load_rule_file

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample-corpus"


def rules() -> dict[str, Any]:
    return {r.id: r for r in load_rule_file(REPO / "rules" / "duplicates.yaml")}


def paragraphs() -> list[str]:
    return [line.strip() for f in sorted(SAMPLE.glob("*.txt"))
            for line in f.read_text("utf-8").splitlines() if len(line.strip()) >= 20]


PARAGRAPHS = paragraphs()


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of a few cells: every block boundary and chunk of the overlap count is crossed."""
    monkeypatch.setattr(dedup, "BLOCK_CELLS", 7)
    monkeypatch.setattr(dedup, "BLOCK_WORK", 5)


# --- exact overlaps -----------------------------------------------------------------------------

@st.composite
def set_families(draw: st.DrawFn) -> list[Any]:
    """Sets that share a common core (held by most of them: counted from the lacking side),
    a few values held by some, and values of their own."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    core = rng.sample(range(10_000), rng.randint(0, 60))
    shared = rng.sample(range(10_000, 20_000), rng.randint(0, 30))
    sets = []
    for _ in range(draw(st.integers(1, 12))):
        keep = [v for v in core if rng.random() < 0.9]
        some = [v for v in shared if rng.random() < 0.3]
        own = [rng.randrange(2**32) for _ in range(rng.randint(0, 8))]
        sets.append(np.unique(np.array(keep + some + own, dtype=np.uint32)))
    return sets


def overlap_matrix(sets: list[Any]) -> Any:
    overlaps = dedup.Overlaps(sets)
    blocks = list(overlaps.blocks())
    assert blocks[0][0] == 0 and blocks[-1][1] == len(sets)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(blocks))
    return np.vstack([overlaps.rows(start, stop) for start, stop in blocks])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sets=set_families())
def test_overlaps_are_the_exact_intersection_sizes(sets: list[Any], small_blocks: None) -> None:
    expected = np.array([[len(np.intersect1d(a, b, assume_unique=True)) for b in sets] for a in sets])
    assert (overlap_matrix(sets) == expected).all()


def test_overlaps_of_empty_and_identical_sets() -> None:
    same = np.array([3, 5, 9], dtype=np.uint32)
    empty = np.zeros(0, dtype=np.uint32)
    assert overlap_matrix([same, same, empty, same]).tolist() == [
        [3, 3, 0, 3], [3, 3, 0, 3], [0, 0, 0, 0], [3, 3, 0, 3]]


# --- a component scored as pair-by-pair verification scored it ----------------------------------

def reference_matches(paths: list[str], grams: list[Any], sigs: list[Any], options: Any
                      ) -> list[tuple[str, str, float, str, str]]:
    """What the plan before issue 14 computed for these documents: every LSH candidate pair
    verified with ``dedup.jaccard``, the best partner of each the first in sorted pair order with
    the highest similarity, groups by union-find over the verified pairs."""
    num_perm = options.num_perm
    lsh = min(options.threshold, options.candidate_threshold) if options.containment > 0 \
        else options.threshold
    bands, rows = dedup.choose_bands(lsh, num_perm)
    index = dict(zip(paths, range(len(paths)), strict=True))
    candidates = dedup.lsh_candidates(dict(zip(paths, sigs, strict=True)), num_perm, bands, rows)
    best: dict[str, tuple[float, str, str]] = {}
    verified = []
    for a, b, similarity, measure in original_verification(candidates, lambda p: grams[index[p]], options):
        verified.append((a, b))
        for x, y in ((a, b), (b, a)):
            if x not in best or similarity > best[x][0]:
                best[x] = (similarity, measure, y)
    group_of = {p: g[0] for g in dedup.groups_of(verified) for p in g}
    return [(p, group_of[p], *best[p]) for p in sorted(best)]


def shuffled_copies(rng: random.Random, text_lines: list[str], copies: int) -> list[str]:
    out = []
    for _ in range(copies):
        lines = list(text_lines)
        rng.shuffle(lines)
        if rng.random() < 0.3:
            lines = lines[: max(2, len(lines) * 2 // 3)]  # truncated: found by containment
        if rng.random() < 0.3:
            lines[0] = rng.choice(PARAGRAPHS)  # one paragraph replaced
        out.append("\n".join(lines) + "\n")
    return out


@st.composite
def families(draw: st.DrawFn) -> list[str]:
    """A few texts of sample paragraphs, each with line-shuffled, truncated and edited copies,
    and unrelated texts."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    texts = []
    for _ in range(draw(st.integers(1, 3))):
        lines = rng.sample(PARAGRAPHS, rng.randint(3, 7))
        texts.append("\n".join(lines) + "\n")
        texts.extend(shuffled_copies(rng, lines, draw(st.integers(1, 9))))
    texts.extend("\n".join(rng.sample(PARAGRAPHS, 3)) + "\n" for _ in range(draw(st.integers(0, 3))))
    return texts


def collected(texts: list[str], options: Any) -> tuple[list[str], list[Any], list[Any]]:
    check = rules()["DUP002"].check
    items = {f"d{i:03d}.txt": check.collect(decode(f"d{i:03d}.txt", t.encode("utf-8")), options)
             for i, t in enumerate(texts)}
    paths = sorted(p for p, item in items.items() if item)
    return (paths, [np.frombuffer(items[p]["ngrams"], dtype=np.uint32) for p in paths],
            [items[p]["sig"] for p in paths])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(texts=families(), containment=st.sampled_from([0.0, 0.8]), threshold=st.sampled_from([0.5, 0.8]))
def test_a_component_scores_as_pair_by_pair_verification(texts: list[str], containment: float,
                                                          threshold: float, small_blocks: None) -> None:
    options = dataclasses.replace(rules()["DUP002"].options, containment=containment, threshold=threshold)
    paths, grams, sigs = collected(texts, options)
    lsh = min(threshold, options.candidate_threshold) if containment > 0 else threshold
    bands, rows = dedup.choose_bands(lsh, options.num_perm)
    got = dedup.component_matches(paths, grams, sigs, options.num_perm, bands, rows, threshold,
                                  containment)
    # floats compared exactly: the same divisions of the same integers
    assert got == reference_matches(paths, grams, sigs, options)


# --- the findings of a large group --------------------------------------------------------------

def large_group(copies: int = 12) -> dict[str, str]:
    rng = random.Random(14)
    lines = rng.sample(PARAGRAPHS, 8)
    docs = {}
    for i in range(copies):
        shuffled = list(lines)
        rng.shuffle(shuffled)
        docs[f"g/{i:02d}.txt"] = "\n".join(shuffled) + "\n"
    docs["g/00-copy.txt"] = docs["g/00.txt"]  # an exact copy: DUP001, and in the DUP002 group
    docs["other.txt"] = "\n".join(rng.sample(PARAGRAPHS, 5)) + "\n"
    return docs


def hits_of(rule_id: str, docs: dict[str, str]) -> list[Any]:
    rule = rules()[rule_id]
    collected = {p: rule.check.collect(decode(p, t.encode("utf-8")), rule.options) for p, t in docs.items()}
    return list(rule.check.finish(collected, rule.options))


def test_a_large_group_lists_a_few_mates_and_the_whole_group_once() -> None:
    docs = large_group()
    hits = hits_of("DUP002", docs)
    members = tuple(sorted(p for p in docs if p.startswith("g/")))
    assert sorted(h.path for h in hits) == list(members)
    limit = rules()["DUP002"].options.max_related
    assert limit == 5
    for hit in hits:
        named = [r.path for r in hit.related]
        assert len(named) == limit and named == sorted(named)
        assert hit.fields["text"] in named  # the closest match is among them
        assert hit.group is not None and hit.group.members == members
        assert hit.fields["count"] == len(members)
    assert len({id(h.group) for h in hits}) == 1  # one group object, shared
    closest = dict(zip(members, hits[0].group.closest, strict=True))
    for hit in hits:
        assert closest[hit.path] == (hit.fields["text"], hit.fields["similarity"], hit.fields["measure"])


def test_exact_copies_list_a_few_copies_and_the_whole_group_once() -> None:
    text = "\n".join(PARAGRAPHS[:4]) + "\n"
    docs = {f"c/{i}.txt": text for i in range(9)}
    hits = hits_of("DUP001", docs)
    assert len(hits) == 9
    for hit in hits:
        assert [r.path for r in hit.related] == [p for p in sorted(docs) if p != hit.path][:5]
        assert hit.group is not None and hit.group.members == tuple(sorted(docs))
        assert hit.group.closest is None


def test_the_plan_never_verifies_a_pair_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidates are scored together (Overlaps), not by ``jaccard`` (np.intersect1d) per pair."""
    def no_pairwise(*args: Any) -> Any:
        raise AssertionError("a pair verified on its own")

    monkeypatch.setattr(dedup, "jaccard", no_pairwise)
    hits = hits_of("DUP002", large_group())
    assert len(hits) == 13
