"""The corpus-wide primitives (validators.corpus_ops) over a ``dask.bag``: the corpus stage on a cluster.

The bag holds ``(path, {rule_id: collected item})``, one element per document, persisted on the
workers by the Dask executor after the per-document stage. A plan's data sets are bags derived
from it: ``group`` is a tasks shuffle (``groupby(shuffle="tasks")``: keys are partitioned by
``tokenize``, the same in every process), so band buckets and the verification join are spread over
the workers and only what a plan ``gather``s (duplicate groups, verified pairs, recurring lines,
hits) reaches the client. No ``foldby`` or ``distinct`` on many keys: both end in one partition.

Imported only under ``--executor dask`` (``import dask.bag`` takes about a second).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import dask
import dask.bag as db


class DaskOps:
    """``CorpusOps`` over a bag of ``(path, {rule_id: item})`` computed with ``client``."""

    def __init__(self, client: Any, bag: db.Bag) -> None:
        self.client = client
        self.bag = bag

    @classmethod
    def from_collected(cls, client: Any, collected_by_rule: dict[str, dict[str, Any]],
                       npartitions: int) -> DaskOps:
        """Ops over in-memory collected data (tests, benchmarks): the bag is built in path order,
        split into ``npartitions`` and persisted on the workers."""
        by_path: dict[str, dict[str, Any]] = {}
        for rule_id, collected in collected_by_rule.items():
            for path, item in collected.items():
                by_path.setdefault(path, {})[rule_id] = item
        elements = sorted(by_path.items(), key=lambda e: e[0])
        bag = db.from_sequence(elements, npartitions=max(1, min(npartitions, len(elements) or 1)))
        return cls(client, client.persist(bag))

    def items(self, rule_id: str) -> db.Bag:
        return self.bag.map_partitions(_select, rule_id)

    def flat_map(self, ds: db.Bag, fn: Callable[..., Iterable[Any]], *args: Any) -> db.Bag:
        return ds.map_partitions(_flat_map_partition, fn, *args)

    def group(self, ds: db.Bag) -> db.Bag:
        """A tasks shuffle, persisted: a plan reads a grouping more than once (counts, gathers,
        further steps) and must not shuffle again for each."""
        grouped = ds.groupby(_first, shuffle="tasks").map_partitions(_sorted_values)
        return self.client.persist(grouped)

    def union(self, a: db.Bag, b: db.Bag) -> db.Bag:
        return db.concat([a, b])

    def count(self, ds: db.Bag) -> int:
        return int(self._compute(ds.count()))

    def frequencies(self, ds: db.Bag) -> dict[Any, int]:
        return dict(self._compute(ds.frequencies()))

    def gather(self, ds: db.Bag) -> list[Any]:
        return list(self._compute(ds))

    def share(self, value: Any) -> Any:
        """One graph key holding ``value``: each task reads it, no task embeds a copy."""
        return dask.delayed(value, pure=True)

    def _compute(self, collection: Any) -> Any:
        return self.client.compute(collection).result()


def _select(partition: Iterable[tuple[str, dict[str, Any]]], rule_id: str) -> list[tuple[str, Any]]:
    return [(path, by_rule[rule_id]) for path, by_rule in partition if by_rule.get(rule_id)]


def _flat_map_partition(partition: Iterable[Any], fn: Callable[..., Iterable[Any]], *args: Any) -> list[Any]:
    return [y for x in partition for y in fn(x, *args)]


def _first(element: tuple[Any, Any]) -> Any:
    return element[0]


def _sorted_values(partition: Iterable[tuple[Any, list[tuple[Any, Any]]]]) -> list[tuple[Any, list[Any]]]:
    return [(key, sorted(value for _, value in elements)) for key, elements in partition]
