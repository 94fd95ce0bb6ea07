"""Pairing of ``<a>`` spans: within one sentence, in order of appearance (1st+2nd, 3rd+4th …).

Sentences whose tags are broken are skipped (the tag finding is the one to fix first), and an odd
``<a>`` at the end of one sentence followed by an odd one at the start of the next is one pair that
crosses the sentence end, not two unpaired markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from validators.document import Document
from validators.markup import Span


@dataclass(frozen=True, slots=True)
class Pair:
    index: int       # pair id: 0-based in the document
    first: Span
    second: Span
    sentence: int


@dataclass(slots=True)
class Pairing:
    pairs: list[Pair] = field(default_factory=list)
    unpaired: list[Span] = field(default_factory=list)
    crossing: list[tuple[Span, Span]] = field(default_factory=list)  # (first, second) across an end
    skipped_sentences: set[int] = field(default_factory=set)


def pair_markers(doc: Document, sentence_end: str) -> Pairing:
    key = ("pairing", sentence_end)
    cached = doc.cache.get(key)
    if cached is not None:
        return cached
    result = Pairing()
    broken = doc.broken_sentences(sentence_end)
    if not doc.markup.tag_count("a"):
        # no <a> at all (most raw documents): nothing to pair, no need for the sentences
        result.skipped_sentences.update(broken)
        doc.cache[key] = result
        return result
    sentences = doc.sentences(sentence_end)
    by_sentence: dict[int, list[Span]] = {}
    for span in doc.markup.spans:
        if span.tag == "a":
            index = doc.sentence_of(span.start, sentence_end)
            by_sentence.setdefault(index, []).append(span)
    carried: tuple[Span, int] | None = None  # an odd <a> left at the end of the previous sentence
    for sentence in sentences:
        if sentence.index in broken:
            result.skipped_sentences.add(sentence.index)
            if carried:
                result.unpaired.append(carried[0])
                carried = None
            continue
        spans = by_sentence.get(sentence.index, [])
        if carried and spans and len(spans) % 2 == 1 and carried[1] == sentence.line:
            result.crossing.append((carried[0], spans[0]))
            spans = spans[1:]
        elif carried:
            result.unpaired.append(carried[0])
        carried = None
        for i in range(0, len(spans) - 1, 2):
            result.pairs.append(Pair(len(result.pairs), spans[i], spans[i + 1], sentence.index))
        if len(spans) % 2 == 1:
            carried = (spans[-1], sentence.line)
    if carried:
        result.unpaired.append(carried[0])
    doc.cache[key] = result
    return result
