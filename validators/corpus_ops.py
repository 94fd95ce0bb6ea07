"""The operations a corpus-wide check is planned with, so one plan runs in one process or on a cluster.

A corpus-wide check (``CorpusCheckType.plan``) never sees every document's collected data as one
dict: it describes its work as data sets of elements and the seven primitives below. ``LocalOps``
runs them over lists and dicts in this process; ``validators.executors.dask_ops.DaskOps`` runs the
same plan over a ``dask.bag`` whose items stay on the workers (DESIGN §6: signatures → band buckets
→ candidate pairs → verified groups, never every signature gathered on one process).

Primitives (``ds`` is an opaque data set; its order is unspecified):

- ``items(rule_id)``: the ``(path, item)`` pairs one rule collected, truthy items only.
- ``flat_map(ds, fn, *args)``: every element ``y`` of ``fn(x, *args)`` for every ``x`` of ``ds``.
- ``group(ds)``: ``(key, value)`` elements become one ``(key, sorted(values))`` per key.
- ``union(a, b)``: the elements of both.
- ``count(ds)``: the number of elements.
- ``frequencies(ds) -> dict``: element -> occurrences (for few distinct elements only).
- ``gather(ds) -> list``: the elements on the client (for small results only; order unspecified).
- ``share(value)``: how a large ``flat_map`` argument reaches every call (one copy, not one per task).

Contract for a plan:

- every ``fn`` given to ``flat_map`` is a module-level function (it pickles by reference) and does
  not depend on the order of the data set (that is why ``group`` sorts its values; keys of one
  ``group`` are of one type and values sortable, e.g. tuples of str, int and bytes, never arrays);
- what it returns depends only on the data, never on the order of a ``gather`` or of ``items``:
  ``plan`` yields its hits in a deterministic order (the order of today's ``finish``), so the
  findings are byte-identical on every executor;
- with a ``focus``, it yields exactly the hits of the unfocused plan whose ``path`` is in focus
  (a pre-commit run reports the groups that touch the staged files, on those files): the
  corpus-wide cache (validators.cache.cached_corpus_findings) stores a whole corpus's findings
  and serves any focus from them;
- it may return a generator: the hits of a large duplicate group are made one at a time, as the
  engine turns them into findings (every plan step runs before the first hit is made).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from typing import Any, Protocol


class CorpusOps(Protocol):
    """The primitives a corpus-wide plan uses (see the module docstring)."""

    def items(self, rule_id: str) -> Any: ...

    def flat_map(self, ds: Any, fn: Callable[..., Iterable[Any]], *args: Any) -> Any: ...

    def group(self, ds: Any) -> Any: ...

    def union(self, a: Any, b: Any) -> Any: ...

    def count(self, ds: Any) -> int: ...

    def frequencies(self, ds: Any) -> dict[Any, int]: ...

    def gather(self, ds: Any) -> list[Any]: ...

    def share(self, value: Any) -> Any: ...


def keys_where(ops: CorpusOps, ds: Any, keep: Callable[..., Iterable[Any]], *args: Any
               ) -> frozenset[Any]:
    """The keys of ``ds`` (``(key, value)`` elements) whose grouped values pass ``keep``
    (``keep((key, values), *args)`` gives ``[key]`` or nothing): the first pass of a plan that
    groups only the few keys that can make a finding. Small keys and values travel (hashes,
    tags, lengths), not the places and texts, and only the kept keys reach the client."""
    return frozenset(ops.gather(ops.flat_map(ops.group(ds), keep, *args)))


class Items:
    """One rule's ``(path, item)`` pairs, truthy items only, in path order, each item taken from
    ``collected`` as an iteration reaches it: where ``collected`` reads a document's part from
    the spill (validators.engine.CollectedOf), a plan's step holds one document's data at a
    time, not every document's (DUP002's n-gram sets, the CON rules' contexts).

    Like :class:`Mapped`, it has no ``len()``: its length is a whole pass reading every item,
    and ``list()``, ``[*ds]`` and ``sorted()`` ask for a length first (``LocalOps.count``
    counts by reading)."""

    def __init__(self, collected: Mapping[str, Any]) -> None:
        self._collected = collected
        self._paths = sorted(collected)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        collected = self._collected
        for path in self._paths:
            item = collected[path]
            if item:
                yield path, item


class Mapped:
    """``flat_map``'s data set in this process: made as it is read, each time it is read (the
    functions are pure), so the step that reads it (a ``group``, a ``gather``) never sits beside
    the whole list of elements: DUP004's first pass maps half a million line hashes straight
    into their groups."""

    def __init__(self, ds: Iterable[Any], fn: Callable[..., Iterable[Any]], args: tuple[Any, ...]) -> None:
        self._ds, self._fn, self._args = ds, fn, args

    def __iter__(self) -> Iterator[Any]:
        fn, args = self._fn, self._args
        for x in self._ds:
            yield from fn(x, *args)


class Grouped:
    """``group``'s data set in this process: a key with one value keeps the bare value (most of
    a plan's groups are singletons: 200 000 of DUP002's 205 000 band buckets over 9 000
    documents), and each ``(key, sorted values)`` element is made as it is read. Keys with one
    value come first, then the others, each in the order first seen."""

    def __init__(self, ds: Iterable[tuple[Any, Any]]) -> None:
        single: dict[Any, Any] = {}
        several: dict[Any, list[Any]] = {}
        for key, value in ds:
            if key in several:
                several[key].append(value)
            elif key in single:
                several[key] = [single.pop(key), value]
            else:
                single[key] = value
        for values in several.values():
            values.sort()
        self._single, self._several = single, several

    def __iter__(self) -> Iterator[tuple[Any, list[Any]]]:
        for key, value in self._single.items():
            yield key, [value]
        yield from self._several.items()

    def __len__(self) -> int:
        return len(self._single) + len(self._several)


class LocalOps:
    """The primitives over lists in this process: what ``finish`` and the local executor use."""

    def __init__(self, collected_by_rule: Mapping[str, Mapping[str, Any]]) -> None:
        self._collected = collected_by_rule

    @classmethod
    def of(cls, collected: Mapping[str, Any], rule_id: str = "") -> LocalOps:
        """Ops over one rule's ``{path: item}`` (as ``finish`` receives it), under ``rule_id``."""
        return cls({rule_id: collected})

    def items(self, rule_id: str) -> Items:
        return Items(self._collected.get(rule_id, {}))

    def flat_map(self, ds: Iterable[Any], fn: Callable[..., Iterable[Any]], *args: Any) -> Mapped:
        return Mapped(ds, fn, args)

    def group(self, ds: Iterable[tuple[Any, Any]]) -> Grouped:
        return Grouped(ds)

    def union(self, a: Iterable[Any], b: Iterable[Any]) -> list[Any]:
        return [*a, *b]

    def count(self, ds: Iterable[Any]) -> int:
        return len(ds) if isinstance(ds, Sized) else sum(1 for _ in ds)

    def frequencies(self, ds: Iterable[Any]) -> dict[Any, int]:
        return dict(Counter(ds))

    def gather(self, ds: Iterable[Any]) -> list[Any]:
        return list(ds)

    def share(self, value: Any) -> Any:
        return value
