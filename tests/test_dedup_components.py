"""Near-linear duplicate clustering (issue 14): exact overlaps of many sets at once
(validators.checks._dedup.Overlaps), each candidate component scored as the pair-by-pair verification
scored it (validators.checks._dedup.component_matches), one finding per document with a few ``related``
group mates and the whole group on the hit, and no pair ever verified one at a time.
"""

from __future__ import annotations

import collections
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


@pytest.mark.parametrize("scoring", ["pairs", "matrix", "too many candidates to list"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(texts=families(), containment=st.sampled_from([0.0, 0.8]), threshold=st.sampled_from([0.5, 0.8]))
def test_a_component_scores_as_pair_by_pair_verification(texts: list[str], containment: float,
                                                          threshold: float, scoring: str,
                                                          small_blocks: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Pair by pair (few pairs per document), as a matrix (a dense group), and as a matrix when
    the candidates are too many to list: each gives what verifying every candidate gave."""
    monkeypatch.setattr(dedup, "SPARSE", 0 if scoring != "pairs" else 10**9)
    monkeypatch.setattr(dedup, "PAIR_LIMIT", -1 if scoring == "too many candidates to list" else 1 << 22)
    monkeypatch.setattr(dedup, "BIG_BUCKET", 4 if scoring == "matrix" else 32)
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


def test_a_dense_group_is_never_verified_pair_by_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """A group of near-identical documents is scored together (Overlaps), not by
    ``np.intersect1d`` per pair (its pairs grow with the square of the group)."""
    def no_pairwise(*args: Any) -> Any:
        raise AssertionError("a pair verified on its own")

    monkeypatch.setattr(dedup, "jaccard", no_pairwise)
    monkeypatch.setattr(dedup, "_pair_matches", no_pairwise)
    copies = 2 * dedup.SPARSE + 4  # more pairs per document than SPARSE: dense
    hits = hits_of("DUP002", large_group(copies))
    assert len(hits) == copies + 1


def chance_linked(groups: int = 6, size: int = 3, loners: int = 60) -> dict[str, str]:
    """Small groups of shuffled copies among many unrelated documents that share a sentence or
    two with one another: LSH (tuned low for containment) links most of them into one candidate
    component, as in a corpus whose documents reuse a few sentences."""
    rng = random.Random(7)
    docs = {}
    for g in range(groups):
        lines = rng.sample(PARAGRAPHS, 6)
        for i in range(size):
            rng.shuffle(lines)
            docs[f"g{g}/{i}.txt"] = "\n".join(lines) + "\n"
    common = rng.sample(PARAGRAPHS, 4)
    for i in range(loners):
        own = [*rng.sample(PARAGRAPHS, 3), rng.choice(common)]
        docs[f"loner/{i:02d}.txt"] = "\n".join(own) + "\n"
    return docs


def test_a_component_linked_by_chance_splits_into_its_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """The candidate component falls apart, from the signatures alone, into the components of
    its plausible pairs; each is verified pair by pair (no matrix of the whole component), and
    the findings are those of scoring the whole candidate component as one matrix."""
    docs = chance_linked()
    with monkeypatch.context() as unlisted:  # no pair listed: the candidate component is one matrix
        unlisted.setattr(dedup, "PAIR_LIMIT", -1)
        whole = hits_of("DUP002", docs)
    scored: list[int] = []
    matches = dedup.component_matches

    def counting(paths: list[str], *args: Any) -> Any:
        scored.append(len(paths))
        return matches(paths, *args)

    def no_matrix(*args: Any) -> Any:
        raise AssertionError("a sparse component scored as a matrix")

    rule = rules()["DUP002"]
    collected = {p: rule.check.collect(decode(p, t.encode("utf-8")), rule.options) for p, t in docs.items()}
    candidate_sizes = sorted(collections.Counter(dedup.candidate_components(
        links_of(collected, rule.options)).values()).values())
    assert candidate_sizes[-1] > 30  # the chance links made one large candidate component
    monkeypatch.setattr(dedup, "component_matches", counting)
    monkeypatch.setattr(dedup, "_matrix_matches", no_matrix)
    split = list(rule.check.finish(collected, rule.options))
    assert max(scored) < candidate_sizes[-1] // 2
    assert [(h.path, h.fields, h.related) for h in split] == [(h.path, h.fields, h.related) for h in whole]
    assert {h.path.split("/")[0] for h in split} == {f"g{g}" for g in range(6)}


def links_of(collected: dict[str, Any], options: Any) -> list[tuple[str, str]]:
    bands, rows = dedup.choose_bands(min(options.threshold, options.candidate_threshold), options.num_perm)
    return sorted(dedup.lsh_candidates({p: i["sig"] for p, i in collected.items() if i},
                                       options.num_perm, bands, rows))


@settings(max_examples=80, deadline=None)
@given(ids=st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=0, max_size=14),
       big=st.sampled_from([3, 5, 32]))
def test_candidates_are_the_rows_sharing_a_bucket(ids: list[list[int]], big: int) -> None:
    """Pairs of small buckets listed, each once; a bucket of ``BIG_BUCKET`` members or more kept as
    its members; together, exactly the pairs that share a bucket in some band."""
    table = np.array(ids, dtype=np.int64).reshape(len(ids), 3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dedup, "BIG_BUCKET", big)
        candidates = dedup.Candidates(table)
    assert candidates.listed
    listed = list(zip(candidates.left.tolist(), candidates.right.tolist(), strict=True))
    assert listed == sorted(set(listed))
    kept = {pair for members in candidates.together
            for pair in itertools.combinations(sorted(members.tolist()), 2)}
    for members in candidates.together:
        assert len(members) >= big
        assert any(len({ids[i][band] for i in members.tolist()}) == 1 for band in range(3))
    small = {(i, j) for i, j in itertools.combinations(range(len(ids)), 2)
             if any(ids[i][band] == ids[j][band]
                    and sum(row[band] == ids[i][band] for row in ids) < big for band in range(3))}
    assert set(listed) == small
    expected = {(i, j) for i, j in itertools.combinations(range(len(ids)), 2)
                if any(a == b for a, b in zip(ids[i], ids[j], strict=True))}
    assert set(listed) | kept == expected


def test_the_plausibility_bar_is_a_binomial_lower_quantile() -> None:
    """A pair at Jaccard t agrees on fewer values than the bar with probability < NEGLIGIBLE, and
    on fewer than the bar plus one with probability >= NEGLIGIBLE (scipy's binomial CDF)."""
    from scipy.stats import binom

    for num_perm in (16, 128, 256):
        fewest = dedup._fewest_agreements(num_perm)
        for t in (0.05, 0.1, 0.226, 0.3, 0.5, 0.667, 0.8, 0.95):
            k = int(fewest[int(t * dedup._GRID)])
            bar = int(t * dedup._GRID) / dedup._GRID
            assert k == 0 or binom.cdf(k - 1, num_perm, bar) < dedup.NEGLIGIBLE * 1.0001, (num_perm, t)
            assert binom.cdf(k, num_perm, bar) >= dedup.NEGLIGIBLE * 0.9999, (num_perm, t)


def test_a_truncated_copy_has_a_lower_bar_than_an_equal_pair() -> None:
    """Containment lowers the bar with the sizes: a copy of a third of a text (containment 1.0,
    Jaccard 1/3) stays plausible with the agreements of a Jaccard near 1/3; the same agreements
    between two texts of equal size do not reach a 0.5 threshold."""
    agreeing = np.array([20, 20])
    keep = dedup.plausible(agreeing, np.array([300, 900]), np.array([900, 900]), 128, 0.5, 0.8)
    assert keep.tolist() == [True, False]
    assert not dedup.plausible(np.array([30]), np.array([0]), np.array([900]), 128, 0.5, 0.8)[0]


@settings(max_examples=80, deadline=None)
@given(sets=set_families())
def test_shared_count_is_the_intersection_size(sets: list[Any]) -> None:
    for a, b in itertools.product(sets, repeat=2):
        assert dedup.shared_count(a, b) == len(np.intersect1d(a, b, assume_unique=True))
