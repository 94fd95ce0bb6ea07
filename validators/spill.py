"""What the corpus rules collected, kept on disk between the per-document and the corpus stage.

A local run holds every document's outcome until the corpus-wide stage: without this, what the
corpus rules collected (n-gram sets, annotated lines, line hashes: about 2.2 bytes per byte of a
generated corpus) stayed in the parent's memory the whole run, every rule's at once. Here the
worker packs it data-only, as a cache entry keeps it (:func:`validators.cache.pack_collected`),
the parent appends those bytes to one anonymous temporary file (unlinked when made: nothing in
the work tree, nothing another process can open by name; closed when the run's last document
result is gone) and keeps their offsets; a corpus rule reads and decodes its own part of each
document when its stage asks, and the next rule's stage starts with that memory free again
(:class:`SpilledCollected` keeps nothing decoded). A temporary folder that cannot be written
(full, read-only) leaves the data in memory, as before: the run does not fail for it.

A Dask run does not spill: its corpus stage runs on the cluster, from the outcomes' data.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Mapping
from typing import Any

from validators.cache import PackedCollected, PartsByRule, pack_collected, unpack_part


class Spill:
    """One run's spill file: appended to, read at offsets, closed (and so gone) at the end."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="corpus-validate-spill-")  # noqa: SIM115 (closed below)
        self._end = 0
        # closed when the last document holding a part is gone (the run result's, for callers
        # that read what was collected), or by close()
        self._closer = weakref.finalize(self, self._file.close)

    def _write(self, data: bytes) -> tuple[int, int]:
        start = self._end
        view = memoryview(data)
        while view:
            written = os.pwrite(self._file.fileno(), view, self._end)
            view = view[written:]
            self._end += written
        return start, len(data)

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self._file.fileno(), length, offset)
        while len(data) < length:  # a short read of a large part
            more = os.pread(self._file.fileno(), length - len(data), offset + len(data))
            if not more:
                raise OSError("the spill file ended early")
            data += more
        return data

    def keep(self, collected: Mapping[str, Any]) -> Mapping[str, Any]:
        """``collected`` written here (each distinct part once) and read back on demand. Stays
        as it is, in memory: a mapping holding a value the data-only packer refuses, and a cached
        entry's parts (compact already; a warm run of an unchanged corpus never reads them, and
        writing every entry's n-gram sets out again would cost it more than it saves)."""
        if not collected or (isinstance(collected, PackedCollected) and not collected.fresh):
            return collected
        packed = collected
        if not isinstance(packed, PackedCollected):
            try:
                packed = pack_collected(collected)
            except (TypeError, ValueError):
                return collected
        texts, area = packed.packed()
        written: dict[int, tuple[int, int]] = {}

        def place(data: bytes) -> tuple[int, int]:
            if id(data) not in written:
                written[id(data)] = self._write(data)
            return written[id(data)]

        try:
            where = place(area)
            return SpilledCollected(self, {rule_id: (*place(text), *where)
                                           for rule_id, text in texts.items()})
        except OSError:  # a full or failing temporary folder: kept in memory instead
            return collected

    def close(self) -> None:
        self._closer()


class SpilledCollected(PartsByRule):
    """A document's collected data in the spill file: each rule's part decoded when asked for,
    every time (nothing kept: one rule's data in memory at a time)."""

    def __init__(self, spill: Spill, parts: dict[str, tuple[int, int, int, int]]) -> None:
        self._spill, self._parts = spill, parts

    def __getitem__(self, rule_id: str) -> Any:
        text_at, text_size, area_at, area_size = self._parts[rule_id]
        return unpack_part(self._spill.read(text_at, text_size),
                           self._spill.read(area_at, area_size) if area_size else b"")

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("spilled data belongs to the run's own process")
