"""``boundary_variation``: the same connective's span cut differently in the same context
(``<cand>但是</cand>我们`` in one place, ``<cand>但</cand>是我们`` in another; corpus-wide, over the
annotated documents).

Two spans are in the same context when they start at the same point of an identical string (the
``context`` characters before the start and the ``window`` characters from it) or end at the same
point of one (the ``window`` characters up to the end and the ``context`` after), and differ in
length. The occurrences of the cut that is rarer in that context are reported (on a tie, the cut
that is not a word of the lexicon; if neither or both are, every occurrence), each naming where
the other cut is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.checks import (
    DECODED_TEXT,
    WELL_FORMED_TAGS,
    CheckOptions,
    CorpusCheckType,
    Requirement,
    option,
    register,
)
from validators.checks._consistency import (
    MAX_RELATED,
    by_line,
    context_hash,
    describe_places,
    option_words,
    span_columns,
)
from validators.checks.untagged_connective import connective_item
from validators.corpus_ops import CorpusOps, keys_where
from validators.document import Document
from validators.findings import Hit, Related
from validators.lexicons import Lexicon

# (path, line, column, end column, tag, text)
Place = tuple[str, int, int, int, str, str]


@register
class BoundaryVariationCheck(CorpusCheckType):
    name: ClassVar[str] = "boundary_variation"
    summary: ClassVar[str] = "a connective's span cut differently in the same context"
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT, WELL_FORMED_TAGS)

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        context: int = option("int", 2, minimum=0, maximum=20,
                              help="characters outside the anchored end that must be identical")
        window: int = option("int", 6, minimum=2, maximum=40,
                             help="characters from the anchored end that must be identical "
                                  "(longer than the spans compared)")
        lexicon: Lexicon | None = option("lexicon", None,
                                         help="connective lexicon: on a tie, the cut that is not "
                                              "one of its words is reported")

    def collect(self, doc: Document, options: Options) -> Any:
        return connective_item(doc)

    def plan(self, ops: CorpusOps, items: Any, options: Options,
             focus: set[str] | None = None) -> list[Hit]:
        """Group spans by their start-anchored and their end-anchored context; a group with
        spans of different lengths makes hits."""
        words = option_words(options)
        # first which anchored contexts hold two cuts (under one key a cut is its length): of a
        # million contexts a few hundred do, and only those are grouped with their places
        cut = keys_where(ops, ops.flat_map(items, _cut_lengths, options.context, options.window),
                         _two_lengths)
        if not cut:
            return []
        found = ops.gather(ops.flat_map(ops.group(ops.flat_map(
            items, _anchored, options.context, options.window, ops.share(cut))), _cut_hits,
            ops.share(words)))
        seen: set[tuple[str, int, int]] = set()
        hits = []
        for hit in sorted(found, key=lambda h: (h.path or "", h.line, h.column, h.fields["other"])):
            key = (hit.path or "", hit.line, hit.column)
            if key in seen or (focus is not None and hit.path not in focus):
                continue
            seen.add(key)
            hits.append(hit)
        return hits


def _keys(item: Any, context: int, window: int
          ) -> Iterator[tuple[int, int, int, str, tuple[str, str, str], tuple[str, str, str]]]:
    """``(line, start, end, tag, start-anchored key, end-anchored key)`` of each span shorter
    than the window: ``context`` characters before it and ``window`` from its start; ``window``
    up to its end and ``context`` after. Under one key a span's text is fixed by its length."""
    lines = dict(item["lines"])
    for line, start, end, tag in item["spans"]:
        if end - start >= window:
            continue  # longer than the window: no room for the other cut's context
        text = lines[line]
        yield (line, start, end, tag,
               ("start", text[max(0, start - context):start], text[start:start + window]),
               ("end", text[max(0, end - window):end], text[end:end + context]))


def _cut_lengths(entry: tuple[str, Any], context: int, window: int) -> list[tuple[int, int]]:
    out = []
    for _, start, end, _, at_start, at_end in _keys(entry[1], context, window):
        out.append((context_hash(at_start), end - start))
        out.append((context_hash(at_end), end - start))
    return out


def _two_lengths(group: tuple[int, list[int]]) -> list[int]:
    lengths = group[1]  # sorted
    return [group[0]] if lengths[0] != lengths[-1] else []


def _anchored(entry: tuple[str, Any], context: int, window: int,
              cut: frozenset[int]) -> list[tuple[tuple[str, str, str], Place]]:
    """Each span under its start-anchored and its end-anchored key, where that key holds two
    cuts (``cut``: their hashes). The marked-up window that shows its cut is made from the key
    when a hit needs it (:func:`_marked`): a corpus has a million of these places, a few dozen
    hits."""
    path, item = entry
    spans = by_line(list(item["spans"]))
    out: list[tuple[tuple[str, str, str], Place]] = []
    for line, start, end, tag, at_start, at_end in _keys(item, context, window):
        wanted = [key for key in (at_start, at_end) if context_hash(key) in cut]
        if not wanted:
            continue
        column, end_column = span_columns(spans[line], start, end, tag)
        place = (path, line, column, end_column, tag, at_start[2][:end - start])  # (its text)
        out.extend((key, place) for key in wanted)
    return out


def _marked(key: tuple[str, str, str], tag: str, form: str) -> str:
    """The window of a place under ``key`` with its span's tags: ``左<a>但是</a>右``."""
    anchor, first, second = key
    marked = f"<{tag}>{form}</{tag}>"
    if anchor == "start":  # (before, from the start on)
        return first + marked + second[len(form):]
    return first[:len(first) - len(form)] + marked + second  # (up to the end, after)


def _cut_hits(group: tuple[tuple[str, str, str], list[Place]], words: frozenset[str]) -> list[Hit]:
    key, places = group
    cuts = Counter(p[5] for p in places)
    if len(cuts) < 2:
        return []
    most = max(cuts.values())
    reported = {form for form, n in cuts.items() if n < most}
    if not reported:  # a tie: the cut that is not a word, if that tells them apart
        unknown = {form for form in cuts if form not in words}
        reported = unknown if unknown and len(unknown) < len(cuts) else set(cuts)
    windows = [_marked(key, p[4], p[5]) for p in places]
    hits = []
    for (path, line, column, end, tag, form), marked in zip(places, windows, strict=True):
        if form not in reported:
            continue
        others = [(p, w) for p, w in zip(places, windows, strict=True) if p[5] != form]
        other = max(Counter(w for _, w in others).items(), key=lambda kv: (kv[1], kv[0]))[0]
        where = [(p[0], p[1]) for p, w in others if w == other]
        hits.append(Hit(line, column, line, end,
                        {"text": form, "tag": tag, "marked": marked, "other": other,
                         "count": len(where), "where": describe_places(where, len(where))},
                        related=tuple(Related(p, n) for p, n in where[:MAX_RELATED]),
                        evidence=f"{form}\0{marked}", path=path))
    return hits
