"""``tag_type_variation``: the same form in the same context tagged ``<cand>`` here and ``<a>`` (one
part of a pair) there (corpus-wide, over the annotated documents).

Two tagged occurrences of one form are in the same context when the ``context`` characters before
and after them are identical (a variation n-gram, as in DECCA). A form may legitimately be a
single connective in one sentence and half of a pair in another (的时候 alone, or in 当……的时候),
so with ``require_partner`` (the default) a ``<cand>`` is reported only when the sentence it is
in also holds, untagged and on the right side, the partner the ``<a>`` occurrence was paired with:
then the pair was annotated as a pair there and as a single connective here. Without it, the
occurrences of the less frequent tag of each such context are reported.
"""

from __future__ import annotations

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
    sentence_around,
    span_columns,
)
from validators.checks.untagged_connective import connective_item
from validators.corpus_ops import CorpusOps, keys_where
from validators.document import Document
from validators.findings import Hit, Related
from validators.pairing import pair_markers
from validators.sentences import DEFAULT_SENTENCE_END

SENTENCE_SNIPPET = 60  # characters of the sentence kept either side of a <cand> (partner search)

# (tag, path, line, column, end column, partner, role, sentence before, sentence after)
Place = tuple[str, str, int, int, int, str, str, str, str]


@register
class TagTypeVariationCheck(CorpusCheckType):
    name: ClassVar[str] = "tag_type_variation"
    summary: ClassVar[str] = "one form, one context: <cand> here, <a> (part of a pair) there"
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT, WELL_FORMED_TAGS)

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        context: int = option("int", 2, minimum=1, maximum=20,
                              help="characters either side that must be identical")
        require_partner: bool = option("bool", True,
                                       help="report a <cand> only when its sentence holds, "
                                            "untagged, the partner of the <a> it differs from")
        sentence_end: str = option("chars", DEFAULT_SENTENCE_END,
                                   help="characters that end a sentence (a line end always does)")

    def collect(self, doc: Document, options: Options) -> Any:
        item = connective_item(doc)
        if item is None:
            return None
        partners = []  # (line, plain start in it, partner's text, role) of every paired <a>
        starts = doc.line_starts
        for pair in pair_markers(doc, options.sentence_end).pairs:
            for span, other, role in ((pair.first, pair.second, "first"),
                                      (pair.second, pair.first, "second")):
                partners.append((span.line, span.start - starts[span.line - 1], other.text, role))
        return {**item, "partners": tuple(sorted(partners))}

    def plan(self, ops: CorpusOps, items: Any, options: Options,
             focus: set[str] | None = None) -> list[Hit]:
        """Group the tagged occurrences by (context, form, context); only the groups with both
        tags make hits."""
        # first which contexts hold both tags: of half a million tagged occurrences a few
        # thousand are in one, and only those are grouped with their places
        both = keys_where(ops, ops.flat_map(items, _context_tags, options.context), _both_tags)
        if not both:
            return []
        found = ops.gather(ops.flat_map(ops.group(ops.flat_map(
            items, _keyed, options.context, options.sentence_end, ops.share(both))),
            _variation_hits, options.require_partner))
        return sorted((hit for hit in found if focus is None or hit.path in focus),
                      key=lambda h: (h.path or "", h.line, h.column))


def _occurrences(item: Any, width: int
                 ) -> Iterator[tuple[int, int, int, str, tuple[str, str, str], str, str, str]]:
    """``(line, start, end, tag, (before, form, after), partner, role, line text)`` of each
    tagged occurrence, ``width`` characters of context either side; an unpaired <a> is left out
    (it is PAIR001's finding)."""
    lines = dict(item["lines"])
    partners = {(line, start): (partner, role) for line, start, partner, role in item["partners"]}
    for line, start, end, tag in item["spans"]:
        partner, role = partners.get((line, start), ("", ""))
        if tag == "a" and not partner:
            continue
        text = lines[line]
        yield (line, start, end, tag,
               (text[max(0, start - width):start], text[start:end], text[end:end + width]),
               partner, role, text)


def _context_tags(entry: tuple[str, Any], width: int) -> list[tuple[int, str]]:
    return [(context_hash(key), tag) for _, _, _, tag, key, *_ in _occurrences(entry[1], width)]


def _both_tags(group: tuple[int, list[str]]) -> list[int]:
    return [group[0]] if "cand" in group[1] and "a" in group[1] else []


def _keyed(entry: tuple[str, Any], width: int, ends: str,
           both: frozenset[int]) -> list[tuple[tuple[str, str, str], Place]]:
    """Each tagged occurrence whose context holds both tags (``both``: their hashes) under
    (``width`` characters before, form, ``width`` after); a paired <a> with its partner, a
    <cand> with the rest of its sentence either side (the partner search)."""
    path, item = entry
    spans = by_line(list(item["spans"]))
    out = []
    for line, start, end, tag, key, partner, role, text in _occurrences(item, width):
        if context_hash(key) not in both:
            continue
        column, end_column = span_columns(spans[line], start, end, tag)
        before, after = (sentence_around(text, start, end, ends, SENTENCE_SNIPPET) if tag == "cand"
                         else ("", ""))
        out.append((key, (tag, path, line, column, end_column, partner, role,
                          before[-SENTENCE_SNIPPET:], after[:SENTENCE_SNIPPET])))
    return out


def _variation_hits(group: tuple[tuple[str, str, str], list[Place]], require_partner: bool) -> list[Hit]:
    (left, form, right), places = group
    cands = [p for p in places if p[0] == "cand"]
    pairs = [p for p in places if p[0] == "a"]
    if not cands or not pairs:
        return []
    if not require_partner and len(pairs) < len(cands):
        return [_hit(p, form, left, right, "cand", cands, "") for p in pairs]
    hits = []
    for place in cands:
        before, after = place[7], place[8]
        matching = pairs if not require_partner else [
            p for p in pairs if (p[6] == "first" and p[5] in after)
            or (p[6] == "second" and p[5] in before)]
        if matching:
            partner = matching[0][5]
            note = f"; {partner} is in this sentence, untagged" if require_partner else ""
            hits.append(_hit(place, form, left, right, "a", matching, note))
    return hits


def _hit(place: Place, form: str, left: str, right: str, other_tag: str, others: list[Place],
         note: str) -> Hit:
    tag, path, line, column, end = place[:5]
    where = [(p[1], p[2]) for p in others]
    partner = f" (paired with {others[0][5]})" if other_tag == "a" else ""
    return Hit(line, column, line, end,
               {"text": form, "tag": tag, "other_tag": other_tag, "count": len(others),
                "context": f"{left}{form}{right}", "partner": others[0][5] if other_tag == "a" else "",
                "where": describe_places(where, len(where)) + partner + note},
               related=tuple(Related(p, n) for p, n in where[:MAX_RELATED]),
               evidence=f"{tag}\0{left}{form}{right}", path=path)
