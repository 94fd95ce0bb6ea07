"""``near_duplicates``: documents that are mostly the same text (reposts under another headline,
lightly edited, truncated, or converted to the other script), corpus-wide.

Per document (``collect``, cacheable by content hash): the sorted set of 32-bit xxhash values of
the character n-grams of the normalised text (validators.dedup.fold) and its MinHash signature
(datasketch). Over the corpus (``finish``): LSH (datasketch MinHashLSH) with bands and rows chosen
for the threshold (validators.dedup.choose_bands), every candidate pair verified by the exact
Jaccard of the n-gram sets, groups by connected components.

A pair is a near duplicate when its Jaccard reaches ``threshold``, or when the smaller document is
almost entirely contained in the larger one (``containment``: a truncated repost). Documents with
identical normalised text are left to ``duplicate_documents``: a group's exact copies of a document
are not named again in its near-duplicate finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators import dedup
from validators.checks import CorpusCheckType, Option, register
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

    def finish(self, collected: dict[str, Any], options: dict[str, Any],
               focus: set[str] | None = None) -> Iterator[Hit]:
        import numpy as np

        items = {path: item for path, item in collected.items() if item}
        # documents with identical normalised text share one signature: index one of them
        copies: dict[str, list[str]] = {}
        for path in sorted(items):
            copies.setdefault(items[path]["hash"], []).append(path)
        reps = {members[0]: members for members in copies.values()}
        if len(reps) < 2:
            return
        num_perm = options["num_perm"]
        bands, rows = dedup.choose_bands(self.lsh_threshold(options), num_perm)
        signatures = {p: np.frombuffer(items[p]["sig"], dtype=np.uint64) for p in reps}
        candidates = dedup.lsh_candidates(signatures, num_perm, bands, rows)
        ngrams: dict[str, Any] = {}

        def grams(path: str) -> Any:
            if path not in ngrams:
                ngrams[path] = np.frombuffer(items[path]["ngrams"], dtype=np.uint32)
            return ngrams[path]

        best: dict[str, tuple[float, str, str]] = {}  # path -> (similarity, measure, other)
        pairs = []
        for a, b in sorted(candidates):
            jac, contained = dedup.jaccard(grams(a), grams(b))
            if jac >= options["threshold"]:
                similarity, measure = jac, "Jaccard"
            elif options["containment"] > 0 and contained >= options["containment"]:
                similarity, measure = contained, "containment"
            else:
                continue
            pairs.append((a, b))
            pairs.extend((rep, member) for rep in (a, b) for member in reps[rep][1:])
            for x, y in ((a, b), (b, a)):
                for member in reps[x]:
                    if member not in best or similarity > best[member][0]:
                        best[member] = (similarity, measure, y)
        for group in dedup.groups_of(pairs):
            for path in dedup.in_focus(group, focus):
                # exact copies of this document are duplicate_documents' findings, not repeated here
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
                          related=tuple(Related(p, items[p]["line"]) for p in others),
                          evidence="\0".join(others), path=path)
