"""``near_duplicates``: documents that are mostly the same text (reposts under another headline,
lightly edited, truncated, or converted to the other script), corpus-wide.

Per document (``collect``, cacheable by content hash): the sorted set of 32-bit xxhash values of
the character n-grams of the normalised text (validators.dedup.fold) and its MinHash signature
(datasketch). Over the corpus (``plan``, see validators.corpus_ops): LSH band buckets (the buckets
of datasketch's MinHashLSH, as a group-by) with bands and rows chosen for the threshold
(validators.dedup.choose_bands), every candidate pair verified by the exact Jaccard of the n-gram
sets, groups by connected components.

A pair is a near duplicate when its Jaccard reaches ``threshold``, or when the smaller document is
almost entirely contained in the larger one (``containment``: a truncated repost). Documents with
identical normalised text are left to ``duplicate_documents``: a group's exact copies of a document
are not named again in its near-duplicate finding.
"""

from __future__ import annotations

from typing import Any, ClassVar

from validators import dedup
from validators.checks import CorpusCheckType, Option, register
from validators.corpus_ops import CorpusOps
from validators.document import Document
from validators.findings import Hit, Related


@register
class NearDuplicatesCheck(CorpusCheckType):
    name: ClassVar[str] = "near_duplicates"
    summary: ClassVar[str] = "near-duplicate documents (MinHash/LSH, verified by exact Jaccard)"
    min_documents: ClassVar[int] = 2  # compares documents with each other: a one-file run skips it (no MinHash)
    options: ClassVar[dict[str, Option]] = {
        "threshold": Option("float", 0.5, minimum=0.05, maximum=1.0,
                            help="Jaccard similarity of the n-gram sets at which two documents "
                                 "are near duplicates"),
        "containment": Option("float", 0.8, minimum=0.0, maximum=1.0,
                              help="also report a pair when this share of the smaller document's "
                                   "n-grams is in the larger one (a truncated copy); 0 turns off"),
        "candidate_threshold": Option("float", 0.3, minimum=0.05, maximum=1.0,
                                      help="Jaccard for which LSH is tuned when containment is on "
                                           "(a copy truncated to this share of the original is "
                                           "still found); lower finds shorter truncations and "
                                           "verifies more pairs"),
        "ngram": Option("int", 5, minimum=1, maximum=20,
                        help="character n-gram size (Chinese has no spaces: no word shingles)"),
        "num_perm": Option("int", 128, minimum=16, maximum=1024,
                           help="MinHash permutations"),
        "min_chars": Option("int", 50, minimum=1,
                            help="ignore documents with fewer normalised characters"),
        "fold_script": Option("bool", True, help="fold Traditional to Simplified before "
                                                 "comparing"),
    }

    def collect(self, doc: Document, options: dict[str, Any]) -> Any:
        folded = dedup.folded_document(doc, options["fold_script"])
        if len(folded) < options["min_chars"]:
            return None
        hashes = dedup.ngram_hashes(folded, options["ngram"])
        line, end = dedup.first_content_line(doc)
        return {"hash": dedup.content_hash(folded), "line": line, "end": end,
                "ngrams": hashes.tobytes(),
                "sig": dedup.minhash_signature(hashes, options["num_perm"]).tobytes()}

    def lsh_threshold(self, options: dict[str, Any]) -> float:
        if options["containment"] > 0:
            return min(options["threshold"], options["candidate_threshold"])
        return float(options["threshold"])

    def plan(self, ops: CorpusOps, items: Any, options: dict[str, Any],
             focus: set[str] | None = None) -> list[Hit]:
        """Signatures → band buckets (a group-by) → candidate pairs → exact verification (a join in
        two group-bys, so no process holds every n-gram set) → groups by union-find on the client
        over the verified pairs, which are few."""
        # documents with identical normalised text share one signature: index the first of them
        by_hash = ops.group(ops.flat_map(items, _by_hash))
        if ops.count(by_hash) < 2:
            return []
        reps = {members[0]: members for members in ops.gather(ops.flat_map(by_hash, _copy_paths))}
        bands, rows = dedup.choose_bands(self.lsh_threshold(options), options["num_perm"])
        buckets = ops.group(ops.flat_map(ops.flat_map(by_hash, _representative), _band_entries,
                                         options["num_perm"], bands, rows))
        candidates = ops.flat_map(buckets, _bucket_pairs)
        needed = ops.gather(ops.flat_map(ops.group(ops.flat_map(candidates, _endpoints)), _key))
        if not needed:
            return []
        grams = ops.flat_map(items, _ngrams_of, ops.share(frozenset(needed)))
        by_a = ops.group(ops.union(ops.flat_map(candidates, _pair_by_first), grams))
        by_b = ops.group(ops.union(ops.flat_map(by_a, _forward), grams))
        verified = ops.gather(ops.flat_map(by_b, _verify, options["threshold"], options["containment"]))

        best: dict[str, tuple[float, str, str]] = {}  # path -> (similarity, measure, other)
        pairs = []
        for a, b, similarity, measure in sorted(verified):
            pairs.append((a, b))
            pairs.extend((rep, member) for rep in (a, b) for member in reps.get(rep, [rep])[1:])
            for x, y in ((a, b), (b, a)):
                for member in reps.get(x, [x]):
                    if member not in best or similarity > best[member][0]:
                        best[member] = (similarity, measure, y)
        groups = dedup.groups_of(pairs)
        if not groups:
            return []
        meta = dict(ops.gather(ops.flat_map(items, _meta_of, ops.share(frozenset(p for g in groups for p in g)))))
        hits = []
        for group in groups:
            for path in dedup.in_focus(group, focus):
                # exact copies of this document are duplicate_documents' findings, not repeated here
                digest, line, end = meta[path]
                others = [p for p in group if meta[p][0] != digest]
                if not others or path not in best:
                    continue
                similarity, measure, closest = best[path]
                hits.append(Hit(line, 1, line, end,
                                {"others": dedup.describe_others(others), "count": len(group),
                                 "similarity": f"{dedup.round_down(similarity):.2f}",
                                 "measure": measure, "text": closest,
                                 "closest": f" with {closest}" if len(others) > 1 else ""},
                                related=tuple(Related(p, meta[p][1]) for p in others),
                                evidence="\0".join(others), path=path))
        return hits


# The steps of the plan (module-level: they pickle by reference and run where the data is).

def _by_hash(entry: tuple[str, Any]) -> list[tuple[str, tuple[str, bytes]]]:
    path, item = entry
    return [(item["hash"], (path, item["sig"]))]


def _copy_paths(group: tuple[str, list[tuple[str, bytes]]]) -> list[list[str]]:
    members = group[1]
    return [[path for path, _ in members]] if len(members) > 1 else []


def _representative(group: tuple[str, list[tuple[str, bytes]]]) -> list[tuple[str, bytes]]:
    return [group[1][0]]


def _band_entries(rep: tuple[str, bytes], num_perm: int, bands: int,
                  rows: int) -> list[tuple[tuple[int, int], str]]:
    path, sig = rep
    return [(key, path) for key in dedup.band_keys(sig, num_perm, bands, rows)]


def _bucket_pairs(bucket: tuple[tuple[int, int], list[str]]) -> list[tuple[str, str]]:
    return list(dedup.bucket_pairs(bucket[1])) if len(bucket[1]) > 1 else []


def _endpoints(pair: tuple[str, str]) -> list[tuple[str, int]]:
    return [(pair[0], 0), (pair[1], 0)]


def _key(group: tuple[Any, list[Any]]) -> list[Any]:
    return [group[0]]


def _ngrams_of(entry: tuple[str, Any], needed: frozenset[str]) -> list[tuple[str, tuple[str, bytes]]]:
    path, item = entry
    return [(path, ("g", item["ngrams"]))] if path in needed else []


def _pair_by_first(pair: tuple[str, str]) -> list[tuple[str, tuple[str, str]]]:
    return [(pair[0], ("p", pair[1]))]


def _forward(group: tuple[str, list[tuple[Any, ...]]]) -> list[tuple[str, tuple[str, str, bytes]]]:
    """The first document's n-grams, sent to each of its (distinct) partners."""
    a, values = group
    grams = [v[1] for v in values if v[0] == "g"]
    partners = sorted({v[1] for v in values if v[0] == "p"})
    return [(b, ("a", a, grams[0])) for b in partners] if grams else []


def _verify(group: tuple[str, list[tuple[Any, ...]]], threshold: float,
            containment: float) -> list[tuple[str, str, float, str]]:
    """Exact Jaccard (or containment) of every candidate pair ending at this document."""
    import numpy as np

    b, values = group
    grams = [v[1] for v in values if v[0] == "g"]
    if not grams:
        return []
    mine = np.frombuffer(grams[0], dtype=np.uint32)
    out = []
    for v in values:
        if v[0] != "a":
            continue
        jac, contained = dedup.jaccard(np.frombuffer(v[2], dtype=np.uint32), mine)
        if jac >= threshold:
            out.append((v[1], b, jac, "Jaccard"))
        elif containment > 0 and contained >= containment:
            out.append((v[1], b, contained, "containment"))
    return out


def _meta_of(entry: tuple[str, Any], wanted: frozenset[str]) -> list[tuple[str, tuple[str, int, int]]]:
    path, item = entry
    return [(path, (item["hash"], item["line"], item["end"]))] if path in wanted else []
