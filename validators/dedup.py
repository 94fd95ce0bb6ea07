"""Duplicate detection helpers: normalisation, n-gram hashing, MinHash signatures, LSH band
selection, exact Jaccard verification and grouping.

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
from collections.abc import Iterable, Iterator
from functools import lru_cache
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
    return np.unique(xxh32_windows(points, min(n, len(folded)), count, SEED))


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
    # a Python call per value; in chunks, so a long document never needs an n x num_perm matrix
    a, b = template.permutations
    values = np.array(template.hashvalues, copy=True)
    mixed = fmix(np.asarray(hashes, dtype=np.uint32), 32)
    with np.errstate(over="ignore"):
        for start in range(0, len(mixed), 8192):
            chunk = mixed[start:start + 8192].reshape(-1, 1)
            values = np.minimum(values, (chunk * a + b).min(axis=0))
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
    import numpy as np

    if not len(a) or not len(b):
        return 0.0, 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
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
    return [(band, xxhash.xxh3_64_intdigest(values[band * rows:(band + 1) * rows].byteswap().tobytes()))
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


def fold_lines(lines: list[str], script: bool) -> list[str]:
    """``[fold(line, script) if line.strip() else "" for line in lines]``, with ONE OpenCC call
    for all the lines that need script folding (joined with "\n": no OpenCC phrase contains a
    line end, so a conversion never crosses one), instead of one call per line."""
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
