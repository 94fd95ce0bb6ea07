"""The corpus-wide stage as composable operations (validators/corpus_ops.py, executors/dask_ops.py).

Each corpus check's ``plan`` over ``LocalOps`` must give exactly what its original ``finish`` gave
(the original bodies are kept below as the reference, with datasketch's MinHashLSH for the
candidates), and ``DaskOps`` on a 2-process LocalCluster must give the same bytes as ``LocalOps``:
on the sample corpus, on a generated corpus with copies, near copies, boilerplate and the other
script, and on small random corpora.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE, corpus_generator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validators.checks import _dedup as dedup
from validators.checks import boilerplate
from validators.corpus_ops import LocalOps
from validators.engine import findings_from_hits
from validators.findings import DuplicateGroup, Hit, Related
from validators.load import decode
from validators.rules import RuleSet, load_rule_files

RULES = ("DUP001", "DUP002", "DUP004", "SCR001")


def ruleset() -> RuleSet:
    return load_rule_files(sorted((REPO / "rules").glob("*.yaml")))


def collect(docs: dict[str, bytes], rules: RuleSet) -> dict[str, dict[str, Any]]:
    """What each corpus rule collects from each document (as engine.check_document does)."""
    out: dict[str, dict[str, Any]] = {rule_id: {} for rule_id in RULES}
    for path in sorted(docs):
        doc = decode(path, docs[path])
        for rule_id in RULES:
            check = rules.rules[rule_id].check
            if check.runs_on(doc):
                out[rule_id][path] = check.collect(doc, rules.rules[rule_id].options)
    return out


def dumps(rules: RuleSet, rule_id: str, hits: Any) -> str:
    """The findings of ``hits`` as JSON (every field, in order): what "byte-identical" compares."""
    findings = findings_from_hits(rules.rules[rule_id], None, list(hits), "", Counter())
    return json.dumps([dataclasses.asdict(f) for f in findings], ensure_ascii=False, sort_keys=True)


def planned(rules: RuleSet, ops: Any, rule_id: str, focus: set[str] | None = None) -> str:
    rule = rules.rules[rule_id]
    return dumps(rules, rule_id, rule.check.plan(ops, ops.items(rule_id), rule.options, focus))


# --- the original finish() bodies (the reference) ---------------------------------------------

def original_lsh_candidates(signatures: dict[str, Any], num_perm: int, bands: int,
                            rows: int) -> set[tuple[str, str]]:
    import xxhash
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows), hashfunc=xxhash.xxh3_64_digest)
    permutations = dedup._minhash_template(num_perm).permutations
    minhashes = {key: MinHash(num_perm=num_perm, seed=dedup.MINHASH_SEED, hashvalues=sig,
                              permutations=permutations, **dedup._scheme_kwargs())
                 for key, sig in sorted(signatures.items())}
    with lsh.insertion_session() as session:
        for key, m in minhashes.items():
            session.insert(key, m, check_duplication=False)
    pairs: set[tuple[str, str]] = set()
    for key, m in minhashes.items():
        for other in lsh.query(m):
            if other != key:
                pairs.add((key, other) if key < other else (other, key))
    return pairs


def original_duplicates(collected: dict[str, Any], options: Any,
                        focus: set[str] | None) -> Iterator[Hit]:
    by_hash: dict[str, list[str]] = {}
    for path, item in sorted(collected.items()):
        if item:
            by_hash.setdefault(item["hash"], []).append(path)
    for members in sorted(g for g in by_hash.values() if len(g) > 1):
        group = DuplicateGroup(tuple(members))  # issue 14: the whole group, listed once
        for path in dedup.in_focus(members, focus):
            others = [p for p in members if p != path]
            item = collected[path]
            yield Hit(item["line"], 1, item["line"], item["end"],
                      {"others": dedup.describe_others(others), "count": len(members),
                       "similarity": "1.00", "text": item["hash"]},
                      # issue 14: at most max_related copies (the whole group is in the summary)
                      related=tuple(Related(p, collected[p]["line"])
                                    for p in others[:options.max_related]),
                      evidence="\0".join(others), path=path, group=group)


def original_verification(candidates: set[tuple[str, str]], grams: Callable[[str], Any],
                          options: Any) -> Iterator[tuple[str, str, float, str]]:
    """Every candidate pair verified on its own by exact Jaccard (or containment), in sorted order:
    (a, b, similarity, measure) of those that pass."""
    for a, b in sorted(candidates):
        jac, contained = dedup.jaccard(grams(a), grams(b))
        if jac >= options.threshold:
            yield a, b, jac, "Jaccard"
        elif options.containment > 0 and contained >= options.containment:
            yield a, b, contained, "containment"


def original_near(collected: dict[str, Any], options: Any,
                  focus: set[str] | None) -> Iterator[Hit]:
    import numpy as np

    items = {path: item for path, item in collected.items() if item}
    copies: dict[str, list[str]] = {}
    for path in sorted(items):
        copies.setdefault(items[path]["hash"], []).append(path)
    reps = {members[0]: members for members in copies.values()}
    if len(reps) < 2:
        return
    num_perm = options.num_perm
    lsh = min(options.threshold, options.candidate_threshold) if options.containment > 0 \
        else float(options.threshold)
    bands, rows = dedup.choose_bands(lsh, num_perm)
    signatures = {p: np.frombuffer(items[p]["sig"], dtype=np.uint64) for p in reps}
    candidates = original_lsh_candidates(signatures, num_perm, bands, rows)
    best: dict[str, tuple[float, str, str]] = {}
    pairs = []
    for a, b, similarity, measure in original_verification(
            candidates, lambda p: np.frombuffer(items[p]["ngrams"], dtype=np.uint32), options):
        pairs.append((a, b))
        pairs.extend((rep, member) for rep in (a, b) for member in reps[rep][1:])
        for x, y in ((a, b), (b, a)):
            for member in reps[x]:
                if member not in best or similarity > best[member][0]:
                    best[member] = (similarity, measure, y)
    for group in dedup.groups_of(pairs):
        # issue 14: the whole group with each member's closest match, listed once
        listed = DuplicateGroup(tuple(group), tuple(
            (best[p][2], f"{dedup.round_down(best[p][0]):.2f}", best[p][1]) for p in group))
        for path in dedup.in_focus(group, focus):
            others = [p for p in group if items[p]["hash"] != items[path]["hash"]]
            if not others or path not in best:
                continue
            similarity, measure, closest = best[path]
            item = items[path]
            yield Hit(item["line"], 1, item["line"], item["end"],
                      {"others": dedup.describe_others(others), "count": len(group),
                       "similarity": f"{dedup.round_down(similarity):.2f}",
                       "measure": measure, "text": closest,
                       "closest": f" with {closest}" if len(others) > 1 else ""},
                      # issue 14: the first max_related group mates in path order, the closest
                      # among them (in place of the last); the whole group is in the summary
                      related=tuple(Related(p, items[p]["line"]) for p in capped(
                          others, closest, options.max_related)),
                      evidence="\0".join(others), path=path, group=listed)


def capped(others: list[str], closest: str, limit: int) -> list[str]:
    if closest in others[:limit]:
        return others[:limit]
    return sorted([*others[:limit - 1], closest])


def original_boilerplate(collected: dict[str, Any], options: Any,
                         focus: set[str] | None) -> Iterator[Hit]:
    where: dict[int, list[tuple[str, int]]] = {}
    contents: dict[int, set[str]] = {}
    prose: dict[int, bool] = {}  # every occurrence reads as language (issue 15)
    for path, item in sorted(collected.items()):
        if not item:
            continue
        language = set(boilerplate._unpacked("Q", item["language"]))
        for h, number, _, _ in boilerplate.item_lines(item):
            where.setdefault(h, []).append((path, number))
            contents.setdefault(h, set()).add(item["doc"])
            prose[h] = prose.get(h, True) and h in language
    recurring = {h for h, docs in contents.items() if len(docs) >= options.min_count
                 and not prose[h]}
    if not recurring:
        return
    for path in dedup.in_focus(sorted(p for p, i in collected.items() if i), focus):
        item = collected[path]
        lines = boilerplate.item_lines(item)
        mine = [line for line in lines if line[0] in recurring]
        if not mine or len(mine) > options.max_share * len(lines):
            continue
        for h, number, end, snippet in sorted(mine, key=lambda x: x[1]):
            others = [(p, n) for p, n in where[h] if p != path]
            yield Hit(number, 1, number, end,
                      {"count": len(contents[h]), "others": dedup.describe_others([p for p, _ in others]),
                       "text": snippet},
                      related=tuple(Related(p, n) for p, n in others[:10]),
                      evidence=f"{h:016x}", path=path)


def original_script(collected: dict[str, Any], options: Any,
                    focus: set[str] | None) -> Iterator[Hit]:
    from validators.checks.script_policy import LABEL
    from validators.script_sets import conversion_hint, name_chars

    expected = options.script
    if expected == "auto":
        ranked = Counter(c["script"] for c in collected.values()
                         if c["script"] in ("simplified", "traditional")).most_common()
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            return
        expected = ranked[0][0]
    other = "traditional" if expected == "simplified" else "simplified"
    for path in sorted(collected):
        if focus is not None and path not in focus:
            continue
        info = collected[path]
        if info["script"] not in (other, "mixed") or other not in info["first"]:
            continue
        line, col, sample = info["first"][other]
        chars = "".join(c * n for c, n in info[other].items())
        hint = conversion_hint(sample, expected)
        s_count, t_count = info["counts"]
        yield Hit(line, col, line, col + 1,
                  {"text": chars[:1], "chars": name_chars(chars),
                   "script": LABEL[info["script"]], "expected": LABEL[expected],
                   "count": t_count if other == "traditional" else s_count,
                   "detail": f"{s_count} Simplified-only, {t_count} Traditional-only characters",
                   "hint": (f" (OpenCC {'t2s' if expected == 'simplified' else 's2t'}: "
                            f"{hint})") if hint else ""},
                  evidence=info["script"], path=path)


ORIGINAL = {"DUP001": original_duplicates, "DUP002": original_near, "DUP004": original_boilerplate,
            "SCR001": original_script}


def original(rules: RuleSet, collected: dict[str, dict[str, Any]], rule_id: str,
             focus: set[str] | None = None) -> str:
    return dumps(rules, rule_id, ORIGINAL[rule_id](collected[rule_id], rules.rules[rule_id].options, focus))


# --- corpora ------------------------------------------------------------------------------------



def read_corpus(root: Path) -> dict[str, bytes]:
    return {f.relative_to(root).as_posix(): f.read_bytes() for f in sorted(root.rglob("*.txt"))}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return ruleset()


def heavy_corpus() -> dict[str, bytes]:
    """Duplicate-heavy (issue 14): three texts of sample paragraphs, each copied 9-14 times with
    its lines shuffled (some truncated: containment), exact copies of some copies, and a few
    unrelated texts: groups larger than a finding lists."""
    rng = random.Random(14)
    docs: dict[str, str] = {}
    for g in range(3):
        lines = rng.sample(PARAGRAPHS, 8)
        for i in range(rng.randint(9, 14)):
            shuffled = list(lines)
            rng.shuffle(shuffled)
            if i % 5 == 4:
                shuffled = shuffled[:3]
            docs[f"g{g}/{i:02d}.txt"] = "\n".join(shuffled) + "\n"
        docs[f"g{g}/copy.txt"] = docs[f"g{g}/03.txt"]
    for i in range(4):
        docs[f"other/{i}.txt"] = "\n".join(rng.sample(PARAGRAPHS, 4)) + "\n"
    return {path: text.encode("utf-8") for path, text in docs.items()}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory, rules: RuleSet) -> dict[str, dict[str, Any]]:
    """The sample corpus, ~1.2 MB of generated corpus with exact and near duplicates, and a small
    duplicate-heavy corpus."""
    out = tmp_path_factory.mktemp("generated")
    corpus_generator().generate(out, size_mb=1.2, seed=8, mean_kb=5.0, large_every_mb=0)
    return {"sample": collect(read_corpus(SAMPLE), rules), "generated": collect(read_corpus(out), rules),
            "heavy": collect(heavy_corpus(), rules)}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def dask_ops(client: Any, collected: dict[str, dict[str, Any]], npartitions: int = 5) -> Any:
    from validators.executors.dask_ops import DaskOps

    return DaskOps.from_collected(client, collected, npartitions)


# --- tests --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sample", "generated", "heavy"])
def test_local_plan_gives_what_the_original_finish_gave(corpora: dict, rules: RuleSet, name: str) -> None:
    collected = corpora[name]
    ops = LocalOps(collected)
    for rule_id in RULES:
        assert planned(rules, ops, rule_id) == original(rules, collected, rule_id), rule_id
        # finish() is plan() over LocalOps: check_example, CheckType.check and the engine keep working
        check = rules.rules[rule_id].check
        assert dumps(rules, rule_id, check.finish(collected[rule_id], rules.rules[rule_id].options)) \
            == original(rules, collected, rule_id)


def test_every_corpus_rule_has_findings_on_the_generated_corpus(corpora: dict, rules: RuleSet) -> None:
    ops = LocalOps(corpora["generated"])
    for rule_id in RULES:
        assert json.loads(planned(rules, ops, rule_id)), f"{rule_id} found nothing: the comparison is vacuous"


def test_local_plan_with_a_focus_gives_what_the_original_gave(corpora: dict, rules: RuleSet) -> None:
    collected = corpora["generated"]
    found = {f["path"] for rule_id in RULES for f in json.loads(original(rules, collected, rule_id))}
    focus = set(sorted(found)[::3]) | {"part-000/no-such-file.txt"}
    ops = LocalOps(collected)
    for rule_id in RULES:
        assert planned(rules, ops, rule_id, focus) == original(rules, collected, rule_id, focus), rule_id


def test_the_heavy_corpus_has_groups_larger_than_a_finding_lists(corpora: dict, rules: RuleSet) -> None:
    """Not vacuous: the cap on ``related`` and the one-component scoring are exercised."""
    found = json.loads(planned(rules, LocalOps(corpora["heavy"]), "DUP002"))
    limit = rules.rules["DUP002"].options.max_related
    assert len(found) >= 27 and all(len(f["related"]) == limit for f in found)
    assert any("containment" in f["message"] for f in found)


def test_a_focused_plan_is_the_whole_plan_filtered_by_path(corpora: dict, rules: RuleSet) -> None:
    """The contract the corpus-wide cache relies on (corpus_ops): every corpus rule of the default
    rule set reports a focused run exactly as its unfocused run, on the focused paths only."""
    docs = {**heavy_corpus(), **read_corpus(SAMPLE)}
    corpus_rules = [rule for rule in rules.corpus_rules()]
    assert {"DUP001", "DUP002", "DUP004", "SCR001"} <= {rule.id for rule in corpus_rules}
    collected: dict[str, dict[str, Any]] = {rule.id: {} for rule in corpus_rules}
    for path in sorted(docs):
        doc = decode(path, docs[path])
        for rule in corpus_rules:
            collected[rule.id][path] = rule.check.collect(doc, rule.options)
    ops = LocalOps(collected)
    focus = set(sorted(docs)[::3])
    for rule in corpus_rules:
        whole = json.loads(planned(rules, ops, rule.id))
        assert json.loads(planned(rules, ops, rule.id, focus)) == [f for f in whole if f["path"] in focus], rule.id


def test_band_buckets_give_datasketch_candidates(corpora: dict, rules: RuleSet) -> None:
    import numpy as np

    items = {p: i for p, i in corpora["generated"]["DUP002"].items() if i}
    signatures = {p: np.frombuffer(i["sig"], dtype=np.uint64) for p, i in items.items()}
    for threshold in (0.3, 0.5, 0.8):
        bands, rows = dedup.choose_bands(threshold, 128)
        expected = original_lsh_candidates(signatures, 128, bands, rows)
        assert expected, threshold
        assert dedup.lsh_candidates(signatures, 128, bands, rows) == expected, threshold


def test_describe_others_counted_equals_describe_others() -> None:
    others = [f"d{i}.txt" for i in range(7)]
    for n in range(len(others) + 1):
        assert dedup.describe_others_counted(others[:n][:4], n) == dedup.describe_others(others[:n])
    assert dedup.describe_others_counted(others[:4], 7) == "d0.txt, d1.txt, d2.txt and 4 more"


@pytest.mark.parametrize("name", ["sample", "generated", "heavy"])
def test_dask_plan_gives_the_same_bytes_as_the_local_plan(client: Any, corpora: dict, rules: RuleSet,
                                                          name: str) -> None:
    collected = corpora[name]
    local, dask = LocalOps(collected), dask_ops(client, collected)
    for rule_id in RULES:
        assert planned(rules, dask, rule_id) == planned(rules, local, rule_id), rule_id
    if name == "sample":
        return
    focus = set(sorted(collected["DUP001"])[::4])
    for rule_id in RULES:
        assert planned(rules, dask, rule_id, focus) == planned(rules, local, rule_id, focus), rule_id


def test_dask_groups_spread_over_partitions(client: Any, corpora: dict) -> None:
    """A group is a shuffle into many partitions, not one partition holding every key."""
    ops = dask_ops(client, corpora["generated"], npartitions=6)
    grouped = ops.group(ops.flat_map(ops.items("DUP004"), _line_keys))
    sizes = client.compute(grouped.map_partitions(lambda part: [len(list(part))])).result()
    assert sum(1 for s in sizes if s) >= 3 and max(sizes) < sum(sizes) / 2, sizes
    keys = [k for k, _ in ops.gather(grouped)]
    assert len(keys) == len(set(keys))


def _line_keys(entry: tuple[str, Any]) -> list[tuple[int, str]]:
    return [(h, entry[0]) for h, *_ in boilerplate.item_lines(entry[1])]


def _paragraphs() -> list[str]:
    lines = [line.strip() for f in sorted(SAMPLE.glob("*.txt"))
             for line in f.read_text("utf-8").splitlines() if len(line.strip()) >= 20]
    return lines


PARAGRAPHS = _paragraphs()
FOOTER = "（来源：网络转载，如有侵权请联系删除）"


@st.composite
def small_corpora(draw: st.DrawFn) -> dict[str, bytes]:
    """A few documents of sample paragraphs, with exact copies, copies in Traditional, copies
    missing a paragraph and a shared footer line."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    docs: dict[str, str] = {}
    for i in range(draw(st.integers(2, 6))):
        docs[f"d{i}.txt"] = "\n".join(rng.sample(PARAGRAPHS, rng.randint(2, 6))) + "\n"
    for path, text in list(docs.items()):
        kind = draw(st.sampled_from(["none", "exact", "traditional", "minus", "footer"]))
        lines = text.splitlines()
        if kind == "exact":
            docs["x" + path] = text
        elif kind == "traditional":
            docs["t" + path] = str(dedup._opencc("s2t").convert(text))
        elif kind == "minus" and len(lines) > 2:
            docs["m" + path] = "\n".join(lines[:-1]) + "\n"
        elif kind == "footer":
            docs[path] = text + FOOTER + "\n"
    return {path: text.encode("utf-8") for path, text in docs.items()}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=small_corpora())
def test_random_corpora_give_the_same_findings_everywhere(client: Any, rules: RuleSet,
                                                          docs: dict[str, bytes]) -> None:
    collected = collect(docs, rules)
    local, dask = LocalOps(collected), dask_ops(client, collected, npartitions=3)
    for rule_id in RULES:
        expected = original(rules, collected, rule_id)
        assert planned(rules, local, rule_id) == expected, rule_id
        assert planned(rules, dask, rule_id) == expected, rule_id


def test_local_data_sets_are_made_as_they_are_read_and_read_again_the_same() -> None:
    """LocalOps.flat_map and items make their elements as a step reads them (a group never sits
    beside the whole mapped list), and a data set read twice gives the same elements."""
    calls: list[str] = []

    def lines(entry: tuple[str, Any]) -> list[tuple[int, str]]:
        calls.append(entry[0])
        return [(h, entry[0]) for h in entry[1]["hashes"]]

    ops = LocalOps.of({"b.txt": {"hashes": [1, 2]}, "a.txt": {"hashes": [2]}, "c.txt": None})
    mapped = ops.flat_map(ops.items(""), lines)
    assert calls == []
    assert dict(ops.group(mapped)) == {2: ["a.txt", "b.txt"], 1: ["b.txt"]}
    assert calls == ["a.txt", "b.txt"]  # path order; a falsy item is not an element
    assert list(mapped) == [(2, "a.txt"), (1, "b.txt"), (2, "b.txt")] == list(mapped)
    assert ops.count(mapped) == 3 and ops.count(ops.items("")) == 2
    calls.clear()
    assert ops.gather(mapped) == [(2, "a.txt"), (1, "b.txt"), (2, "b.txt")]
    assert calls == ["a.txt", "b.txt"]  # one pass: not one more to size the list first
    calls.clear()
    assert ops.union(mapped, ops.items("")) == [(2, "a.txt"), (1, "b.txt"), (2, "b.txt"),
                                                ("a.txt", {"hashes": [2]}), ("b.txt", {"hashes": [1, 2]})]
    assert calls == ["a.txt", "b.txt"]  # and a union too


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(-3, 3)), max_size=40))
def test_local_group_gives_each_key_once_with_its_values_sorted(pairs: list[tuple[int, int]]) -> None:
    """A key with one value keeps it bare until read (most groups are singletons): read, every
    key comes once with all its values sorted, as a dict of lists would give them, and again the
    same when read twice."""
    expected: dict[int, list[int]] = {}
    for key, value in pairs:
        expected.setdefault(key, []).append(value)
    grouped = LocalOps({}).group(iter(pairs))  # one pass over its input
    assert len(grouped) == len(expected)
    assert dict(grouped) == {key: sorted(values) for key, values in expected.items()}
    assert list(grouped) == list(grouped)
