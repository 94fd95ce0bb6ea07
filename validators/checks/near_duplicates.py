"""``near_duplicates``: documents that are mostly the same text (reposts under another headline,
lightly edited, truncated, or converted to the other script), corpus-wide.

Per document (``collect``, cacheable by content hash): the sorted set of 32-bit xxhash values of
the character n-grams of the normalised text (validators.checks._dedup.fold), its size and its
MinHash signature (datasketch). Over the corpus (``plan``, see validators.corpus_ops): LSH band
buckets (the buckets of datasketch's MinHashLSH, as a group-by) with bands and rows chosen for the
threshold (validators.checks._dedup.choose_bands); the buckets' members joined into candidate
components by union-find (a bucket of m documents is m - 1 links, not its m * (m - 1) / 2 pairs);
each candidate component split, from its signatures and sizes alone, into the components of its
*plausible* candidate pairs (those whose signatures do not rule a match out:
validators.checks._dedup.plausible), so documents linked only by chance through a shared
sentence fall apart before any n-gram set is read; in each of those every plausible candidate pair
scored exactly (validators.checks._dedup.component_matches: pair by pair where pairs are few,
as one matrix counted from the rarer side for a group of near-identical documents); groups are
the connected components of the verified pairs.

A pair is a near duplicate when its Jaccard reaches ``threshold``, or when the smaller document is
almost entirely contained in the larger one (``containment``: a truncated repost). Documents with
identical normalised text are left to ``duplicate_documents``: a group's exact copies of a document
are not named again in its near-duplicate finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.checks import (
    DECODED_TEXT,
    SEVERAL_DOCUMENTS,
    CheckOptions,
    CorpusCheckType,
    Requirement,
    option,
    register,
)
from validators.checks import _dedup as dedup
from validators.corpus_ops import CorpusOps
from validators.document import Document
from validators.findings import DuplicateGroup, Hit, Related


@register
class NearDuplicatesCheck(CorpusCheckType):
    name: ClassVar[str] = "near_duplicates"
    summary: ClassVar[str] = "near-duplicate documents (MinHash/LSH, verified by exact Jaccard)"
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT, SEVERAL_DOCUMENTS)
    # a component of thousands of documents holds their n-gram sets (~200 MB at 200 MB of
    # corpus): beside another rule's plan, past the 500 MB a 200 MB run may use
    runs_alone: ClassVar[bool] = True

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        threshold: float = option("float", 0.5, minimum=0.05, maximum=1.0,
                                  help="Jaccard similarity of the n-gram sets at which two "
                                       "documents are near duplicates")
        containment: float = option("float", 0.8, minimum=0.0, maximum=1.0,
                                    help="also report a pair when this share of the smaller "
                                         "document's n-grams is in the larger one (a truncated "
                                         "copy); 0 turns off")
        candidate_threshold: float = option("float", 0.3, minimum=0.05, maximum=1.0,
                                            help="Jaccard for which LSH is tuned when containment "
                                                 "is on (a copy truncated to this share of the "
                                                 "original is still found); lower finds shorter "
                                                 "truncations and verifies more pairs")
        ngram: int = option("int", 5, minimum=1, maximum=20,
                            help="character n-gram size (Chinese has no spaces: no word shingles)")
        num_perm: int = option("int", 128, minimum=16, maximum=1024,
                               help="MinHash permutations")
        min_chars: int = option("int", 50, minimum=1,
                                help="ignore documents with fewer normalised characters")
        fold_script: bool = option("bool", True, help="fold Traditional to Simplified before "
                                                      "comparing")
        max_related: int = option("int", 5, minimum=1,
                                  help="group mates a finding lists in related (its closest match "
                                       "among them); the whole group is listed once, in the "
                                       "summary")

    def collect(self, doc: Document, options: Options) -> Any:
        folded = dedup.folded_document(doc, options.fold_script)
        if len(folded) < options.min_chars:
            return None
        hashes = dedup.ngram_hashes(folded, options.ngram)
        line, end = dedup.first_content_line(doc)
        return {"hash": dedup.content_hash(folded), "line": line, "end": end,
                "ngrams": hashes.tobytes(), "size": len(hashes),
                "sig": dedup.minhash_signature(hashes, options.num_perm).tobytes()}

    def lsh_threshold(self, options: Options) -> float:
        if options.containment > 0:
            return min(options.threshold, options.candidate_threshold)
        return float(options.threshold)

    def plan(self, ops: CorpusOps, items: Any, options: Options,
             focus: set[str] | None = None) -> Iterable[Hit]:
        """Signatures → band buckets (a group-by) → candidate components (union-find over each
        bucket's links, on the client: paths only) → each candidate component's signatures in
        one place, split into the components of its plausible pairs → each of those
        components' n-gram sets in one place (a group-by) scored exactly → groups and best
        matches (one row per document) on the client. No process holds every n-gram set; no
        corpus-wide list of pairs is ever made."""
        # documents with identical normalised text share one signature: index the first of them
        by_hash = ops.group(ops.flat_map(items, _by_hash))
        if ops.count(by_hash) < 2:
            return []
        copies = {members[0]: members for members in ops.gather(ops.flat_map(by_hash, _copy_paths))}
        num_perm = options.num_perm
        bands, rows = dedup.choose_bands(self.lsh_threshold(options), num_perm)
        buckets = ops.group(ops.flat_map(ops.flat_map(by_hash, _representative), _band_entries,
                                         num_perm, bands, rows))
        links = ops.gather(ops.flat_map(ops.group(ops.flat_map(buckets, _star_links)), _key))
        if not links:
            return []
        candidates = ops.group(ops.flat_map(items, _signature_entry,
                                            ops.share(dedup.candidate_components(links))))
        component = dict(ops.gather(ops.flat_map(candidates, _verification_components, num_perm,
                                                 bands, rows, options.threshold,
                                                 options.containment)))
        if not component:
            return []
        members = ops.group(ops.flat_map(items, _component_entry, ops.share(component)))
        matches = ops.gather(ops.flat_map(members, _component_matches, num_perm, bands, rows,
                                          options.threshold, options.containment))
        best: dict[str, tuple[float, str, str]] = {}  # path -> (similarity, measure, closest)
        grouped: dict[str, list[str]] = {}
        for path, group, similarity, measure, closest in matches:
            for member in copies.get(path, [path]):
                best[member] = (similarity, measure, closest)
                grouped.setdefault(group, []).append(member)
        groups = sorted(sorted(g) for g in grouped.values())
        if not groups:
            return []
        wanted = frozenset(p for g in groups for p in g)
        meta = dict(ops.gather(ops.flat_map(items, _meta_of, ops.share(wanted))))
        return _hits(groups, best, meta, focus, options.max_related)


def _hits(groups: list[list[str]], best: dict[str, tuple[float, str, str]],
          meta: dict[str, tuple[str, int, int]], focus: set[str] | None,
          max_related: int) -> Iterator[Hit]:
    """One hit per document of each group (in focus), made as the findings are: the names of all
    group mates (the fingerprint's evidence) exist for one hit at a time."""
    for group in groups:
        shared = DuplicateGroup(tuple(group), tuple(
            (best[p][2], f"{dedup.round_down(best[p][0]):.2f}", best[p][1]) for p in group))
        mates = dedup.GroupMates(group, [meta[p][0] for p in group])
        for index, path in enumerate(group):
            if (focus is not None and path not in focus) or path not in best:
                continue
            # exact copies of this document are duplicate_documents' findings, not repeated here
            count = mates.count(index)
            if not count:
                continue
            _, line, end = meta[path]
            similarity, measure, closest = best[path]
            yield Hit(line, 1, line, end,
                      {"others": dedup.describe_others_counted(mates.first(index, 3), count),
                       "count": len(group), "similarity": f"{dedup.round_down(similarity):.2f}",
                       "measure": measure, "text": closest,
                       "closest": f" with {closest}" if count > 1 else ""},
                      related=tuple(Related(p, meta[p][1]) for p in dedup.first_related(
                          mates.first(index, max_related), closest, max_related)),
                      evidence=mates.joined(index), path=path, group=shared)


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
                  rows: int) -> list[tuple[int, str]]:
    """A document's band buckets, each ``(band, key)`` as one int (``band << 64 | key``): one
    object per bucket, not a tuple and two ints, in a grouping of ~25 buckets per document."""
    path, sig = rep
    return [(band << 64 | key, path) for band, key in dedup.band_keys(sig, num_perm, bands, rows)]


def _star_links(bucket: tuple[int, list[str]]) -> list[tuple[tuple[str, str], int]]:
    return [(link, 0) for link in dedup.star_links(bucket[1])]


def _key(group: tuple[Any, list[Any]]) -> list[Any]:
    return [group[0]]


def _signature_entry(entry: tuple[str, Any], component: dict[str, str]
                     ) -> list[tuple[str, tuple[str, bytes, int]]]:
    path, item = entry
    return [(component[path], (path, item["sig"], item["size"]))] if path in component else []


def _verification_components(group: tuple[str, list[tuple[str, bytes, int]]], num_perm: int,
                             bands: int, rows: int, threshold: float, containment: float
                             ) -> list[tuple[str, str]]:
    """A candidate component split, from its signatures, into the components of its plausible
    pairs (see validators.checks._dedup.verification_components)."""
    values = group[1]
    return dedup.verification_components([v[0] for v in values], [v[1] for v in values],
                                         [v[2] for v in values], num_perm, bands, rows,
                                         threshold, containment)


def _component_entry(entry: tuple[str, Any], component: dict[str, str]
                     ) -> list[tuple[str, tuple[str, bytes, bytes]]]:
    path, item = entry
    return [(component[path], (path, item["ngrams"], item["sig"]))] if path in component else []


def _component_matches(group: tuple[str, list[tuple[str, bytes, bytes]]], num_perm: int, bands: int,
                       rows: int, threshold: float, containment: float
                       ) -> list[tuple[str, str, float, str, str]]:
    """Every candidate pair of one component scored exactly, where its n-gram sets are."""
    values = group[1]
    return dedup.component_matches([v[0] for v in values], [v[1] for v in values],
                                   [v[2] for v in values], num_perm, bands, rows, threshold,
                                   containment)


def _meta_of(entry: tuple[str, Any], wanted: frozenset[str]) -> list[tuple[str, tuple[str, int, int]]]:
    path, item = entry
    return [(path, (item["hash"], item["line"], item["end"]))] if path in wanted else []
