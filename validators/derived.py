"""Tables derived from installed libraries (OpenCC's dictionaries, ftfy's heuristic) and parsed
files (rule files, lexicons, configuration: validators.yamlload), built once per user, version and
content.

Deriving the script character sets reads a dozen OpenCC tables through its ``opencc_dict`` tool:
a few processes and a few tenths of a second, which a one-file check (a pre-commit hook) would
otherwise pay on every start and every worker process. The result is plain data: it is kept as
JSON in the user's cache folder (beside the result cache's key, never in the work tree), named
by what it depends on (the library's version and the code that derives it) and authenticated with the
same per-user key, so an entry someone else wrote there is rebuilt, never trusted. Without a key
(no home folder, a folder writable by others) the table is simply built in every process.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from validators.userkey import key_directory, load_key

FOLDER = "derived"
MAGIC = b"CVDERIVED1\n"


@functools.cache
def library_version(distribution: str, module: str | None = None) -> str:
    """The installed version of a library a table is derived from, read from the name of its
    ``.dist-info`` folder (``opencc-1.1.9.dist-info``) beside the package, without importing it:
    ``importlib.metadata.version`` would cost a one-file check ~15 ms per call."""
    import importlib.util
    import os

    spec = importlib.util.find_spec(module or distribution.lower())
    if spec is None or not spec.origin:
        return "not installed"
    folder = Path(spec.origin).parent.parent
    def normal(name: str) -> str:
        return name.lower().replace("-", "_").replace(".", "_")

    try:  # NAME-VERSION.dist-info, NAME normalised with underscores
        names = [n for n in os.listdir(folder) if n.endswith(".dist-info")
                 and normal(n.removesuffix(".dist-info").rpartition("-")[0]) == normal(distribution)]
    except OSError:
        names = []
    return names[0].removesuffix(".dist-info") if len(names) == 1 else f"at {folder}"


@functools.cache
def source_digest(module_file: str) -> str:
    """The hash of the module that derives a table (its own source, not the package's)."""
    return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()


def cached_table(name: str, depends_on: str, build: Callable[[], Any]) -> Any:
    """``build()`` (JSON data), or what an earlier process built for the same ``name`` and
    ``depends_on``: everything the table is derived from (the library's version and the code
    that derives it: the caller names both)."""
    folder = key_directory()
    secret = load_key(folder)[0] if folder is not None else None
    if folder is None or secret is None:
        return build()
    digest = hashlib.sha256(f"{name}\0{depends_on}".encode()).hexdigest()[:32]
    path = folder / FOLDER / f"{name}-{digest}.json"
    found = _read(path, secret)
    if found is not None:
        return found
    data = build()
    _write(path, data, secret)
    return data


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, MAGIC + payload, hashlib.sha256).hexdigest().encode("ascii")


def _read(path: Path, secret: bytes) -> Any:
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, _, payload = blob.partition(b"\n")
    if not hmac.compare_digest(head, _mac(secret, payload)):
        return None  # written by someone else, or damaged: rebuilt
    try:
        return json.loads(payload)
    except ValueError:
        return None


def _write(path: Path, data: Any, secret: bytes) -> None:
    from validators.atomic import write_bytes_atomic

    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    except ValueError:  # a lone surrogate (PyYAML's pure-Python parser keeps "\ud83d"): not kept
        return
    with contextlib.suppress(OSError):  # a read-only cache folder: built again next time
        path.parent.mkdir(mode=0o700, exist_ok=True)
        write_bytes_atomic(path, _mac(secret, payload) + b"\n" + payload, durable=False)
