"""A content-hash cache of per-document results, so a second run over an unchanged corpus only
reads and hashes its files.

An entry is one document's :class:`~validators.engine.DocumentResult` (findings, statistics and
what corpus-wide checks collected), keyed by the document's path and the hash of its bytes, under
a directory named by the *ruleset fingerprint*: every rule's id, name, check type, severity,
message and resolved options (lexicon contents included), the configuration that reaches the
checks, the tool version and a hash of the package's own code. Change any of them and every lookup
misses.

Safe to share between runs: entries are written atomically (a temporary file renamed over the
target), carry a checksum, and a missing, truncated, corrupt or foreign entry is a miss, never an
error. The cache is a local, trusted directory (entries are pickles): never point ``cache_dir`` at
a directory other users can write to.

The interface the run loop uses is three calls::

    key = cache.key(doc)              # None: do not cache this document (it could not be read)
    result = cache.lookup(key)        # DocumentResult | None
    cache.store(key, result)
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import os
import pickle
import shutil
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from validators import __version__
from validators.atomic import write_bytes_atomic
from validators.document import Document
from validators.engine import DocumentResult
from validators.rules import RuleSet

DEFAULT_CACHE_DIR = ".corpus-validate-cache"
FORMAT = "v1"                      # bump when the entry layout changes
MAGIC = b"CVCACHE1"
DIGEST_SIZE = 32
KEEP_RULESETS = 8                  # ruleset directories kept; older unused ones are pruned
PRUNE_AFTER_SECONDS = 24 * 3600    # and only when unused for this long (another run may use them)
CACHEDIR_TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
                b"# This directory is a cache of corpus-validate (corpus-validators).\n")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the package's Python sources: a changed check type invalidates the cache even
    when the version number did not change (an editable install during development)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


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


class ResultCache:
    """Per-document results on disk under ``directory``, for one ruleset fingerprint."""

    def __init__(self, directory: str | os.PathLike[str], fingerprint: str) -> None:
        self.directory = Path(directory)
        self.fingerprint = fingerprint
        self.folder = self.directory / FORMAT / fingerprint
        self.hits = 0
        self.misses = 0
        self.stores = 0
        self.errors = 0          # unreadable/corrupt entries and failed writes (each a miss)
        self._writable = True
        self._prepared = False
        self._touched = False

    def stats(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses, "stores": self.stores,
                "errors": self.errors}

    def key(self, doc: Document) -> str | None:
        """The document's key, or None when its result is not a function of its bytes (a file
        that could not be read at all)."""
        if any(problem.kind in ("unreadable", "too_large") for problem in doc.problems):
            return None
        return document_key(doc.data, self.fingerprint, doc.path)

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.bin"

    def lookup(self, key: str) -> DocumentResult | None:
        try:
            blob = self._entry(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        result = self._decode(key, blob)
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

    @staticmethod
    def _decode(key: str, blob: bytes) -> DocumentResult | None:
        head = len(MAGIC) + DIGEST_SIZE
        if len(blob) <= head or not blob.startswith(MAGIC):
            return None
        payload = blob[head:]
        if hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() != blob[len(MAGIC):head]:
            return None
        try:
            stored_key, result = pickle.loads(payload)
        except Exception:  # a corrupt or incompatible entry is a miss, whatever unpickling raised
            return None
        if stored_key != key or not isinstance(result, DocumentResult):
            return None
        return result

    def store(self, key: str, result: DocumentResult) -> None:
        if not self._writable:
            return
        try:
            payload = pickle.dumps((key, result), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something a check collected does not pickle: run without caching it
            self.errors += 1
            return
        blob = MAGIC + hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() + payload
        entry = self._entry(key)
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
        shutil.rmtree(self.directory / FORMAT, ignore_errors=True)
