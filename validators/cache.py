"""A content-hash cache of per-document results, so a second run over an unchanged corpus only
reads and hashes its files.

An entry is one document's :class:`~validators.engine.DocumentResult` (findings, statistics and
what corpus-wide checks collected), keyed by the document's path and the hash of its bytes, under
a directory named by the *ruleset fingerprint*: every rule's id, name, check type, severity,
message and resolved options (lexicon contents included), the configuration that reaches the
checks, the tool version and a hash of the package's own code. Change any of them and every lookup
misses.

The cache directory usually sits in the work tree, where a pull request can plant files in it, so
an entry is data, never code, and is trusted only when authenticated:

- Data only: a head, i.e. a JSON header (findings, statistics; tuples, bytes and dicts with
  non-string keys tagged) and the raw ``bytes`` it refers to (the findings' compressed text),
  then the area of what the corpus rules collected (each part's JSON text, the n-gram hashes and
  MinHash signatures they refer to), whose length and SHA-256 the header names. Nothing is
  unpickled or evaluated; decoding accepts only the types a result holds, anything else is a
  miss. A lookup reads the head alone; the area is read, and checked, when a corpus stage asks
  for it (a warm run of an unchanged corpus never does).
- Authenticated: HMAC-SHA256, under a per-user secret key, over the key id, the entry's own key
  (so an entry moved to another name is a miss) and its head (which names the area's SHA-256).
  The key (32 random bytes) lives outside any repository, in
  ``$XDG_CACHE_HOME/corpus-validators/key`` (default ``~/.cache/corpus-validators/key``), or in
  the folder named by the environment variable ``CORPUS_VALIDATE_KEY_DIR`` (tests, CI). An entry
  planted in the repository, copied from another user's cache or forged is a miss, never a
  result. A key file that is a symlink, not a regular file, not the user's own, accessible to
  others or of the wrong size is not used (and not replaced, so the user sees why): the run goes
  on without the cache, as it does when the key cannot be created (a read-only home).
- A cache directory that git tracks is not used at all (:func:`open_result_cache` says so in a
  one-line warning): it would be shared through the repository.

Safe to share between runs: entries are written atomically (a temporary file renamed over the
target), and a missing, truncated, corrupt, foreign or forged entry is a miss, never an error.

The interface the run loop uses is three calls::

    key = cache.key(doc)              # None: do not cache this document (it could not be read)
    result = cache.lookup(key)        # DocumentResult | None
    cache.store(key, result)

and, for the corpus-wide stage, :func:`cached_corpus_findings`: the findings of the corpus rules
keyed by the rule set and every document's path and content hash (its bytes' SHA-256), so a
re-run over an unchanged corpus skips the corpus stage (no duplicate verification at all). One
entry per rule set and set of corpus rules, replaced when the corpus changes; it holds the
findings of the whole corpus (a run with a focus keeps the ones in focus).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from validators import __version__
from validators.atomic import write_bytes_atomic
from validators.document import Document
from validators.engine import DocumentResult
from validators.finding_blocks import block_data, block_from_data, pack_findings
from validators.findings import DuplicateGroup, Finding
from validators.rules import RuleSet
from validators.userkey import KEY_DIR_ENV, code_fingerprint, load_key

DEFAULT_CACHE_DIR = ".corpus-validate-cache"
FORMAT = "v6"                      # bump when the entry layout changes
LEGACY_FORMATS = ("v1", "v2", "v3", "v4", "v5")  # older layouts (v1: pickles), removed when the cache is written
MAGIC = b"CVCACHE2"
KEY_ID_SIZE = 8
DIGEST_SIZE = 32                   # HMAC-SHA256
HEAD_SIZE = len(MAGIC) + KEY_ID_SIZE + DIGEST_SIZE
CORPUS_SUFFIX = ".corpus"          # the corpus-wide entries (one per rule set): not documents
GIT_TIMEOUT = 30                   # seconds for the one `git ls-files` of a run
KEEP_RULESETS = 8                  # ruleset directories kept; older unused ones are pruned
PRUNE_AFTER_SECONDS = 24 * 3600    # and only when unused for this long (another run may use them)
CACHEDIR_TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
                b"# This directory is a cache of corpus-validate (corpus-validators).\n")



def _canon(value: Any) -> Any:
    """A JSON-able, order-independent description of an option value (regexes by pattern and
    flags, lexicons by their entries, sets sorted, dataclasses by field)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, Path):
        return {"path": value.as_posix()}
    if isinstance(value, enum.Enum):
        return {"enum": f"{type(value).__qualname__}.{value.name}"}
    if isinstance(value, (list, tuple)):
        return [_canon(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted((_canon(v) for v in value), key=_sort_key)}
    if isinstance(value, dict):
        return {"map": sorted(([_canon(k), _canon(v)] for k, v in value.items()), key=_sort_key)}
    if hasattr(value, "pattern") and hasattr(value, "flags") and not dataclasses.is_dataclass(value):
        return {"regex": value.pattern, "flags": int(value.flags)}  # re / regex compiled patterns
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"class": f"{type(value).__module__}.{type(value).__qualname__}",
                "fields": {f.name: _canon(getattr(value, f.name))
                           for f in dataclasses.fields(value)}}
    # Unknown objects: their repr. One that shows a memory address makes every run a miss, which
    # is slow but never wrong.
    return {"repr": f"{type(value).__module__}.{type(value).__qualname__}:{value!r}"}


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def ruleset_fingerprint(ruleset: RuleSet, settings: dict[str, Any] | None = None) -> str:
    """Everything a per-document result depends on besides the document itself."""
    rules = []
    for rule in sorted(ruleset, key=lambda r: r.id):
        check = type(rule.check)
        rules.append({
            "id": rule.id, "name": rule.name, "severity": rule.severity, "message": rule.message,
            "check": f"{check.__module__}.{check.__qualname__}:{rule.check.name}",
            "options": _canon(rule.options), "fix": rule.fix,
        })
    payload = {
        "format": FORMAT, "tool": __version__, "code": code_fingerprint(),
        "python": list(sys.version_info[:2]), "rules": rules,
        "settings": _canon(settings or {}),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def document_key(data: bytes, ruleset_fingerprint: str, path: str) -> str:
    """The key of one document's result: its bytes, its path (findings and fingerprints carry the
    path) and the ruleset fingerprint."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(ruleset_fingerprint.encode() + b"\0")
    digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


# --- entries as data -------------------------------------------------------------------------
#
# A result becomes a head (a JSON header plus the blobs it refers to) and the collected data's
# area (see pack_result). JSON keeps None, bool, int, float, str, list and string-keyed dicts as
# they are; the rest is a one-key object whose key starts with DEL (a control character JSON
# leaves unescaped; a real dict with such a key is written in the general map form, so the two
# never collide): {"\x7ft": [...]} a tuple, {"\x7fr": [[...], ...]} a tuple
# of tuples of scalars (a table: one tag for all its rows, decoded at C speed), {"\x7fb": [offset,
# length]} bytes in the blob area, {"\x7fm": [[k, v], ...]} a dict with other keys. The findings
# are the block of validators.finding_blocks ("rules", "counts", "unlisted", "own", "text": their
# compressed text in the JSON report, among the head's blobs), kept packed when the entry is read.

_TAG = "\x7f"
_TUPLE, _BYTES, _MAP, _ROWS = _TAG + "t", _TAG + "b", _TAG + "m", _TAG + "r"
_SCALARS = frozenset({str, int, float, bool, type(None)})
_RESULT_KEYS = {"path", "rules", "text", "counts", "unlisted", "own", "stats", "collected", "area"}


def _pack(value: Any, blobs: list[bytes], size: list[int]) -> Any:
    # scalars are tested inline (not by a call each): a collected list holds thousands of them
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [v if type(v) in _SCALARS else _pack(v, blobs, size) for v in value]
    if kind is dict:
        if all(type(k) is str and not k.startswith(_TAG) for k in value):
            return {k: v if type(v) in _SCALARS else _pack(v, blobs, size)
                    for k, v in value.items()}
        return {_MAP: [[_pack(k, blobs, size), _pack(v, blobs, size)] for k, v in value.items()]}
    if kind is tuple:
        if value and all(type(row) is tuple for row in value) and all(
                type(v) in _SCALARS for row in value for v in row):
            return {_ROWS: [list(row) for row in value]}  # one tag, not one per row (a table)
        return {_TUPLE: [v if type(v) in _SCALARS else _pack(v, blobs, size) for v in value]}
    if kind is bytes:
        blobs.append(value)
        size[0] += len(value)
        return {_BYTES: [size[0] - len(value), len(value)]}
    raise TypeError(f"a cache entry cannot hold a {kind.__qualname__}")


def pack_result(result: DocumentResult) -> bytes:
    """The data-only form of a result (unauthenticated): a head (two 4-byte lengths, the header's
    JSON, the blobs it refers to: the findings' text, bytes in the statistics) and then the
    collected data's area (each distinct part's JSON text, then the bytes those parts refer to).
    The header names the area's length and SHA-256, so reading the head (which an entry's HMAC
    covers) is enough to look a result up, and the area is read, and checked, only when a corpus
    stage asks for a part. Raises TypeError for a value outside the types above (such a result is
    not cached)."""
    block = pack_findings(result.path, result.findings)
    collected = result.collected
    packed = collected if isinstance(collected, PackedCollected) else pack_collected(collected)
    texts, blob_area = packed.packed()
    places: dict[int, list[int]] = {}  # a text shared by several rules (the CON item) once
    pieces: list[bytes] = []
    at = 0
    parts = []
    for rule_id, part in texts.items():
        if id(part) not in places:
            places[id(part)] = [at, len(part)]
            pieces.append(part)
            at += len(part)
        parts.append([rule_id, *places[id(part)]])
    area = b"".join([*pieces, blob_area]) if parts else b""
    blobs: list[bytes] = []
    size = [0]
    stats = _pack(result.stats, blobs, size)
    header = {"path": result.path, "stats": stats, "collected": parts,
              "area": [len(area), hashlib.sha256(area).hexdigest(), at],
              **_pack(block_data(block), blobs, size)}
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    data = text.encode("utf-8", "surrogatepass")
    return b"".join([len(data).to_bytes(4, "big"), size[0].to_bytes(4, "big"), data, *blobs, area])


SIZES = 8  # the head's two lengths: its JSON's, its blobs'


def head_size(data: bytes | memoryview) -> int:
    """The length of the head a payload starts with (ValueError when it cannot have one)."""
    if len(data) < SIZES:
        raise ValueError("truncated entry")
    return SIZES + int.from_bytes(data[:4], "big") + int.from_bytes(data[4:SIZES], "big")


def _unpacker(area: memoryview) -> Any:
    """The JSON object hook of one entry: tagged objects back to tuples, bytes (sliced from
    ``area``) and maps; any other tag is a foreign layout (ValueError)."""

    def hook(obj: dict[str, Any]) -> Any:
        if len(obj) == 1:  # our encoder writes tags only as one-key objects
            ((tag, value),) = obj.items()
            if tag[:1] != _TAG:
                return obj
            if type(value) is not list:
                raise ValueError("malformed tag")
            if tag == _TUPLE:
                return tuple(value)
            if tag == _ROWS:
                if not set(map(type, value)) <= {list}:
                    raise ValueError("malformed rows")
                return tuple(map(tuple, value))
            if tag == _BYTES:
                if len(value) != 2 or not all(type(v) is int for v in value):
                    raise ValueError("malformed bytes")
                start, length = value
                if start < 0 or length < 0 or start + length > len(area):
                    raise ValueError("bytes outside the entry")
                return bytes(area[start:start + length])
            if tag == _MAP:
                if not all(type(pair) is list and len(pair) == 2 for pair in value):
                    raise ValueError("malformed map")
                return {k: v for k, v in value}  # an unhashable key raises TypeError
            raise ValueError("unknown tag")
        return obj

    return hook


def unpack_result(data: bytes | memoryview,
                  area: Callable[[tuple[int, str]], bytes] | None = None) -> DocumentResult:
    """The inverse of :func:`pack_result`; ValueError (or TypeError) for anything else.
    ``area``: how to read the collected data's area when a corpus stage asks for a part; then
    ``data`` need only hold the head (a warm run of an unchanged corpus never reads the area:
    every document's n-gram sets and annotated lines, ~2.5 bytes per corpus byte). Without it
    the area follows the head in ``data`` and is checked against its SHA-256 here."""
    view = memoryview(data)
    end = head_size(view)
    size = int.from_bytes(view[:4], "big")
    if end > len(view):
        raise ValueError("truncated entry")
    text = str(view[SIZES:SIZES + size], "utf-8", "surrogatepass")
    header = json.loads(text, object_hook=_unpacker(view[SIZES + size:end]))
    if type(header) is not dict or header.keys() != _RESULT_KEYS:
        raise ValueError("not a result")
    path, stats, collected, spec = (header["path"], header["stats"], header["collected"],
                                    header["area"])
    if not (type(spec) is list and len(spec) == 3 and type(spec[0]) is int
            and type(spec[1]) is str and len(spec[1]) == 64 and type(spec[2]) is int
            and 0 <= spec[2] <= spec[0]):
        raise ValueError("not a result")
    length, digest, blobs_at = spec
    if type(path) is not str or type(stats) is not dict \
            or type(collected) is not list or not all(
                type(part) is list and len(part) == 3 and type(part[0]) is str
                and type(part[1]) is int and type(part[2]) is int
                and part[1] >= 0 and part[2] >= 0 and part[1] + part[2] <= blobs_at
                for part in collected):
        raise ValueError("not a result")
    if len({part[0] for part in collected}) != len(collected):
        raise ValueError("not a result")
    block = block_from_data(path, header["rules"], header["text"], header["counts"],
                            header["unlisted"], header["own"])
    parts = {rule_id: (start, count) for rule_id, start, count in collected}
    if area is None:
        kept = bytes(view[end:end + length])
        if len(kept) != length or hashlib.sha256(kept).hexdigest() != digest:
            raise ValueError("the collected data does not match its entry")
        return DocumentResult(path, block, stats, CachedCollected(parts, blobs_at, kept))
    return DocumentResult(path, block, stats, CachedCollected(parts, blobs_at, area, (length, digest)))


def area_matches(area: bytes, spec: tuple[int, str]) -> bool:
    """Whether ``area`` is the one an entry's (authenticated) header names: its length and SHA-256."""
    return len(area) == spec[0] and hashlib.sha256(area).hexdigest() == spec[1]


def unpack_part(text: bytes | memoryview, area: bytes | memoryview) -> Any:
    """One rule's collected value from its JSON text and the blob area it refers to (our own
    writing; decoded with the same data-only types as an entry's header)."""
    return json.loads(str(text, "utf-8", "surrogatepass"), object_hook=_unpacker(memoryview(area)))


class PartsByRule(Mapping[str, Any]):
    """A mapping rule id -> collected value whose values are decoded from ``_parts`` only when
    asked for: membership, iteration and size never decode (Mapping's ``in`` would)."""

    _parts: Mapping[str, Any]

    def __getitem__(self, rule_id: str) -> Any:  # pragma: no cover - each kind decodes its own
        raise NotImplementedError

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._parts

    def __len__(self) -> int:
        return len(self._parts)


class PackedCollected(PartsByRule):
    """What the corpus rules collected from a document, packed data-only (a JSON text per rule
    over one blob area), each rule's part decoded only when a corpus stage asks for it.
    ``fresh``: packed by a worker from a document just checked (:func:`pack_collected`), not read
    from a cache entry (:class:`CachedCollected`)."""

    _parts: dict[str, Any]

    def __init__(self, texts: dict[str, bytes], area: bytes, fresh: bool = False) -> None:
        self._parts, self._area, self.fresh = texts, area, fresh
        self._decoded: dict[str, Any] = {}  # a part once decoded

    def __getitem__(self, rule_id: str) -> Any:
        if rule_id not in self._decoded:
            self._decoded[rule_id] = unpack_part(self._parts[rule_id], self._area)
        return self._decoded[rule_id]

    def __reduce__(self) -> tuple[Any, ...]:  # to a worker or the parent: still packed
        return (PackedCollected, (*self.packed(), self.fresh))

    def packed(self) -> tuple[dict[str, bytes], bytes]:
        """Each rule's JSON text and the blob area they share (texts of one object are one)."""
        return dict(self._parts), self._area if self._parts else b""


class CachedCollected(PackedCollected):
    """What the corpus rules collected from a cached document: the parts' places in the entry's
    area, and the area itself or how to read it again (:meth:`ResultCache.lookup` reads only the
    head; a warm run whose corpus-wide findings are cached never reads an area, most of what an
    entry holds). An area read again is checked against the length and SHA-256 the authenticated
    header names (``spec``); the entry was authenticated and its header decoded, so a part is
    our own writing, decoded with the same data-only types as the header."""

    _parts: dict[str, tuple[int, int]]
    _area: bytes | Callable[[tuple[int, str]], bytes]  # type: ignore[assignment]

    def __init__(self, parts: dict[str, tuple[int, int]], blobs_at: int,
                 area: bytes | Callable[[tuple[int, str]], bytes],
                 spec: tuple[int, str] | None = None) -> None:
        self._parts, self._blobs_at, self._area, self._spec = parts, blobs_at, area, spec
        self.fresh = False
        self._decoded = {}
        self.same_machine = False  # sent only to a process that reads the same files

    @property
    def area_size(self) -> int:
        """The area's length, as the header names it."""
        if self._spec is not None:
            return self._spec[0]
        return 0 if callable(self._area) else len(self._area)

    def __reduce__(self) -> tuple[Any, ...]:
        """To a process on this machine (``same_machine``: the look-ups' fork), the head's data
        and how to read the area; elsewhere (a Dask worker may be another machine, without this
        cache) the parts themselves, as :class:`PackedCollected`."""
        if self.same_machine:
            return (CachedCollected, (self._parts, self._blobs_at, self._area, self._spec))
        return super().__reduce__()

    def _read(self) -> memoryview:
        area = self._area
        if callable(area):
            assert self._spec is not None
            return memoryview(area(self._spec))
        return memoryview(area)

    def __getitem__(self, rule_id: str) -> Any:
        if rule_id not in self._decoded:
            start, size = self._parts[rule_id]
            area = self._read()
            self._decoded[rule_id] = unpack_part(area[start:start + size], area[self._blobs_at:])
        return self._decoded[rule_id]

    def packed(self) -> tuple[dict[str, bytes], bytes]:
        if not self._parts:
            return {}, b""
        area = self._read()
        texts: dict[tuple[int, int], bytes] = {}  # a shared text stays one object
        for place in self._parts.values():
            if place not in texts:
                texts[place] = bytes(area[place[0]:place[0] + place[1]])
        return ({rule_id: texts[place] for rule_id, place in self._parts.items()},
                bytes(area[self._blobs_at:]))


def pack_collected(collected: Mapping[str, Any]) -> PackedCollected:
    """What a document's corpus rules collected, packed data-only as a cache entry keeps it: a
    JSON text per rule over one blob area; a value shared by several rules (the CON rules' one
    item) is packed once. TypeError for a value outside the cache's types."""
    blobs: list[bytes] = []
    size = [0]
    texts: dict[str, bytes] = {}
    done: dict[int, bytes] = {}
    for rule_id, value in collected.items():
        if type(rule_id) is not str:
            raise TypeError("a collected rule id must be a str")
        if id(value) not in done:
            done[id(value)] = json.dumps(_pack(value, blobs, size), ensure_ascii=False,
                                         separators=(",", ":"), allow_nan=True
                                         ).encode("utf-8", "surrogatepass")
        texts[rule_id] = done[id(value)]
    return PackedCollected(texts, b"".join(blobs), fresh=True)


# --- corpus-wide findings --------------------------------------------------------------------------

def corpus_slot(fingerprint: str, rule_ids: Iterable[str]) -> str:
    """The name of the one corpus entry of a rule set and its corpus rules (a re-run over a
    changed corpus replaces it: entries do not pile up with every commit)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(b"corpus\0" + fingerprint.encode() + b"\0")
    digest.update("\0".join(sorted(rule_ids)).encode())
    return digest.hexdigest()


def corpus_key(documents: Iterable[tuple[str, str]]) -> str:
    """What the corpus-wide findings depend on besides the rules: every document's path and
    content hash (order-independent)."""
    digest = hashlib.blake2b(digest_size=32)
    for path, content in sorted(documents):
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0" + content.encode() + b"\0")
    return digest.hexdigest()


def pack_corpus(key: str, findings: list[Finding]) -> DocumentResult:
    """Corpus-wide findings as a result the entry format holds: the duplicate groups (shared by
    the findings of their members) once, each finding naming its group by index; the findings
    in report order, the order an entry keeps (and gives back) a result's findings in."""
    findings = sorted(findings, key=Finding.sort_key)
    groups: dict[int, int] = {}
    table: list[list[Any]] = []
    group_of = []
    for f in findings:
        if f.group is None:
            group_of.append(-1)
            continue
        if id(f.group) not in groups:
            groups[id(f.group)] = len(table)
            table.append([list(f.group.members), None if f.group.closest is None
                          else [list(c) for c in f.group.closest]])
        group_of.append(groups[id(f.group)])
    return DocumentResult("", list(findings), {}, {"key": key, "groups": table, "group_of": group_of})


def unpack_corpus(result: DocumentResult, key: str) -> list[Finding] | None:
    """The findings of :func:`pack_corpus` if they were stored for ``key``, else None (the corpus
    changed since, or the entry is not one)."""
    data = result.collected
    if result.path != "" or data.keys() != {"key", "groups", "group_of"} or data["key"] != key:
        return None
    table, group_of = data["groups"], data["group_of"]
    if type(table) is not list or type(group_of) is not list or len(group_of) != len(result.findings):
        return None
    groups = []
    for entry in table:
        if not (type(entry) is list and len(entry) == 2 and type(entry[0]) is list
                and all(type(p) is str for p in entry[0])):
            return None
        closest = entry[1]
        if closest is not None and not (type(closest) is list and len(closest) == len(entry[0]) and all(
                type(c) is list and len(c) == 3 and all(type(v) is str for v in c) for c in closest)):
            return None
        groups.append(DuplicateGroup(tuple(entry[0]), None if closest is None
                                     else tuple(tuple(c) for c in closest)))
    if not all(type(i) is int and -1 <= i < len(groups) for i in group_of):
        return None
    return [f if i < 0 else dataclasses.replace(f, group=groups[i])
            for f, i in zip(result.findings, group_of, strict=True)]


def _corpus_entry(cache: ResultCache | None, rule_ids: Iterable[str],
                  documents: Iterable[tuple[str, str]], kind: str = "") -> tuple[str, str] | None:
    """(slot, key) of the corpus-wide entry of ``kind`` for these rules over these documents, or
    None when there is nothing to keep: no cache, no rule, or a document without a content hash."""
    rule_ids = sorted(rule_ids)
    documents = list(documents)
    if cache is None or not rule_ids or not all(content for _, content in documents):
        return None
    return (corpus_slot(cache.fingerprint, [kind + rule_id for rule_id in rule_ids]),
            corpus_key(documents))


def cached_corpus_findings(cache: ResultCache | None, rule_ids: Iterable[str],
                           documents: Iterable[tuple[str, str]], focus: set[str] | frozenset[str] | None,
                           finish: Callable[[set[str] | None], list[Finding]]) -> list[Finding]:
    """The findings of the corpus rules ``rule_ids`` over ``documents`` (path, content hash):
    ``finish(focus)`` without a cache; with one, the stored findings of an unchanged corpus, or
    ``finish(None)`` stored for the next run. Corpus checks report a focused run's groups on
    the focused documents only, so the whole corpus's findings filtered by path are exactly
    what ``finish(focus)`` gives."""
    named = _corpus_entry(cache, rule_ids, documents)
    if cache is None or named is None:
        return finish(None if focus is None else set(focus))
    slot, key = named
    found = cache.lookup_corpus(slot, key)
    if found is None:
        found = sorted(finish(None), key=Finding.sort_key)  # as the entry gives them back
        cache.store_corpus(slot, key, found)
    return found if focus is None else [f for f in found if f.path in focus]


def cached_corpus_summary(cache: ResultCache | None, rule_ids: Iterable[str],
                          documents: Iterable[tuple[str, str]],
                          summarize: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """What the corpus rules ``rule_ids`` add to the run's summary (CON001's per-connective
    counts), over ``documents`` (path, content hash): ``summarize()``, kept beside the
    corpus-wide findings under the same key, so a re-run over an unchanged corpus neither
    decodes what the rules collected nor searches the corpus again. A focused run's summary is
    the whole corpus's too."""
    named = _corpus_entry(cache, rule_ids, documents, "summary ")
    if cache is None or named is None:
        return summarize()
    slot, key = named
    result = cache.lookup_corpus_entry(slot)
    if (result is not None and result.path == "" and not result.findings
            and result.collected.keys() == {"key", "summary"} and result.collected["key"] == key
            and type(result.collected["summary"]) is dict):
        return dict(result.collected["summary"])
    summary = summarize()
    cache.store_corpus_entry(slot, DocumentResult("", [], {}, {"key": key, "summary": summary}))
    return summary


# --- the per-user key --------------------------------------------------------------------------

def key_id(secret: bytes) -> bytes:
    """Names a key without revealing it: entries of another key are recognised as foreign."""
    return hashlib.sha256(b"corpus-validators key id\0" + secret).digest()[:KEY_ID_SIZE]


def _mac(secret: bytes, ident: bytes, key: str, payload: bytes | memoryview) -> bytes:
    mac = hmac.new(secret, MAGIC + ident + key.encode("utf-8", "surrogatepass") + b"\0",
                   hashlib.sha256)
    mac.update(payload)
    return mac.digest()


def encode_entry(key: str, result: DocumentResult, secret: bytes) -> bytes:
    """An authenticated entry: MAGIC, key id, HMAC-SHA256 of the head, then :func:`pack_result`
    (the head names the area's SHA-256)."""
    payload = pack_result(result)
    ident = key_id(secret)
    return MAGIC + ident + _mac(secret, ident, key, memoryview(payload)[:head_size(payload)]) + payload


def decode_entry(key: str, blob: bytes, secret: bytes,
                 area: Callable[[tuple[int, str]], bytes] | None = None) -> DocumentResult | None:
    """The result in an entry written under ``key`` with ``secret``; None for anything else
    (another key, another entry's name, a forged, truncated or malformed entry). ``area``: how
    to read the collected data's area later, when ``blob`` holds only the entry's head (see
    :func:`unpack_result`); without it the area must follow and match."""
    if len(blob) <= HEAD_SIZE or not blob.startswith(MAGIC):
        return None
    view = memoryview(blob)
    ident = key_id(secret)
    if view[len(MAGIC):len(MAGIC) + KEY_ID_SIZE] != ident:
        return None
    payload = view[HEAD_SIZE:]
    try:
        end = head_size(payload)
    except ValueError:
        return None
    if end > len(payload) or not hmac.compare_digest(
            _mac(secret, ident, key, payload[:end]), view[len(MAGIC) + KEY_ID_SIZE:HEAD_SIZE]):
        return None
    try:
        return unpack_result(payload, area)
    except (ValueError, TypeError, RecursionError):  # authentic but not ours to read: a miss
        return None


def read_head(path: Path) -> tuple[bytes, int]:
    """The first bytes of an entry, up to the end of its head (what the HMAC covers), and the
    size of what follows (the area's, if the entry is whole): a lookup does not read the
    collected data's area. OSError as reading does."""
    # (a FIFO or a link put in the cache's place is no entry: nothing waits for a writer)
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return b"", 0
        size = info.st_size
        data = os.read(fd, min(size, HEAD_SIZE + SIZES + (64 << 10)))
        if len(data) < HEAD_SIZE + SIZES:
            return data, 0
        end = HEAD_SIZE + head_size(data[HEAD_SIZE:HEAD_SIZE + SIZES])
        while len(data) < end and (more := os.read(fd, end - len(data))):
            data += more
        return data[:end], size - end
    finally:
        os.close(fd)


# --- a cache git tracks is not used ------------------------------------------------------------

def tracked_by_git(directory: str | os.PathLike[str]) -> bool:
    """Whether any file under ``directory`` is in the index of the git repository that contains
    it (one ``git ls-files`` call). No git, not a repository, or a git error: False."""
    path = Path(os.path.abspath(directory))
    probe = path
    while not probe.is_dir() and probe != probe.parent:
        probe = probe.parent
    spec = os.path.relpath(path, probe)
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(["git", "--literal-pathspecs", "ls-files", "-z", "--", spec],
                              cwd=probe, capture_output=True, env=env, timeout=GIT_TIMEOUT,
                              check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip(b"\0"))


def _shown(directory: str | os.PathLike[str]) -> str:
    """A directory as a one-line, copy-pasteable shell word (relative to the working directory
    when inside it)."""
    import shlex

    text = os.fspath(directory)
    with contextlib.suppress(ValueError):
        relative = os.path.relpath(text)
        if not relative.startswith(".."):
            text = relative
    return shlex.quote(text) if text.isprintable() else repr(text)


def open_result_cache(directory: str | os.PathLike[str], fingerprint: str, *,
                      tracked: bool | None = None) -> tuple[ResultCache | None, str | None]:
    """The cache in ``directory`` for one ruleset fingerprint, or None and a one-line warning
    why it is not used: git tracks the directory (entries would travel with the repository), or
    there is no usable per-user key. ``tracked``: the caller's own :func:`tracked_by_git` answer
    for this directory (one git call per run when several rule sets share it)."""
    if tracked if tracked is not None else tracked_by_git(directory):
        shown = _shown(directory)
        return None, (f"corpus-validate: warning: the cache {shown} is tracked by git; not using "
                      f"it (remove it from the index: git rm -r --cached {shown})")
    cache = ResultCache(directory, fingerprint)
    if cache.key_problem is not None:
        return None, (f"corpus-validate: warning: {cache.key_problem}; running without the "
                      f"result cache (set {KEY_DIR_ENV} to a private folder, or use --no-cache)")
    return cache, None


class EntryArea:
    """How to read the collected data's area of an entry looked up earlier: the entry's file
    name, nothing secret, so a cached result travels between processes as its head's data and
    this (the area stays on disk until a corpus stage asks for a part)."""

    def __init__(self, path: str, key: str) -> None:
        self.path, self.key = path, key

    def __call__(self, spec: tuple[int, str]) -> bytes:
        """The area, read now and checked against the length and SHA-256 the entry's
        authenticated head named (``spec``). OSError when the entry has gone or does not match:
        a damaged entry is removed, so that the next run computes the document again."""
        try:
            with open(self.path, "rb") as handle:
                blob = handle.read()
        except OSError as exc:
            raise OSError(f"the cache entry {self.key} went away during the run: run again") from exc
        area = blob[max(len(blob) - spec[0], 0):]  # the entry's end
        if not area_matches(area, spec):
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            raise OSError(f"the cache entry {self.key} was damaged or changed during the run "
                          "(removed): run again")
        return area


class ResultCache:
    """Per-document results on disk under ``directory``, for one ruleset fingerprint.

    ``secret``: the key entries are authenticated with (tests); by default the per-user key of
    :func:`load_key`, read here, in the parent process, so that it travels with the object to the
    worker processes. Without a usable key every lookup misses and nothing is stored
    (``key_problem`` says why)."""

    def __init__(self, directory: str | os.PathLike[str], fingerprint: str, *,
                 secret: bytes | None = None) -> None:
        self.directory = Path(directory)
        self.fingerprint = fingerprint
        self.key_problem: str | None = None
        if secret is None:
            secret, self.key_problem = load_key()
        elif len(secret) < 16:
            raise ValueError("a cache secret needs at least 16 bytes")
        self._secret = secret
        self.folder = self.directory / FORMAT / fingerprint
        self.hits = 0
        self.misses = 0
        self.stores = 0
        self.errors = 0          # unreadable/corrupt entries and failed writes (each a miss)
        self.corpus_hits = 0     # the corpus-wide stage served from the cache (whole runs)
        self.corpus_misses = 0
        self.corpus_stores = 0
        self._writable = True
        self._prepared = False
        self._touched = False

    @property
    def usable(self) -> bool:
        """Whether a lookup can hit at all (without a usable per-user key every lookup misses)."""
        return self._secret is not None

    def stats(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses, "stores": self.stores,
                "errors": self.errors}

    def key(self, doc: Document) -> str | None:
        """The document's key, or None when its result is not a function of its bytes (a file
        that could not be read at all)."""
        if any(problem.kind in ("unreadable", "too_large") for problem in doc.problems):
            return None
        return self.key_of(doc.data, doc.path)

    def key_of(self, data: bytes, path: str) -> str:
        """The key of a document's bytes under its display path (:func:`document_key`)."""
        return document_key(data, self.fingerprint, path)

    def _entry(self, key: str, suffix: str = ".bin") -> Path:
        return self.folder / key[:2] / f"{key}{suffix}"

    def lookup(self, key: str) -> DocumentResult | None:
        if self._secret is None:
            self.misses += 1
            return None
        entry = self._entry(key)
        try:
            blob, after = read_head(entry)
        except OSError:
            self.misses += 1
            return None
        result = decode_entry(key, blob, self._secret, EntryArea(os.fspath(entry), key))
        if result is not None and isinstance(result.collected, CachedCollected) \
                and result.collected.area_size != after:
            result = None  # truncated (or grown) since it was written
        if result is None:
            self.errors += 1
            self.misses += 1
            return None
        self.hits += 1
        if not self._touched:
            self._touched = True
            with contextlib.suppress(OSError):
                os.utime(self.folder)  # marks this rule set as recently used (for pruning)
        return result

    def lookup_corpus(self, slot: str, key: str) -> list[Finding] | None:
        """The corpus-wide findings stored in ``slot`` for the corpus ``key`` (:func:`corpus_key`),
        or None; counted in ``corpus_hits`` / ``corpus_misses``, not in the documents' counts."""
        result = self.lookup_corpus_entry(slot)
        found = unpack_corpus(result, key) if result is not None else None
        if found is None:
            self.corpus_misses += 1
        else:
            self.corpus_hits += 1
        return found

    def lookup_corpus_entry(self, slot: str) -> DocumentResult | None:
        """The corpus-wide entry in ``slot``, checked and decoded (data only), or None."""
        if self._secret is None:
            return None
        try:
            blob = self._entry(slot, CORPUS_SUFFIX).read_bytes()
        except OSError:
            return None
        return decode_entry(slot, blob, self._secret) if blob else None

    def store_corpus(self, slot: str, key: str, findings: list[Finding]) -> None:
        if self.store_corpus_entry(slot, pack_corpus(key, findings)):
            self.corpus_stores += 1

    def store_corpus_entry(self, slot: str, result: DocumentResult) -> bool:
        """Store a corpus-wide entry (not counted as a document's); whether it was written."""
        stores = self.stores
        self.store(slot, result, CORPUS_SUFFIX)
        written = self.stores != stores
        self.stores = stores  # the documents' count stays theirs
        return written

    def store(self, key: str, result: DocumentResult, suffix: str = ".bin") -> None:
        if not self._writable or self._secret is None:
            return
        try:
            blob = encode_entry(key, result, self._secret)
        except (TypeError, ValueError, OverflowError, RecursionError):
            # something a check collected is not plain data: run without caching it
            self.errors += 1
            return
        entry = self._entry(key, suffix)
        for attempt in (1, 2):
            try:
                if not self._prepared or attempt == 2:
                    self._prepare()
                entry.parent.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(entry, blob, durable=False)
                self.stores += 1
                return
            except OSError:
                continue  # a concurrent prune removed the folder: create it again, once
        self.errors += 1
        self._writable = False  # read-only or full disk: stop trying for this run

    def _prepare(self) -> None:
        """Create the cache directory (tagged, and ignored by git) and prune old rule sets."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, content in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", b"*\n")):
            target = self.directory / name
            if not target.exists():
                with contextlib.suppress(OSError):
                    write_bytes_atomic(target, content, durable=False)
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self._prepared:
            with contextlib.suppress(OSError):
                os.utime(self.folder)  # marks this rule set as recently used
            self._prune()
            for legacy in LEGACY_FORMATS:  # never read again (and v1 entries were pickles)
                shutil.rmtree(self.directory / legacy, ignore_errors=True)
        self._prepared = True

    def _prune(self) -> None:
        try:
            folders = [p for p in (self.directory / FORMAT).iterdir() if p.is_dir()]
        except OSError:
            return
        def used(p: Path) -> float:
            try:
                return p.stat().st_mtime
            except OSError:
                return 0.0
        folders.sort(key=used, reverse=True)
        now = time.time()
        for old in folders[KEEP_RULESETS:]:
            if old != self.folder and now - used(old) > PRUNE_AFTER_SECONDS:
                shutil.rmtree(old, ignore_errors=True)

    def clear(self) -> None:
        for name in (FORMAT, *LEGACY_FORMATS):
            shutil.rmtree(self.directory / name, ignore_errors=True)
