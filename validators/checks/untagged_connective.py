"""``untagged_connective``: a form the corpus tags as a connective almost everywhere, left untagged
here (corpus-wide, over the annotated documents).

A form is *steadily tagged* when it is tagged at least ``min_tagged`` times and in at least
``min_ratio`` of its other occurrences in the annotated documents (an untagged occurrence is judged
by the rest of the corpus, not counted against itself); each of its untagged occurrences is
reported at its line and column, with how often and where the form is tagged. The tagged
occurrences that share the most characters around it come first: the same context tagged in one
place and not in the other is a variation n-gram (DECCA, Dickinson & Meurers 2003), the strongest
evidence that one of the two is an annotation error.

An *occurrence* is the form's characters outside every span of a clean line, and not inside a
longer word of the lexicon or a longer form the corpus tags (但 in 不但 or in 但是 is not an
occurrence of 但). Precision first: a form that is ordinary vocabulary most of the time (在, 时,
也, 让) never reaches ``min_ratio``; and an untagged single character is only reported when it
shares ``single_char_context`` characters with a tagged occurrence.

``summarize`` gives the run's per-connective table (form, tagged, untagged) that the HTML report
and ``extract`` show.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
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
    LINE_EDGE,
    MAX_RELATED,
    LineSpans,
    annotated_lines,
    around,
    by_line,
    describe_places,
    is_han,
    option_words,
    percent,
    raw_column,
    span_columns,
)
from validators.corpus_ops import CorpusOps
from validators.document import Document
from validators.findings import Hit, Related
from validators.lexicons import Lexicon
from validators.rules import option_value

# (forms to look for, longer words an occurrence must not be inside, first characters of the forms,
#  longest form, longest word, first characters of the words, lengths of the words shortest first):
#  what every step that searches the text receives
Vocabulary = tuple[frozenset[str], frozenset[str], frozenset[str], int, int, frozenset[str],
                   tuple[int, ...]]


@register
class UntaggedConnectiveCheck(CorpusCheckType):
    name: ClassVar[str] = "untagged_connective"
    summary: ClassVar[str] = "a form tagged as a connective almost everywhere, untagged here"
    summary_key: ClassVar[str] = "connectives"
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT, WELL_FORMED_TAGS)

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        min_tagged: int = option("int", 4, minimum=1,
                                 help="a form must be tagged at least this often in the corpus")
        min_ratio: float = option("float", 0.8, minimum=0.0, maximum=1.0,
                                  help="... and in at least this share of its other occurrences")
        context: int = option("int", 4, minimum=1, maximum=20,
                              help="characters either side compared with the tagged occurrences")
        min_context: int = option("int", 0, minimum=0, maximum=40,
                                  help="report only occurrences that share this many characters "
                                       "around them with a tagged occurrence")
        single_char_context: int = option("int", 1, minimum=0, maximum=40,
                                          help="the same for single-character forms (也, 而, 就 "
                                               "are mostly ordinary words)")
        lexicon: Lexicon | None = option("lexicon", None,
                                         help="connective lexicon: an occurrence inside one of "
                                              "its longer words is not an occurrence")
        ignore: list[str] = option("str_list", [], help="ordinary words that contain or overlap a "
                                                        "connective form (自然而然): no occurrence in them")

    def collect(self, doc: Document, options: Options) -> Any:
        return connective_item(doc)

    def plan(self, ops: CorpusOps, items: Any, options: Options,
             focus: set[str] | None = None) -> list[Hit]:
        """Tagged forms and their counts, then the untagged occurrences of the forms that pass
        the thresholds, then (grouped by form, where the data lives) the hits."""
        tagged = ops.frequencies(ops.flat_map(items, _tagged_forms))
        if not tagged:
            return []
        candidates = frozenset(f for f, n in tagged.items() if n >= options.min_tagged)
        if not candidates:
            return []
        untagged = ops.frequencies(ops.flat_map(items, _untagged_forms, ops.share(
            vocabulary(candidates, frozenset(tagged), options))))
        # judged against its other occurrences: an untagged one does not count against itself
        steady = frozenset(f for f in candidates if untagged.get(f, 0)
                           and tagged[f] >= options.min_ratio * (tagged[f] + untagged[f] - 1))
        if not steady:
            return []
        counts = {f: (tagged[f], untagged[f]) for f in steady}
        thresholds = (options.min_context, options.single_char_context)
        found = ops.gather(ops.flat_map(
            ops.group(ops.flat_map(items, _occurrences, ops.share(
                vocabulary(steady, frozenset(tagged), options)), options.context)),
            _form_hits, ops.share(counts), thresholds))
        return sorted((hit for hit in found if focus is None or hit.path in focus),
                      key=lambda h: (h.path or "", h.line, h.column, h.fields["text"]))

    def summarize(self, ops: CorpusOps, items: Any, options: Options) -> list[dict[str, Any]]:
        """Per connective form tagged in the corpus: ``{"form", "tagged", "untagged"}`` (the HTML
        report's table), most tagged first."""
        return [{"form": row["form"], "tagged": row["tagged"], "untagged": row["untagged"]}
                for row in connective_rows(ops, items, options)]


def connective_item(doc: Document) -> dict[str, Any] | None:
    """What the corpus-wide steps read of one document: its clean lines (``(line, plain text)``)
    and their spans (``(line, start, end, tag)``, 0-based plain columns); None when the document
    is not annotated. The same object for every CON rule of a document (read-only): pickled
    with the document's outcome once, the parent holds one copy, not one per rule."""
    key = ("connective_item",)
    if key not in doc.cache:  # one object for the three CON rules: sent and held once, not thrice
        found = annotated_lines(doc)
        doc.cache[key] = None if found is None else {
            "lines": tuple(sorted(found[0].items())), "spans": tuple(found[1])}
    return doc.cache[key]


def connective_rows(ops: CorpusOps, items: Any, options: Any) -> list[dict[str, Any]]:
    """Per form tagged in the corpus: tagged (<cand> and <a>) and untagged occurrences (counted as
    the rule counts them); most tagged first, then by form. ``options``: CON001's (its lexicon and
    ignore words), or None (``extract`` without CON001)."""
    by_tag = ops.frequencies(ops.flat_map(items, _tagged_form_tags))
    if not by_tag:
        return []
    forms = frozenset(form for form, _ in by_tag)
    untagged = ops.frequencies(ops.flat_map(items, _untagged_forms, ops.share(
        vocabulary(forms, forms, options))))
    rows = []
    for form in forms:
        cand, a = by_tag.get((form, "cand"), 0), by_tag.get((form, "a"), 0)
        rows.append({"form": form, "tagged": cand + a, "untagged": untagged.get(form, 0),
                     "cand": cand, "a": a})
    return sorted(rows, key=lambda r: (-r["tagged"], r["form"]))


def vocabulary(forms: frozenset[str], tagged: frozenset[str], options: Any) -> Vocabulary:
    words = option_words(options) | tagged | frozenset(option_value(options, "ignore") or ())
    return (forms, words, frozenset(f[0] for f in forms), max(map(len, forms), default=0),
            max(map(len, words), default=0), frozenset(w[0] for w in words if w),
            tuple(sorted({len(w) for w in words if w})))


def _tagged_forms(entry: tuple[str, Any]) -> list[str]:
    _, item = entry
    return [text for text in _span_texts(item) if is_han(text)]


def _tagged_form_tags(entry: tuple[str, Any]) -> list[tuple[str, str]]:
    _, item = entry
    lines = dict(item["lines"])
    return [(lines[line][start:end], tag) for line, start, end, tag in item["spans"]
            if is_han(lines[line][start:end])]


def _span_texts(item: Any) -> Iterator[str]:
    lines = dict(item["lines"])
    for line, start, end, _ in item["spans"]:
        yield lines[line][start:end]


def untagged_occurrences(item: Any, vocab: Vocabulary, spans: dict[int, LineSpans] | None = None
                         ) -> Iterator[tuple[int, int, int, str]]:
    """``(line, start, end, form)`` of every untagged occurrence of a form of ``vocab`` (0-based
    plain columns): outside every span, not taken by another word (:func:`_claimed`)."""
    forms, words, firsts, _, longest_word, word_firsts, word_lengths = vocab
    if not forms:
        return
    first_chars, lengths = _scanner(firsts, frozenset(map(len, forms)))
    spans = by_line(list(item["spans"])) if spans is None else spans  # (the caller's, if made)
    for line_no, text in item["lines"]:
        line_spans: list[tuple[int, int, str]] = spans.get(line_no, [])
        starts = [s for s, _, _ in line_spans]
        for found in first_chars.finditer(text):  # the regex engine skips the other characters
            i = found.start()
            for length in lengths:
                if i + length > len(text):
                    break
                form = text[i:i + length]
                if form not in forms:
                    continue
                k = bisect.bisect_left(starts, i + length) - 1
                if k >= 0 and line_spans[k][1] > i:
                    continue  # overlaps a span
                if _claimed(text, i, i + length, words, longest_word, word_firsts, word_lengths):
                    continue
                yield line_no, i, i + length, form


@lru_cache(maxsize=8)
def _scanner(firsts: frozenset[str], lengths: frozenset[int]) -> tuple[re.Pattern[str], tuple[int, ...]]:
    """A pattern of the forms' first characters (where an occurrence can start) and the forms'
    lengths, shortest first."""
    return re.compile("[" + "".join(map(re.escape, sorted(firsts))) + "]"), tuple(sorted(lengths))


def _claimed(text: str, start: int, end: int, words: frozenset[str], longest: int,
             word_firsts: frozenset[str], word_lengths: tuple[int, ...]) -> bool:
    """``text[start:end]`` belongs to another word: one that contains it and is longer (但 in
    但是, 然而 in 自然而然), or one that starts before it and ends inside it (但是 in 不但是, 于是 in
    终于是), as a left-to-right longest-match segmentation would cut. A word that starts inside
    it and runs on (为了 after 因为 in 因为了解) does not take it. Only the places where a word
    starts (``word_firsts``) and the lengths words have (``word_lengths``) are tried."""
    for lo in range(max(0, end - longest), start + 1):
        if text[lo] not in word_firsts:
            continue
        for length in word_lengths:
            hi = lo + length
            if hi > len(text):
                break
            if hi - lo <= end - start and lo == start:
                continue  # the form itself, or a shorter word at the same start
            if (hi >= end or lo < start < hi) and text[lo:hi] in words:
                return True
    return False


def _untagged_forms(entry: tuple[str, Any], vocab: Vocabulary) -> list[str]:
    _, item = entry
    return [form for _, _, _, form in untagged_occurrences(item, vocab)]


def _occurrences(entry: tuple[str, Any], vocab: Vocabulary,
                 context: int) -> list[tuple[str, tuple[str, str, int, int, int, str, str]]]:
    """``(form, (kind, path, line, column, end column, left, right))``: the tagged (``t``) and
    untagged (``u``) occurrences of the steady forms, with ``context`` characters either side."""
    path, item = entry
    forms = vocab[0]
    lines = dict(item["lines"])
    spans = by_line(list(item["spans"]))
    out = []
    for line_no, start, end, tag in item["spans"]:
        text = lines[line_no]
        form = text[start:end]
        if form in forms:
            column, end_column = span_columns(spans[line_no], start, end, tag)
            out.append((form, ("t", path, line_no, column, end_column,
                               *around(text, start, end, context))))
    for line_no, start, end, form in untagged_occurrences(item, vocab, spans):
        text = lines[line_no]
        column = raw_column(spans.get(line_no, LineSpans()), start)
        out.append((form, ("u", path, line_no, column, column + end - start,
                           *around(text, start, end, context))))
    return out


def _form_hits(group: tuple[str, list[tuple[str, str, int, int, int, str, str]]],
               counts: dict[str, tuple[int, int]], thresholds: tuple[int, int]) -> list[Hit]:
    """The hits of one steady form: each untagged occurrence, with the tagged occurrences that
    share the most context with it first (an index of the tagged contexts by the characters
    before and after, so that a form tagged 100 000 times is not compared pairwise)."""
    form, occurrences = group
    min_context, single_char_context = thresholds
    needed = max(min_context, single_char_context if len(form) == 1 else 0)
    tagged, untagged = counts[form]
    index: dict[tuple[str, str], list[tuple[str, int]]] = {}
    documents: set[str] = set()
    widest = 0
    for kind, path, line, _, _, left, right in occurrences:
        if kind != "t":
            continue
        documents.add(path)
        widest = max(widest, len(left), len(right))
        for before in range(len(left) + 1):
            for after in range(len(right) + 1):
                index.setdefault((left[len(left) - before:], right[:after]), []).append((path, line))
    if not index:
        return []
    shapes = sorted(((b, a) for b in range(widest + 1) for a in range(widest + 1)),
                    key=lambda ba: (-(ba[0] + ba[1]), -min(ba), -ba[0]))
    hits = []
    for kind, path, line, column, end_column, left, right in occurrences:
        if kind != "u":
            continue
        places: list[tuple[str, int]] = []
        best = (0, 0)
        for before, after in shapes:
            if before > len(left) or after > len(right):
                continue
            found = index.get((left[len(left) - before:], right[:after]))
            if not found:
                continue
            if not places:
                best = (before, after)
            for place in found:
                if len(places) >= MAX_RELATED:
                    break
                if place not in places:
                    places.append(place)
            if len(places) >= MAX_RELATED:
                break
        shared = sum(best)
        if shared < needed:
            continue
        if shared:
            before, after = best
            context = (left[len(left) - before:] + form + right[:after]).replace(LINE_EDGE, "")
            edge = " (at a line's start)" if left[len(left) - before:].startswith(LINE_EDGE) else ""
            evidence = (f"the same context “{context}”{edge} is tagged at "
                        f"{places[0][0]}:{places[0][1]}")
        else:
            context = ""
            evidence = f"it is tagged at {describe_places(places, tagged)}"
        hits.append(Hit(line, column, line, end_column,
                        {"text": form, "tagged": tagged, "total": tagged + untagged,
                         "others": tagged + untagged - 1,
                         "share": percent(tagged, tagged + untagged - 1), "documents": len(documents),
                         "context": context, "evidence": evidence},
                        related=tuple(Related(p, n) for p, n in places),
                        evidence=f"{form}\0{left}{form}{right}", path=path))
    return hits
