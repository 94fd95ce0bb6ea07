"""A document's findings kept packed until a reporter reads them, and a run's findings in report
order without holding them all as objects.

A finding as an object costs the parent ~700 bytes (its strings and slots) and its share of
unpickling; a 200 MB corpus has ~300 000 of them. The worker that found a document's findings
packs them into one :class:`FindingBlock` (the form a cache entry keeps them in: a rule table and
one compressed JSON text of data-only items), so the parent holds a bytes object per document, and a warm
run takes the block from the cache entry without decoding a finding. What the summary, the gate
and the exit code need (how many findings of which rule) travels with the block (``counts``); a
reporter decodes one block at a time (:class:`Findings`).
"""

from __future__ import annotations

import heapq
import itertools
import json
import operator
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from validators.findings import Finding, Related

T = TypeVar("T")
RuleKey = tuple[str, str, str, str]  # rule, name, category, severity: what a finding repeats

# An item: [rule index, path (None when the block's own), line, column, end line, end column,
# message, context, fingerprint, [[related path, related line], ...] (, unlisted)]


@dataclass(frozen=True, slots=True, eq=False)
class FindingBlock(Sequence[Finding]):
    """One document's findings, packed; a sequence of them in the order they were packed.

    ``items``: their JSON text, zlib-compressed (a document's findings repeat their rule's
    message: 94 -> 40 MB for 288 000 findings, 1.2 CPU s to compress, 0.4 s to decompress).
    ``counts``: per rule index, (findings listed, weight: listed plus those the engine's listing
    cap left out). ``own_path``: every finding is on ``path``, so among other documents' blocks
    the block sorts by its path alone. A block never carries duplicate groups (corpus findings)."""

    path: str
    rules: tuple[RuleKey, ...]
    items: bytes
    counts: tuple[tuple[int, int, int], ...]
    own_path: bool = True

    def __len__(self) -> int:
        return sum(listed for _, listed, _ in self.counts)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.decode())

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        return self.decode()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (FindingBlock, Findings, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def weights(self) -> Iterator[tuple[RuleKey, int, int]]:
        """(rule, listed, weight) per rule of the block, without decoding a finding."""
        for index, listed, weight in self.counts:
            yield self.rules[index], listed, weight

    def decode(self) -> list[Finding]:
        """The findings (ValueError for items this module did not write)."""
        return [_finding(item, self.rules, self.path) for item in self._items()]

    def rows(self) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """(sort key, ``as_dict()``) of each finding, without making the findings."""
        return [_row(item, self.rules, self.path) for item in self._items()]

    def _items(self) -> list[Any]:
        items = json.loads(str(zlib.decompress(self.items), "utf-8", "surrogatepass"))
        if type(items) is not list:
            raise ValueError("malformed findings")
        return items


def pack_findings(path: str, findings: Iterable[Finding]) -> FindingBlock:
    """``findings`` (of the document at ``path``) as a block; TypeError for a field of the wrong
    type (such a result is neither cached nor packed). Their duplicate groups are not kept."""
    if type(path) is not str:
        raise TypeError("a result path must be a str")
    if isinstance(findings, FindingBlock) and findings.path == path:
        return findings
    rules: dict[RuleKey, int] = {}
    counts: dict[int, list[int]] = {}
    items = []
    own = True
    for f in findings:
        rule = (f.rule, f.name, f.category, f.severity)
        if not (type(f.rule) is str and type(f.name) is str and type(f.category) is str
                and type(f.severity) is str and type(f.path) is str and type(f.message) is str
                and type(f.context) is str and type(f.fingerprint) is str and type(f.line) is int
                and type(f.column) is int and type(f.end_line) is int
                and type(f.end_column) is int and type(f.unlisted) is int and f.unlisted >= 0) \
                or not all(type(r.path) is str and type(r.line) is int for r in f.related):
            raise TypeError("a finding with a field of the wrong type")
        index = rules.setdefault(rule, len(rules))
        count = counts.setdefault(index, [0, 0])
        count[0] += 1
        count[1] += 1 + f.unlisted
        own = own and f.path == path
        item = [index, None if f.path == path else f.path, f.line, f.column, f.end_line,
                f.end_column, f.message, f.context, f.fingerprint,
                [[r.path, r.line] for r in f.related]]
        if f.unlisted:  # the findings of this rule and file past the listing cap (counted)
            item.append(f.unlisted)
        items.append(item)
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return FindingBlock(path, tuple(rules), zlib.compress(text.encode("utf-8", "surrogatepass"), 1),
                        tuple((index, listed, weight) for index, (listed, weight) in counts.items()),
                        own)


def block_from_data(path: str, rules: Any, items: Any, counts: Any, own: Any) -> FindingBlock:
    """A block from what a cache entry holds (decoded JSON); ValueError unless it is well formed
    (its items are checked when decoded)."""
    if type(rules) is not list or not all(
            type(rule) is list and len(rule) == 4 and all(type(v) is str for v in rule)
            for rule in rules):
        raise ValueError("malformed rule table")
    if type(items) is not bytes or type(own) is not bool or type(counts) is not list or not all(
            type(c) is list and len(c) == 3 and all(type(v) is int for v in c)
            and 0 <= c[0] < len(rules) and 1 <= c[1] <= c[2] for c in counts):
        raise ValueError("malformed findings")
    return FindingBlock(path, tuple((a, b, c, d) for a, b, c, d in rules), items,
                        tuple((a, b, c) for a, b, c in counts), own)


def block_data(block: FindingBlock) -> dict[str, Any]:
    """The inverse of :func:`block_from_data` (its keyword arguments less the path)."""
    return {"rules": [list(rule) for rule in block.rules], "items": block.items,
            "counts": [list(c) for c in block.counts], "own": block.own_path}


def _same(finding: Finding) -> Finding:
    return finding


def _finding(item: Any, rules: tuple[RuleKey, ...], own_path: str) -> Finding:
    (rule, name, category, severity, path, line, column, end_line, end_column, message, context,
     print_, related, unlisted) = _fields(item, rules, own_path)
    return Finding(rule, name, category, severity, path, line, column, end_line, end_column,
                   message, context, print_, tuple(Related(p, n) for p, n in related), unlisted)


def _row(item: Any, rules: tuple[RuleKey, ...], own_path: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """(:meth:`Finding.sort_key`, :meth:`Finding.as_dict`) of an item, without the finding."""
    (rule, name, category, severity, path, line, column, end_line, end_column, message, context,
     print_, related, _) = _fields(item, rules, own_path)
    data = {"rule": rule, "name": name, "category": category, "severity": severity, "path": path,
            "line": line, "column": column, "end_line": end_line, "end_column": end_column,
            "message": message, "context": context, "fingerprint": print_}
    if related:
        data["related"] = [{"path": p, "line": n} for p, n in related]
    return (path, line, column, rule, message), data


def _fields(item: Any, rules: tuple[RuleKey, ...], own_path: str) -> tuple[Any, ...]:
    """A finding's fields from an item, checked (ValueError for anything this module did not
    write); its related locations as ``[[path, line], ...]``."""
    if type(item) is not list or len(item) not in (10, 11):
        raise ValueError("malformed finding")
    index, path, line, column, end_line, end_column, message, context, print_, related = item[:10]
    unlisted = item[10] if len(item) == 11 else 0
    if type(unlisted) is not int or unlisted < 0:
        raise ValueError("malformed finding")
    # spelled out rather than all(...): this runs once per finding a report prints
    if not (type(index) is int and 0 <= index < len(rules) and (path is None or type(path) is str)
            and type(line) is int and type(column) is int and type(end_line) is int
            and type(end_column) is int and type(message) is str and type(context) is str
            and type(print_) is str and type(related) is list):
        raise ValueError("malformed finding")
    if related and not all(type(pair) is list and len(pair) == 2 and type(pair[0]) is str
                           and type(pair[1]) is int for pair in related):
        raise ValueError("malformed related location")
    rule, name, category, severity = rules[index]
    return (rule, name, category, severity, own_path if path is None else path, line, column,
            end_line, end_column, message, context, print_, related, unlisted)


class Findings(Sequence[Finding]):
    """A run's findings in report order (:meth:`Finding.sort_key`): ``loose`` findings, as they
    are given (in report order when there are blocks), merged with the findings of ``blocks``
    (each of its own path only), each block decoded and sorted when the iteration reaches it.
    ``weights`` counts without decoding; indexing decodes everything (tests, small runs)."""

    __slots__ = ("_blocks", "_loose", "_size")

    def __init__(self, loose: Iterable[Finding] = (), blocks: Iterable[FindingBlock] = ()) -> None:
        self._loose = list(loose)
        self._blocks = sorted(blocks, key=lambda block: block.path)
        if not all(block.own_path for block in self._blocks):
            raise ValueError("a block with another document's findings sorts as loose findings")
        self._size = len(self._loose) + sum(map(len, self._blocks))

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Findings:
        return findings if isinstance(findings, Findings) else cls(findings)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Finding]:
        if not self._blocks:
            return iter(self._loose)
        return self._merged(lambda block: [(f.sort_key(), f) for f in block.decode()], _same)

    def dicts(self) -> Iterator[dict[str, Any]]:
        """``as_dict()`` of each finding in the same order, without making the blocks' findings
        (what the JSON report writes: a warm run's report is most of its time)."""
        if not self._blocks:
            return (f.as_dict() for f in self._loose)
        return self._merged(FindingBlock.rows, Finding.as_dict)

    def _merged(self, rows_of: Callable[[FindingBlock], list[tuple[tuple[Any, ...], T]]],
                value_of: Callable[[Finding], T]) -> Iterator[T]:
        """What ``rows_of`` gives for each block's finding (``(sort key, value)`` rows) and
        ``value_of`` for each loose one, in report order: a path's blocks decoded and sorted
        when the merge reaches them; ties keep the order of a stable sort of the documents'
        findings, then the loose ones."""

        def block_rows() -> Iterator[tuple[tuple[Any, ...], T]]:
            for _, same_path in itertools.groupby(self._blocks, key=lambda block: block.path):
                rows = [row for block in same_path for row in rows_of(block)]
                rows.sort(key=operator.itemgetter(0))
                yield from rows

        loose = ((f.sort_key(), value_of(f)) for f in self._loose)
        return (value for _, value in heapq.merge(block_rows(), loose, key=operator.itemgetter(0)))

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        return (list(self) if self._blocks else self._loose)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (FindingBlock, Findings, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Findings({len(self)} findings, {len(self._blocks)} packed documents)"

    def weights(self) -> dict[RuleKey, tuple[int, int]]:
        """(listed, weight) per rule with a finding: the weight counts a finding for itself and
        the hits the listing cap left out (``unlisted``)."""
        out: dict[RuleKey, tuple[int, int]] = {}
        for block in self._blocks:
            for rule, listed, weight in block.weights():
                was = out.get(rule, (0, 0))
                out[rule] = (was[0] + listed, was[1] + weight)
        for f in self._loose:
            rule = (f.rule, f.name, f.category, f.severity)
            was = out.get(rule, (0, 0))
            out[rule] = (was[0] + 1, was[1] + 1 + f.unlisted)
        return out

    def with_groups(self) -> Iterator[Finding]:
        """The findings that carry a duplicate group (never in a block)."""
        return (f for f in self._loose if f.group is not None)
