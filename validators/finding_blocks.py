"""A document's findings kept packed until a reporter reads them, and a run's findings in report
order without holding them all as objects.

A finding as an object costs the parent ~700 bytes (its strings and slots) and its share of
unpickling; a 200 MB corpus has ~300 000 of them. The worker that found a document's findings
packs them into one :class:`FindingBlock`: their text as the JSON report writes them
(:mod:`validators.finding_json`), in report order, compressed. That is also the form a cache
entry keeps them in, so the parent holds a bytes object per document, a warm run takes the block
from the cache entry without decoding a finding, and the JSON report writes a document's text as
it is (encoding the findings was most of a warm run's report). What the summary, the gate and
the exit code need (how many findings of which rule) travels with the block (``counts``); any
other reporter decodes one block at a time (:class:`Findings`).
"""

from __future__ import annotations

import heapq
import itertools
import json
import operator
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, AnyStr, TypeVar, overload

from validators.finding_json import FINDING_KEY, SEPARATOR, SEPARATOR_UTF8, encode_batch, split_texts
from validators.findings import Finding, Related

T = TypeVar("T")
RuleKey = tuple[str, str, str, str]  # rule, name, category, severity: what a finding repeats
BATCH = 512  # findings encoded by one call of the C encoder

# a finding's dict (Finding.as_dict): these keys, and "related" when it has related locations
_KEYS = frozenset(("rule", "name", "category", "severity", "path", "line", "column", "end_line",
                   "end_column", "message", "context", "fingerprint"))
_KEYS_RELATED = _KEYS | {"related"}
_SURROGATE_UTF8 = re.compile(rb"\xed[\xa0-\xbf]")  # a lone surrogate, as "surrogatepass" writes it
# a finding's line and column in its text (finding_json: its keys one to a line, in as_dict's
# order, at their depth's indentation; a string holds no raw line end, so the first match is
# the finding's own, not a related location's, which are deeper and later)
_POSITION = re.compile(f'\n{FINDING_KEY}"line": ([0-9]+),\n{FINDING_KEY}"column": ([0-9]+),')
_POSITION_UTF8 = re.compile(_POSITION.pattern.encode())


@dataclass(frozen=True, slots=True, eq=False)
class FindingBlock(Sequence[Finding]):
    """One document's findings, packed; a sequence of them in report order.

    ``text``: their texts as the JSON report writes them (joined by ``finding_json.SEPARATOR``),
    UTF-8, zlib-compressed (a document's findings repeat their rule's message and the report's
    keys: 185 -> 44 MB for 288 000 findings). ``counts``: per rule index, (findings listed,
    weight: listed plus those the engine's listing cap left out). ``unlisted``: (position,
    hits left out) of the findings that stand for hits past the cap (the report does not show
    the number). ``own_path``: every finding is on ``path``, so among other documents' blocks
    the block sorts by its path alone. A block never carries duplicate groups (corpus findings)."""

    path: str
    rules: tuple[RuleKey, ...]
    text: bytes
    counts: tuple[tuple[int, int, int], ...]
    unlisted: tuple[tuple[int, int], ...] = ()
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

    def report_text(self) -> str:
        """The findings' texts in the JSON report, joined by ``finding_json.SEPARATOR``."""
        return str(zlib.decompress(self.text), "utf-8", "surrogatepass")

    def report_utf8(self) -> bytes:
        """:meth:`report_text` as a report's stream writes it (:func:`utf8`), without decoding
        it and encoding it again (most texts have no lone surrogate to escape)."""
        data = zlib.decompress(self.text)
        if _SURROGATE_UTF8.search(data) is None:
            return data
        return utf8(str(data, "utf-8", "surrogatepass"))

    def decode(self) -> list[Finding]:
        """The findings (ValueError for a text this module did not write)."""
        unlisted = dict(self.unlisted)
        return [_finding(data, unlisted.get(position, 0))
                for position, data in enumerate(self.dicts())]

    def rows(self) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """(sort key, ``as_dict()``) of each finding, without making the findings."""
        return [(_sort_key(d), d) for d in self.dicts()]

    def dicts(self) -> list[dict[str, Any]]:
        """Each finding's ``as_dict()``, checked (ValueError for anything else)."""
        text = self.report_text()
        found = json.loads(f"[{text}]") if text else []
        if type(found) is not list or len(found) != len(self) or not all(map(_well_formed, found)):
            raise ValueError("malformed findings")
        return found


def pack_findings(path: str, findings: Iterable[Finding]) -> FindingBlock:
    """``findings`` (of the document at ``path``) as a block, in report order (a stable sort);
    TypeError for a field of the wrong type (such a result is neither cached nor packed). Their
    duplicate groups are not kept."""
    if type(path) is not str:
        raise TypeError("a result path must be a str")
    if isinstance(findings, FindingBlock) and findings.path == path:
        return findings
    ordered = sorted(findings, key=Finding.sort_key)
    rules: dict[RuleKey, int] = {}
    counts: dict[int, list[int]] = {}
    unlisted = []
    own = True
    for position, f in enumerate(ordered):
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
        if f.unlisted:  # the findings of this rule and file past the listing cap (counted)
            unlisted.append((position, f.unlisted))
    text = SEPARATOR.join(encode_batch([f.as_dict() for f in ordered]))
    return FindingBlock(path, tuple(rules), zlib.compress(text.encode("utf-8", "surrogatepass"), 1),
                        tuple((index, listed, weight) for index, (listed, weight) in counts.items()),
                        tuple(unlisted), own)


def block_from_data(path: str, rules: Any, text: Any, counts: Any, unlisted: Any,
                    own: Any) -> FindingBlock:
    """A block from what a cache entry holds (decoded JSON); ValueError unless it is well formed
    (its findings are checked when decoded)."""
    if type(rules) is not list or not all(
            type(rule) is list and len(rule) == 4 and all(type(v) is str for v in rule)
            for rule in rules):
        raise ValueError("malformed rule table")
    if type(text) is not bytes or type(own) is not bool or type(counts) is not list or not all(
            type(c) is list and len(c) == 3 and all(type(v) is int for v in c)
            and 0 <= c[0] < len(rules) and 1 <= c[1] <= c[2] for c in counts):
        raise ValueError("malformed findings")
    listed = sum(c[1] for c in counts)
    if type(unlisted) is not list or not all(
            type(u) is list and len(u) == 2 and all(type(v) is int for v in u)
            and 0 <= u[0] < listed and u[1] >= 1 for u in unlisted):
        raise ValueError("malformed findings")
    return FindingBlock(path, tuple((a, b, c, d) for a, b, c, d in rules), text,
                        tuple((a, b, c) for a, b, c in counts),
                        tuple((a, b) for a, b in unlisted), own)


def block_data(block: FindingBlock) -> dict[str, Any]:
    """The inverse of :func:`block_from_data` (its keyword arguments less the path; the text
    last, a cache entry's last blob)."""
    return {"rules": [list(rule) for rule in block.rules],
            "counts": [list(c) for c in block.counts],
            "unlisted": [list(u) for u in block.unlisted], "own": block.own_path,
            "text": block.text}


def _same(finding: Finding) -> Finding:
    return finding


def _well_formed(data: Any) -> bool:
    """A finding's dict as ``Finding.as_dict`` makes it (spelled out: this runs once per finding
    a report other than JSON prints)."""
    if type(data) is not dict or data.keys() != (_KEYS_RELATED if len(data) == 13 else _KEYS):
        return False
    related = data.get("related")
    return (type(data["rule"]) is str and type(data["name"]) is str
            and type(data["category"]) is str and type(data["severity"]) is str
            and type(data["path"]) is str and type(data["line"]) is int
            and type(data["column"]) is int and type(data["end_line"]) is int
            and type(data["end_column"]) is int and type(data["message"]) is str
            and type(data["context"]) is str and type(data["fingerprint"]) is str
            and (related is None or (type(related) is list and len(related) > 0 and all(
                type(r) is dict and r.keys() == {"path", "line"} and type(r["path"]) is str
                and type(r["line"]) is int for r in related))))


def _sort_key(data: dict[str, Any]) -> tuple[Any, ...]:
    """:meth:`Finding.sort_key` of a finding's dict."""
    return (data["path"], data["line"], data["column"], data["rule"], data["message"])


def _finding(data: dict[str, Any], unlisted: int) -> Finding:
    return Finding(data["rule"], data["name"], data["category"], data["severity"], data["path"],
                   data["line"], data["column"], data["end_line"], data["end_column"],
                   data["message"], data["context"], data["fingerprint"],
                   tuple(Related(r["path"], r["line"]) for r in data.get("related", ())), unlisted)


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

    def halves(self) -> tuple[Findings, Findings]:
        """The findings before the path of the middle block, and the others: each half's texts
        are the whole's, the first half's then the second's (a path's findings stay together)."""
        if len(self._blocks) < 2:
            return self, Findings()
        middle = self._blocks[len(self._blocks) // 2].path
        return (Findings([f for f in self._loose if f.path < middle],
                         [b for b in self._blocks if b.path < middle]),
                Findings([f for f in self._loose if f.path >= middle],
                         [b for b in self._blocks if b.path >= middle]))

    def packed_size(self) -> int:
        """The compressed size of the blocks' texts (what a report of them costs to write)."""
        return sum(len(block.text) for block in self._blocks)

    def texts(self) -> Iterator[str]:
        """The findings as the JSON report writes them (:mod:`validators.finding_json`), in the
        same order, as runs of texts to be joined by ``finding_json.SEPARATOR``: a document's
        block is the text it was packed with, unless another block or a loose finding shares its
        path (those findings are then merged and encoded again)."""
        return self._texts(FindingBlock.report_text, same_text)

    def utf8_texts(self) -> Iterator[bytes]:
        """:meth:`texts` as a report's stream writes them (:func:`utf8`; joined by
        ``finding_json.SEPARATOR_UTF8``): a block's text is written as it was packed, never
        decoded and encoded again."""
        return self._texts(FindingBlock.report_utf8, utf8)

    def _texts(self, text_of: Callable[[FindingBlock], AnyStr],
               encode: Callable[[str], AnyStr]) -> Iterator[AnyStr]:
        loose, at = self._loose, 0
        loose_texts = [encode(text) for text in _encoded(f.as_dict() for f in loose)]  # at once
        for path, same_path in itertools.groupby(self._blocks, key=operator.attrgetter("path")):
            start = at
            while at < len(loose) and loose[at].path < path:
                at += 1
            yield from loose_texts[start:at]
            start = at
            while at < len(loose) and loose[at].path == path:
                at += 1
            blocks = list(same_path)
            if len(blocks) == 1:
                yield from _with_loose(text_of(blocks[0]), loose[start:at], loose_texts[start:at])
            else:  # a focused run's parts of one document: all merged again
                yield from map(encode, _encoded(Findings(loose[start:at], blocks)._merged(
                    FindingBlock.rows, Finding.as_dict)))
        yield from loose_texts[at:]

    def _merged(self, rows_of: Callable[[FindingBlock], list[tuple[tuple[Any, ...], T]]],
                value_of: Callable[[Finding], T]) -> Iterator[T]:
        """What ``rows_of`` gives for each block's finding (``(sort key, value)`` rows) and
        ``value_of`` for each loose one, in report order: a path's blocks decoded and sorted
        when the merge reaches them; ties keep the order of a stable sort of the documents'
        findings, then the loose ones."""

        def block_rows() -> Iterator[tuple[tuple[Any, ...], T]]:
            for _, same_path in itertools.groupby(self._blocks, key=operator.attrgetter("path")):
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


def utf8(text: str) -> bytes:
    """``text`` as the report's stream (UTF-8, ``errors="backslashreplace"``) writes it."""
    return text.encode("utf-8", "backslashreplace")


def same_text(text: str) -> str:
    """A text as a text stream writes it (the counterpart of :func:`utf8`)."""
    return text


def _with_loose(text: AnyStr, loose: list[Finding], loose_texts: list[AnyStr]) -> Iterator[AnyStr]:
    """A block's report text (its findings in report order) with the texts of ``loose``
    findings of the same path (in report order) put where the merge of ``_merged`` puts them
    (after the block's findings of an equal sort key): each place found by galloping then
    bisecting from the last one. A block's finding is compared by its line and column, read
    off its text (:data:`_POSITION`), and decoded only when they tie (a document with a corpus
    finding has a dozen others; half the documents of a generated corpus have one)."""
    if not loose or not text:
        if text:
            yield text
        yield from loose_texts
        return
    pieces = split_texts(text)
    separator: Any = SEPARATOR if isinstance(text, str) else SEPARATOR_UTF8
    position_in: Any = _POSITION if isinstance(text, str) else _POSITION_UTF8
    keys: dict[int, tuple[Any, ...]] = {}

    def key_of(at: int) -> tuple[Any, ...]:
        if at not in keys:
            data = json.loads(pieces[at])
            if not _well_formed(data):
                raise ValueError("malformed findings")
            keys[at] = _sort_key(data)
        return keys[at]

    def at_or_before(at: int, key: tuple[Any, ...]) -> bool:
        """Whether the block's finding at ``at`` sorts at or before ``key`` (same path)."""
        found = position_in.search(pieces[at])
        if found is not None:
            place = (int(found[1]), int(found[2]))
            if place != key[1:3]:
                return place < key[1:3]
        return key_of(at) <= key

    done, count = 0, len(pieces)
    for finding, piece in zip(loose, loose_texts, strict=True):
        key = finding.sort_key()
        low, probe, step = done, done, 1  # every piece before ``low`` sorts at or before key
        while probe < count and at_or_before(probe, key):
            low, probe, step = probe + 1, probe + step, step * 2
        high = min(probe, count)
        while low < high:
            middle = (low + high) // 2
            if at_or_before(middle, key):
                low = middle + 1
            else:
                high = middle
        if low > done:
            yield separator.join(pieces[done:low])
        yield piece
        done = low
    if done < count:
        yield separator.join(pieces[done:])


def _encoded(dicts: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Findings' dicts as the JSON report writes them, a batch at a time."""
    dicts = iter(dicts)
    while batch := list(itertools.islice(dicts, BATCH)):
        yield from encode_batch(batch)
