"""Duplicate detection helpers: normalisation, n-gram hashing, MinHash signatures, LSH band
selection, candidate pairs and their plausibility from the signatures (:class:`Candidates`,
:func:`plausible`), exact scoring of a component's plausible candidates (:func:`component_matches`:
pair by pair where they are few, all at once for a dense group, :class:`Overlaps`, where verifying
pair by pair grew with the square of a group's size) and grouping.

Used by the ``DUP`` check types (validators/checks/duplicate_documents.py, near_duplicates.py,
repeated_lines.py, boilerplate.py). Everything here is deterministic and depends only on the text
and the options, so what a check collects per document can be cached by content hash.

Heavy imports (opencc, datasketch, numpy, xxhash) happen inside the functions that need them:
this module is imported by every run (check types are auto-discovered), most runs never call them.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import accumulate
from typing import Any

import regex

# Tags are stripped before comparing: the corpus tags (<cand>, </a>) and anything tag-like
# (a misspelt <cnad>, <a href=..>), so an annotated copy equals the raw original.
TAG_LIKE = regex.compile(r"</?\s*[A-Za-z][A-Za-z0-9_:-]*(?:\s[^<>\n]{0,200})?\s*>")
# What is kept for comparing: letters and digits. Whitespace (PDF-extraction line breaks, spaces
# between Latin and Han), punctuation and its width (，/,) and symbols do not make two texts differ.
NOT_WORD = regex.compile(r"[^\p{L}\p{N}]+")

# Documents are compared on their first MAX_CHARS characters (a 200 MB one-line file must not
# take minutes to fold or gigabytes of n-gram hashes); real documents are far shorter.
MAX_CHARS = 1_000_000
SEED = 0x5EED  # xxhash seed of the n-gram hashes (fixed: signatures must be reproducible)
MINHASH_SEED = 1  # datasketch permutation seed (fixed, idem)


@lru_cache(maxsize=2)
def _opencc(config: str) -> Any:
    import opencc  # lazy: only runs that compare documents need it

    try:
        return opencc.OpenCC(config)
    except Exception:  # pragma: no cover - older bindings want the config file name
        return opencc.OpenCC(config + ".json")


def fold_script(text: str) -> str:
    """Simplified script, reached through Traditional: ``t2s(s2t(text))``. OpenCC's round trip is
    not the identity (s2t writes 背 as 揹 and 想象 as 想像, which t2s keeps), so converting a
    Simplified text to Traditional and folding it back with t2s alone would leave differences;
    going through s2t first lands both on one form."""
    return str(_opencc("t2s").convert(_opencc("s2t").convert(text)))


def strip_tags(text: str) -> str:
    return TAG_LIKE.sub("", text)


def fold(text: str, script: bool = True) -> str:
    """The comparable form of a text: tags stripped, NFKC (full-width ASCII and compatibility
    forms folded), Traditional folded to Simplified with OpenCC (``script``, see
    :func:`fold_script`), case folded, and only letters and digits kept (whitespace and
    punctuation removed)."""
    text = unicodedata.normalize("NFKC", strip_tags(text))
    if script and text and not text.isascii():
        text = fold_script(text)
    return NOT_WORD.sub("", text.casefold())


def content_hash(folded: str) -> str:
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=16).hexdigest()


def line_hash(folded: str) -> int:
    """A 64-bit hash of one folded line (small and picklable, for per-line comparisons)."""
    return int.from_bytes(hashlib.blake2b(folded.encode("utf-8"), digest_size=8).digest(), "big")


def ngram_hashes(folded: str, n: int) -> Any:
    """Sorted unique 32-bit xxhash values of the character n-grams of ``folded`` (numpy uint32).

    A text shorter than ``n`` is one n-gram. 32 bits keep the set small (4 bytes an n-gram); a
    collision between two different n-grams of a pair of documents is rare enough (about 1 in 40 for
    two 10 000-character texts, each moving the Jaccard by 1/10 000) not to matter.
    """
    import numpy as np

    folded = folded[:MAX_CHARS]
    if not folded:
        return np.zeros(0, dtype=np.uint32)
    points = np.frombuffer(folded.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
    count = max(len(folded) - n + 1, 1)
    return sorted_unique(xxh32_windows(points, min(n, len(folded)), count, SEED))


def sorted_unique(values: Any) -> Any:
    """``np.unique(values)`` of a 1-d array: a sort and a comparison of neighbours (numpy 2's
    ``np.unique`` hashes first and sorts after, several times slower on these arrays)."""
    import numpy as np

    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


_XXH_PRIMES = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1)


def xxh32_windows(points: Any, width: int, count: int, seed: int) -> Any:
    """``xxhash.xxh32_intdigest(points[i:i + width] as UTF-32-LE bytes, seed)`` for every
    ``i < count``, computed with numpy over shifted views of the code-point array (bit-identical
    to the xxhash package: XXH32 on inputs whose length is a multiple of 4 bytes, every code point
    one 32-bit lane), instead of one Python call per n-gram."""
    import numpy as np

    p1, p2, p3, p4, p5 = (np.uint32(p) for p in _XXH_PRIMES)

    def rotl(x: Any, r: int) -> Any:
        return (x << np.uint32(r)) | (x >> np.uint32(32 - r))

    with np.errstate(over="ignore"):
        s = np.uint32(seed)
        if width >= 4:  # 16-byte stripes: four accumulators
            acc = [np.full(count, s + p1 + p2, dtype=np.uint32),
                   np.full(count, s + p2, dtype=np.uint32),
                   np.full(count, s, dtype=np.uint32),
                   np.full(count, s - p1, dtype=np.uint32)]
            stripes = width // 4
            for stripe in range(stripes):
                for j in range(4):
                    lane = points[4 * stripe + j:4 * stripe + j + count]
                    acc[j] = rotl(acc[j] + lane * p2, 13) * p1
            h = rotl(acc[0], 1) + rotl(acc[1], 7) + rotl(acc[2], 12) + rotl(acc[3], 18)
            done = 4 * stripes
        else:
            h = np.full(count, s + p5, dtype=np.uint32)
            done = 0
        h = h + np.uint32(4 * width)
        for j in range(done, width):  # remaining 4-byte words
            h = rotl(h + points[j:j + count] * p3, 17) * p4
        h ^= h >> np.uint32(15)
        h *= p2
        h ^= h >> np.uint32(13)
        h *= p3
        h ^= h >> np.uint32(16)
    return h


def minhash_signature(hashes: Any, num_perm: int) -> Any:
    """The MinHash signature (datasketch, ``num_perm`` permutations) of a set of 32-bit hashes."""
    import numpy as np

    template = _minhash_template(num_perm)
    if not len(hashes):
        return np.asarray(template.hashvalues, dtype=np.uint64)
    fmix = _affine32_fmix(template)
    if fmix is None:  # another datasketch scheme (1.x legacy): its own per-value update
        m = template.copy()
        m.update_batch(hashes.tolist())
        return np.asarray(m.hashvalues, dtype=np.uint64)
    # datasketch 2.x "affine32", as MinHash.update_batch computes it (bit-identical) but without
    # a Python call per value; in chunks, so a long document never needs an n x num_perm matrix.
    # Permutations are rows: the minimum runs along contiguous memory (an order of magnitude
    # faster than along the first axis of the transposed matrix)
    a, b = (np.asarray(p).reshape(-1, 1) for p in template.permutations)
    values = np.array(template.hashvalues, copy=True)
    mixed = fmix(np.asarray(hashes, dtype=np.uint32), 32)
    with np.errstate(over="ignore"):
        for start in range(0, len(mixed), 8192):
            permuted = a * mixed[start:start + 8192]
            permuted += b
            np.minimum(values, permuted.min(axis=1), out=values)
    return np.asarray(values, dtype=np.uint64)


def _affine32_fmix(template: Any) -> Any:
    """datasketch's input mixer when ``template`` uses the 2.x ``affine32`` scheme (uint32
    permutations), else None."""
    import numpy as np

    if getattr(template, "scheme", None) != "affine32":
        return None
    try:
        from datasketch.minhash import _fmix
    except ImportError:  # pragma: no cover - layout of another datasketch version
        return None
    a, b = template.permutations
    if a.dtype != np.uint32 or b.dtype != np.uint32 or template.hashvalues.dtype != np.uint32:
        return None  # pragma: no cover
    return _fmix


@lru_cache(maxsize=4)
def _minhash_template(num_perm: int) -> Any:
    """An empty MinHash whose permutations are computed once (datasketch recomputes them for
    every new MinHash, which costs more than hashing a short document)."""
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, hashfunc=_identity)


def _identity(value: Any) -> Any:
    return value


@lru_cache(maxsize=1)
def _scheme_kwargs() -> dict[str, Any]:
    """datasketch >= 2.0 wants the scheme of signatures it did not compute itself; older versions
    have a single scheme and no such argument."""
    import inspect

    from datasketch import MinHash

    if "scheme" not in inspect.signature(MinHash.__init__).parameters:
        return {}
    return {"scheme": MinHash(num_perm=2, seed=MINHASH_SEED, hashfunc=_identity).scheme}


def jaccard(a: Any, b: Any) -> tuple[float, float]:
    """Exact (Jaccard, containment) of two sorted unique hash arrays; containment is the share of
    the smaller set found in the larger (1.0 for a truncated copy)."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    inter = shared_count(a, b)
    union = len(a) + len(b) - inter
    return inter / union, inter / min(len(a), len(b))


# --- LSH band selection ---------------------------------------------------------------------

def candidate_probability(s: float, bands: int, rows: int) -> float:
    """Probability that a pair with Jaccard ``s`` shares at least one LSH band (the S-curve)."""
    return 1.0 - (1.0 - s ** rows) ** bands


def _area(bands: int, rows: int, lo: float, hi: float, steps: int = 200) -> float:
    """Area under the S-curve between ``lo`` and ``hi`` (trapezoid rule)."""
    if hi <= lo:
        return 0.0
    width = (hi - lo) / steps
    values = [candidate_probability(lo + i * width, bands, rows) for i in range(steps + 1)]
    return (sum(values) - 0.5 * (values[0] + values[-1])) * width


@lru_cache(maxsize=64)
def choose_bands(threshold: float, num_perm: int, fn_weight: float = 0.8) -> tuple[int, int]:
    """Bands and rows for ``threshold``: minimise fp_weight * FP + fn_weight * FN over the S-curve,
    FP = area under the curve below the threshold, FN = area above the curve above it.

    Every candidate is verified by exact Jaccard, so a false positive costs only one verification
    while a false negative is a missed duplicate: false negatives weigh more (``fn_weight``). The
    search also requires that a pair exactly at the threshold is found with probability >= 0.9
    (datasketch's ``threshold=`` with equal weights finds it about half the time).
    """
    best: tuple[float, int, int] | None = None
    for rows in range(1, num_perm + 1):
        for bands in range(1, num_perm // rows + 1):
            if candidate_probability(threshold, bands, rows) < 0.9:
                continue
            fp = _area(bands, rows, 0.0, threshold)
            fn = (1.0 - threshold) - _area(bands, rows, threshold, 1.0)
            error = (1.0 - fn_weight) * fp + fn_weight * fn
            if best is None or error < best[0] - 1e-12:
                best = (error, bands, rows)
    if best is None:  # not reachable for num_perm >= 16 and threshold > 0.01
        return num_perm, 1
    return best[1], best[2]


def band_keys(signature: Any, num_perm: int, bands: int, rows: int) -> list[tuple[int, int]]:
    """The LSH bucket keys ``(band, key)`` of one MinHash signature: exactly the keys
    datasketch's ``MinHashLSH(params=(bands, rows), hashfunc=xxhash.xxh3_64_digest)`` files it
    under (its ``hashranges`` and ``_hashed_byteswap``: the band's hash values in the scheme's
    dtype, byte-swapped, hashed with xxh3-64), so two documents share a bucket exactly when
    datasketch would return one for the other. Plain ints: small, picklable, shuffle-friendly."""
    import numpy as np
    import xxhash

    values = np.asarray(np.frombuffer(signature, dtype=np.uint64) if isinstance(signature, bytes)
                        else signature).astype(_hashvalue_dtype(num_perm))
    raw = values[:bands * rows].byteswap().tobytes()  # each value byte-swapped, as datasketch does
    width = rows * values.itemsize
    return [(band, xxhash.xxh3_64_intdigest(raw[band * width:(band + 1) * width]))
            for band in range(bands)]


def _hashvalue_dtype(num_perm: int) -> Any:
    """The dtype datasketch keeps a signature's hash values in (uint32 for the 2.x ``affine32``
    scheme, uint64 for the legacy one): the band bytes are hashed in that width."""
    return _minhash_template(num_perm).hashvalues.dtype


def bucket_pairs(members: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Every pair ``(a, b)``, ``a < b``, of the distinct keys in one LSH bucket."""
    keys = sorted(set(members))
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            yield a, b


def lsh_candidates(signatures: dict[str, Any], num_perm: int, bands: int,
                   rows: int) -> set[tuple[str, str]]:
    """Candidate pairs (a < b): documents whose signatures agree on every row of at least one
    band. The same set as datasketch's MinHashLSH with ``params=(bands, rows)`` and xxh3-64 band
    hashes (see :func:`band_keys`), from plain buckets: the corpus-wide plan computes the same
    buckets as a group-by that can run distributed."""
    buckets: dict[tuple[int, int], list[str]] = {}
    for key, sig in signatures.items():
        for band in band_keys(sig, num_perm, bands, rows):
            buckets.setdefault(band, []).append(key)
    return {pair for members in buckets.values() if len(members) > 1 for pair in bucket_pairs(members)}


def star_links(members: list[str]) -> list[tuple[str, str]]:
    """The links that put one LSH bucket's members into one candidate component: each member to
    the first (``m - 1`` links for ``m`` members, instead of its ``m * (m - 1) / 2`` pairs)."""
    return [(members[0], member) for member in members[1:]]


# --- exact overlaps of many sets at once ----------------------------------------------------

BLOCK_CELLS = 1 << 19  # pairs scored at once: a block of rows against every member
BLOCK_WORK = 1 << 21   # column entries expanded at once when counting shared n-grams


class _Incidence:
    """Which sets hold which columns (n-grams), for counting the columns a block of sets shares
    with every set: each entry of a set in the block is expanded to the other holders of its
    column, and the pairs are counted with one ``bincount``. Entries come sorted by set."""

    def __init__(self, owner: Any, column: Any, n: int) -> None:
        import numpy as np

        self.owner, self.column, self.n = owner, column, n
        self.row_start = np.searchsorted(owner, np.arange(n + 1))
        by_column = np.argsort(column, kind="stable")
        self.holders = owner[by_column]
        size = int(column.max()) + 1 if len(column) else 0
        self.column_count = np.bincount(column, minlength=size).astype(np.int64)
        self.column_first = np.cumsum(self.column_count) - self.column_count
        # entries a row expands to: what bounds the memory of a block
        self.work = np.bincount(owner, weights=self.column_count[column], minlength=n).astype(np.int64)

    def shared(self, start: int, stop: int) -> Any:
        """``(stop - start) * n`` counts, row-major: the columns set ``start + r`` shares with set ``j``."""
        import numpy as np

        cells = (stop - start) * self.n
        lo, hi = int(self.row_start[start]), int(self.row_start[stop])
        if lo == hi:
            return np.zeros(cells, dtype=np.int64)
        columns = self.column[lo:hi]
        repeats = self.column_count[columns]
        offsets = np.cumsum(repeats) - repeats
        where = np.repeat(self.column_first[columns] - offsets, repeats) + np.arange(int(repeats.sum()))
        row = (self.owner[lo:hi] - start).astype(np.int64) * self.n
        cell = np.repeat(row, repeats) + self.holders[where]
        return np.bincount(cell, minlength=cells)


class Overlaps:
    """Exact intersection sizes ``|S_i & S_j|`` of N sorted unique hash arrays, a block of rows
    at a time, without comparing the sets pair by pair (``np.intersect1d`` per pair costs the
    length of the documents; a group of 750 near-identical documents has 280 000 pairs).

    A column (hash) held by at most half of the sets adds one to each pair of its holders; one held
    by more than half (in a group of near-identical documents, nearly every column) is counted
    from the other side: over those D columns ``|S_i & S_j| = D - m_i - m_j + |M_i & M_j|``, where
    ``M_i`` are the ones set i lacks and ``m_i = |M_i|``. Only the rarer side of a column is ever
    expanded, so the cost is the number of pairs plus the n-grams in which the sets differ."""

    def __init__(self, sets: list[Any]) -> None:
        import numpy as np

        n = len(sets)
        self.n = n
        self.sizes = np.array([len(s) for s in sets], dtype=np.int64)
        bounds = np.concatenate([[0], np.cumsum(self.sizes)])  # set i is entries bounds[i]:bounds[i+1]
        # the distinct values: a stable sort (a merge of the sorted sets) is the fast one here
        ordered = np.concatenate(sets) if n else np.zeros(0, dtype=np.uint32)
        ordered.sort(kind="stable")
        first = np.ones(len(ordered), dtype=bool)
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        distinct = ordered[starts]
        held = np.diff(np.append(starts, len(ordered)))  # sets holding each distinct value
        del ordered, first, starts
        common = held * 2 > n
        self.common = int(common.sum())
        common_index = (np.cumsum(common) - 1).astype(np.int32)  # a common value's number among them
        # each entry's distinct value, a few sets at a time: kept apart for the rare values (with
        # their sets) and as numbers among the common ones for the others, set after set
        held_common = np.empty(int(bounds[-1]), dtype=np.int32)
        filled = 0
        rare_owner, rare_column = [np.zeros(0, dtype=np.int32)], [np.zeros(0, dtype=np.int32)]
        step = max(1, BLOCK_CELLS // max(1, int(self.sizes.max(initial=1))))
        for i in range(0, n, step):
            column = np.searchsorted(distinct, np.concatenate(sets[i:i + step]))
            in_common = common[column]
            rare = np.flatnonzero(~in_common)  # few, when the sets are near-identical
            rare_owner.append((np.searchsorted(bounds, rare + bounds[i], side="right") - 1).astype(np.int32))
            rare_column.append(column[rare].astype(np.int32))
            mine = common_index[column[in_common]]
            held_common[filled:filled + len(mine)] = mine
            filled += len(mine)
        del distinct
        owners = np.concatenate(rare_owner)
        self._rare = _Incidence(owners, np.concatenate(rare_column), n)
        common_count = self.sizes - np.bincount(owners, minlength=n)  # per set
        held_common = held_common[:filled]
        lacking_owner, lacking_column = _lacking(held_common, common_count, self.common)
        del held_common
        self.lacking = np.bincount(lacking_owner, minlength=n).astype(np.int64)
        self._lacking = _Incidence(lacking_owner, lacking_column, n)

    def blocks(self) -> Iterator[tuple[int, int]]:
        """Consecutive row ranges that keep a block's cells and expanded entries bounded."""
        work = self._rare.work + self._lacking.work
        start = 0
        while start < self.n:
            stop, cells, expanded = start, 0, 0
            while stop < self.n and (stop == start or (cells + self.n <= BLOCK_CELLS
                                                       and expanded + work[stop] <= BLOCK_WORK)):
                cells += self.n
                expanded += int(work[stop])
                stop += 1
            yield start, stop
            start = stop

    def rows(self, start: int, stop: int) -> Any:
        """The intersection sizes of sets ``start..stop-1`` with every set: int64 ``(rows, n)``."""
        shape = (stop - start, self.n)
        inter = self._rare.shared(start, stop).reshape(shape)
        inter += self._lacking.shared(start, stop).reshape(shape)
        inter += self.common - self.lacking[start:stop, None] - self.lacking[None, :]
        return inter


def _lacking(column: Any, count: Any, columns: int) -> tuple[Any, Any]:
    """The (set, column) entries, sorted by set, of the ``columns`` columns a set does NOT hold,
    from the columns each holds (``column``: set after set, ``count[i]`` of them for set i)."""
    import numpy as np

    n = len(count)
    owners, lacking = [np.zeros(0, dtype=np.int32)], [np.zeros(0, dtype=np.int32)]
    if columns:
        bounds = np.concatenate([[0], np.cumsum(count)])
        step = max(1, BLOCK_CELLS // columns)
        for first in range(0, n, step):
            last = min(first + step, n)
            held = np.zeros((last - first, columns), dtype=bool)
            rows = np.repeat(np.arange(last - first), count[first:last])
            held[rows, column[bounds[first]:bounds[last]]] = True
            row, col = np.nonzero(~held)
            owners.append((row + first).astype(np.int32))
            lacking.append(col.astype(np.int32))
    return np.concatenate(owners), np.concatenate(lacking)


# --- candidates: pairs that share a bucket, kept when their signatures allow a match ----------

# A candidate pair is verified exactly only when its signatures do not rule a match out: under
# the MinHash model each of the num_perm values agrees with probability J, so a pair whose
# Jaccard reaches the bar it needs agrees on fewer values than observed with probability below
# this (one in a trillion per pair: far below the 32-bit n-gram hash collisions already accepted).
NEGLIGIBLE = 1e-12
_GRID = 4096  # the bars are looked up on this grid, rounded down (a lower bar keeps more pairs)


def bucket_ids(signatures: list[Any], num_perm: int, bands: int, rows: int) -> Any:
    """``(n, bands)`` int64: the bucket of each signature in each band, numbered per band (equal
    numbers: the same datasketch bucket, see :func:`band_keys`)."""
    import numpy as np

    n = len(signatures)
    keys = np.array([[key for _, key in band_keys(sig, num_perm, bands, rows)]
                     for sig in signatures], dtype=np.uint64).reshape(n, bands)
    ids = np.empty((n, bands), dtype=np.int64)
    for band in range(bands):
        ids[:, band] = np.unique(keys[:, band], return_inverse=True)[1].reshape(-1)
    return ids


def signature_rows(signatures: list[Any]) -> Any:
    """The signatures as one ``(n, num_perm)`` uint64 array."""
    import numpy as np

    return np.array([np.frombuffer(s, dtype=np.uint64) if isinstance(s, bytes) else np.asarray(s)
                     for s in signatures], dtype=np.uint64)


PAIR_LIMIT = 1 << 22  # candidate pairs listed one by one at most; more are scored as a matrix
SPARSE = 16  # pairs per document up to which a component is verified pair by pair
BIG_BUCKET = 32  # members of a bucket from which its pairs are not listed: its members stay together


class Candidates:
    """The candidate pairs of some signatures' bucket numbers (``ids``, ``(n, bands)``): the rows
    that share a bucket in at least one band (what datasketch's LSH returns). Pairs of buckets
    of fewer than ``big`` (:data:`BIG_BUCKET`) members are listed (``left[k] < right[k]``, each pair once:
    per band, the rows sorted by bucket and every pair within a run of equal buckets); a bigger
    bucket (a group of near-identical documents, where every band repeats the same pairs) is
    kept as its members (``together``). ``listed`` is False when the small buckets hold more
    than ``limit`` (:data:`PAIR_LIMIT`) pairs, counted in every band (then nothing is listed)."""

    def __init__(self, ids: Any, big: int | None = None, limit: int | None = None) -> None:
        import numpy as np

        n, bands = ids.shape
        big = BIG_BUCKET if big is None else big
        self.together: list[Any] = []
        runs = []
        for band in range(bands):
            order = np.argsort(ids[:, band], kind="stable")
            bucket = ids[order, band]
            run_end = np.searchsorted(bucket, bucket, side="right")  # one past each row's run
            run_start = np.searchsorted(bucket, bucket, side="left")
            in_big = run_end - run_start >= big
            for first in np.unique(run_start[in_big]).tolist():
                self.together.append(order[first:int(run_end[first])])
            runs.append((order, np.where(in_big, np.arange(n) + 1, run_end)))  # no later mate
        total = sum(int((run_end - np.arange(n) - 1).sum()) for _, run_end in runs)
        self.listed = total <= (PAIR_LIMIT if limit is None else limit)
        codes = [np.zeros(0, dtype=np.int64)]
        if self.listed:
            for order, run_end in runs:
                at = np.flatnonzero(run_end - np.arange(n) > 1)  # rows with a later row in their run
                step = 1
                while len(at):
                    a, b = order[at], order[at + step]
                    codes.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
                    step += 1
                    at = at[run_end[at] - at > step]
        unique = sorted_unique(np.concatenate(codes))
        self.left, self.right = unique // n, unique % n

    def plausible(self, sigs: Any, sizes: Any, num_perm: int, threshold: float,
                  containment: float) -> tuple[Any, Any]:
        """The listed pairs that are :func:`plausible`."""
        keep = plausible(agreements(sigs, self.left, self.right), sizes[self.left],
                         sizes[self.right], num_perm, threshold, containment)
        return self.left[keep], self.right[keep]


def agreements(sigs: Any, left: Any, right: Any) -> Any:
    """How many signature values each pair ``(left[k], right[k])`` shares, in chunks."""
    import numpy as np

    out = np.empty(len(left), dtype=np.int64)
    step = max(1, BLOCK_CELLS // max(1, sigs.shape[1]))
    for start in range(0, len(left), step):
        stop = start + step
        out[start:stop] = (sigs[left[start:stop]] == sigs[right[start:stop]]).sum(axis=1)
    return out


@lru_cache(maxsize=8)
def _fewest_agreements(num_perm: int) -> Any:
    """For each bar ``t = g / _GRID``: the fewest agreeing values of num_perm that a pair with
    Jaccard ``t`` shows with probability at least :data:`NEGLIGIBLE` (a binomial lower quantile,
    computed in log space)."""
    import numpy as np

    t = np.arange(_GRID + 1) / _GRID
    k = np.arange(num_perm + 1)
    log_choose = np.array([math.lgamma(num_perm + 1) - math.lgamma(i + 1) - math.lgamma(num_perm - i + 1)
                           for i in range(num_perm + 1)])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = (log_choose[None, :] + k[None, :] * np.log(t[:, None])
                   + (num_perm - k)[None, :] * np.log1p(-t[:, None]))
    log_pmf = np.nan_to_num(log_pmf, nan=-np.inf)
    log_pmf[0, 0] = 0.0  # t = 0: no value agrees
    log_pmf[-1, :] = -np.inf
    log_pmf[-1, -1] = 0.0  # t = 1: every value agrees
    cdf = np.cumsum(np.exp(log_pmf), axis=1)
    return (cdf < NEGLIGIBLE).sum(axis=1)  # the first k whose cdf reaches NEGLIGIBLE


def plausible(agreeing: Any, size_left: Any, size_right: Any, num_perm: int, threshold: float,
              containment: float) -> Any:
    """Whether each pair may reach ``threshold`` (Jaccard) or, with ``containment`` > 0, that
    share of the smaller set in the larger: its signatures agree on at least the fewest values a
    pair at the lower of the two Jaccard bars shows but for a :data:`NEGLIGIBLE` chance. A
    containment ``c`` of the smaller set (``m`` n-grams) is the Jaccard ``c·m / (a + b - c·m)``."""
    import numpy as np

    a = np.asarray(size_left, dtype=np.float64)
    b = np.asarray(size_right, dtype=np.float64)
    bar = np.full(len(a), float(threshold))
    if containment > 0:
        covered = containment * np.minimum(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            bar = np.minimum(bar, np.nan_to_num(covered / (a + b - covered), nan=1.0))
    grid = np.clip(np.floor(bar * _GRID), 0, _GRID).astype(np.int64)
    return (agreeing >= _fewest_agreements(num_perm)[grid]) & (np.minimum(a, b) > 0)


def verification_components(paths: list[str], signatures: list[Any], sizes: list[int],
                            num_perm: int, bands: int, rows: int, threshold: float,
                            containment: float) -> list[tuple[str, str]]:
    """``(path, first path of its component)`` for every document of a candidate component
    (``paths`` sorted) that has a plausible candidate pair, the components being those of the
    plausible pairs: what :func:`component_matches` then scores exactly, from signatures and
    sizes alone (no n-gram set). A component linked by chance through LSH buckets (thousands
    of documents sharing a few sentences) falls apart here into its few real groups."""
    import numpy as np

    n = len(paths)
    if n < 2:
        return []
    candidates = Candidates(bucket_ids(signatures, num_perm, bands, rows))
    if not candidates.listed:  # too many candidates to list: one component, scored as a matrix
        return [(path, paths[0]) for path in paths]
    left, right = candidates.plausible(signature_rows(signatures), np.asarray(sizes, dtype=np.int64),
                                       num_perm, threshold, containment)
    for members in candidates.together:  # a big bucket's members stay in one component
        left = np.concatenate([left, np.repeat(members[0], len(members) - 1)])
        right = np.concatenate([right, members[1:]])
    label = _merge_groups(np.arange(n, dtype=np.int64), left, right)
    linked = np.unique(np.concatenate([left, right]))
    return [(paths[i], paths[int(label[i])]) for i in linked.tolist()]


def component_matches(paths: list[str], grams: list[Any], signatures: list[Any], num_perm: int,
                      bands: int, rows: int, threshold: float, containment: float
                      ) -> list[tuple[str, str, float, str, str]]:
    """The near duplicates of one component (documents linked through plausible candidate
    pairs), ``paths`` in sorted order: ``(path, group, similarity, measure, closest)`` for each
    document with at least one verified partner. ``group`` is the first path of its group (the
    connected component of its verified pairs) and ``closest`` its best partner.

    A pair is verified when it is a candidate (its two signatures share a band bucket) that is
    :func:`plausible`, and its exact Jaccard reaches ``threshold`` (measure "Jaccard") or, with
    ``containment`` > 0, the share of the smaller set in the larger reaches ``containment``
    ("containment"); what is compared is that similarity. The best partner has the highest one,
    the first path on a tie. A component with few such pairs per document is scored pair by pair
    (:func:`_pair_matches`), a dense one (a group of near-identical documents) as a matrix of
    every pair at once (:func:`_matrix_matches`): the same result, bit for bit."""
    import numpy as np

    n = len(paths)
    if n < 2:
        return []
    sets = [np.frombuffer(g, dtype=np.uint32) if isinstance(g, bytes) else g for g in grams]
    ids = bucket_ids(signatures, num_perm, bands, rows)
    sigs = signature_rows(signatures)
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    # every bucket listed, unless the bands repeat more pairs than a sparse component has
    candidates = Candidates(ids, big=n + 1, limit=min(PAIR_LIMIT, SPARSE * n * bands))
    pairs = None
    if candidates.listed:
        pairs = candidates.plausible(sigs, sizes, num_perm, threshold, containment)
    if pairs is not None and len(pairs[0]) <= SPARSE * n:
        best, best_other, by_containment, group = _pair_matches(sets, sizes, *pairs, threshold,
                                                                containment)
    else:
        best, best_other, by_containment, group = _matrix_matches(sets, ids, sigs, num_perm,
                                                                  threshold, containment)
    found = np.nonzero(best >= 0)[0]
    return [(paths[i], paths[int(group[i])], float(best[i]),
             "containment" if by_containment[i] else "Jaccard", paths[int(best_other[i])])
            for i in found.tolist()]


def _scores(inter: Any, mine: Any, theirs: Any, threshold: float, containment: float
            ) -> tuple[Any, Any]:
    """(similarity or -1, by containment) of pairs with ``inter`` shared n-grams and set sizes
    ``mine`` and ``theirs`` (float64 arrays that broadcast)."""
    import numpy as np

    smaller = np.minimum(mine, theirs)
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = inter / (mine + theirs - inter)
        contained = inter / smaller
    is_jaccard = jac >= threshold
    is_contained = ~is_jaccard & (containment > 0) & (contained >= containment)
    return np.where(is_jaccard, jac, np.where(is_contained, contained, -1.0)), is_contained


def _pair_matches(sets: list[Any], sizes: Any, left: Any, right: Any, threshold: float,
                  containment: float) -> tuple[Any, Any, Any, Any]:
    """Best score, best partner, whether by containment and group label of each set, from the
    exact overlap of each pair ``(left[k], right[k])`` (:func:`shared_count`: its cost is the two
    sets', so only for components with few pairs per document)."""
    import numpy as np

    n = len(sets)
    inter = np.array([shared_count(sets[i], sets[j])
                      for i, j in zip(left.tolist(), right.tolist(), strict=True)], dtype=np.float64)
    size = sizes.astype(np.float64)
    score, contained = _scores(inter, size[left], size[right], threshold, containment)
    ok = score >= 0
    me = np.concatenate([left[ok], right[ok]])
    other = np.concatenate([right[ok], left[ok]])
    score2 = np.concatenate([score[ok], score[ok]])
    contained2 = np.concatenate([contained[ok], contained[ok]])
    order = np.lexsort((other, -score2, me))  # per set: the highest score, then the first partner
    first = order[np.flatnonzero(np.diff(me[order], prepend=-1) != 0)]
    best = np.full(n, -1.0)
    best_other = np.full(n, -1, dtype=np.int64)
    by_containment = np.zeros(n, dtype=bool)
    best[me[first]] = score2[first]
    best_other[me[first]] = other[first]
    by_containment[me[first]] = contained2[first]
    group = _merge_groups(np.arange(n, dtype=np.int64), left[ok], right[ok])
    return best, best_other, by_containment, group


def shared_count(a: Any, b: Any) -> int:
    """``len(np.intersect1d(a, b, assume_unique=True))`` of two sorted unique arrays: their
    concatenation is two sorted runs, which a stable sort (timsort) merges in linear time, and
    each value both hold is then next to itself (a tenth of ``intersect1d``'s time, which sorts
    the concatenation from scratch)."""
    import numpy as np

    merged = np.concatenate([a, b])
    merged.sort(kind="stable")
    return int(np.count_nonzero(merged[1:] == merged[:-1]))


def _matrix_matches(sets: list[Any], ids: Any, sigs: Any, num_perm: int, threshold: float,
                    containment: float) -> tuple[Any, Any, Any, Any]:
    """:func:`_pair_matches` for a dense component: every pair's overlap counted at once
    (:class:`Overlaps`), in blocks of rows, the candidates marked by comparing bucket numbers."""
    import numpy as np

    n = len(sets)
    bands = ids.shape[1]
    overlaps = Overlaps(sets)
    sizes = overlaps.sizes.astype(np.float64)
    best = np.full(n, -1.0)
    best_other = np.full(n, -1, dtype=np.int64)
    by_containment = np.zeros(n, dtype=bool)
    group = np.arange(n, dtype=np.int64)
    for start, stop in overlaps.blocks():
        inter = overlaps.rows(start, stop).astype(np.float64)
        candidate = np.zeros(inter.shape, dtype=bool)
        for band in range(bands):
            candidate |= ids[start:stop, band, None] == ids[None, :, band]
        candidate[np.arange(stop - start), np.arange(start, stop)] = False
        row, col = np.nonzero(candidate)
        row_doc = row + start
        candidate[row, col] = plausible(agreements(sigs, row_doc, col), overlaps.sizes[row_doc],
                                        overlaps.sizes[col], num_perm, threshold, containment)
        score, contained = _scores(inter, sizes[start:stop, None], sizes[None, :], threshold,
                                   containment)
        score = np.where(candidate, score, -1.0)
        other = score.argmax(axis=1)  # the first (smallest path) of the highest
        local = np.arange(stop - start)
        best[start:stop] = score[local, other]
        best_other[start:stop] = other
        by_containment[start:stop] = contained[local, other] & (score[local, other] >= 0)
        left, right = np.nonzero(score >= 0)
        group = _merge_groups(group, left + start, right)
    return best, best_other, by_containment, group


def _merge_groups(label: Any, left: Any, right: Any) -> Any:
    """Labels after adding the edges ``left[k] - right[k]``: every node labelled with the smallest
    node of its connected component (hooking roots onto the smaller root, then pointer jumping)."""
    import numpy as np

    if not len(left):
        return label
    label = label.copy()
    while True:
        a, b = label[left], label[right]
        differ = a != b
        if not differ.any():
            return label
        a, b = a[differ], b[differ]
        low = np.minimum(a, b)
        np.minimum.at(label, np.maximum(a, b), low)
        while True:  # pointer jumping: every node to its root
            jumped = label[label]
            if (jumped == label).all():
                break
            label = jumped


# --- grouping -------------------------------------------------------------------------------

class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return sorted(sorted(g) for g in out.values() if len(g) > 1)


def groups_of(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    uf = UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    return uf.groups()


def candidate_components(links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every linked path -> the first path of its connected component."""
    uf = UnionFind()
    for a, b in links:
        uf.union(a, b)
    return {path: uf.find(path) for path in uf.parent}


class GroupMates:
    """The other members of a document's group, without its exact copies (same content hash),
    for every member of a large group: its first few, their number and all of them joined with
    NUL (a finding's evidence), each in time linear in the group (a slice of one joined string)
    rather than by a comparison per member and document."""

    def __init__(self, members: list[str], digests: list[str]) -> None:
        self.members, self.digests = members, digests
        self.copies = Counter(digests)
        self.text = "\0".join(members)
        self.starts = list(accumulate((len(m) + 1 for m in members[:-1]), initial=0))

    def _others(self, index: int) -> list[str]:
        digest = self.digests[index]
        return [m for m, d in zip(self.members, self.digests, strict=True) if d != digest]

    def count(self, index: int) -> int:
        return len(self.members) - self.copies[self.digests[index]]

    def first(self, index: int, limit: int) -> list[str]:
        if self.copies[self.digests[index]] > 1:
            return self._others(index)[:limit]
        return [m for j, m in enumerate(self.members[:limit + 1]) if j != index][:limit]

    def joined(self, index: int) -> str:
        """``"\\0".join(others)``."""
        if self.copies[self.digests[index]] > 1:
            return "\0".join(self._others(index))
        start, end = self.starts[index], self.starts[index] + len(self.members[index])
        if index == 0:
            return self.text[end + 1:]
        return self.text[:start - 1] + self.text[end:]


def first_related(others: list[str], closest: str | None, limit: int) -> list[str]:
    """The group mates a finding lists: the first ``limit`` in path order, one of them its
    closest match (in place of the last, when it is not among them)."""
    shown = others[:limit]
    if closest is not None and closest not in shown and shown:
        shown = sorted([*shown[:-1], closest])
    return shown


def describe_others(others: list[str], limit: int = 3) -> str:
    return describe_others_counted(others[:limit], len(others), limit)


def describe_others_counted(first: list[str], total: int, limit: int = 3) -> str:
    """:func:`describe_others` of a list of which only the first ``limit`` (or more) items and
    the length ``total`` are known: a corpus-wide plan ships a capped list, not every path."""
    shown = ", ".join(first[:limit])
    return shown + (f" and {total - limit} more" if total > limit else "")


def in_focus(paths: Iterable[str], focus: set[str] | None) -> Iterator[str]:
    """The paths to report on: all of them, or (pre-commit, --changed-since) only focused ones."""
    for path in paths:
        if focus is None or path in focus:
            yield path


def round_down(value: float, places: int = 2) -> float:
    """Similarities are printed rounded down, so 0.899 never reads as a 0.90 threshold."""
    factor = 10 ** places
    return math.floor(value * factor + 1e-9) / factor


# --- per-document views shared by the DUP check types ---------------------------------------

def folded_lines(doc: Any, script: bool) -> list[str]:
    """The folded form of every line of a document (see :func:`fold`), computed once per document
    and shared by the DUP checks (folding never crosses a line end, so the folded document is
    the concatenation of its folded lines). The shared list itself is returned: read it, never
    modify it."""
    key = ("dup-fold-lines", script)
    if key not in doc.cache:
        parts: list[str] = []
        budget = MAX_CHARS  # only the first MAX_CHARS characters are compared (a 200 MB file)
        for line in doc.lines:
            part = line[:budget] if budget > 0 else ""
            budget -= len(part)
            parts.append(part)
        doc.cache[key] = fold_lines(parts, script)
    return doc.cache[key]


class _LineMemo:
    """Folded lines across the documents one process checks: the copies of a syndicated article
    repeat its lines (and every scraped page its furniture), and a line's folded form depends on
    nothing else (see :func:`fold_lines`), so a line seen before is not normalised and converted
    again. Bounded: forgotten at once past ``limit`` characters; long lines are not kept."""

    def __init__(self, limit: int, longest: int) -> None:
        self.limit, self.longest = limit, longest
        self.folded: dict[tuple[str, bool], str] = {}
        self.chars = 0

    def get(self, line: str, script: bool) -> str | None:
        return self.folded.get((line, script))

    def put(self, line: str, script: bool, folded: str) -> None:
        if len(line) > self.longest:
            return
        if self.chars + len(line) + len(folded) > self.limit:
            self.folded.clear()
            self.chars = 0
        self.folded[(line, script)] = folded
        self.chars += len(line) + len(folded)


FOLDED_LINES = _LineMemo(limit=4_000_000, longest=2_000)


def fold_lines(lines: list[str], script: bool) -> list[str]:
    """``[fold(line, script) if line.strip() else "" for line in lines]``: lines folded before
    (in this process) from :data:`FOLDED_LINES`, the others with ONE OpenCC call for all that
    need script folding (joined with "\n": no OpenCC phrase contains a line end, so a conversion
    never crosses one), instead of one call per line."""
    out = [FOLDED_LINES.get(line, script) for line in lines]
    missing = [i for i, folded in enumerate(out) if folded is None]
    if missing:
        fresh = _fold_each([lines[i] for i in missing], script)
        for i, folded in zip(missing, fresh, strict=True):
            out[i] = folded
            FOLDED_LINES.put(lines[i], script, folded)
    return [folded or "" for folded in out]


def _fold_each(lines: list[str], script: bool) -> list[str]:
    out = ["" if not line.strip() else unicodedata.normalize("NFKC", strip_tags(line))
           for line in lines]
    if script:
        todo = [i for i, text in enumerate(out) if text and not text.isascii()]
        if todo:
            converted = fold_script("\n".join(out[i] for i in todo)).split("\n")
            if len(converted) != len(todo) or any("\n" in out[i] for i in todo):
                converted = [fold_script(out[i]) for i in todo]  # not reached: stay exact
            for i, text in zip(todo, converted, strict=True):
                out[i] = text
    return [NOT_WORD.sub("", text.casefold()) if text else "" for text in out]


def folded_document(doc: Any, script: bool) -> str:
    """The folded text of a whole document."""
    key = ("dup-fold", script)
    if key not in doc.cache:
        doc.cache[key] = "".join(folded_lines(doc, script))
    return str(doc.cache[key])


def first_content_line(doc: Any) -> tuple[int, int]:
    """(line, end column) of the document's first non-blank line: where a document-level
    duplicate finding points (its title, usually)."""
    for number, raw in enumerate(doc.lines, 1):
        if raw.strip():
            return number, len(raw.rstrip("\r")) + 1
    return 1, 2
