"""One document's facts: the single record behind the JSON summary, the HTML report and the
``documents`` table.

Before this module the engine's statistics and the table rows were computed by two functions
with two vocabularies (a GBK file was ``GB18030/GBK`` in one and ``not-utf-8`` in the other, a
too-large file ``unreadable`` in one and ``utf-8`` in the other, a short Traditional text
classified with two thresholds). :func:`document_facts` is now the only place they are computed;
:meth:`DocumentFacts.to_stats` is what ``DocumentResult.stats`` carries (plain data: the cache
stores it) and :meth:`DocumentFacts.document_row` is the ``documents`` table row.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from validators.document import Document
from validators.pairing import pair_markers
from validators.sentences import DEFAULT_SENTENCE_END

if TYPE_CHECKING:
    from validators.char_scan import CharScan
    from validators.rules import RuleSet

# The script policy rule's defaults (checks/script_policy.py): a document's script is classified
# with the same thresholds everywhere, so the facts agree with what SCR001 reports.
SCRIPT_RULE = "SCR001"
DEFAULT_MIXED_RATIO = 0.1
DEFAULT_MIN_CHARS = 3
# The encoding verdicts: the ``documents`` table's vocabulary (validators.tables.schemas.ENCODINGS).
ENCODINGS = ("utf-8", "not-utf-8", "binary", "unreadable")
BOM = b"\xef\xbb\xbf"
# When the character-level rules read the fused character scan instead of running their per-line
# code on every line (both give the same findings; tests/test_fast_paths.py runs both). Its fixed
# costs are numpy's import and the classification table (~0.1 s once a process), then a few dozen
# array calls a text: a text under SCAN_MIN_CHARS code points is faster line by line; a longer one
# takes the scan once numpy is loaded (a corpus run loads it with its first document, for the
# duplicate rules), or from SCAN_ALONE_CHARS on, where one text pays for the import by itself (a
# one-file check of a short file loads no numpy for it).
SCAN_MIN_CHARS = 1024
SCAN_ALONE_CHARS = 1 << 17
# ... and up to SCAN_MAX_CHARS: the scan holds a few bytes per code point (80 MB more at the peak
# of a 19 MB one-document file); a text beyond it (a dump, one huge line) is read line by line,
# as before the scan, so that memory stays within 10x a file's size (tests/test_markup_scaling.py)
SCAN_MAX_CHARS = 4_000_000


def line_endings(data: bytes) -> dict[str, int]:
    """Counts of CRLF, LF and lone CR line breaks in raw bytes."""
    if b"\r" not in data:  # the usual case, and a memchr: no search for the two-byte CRLF
        return {"crlf": 0, "lf": data.count(b"\n"), "cr": 0}
    crlf = data.count(b"\r\n")
    return {"crlf": crlf, "lf": data.count(b"\n") - crlf, "cr": data.count(b"\r") - crlf}


def line_ending_style(data: bytes) -> str:
    """lf | crlf | cr | mixed | none: the document statistic."""
    counts = line_endings(data)
    used = [k for k, v in counts.items() if v]
    return used[0] if len(used) == 1 else ("none" if not used else "mixed")


def scan_pays(text: str | None) -> bool:
    """Whether a text takes the character scan (see SCAN_MIN_CHARS)."""
    size = len(text) if text is not None else 0
    if size > SCAN_MAX_CHARS:
        return False
    return size >= SCAN_ALONE_CHARS or (size >= SCAN_MIN_CHARS and "numpy" in sys.modules)


def char_scan(doc: Document) -> CharScan | None:
    """The fused character scan of the raw text (validators.char_scan), once per document; None
    when the text is read line by line (:func:`scan_pays`) or the document did not decode."""
    text = doc.text
    if text is None or not scan_pays(text):
        return None
    key = ("char_scan", "raw")
    if key not in doc.cache:
        from validators.char_scan import CharScan

        doc.cache[key] = CharScan(text)
    return doc.cache[key]


def plain_char_scan(doc: Document) -> CharScan | None:
    """The same for the plain text (tags removed; the raw text's scan when no tag was)."""
    text = doc.text
    if text is None or not scan_pays(text):
        return None
    plain = doc.plain_text
    if plain is text:
        return char_scan(doc)
    key = ("char_scan", "plain")
    if key not in doc.cache:
        from validators.char_scan import CharScan

        doc.cache[key] = CharScan(plain)
    return doc.cache[key]


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """What one document is, independent of any rule's findings (picklable, data only)."""

    path: str
    bytes: int
    sha256: str
    readable: bool
    encoding: str          # one of ENCODINGS; a too-large file is "unreadable"
    encoding_guess: str    # "GB18030/GBK", "Big5", … for a not-utf-8 file; "" otherwise
    bom: bool
    line_endings: str      # lf | crlf | cr | mixed | none
    script: str            # simplified | traditional | mixed | none, as SCR001 classifies it
    chars: int             # code points of the decoded text (0 when unreadable)
    plain_chars: int       # code points of the text without tags
    lines: int             # raw lines; 0 for an empty or unreadable document
    spans: int
    cand: int
    a: int
    pairs: int             # <a> pairs for the configured sentence ends
    annotated: bool
    connectives: tuple[tuple[str, int], ...]  # <cand> text -> count, in first-seen order
    pair_texts: tuple[tuple[str, int], ...]   # "不仅…也" -> count, in first-seen order

    def to_stats(self) -> dict[str, Any]:
        """The dict ``DocumentResult.stats`` carries (JSON summary, HTML report, cache entries)."""
        stats = {f.name: getattr(self, f.name) for f in fields(self)}
        # the HTML report's frequency tables add these up with Counter.update: mappings, not pairs
        stats["connectives"] = dict(self.connectives)
        stats["pair_texts"] = dict(self.pair_texts)
        return stats

    @classmethod
    def from_stats(cls, stats: dict[str, Any]) -> DocumentFacts:
        """The facts back from :meth:`to_stats` (a cached result's stats)."""
        values = {f.name: stats[f.name] for f in fields(cls)}
        values["connectives"] = tuple(dict(values["connectives"]).items())
        values["pair_texts"] = tuple(dict(values["pair_texts"]).items())
        return cls(**values)

    def document_row(self, doc_id: str | None = None) -> dict[str, Any]:
        """The ``documents`` table row (columns of validators.tables.extract.COLUMNS)."""
        return {
            "doc_id": self.path if doc_id is None else doc_id, "path": self.path,
            "bytes": self.bytes, "chars": self.chars, "plain_chars": self.plain_chars,
            "lines": self.lines, "encoding": self.encoding, "bom": self.bom,
            "line_endings": self.line_endings, "script": self.script, "annotated": self.annotated,
            "spans": self.spans, "cand": self.cand, "a": self.a, "pairs": self.pairs,
            "sha256": self.sha256,
        }


def encoding_verdict(doc: Document) -> tuple[str, str]:
    """(verdict, guess): the verdict in the table's vocabulary; the guess names the likely legacy
    encoding of a file that is not UTF-8 (set by validators.load.decode), for display."""
    kinds = {p.kind for p in doc.problems}
    if kinds & {"unreadable", "too_large"}:
        return "unreadable", ""
    if "binary" in kinds:
        return "binary", ""
    if "invalid_utf8" in kinds:
        return "not-utf-8", str(doc.cache.get("encoding_guess") or "")
    return "utf-8", ""


def document_facts(doc: Document, sentence_end: str = DEFAULT_SENTENCE_END, *,
                   mixed_ratio: float = DEFAULT_MIXED_RATIO,
                   min_chars: int = DEFAULT_MIN_CHARS) -> DocumentFacts:
    """The facts of one loaded document: the only place they are computed, once per document
    (kept in ``doc.cache``: a focused run checks a file with two rule parts). ``sentence_end`` is
    the run's sentence-end characters (pairs), ``mixed_ratio``/``min_chars`` SCR001's thresholds."""
    key = ("facts", sentence_end, mixed_ratio, min_chars)
    if key not in doc.cache:
        doc.cache[key] = _document_facts(doc, sentence_end, mixed_ratio, min_chars)
    return doc.cache[key]


def _document_facts(doc: Document, sentence_end: str, mixed_ratio: float, min_chars: int) -> DocumentFacts:
    encoding, guess = encoding_verdict(doc)
    readable = doc.readable
    text = (doc.text or "") if readable else ""
    script = "none"
    spans: Sequence[Any] = []
    pairs: list[Any] = []
    plain_chars = lines = cand = a = 0
    annotated = False
    if readable:
        markup = doc.markup
        spans = markup.spans
        cand, a = markup.tag_count("cand"), markup.tag_count("a")
        pairs = pair_markers(doc, sentence_end).pairs if a else []
        plain_chars, lines, annotated = len(doc.plain_text), len(doc.lines) if text else 0, doc.annotated
        if text:
            from validators.script_sets import document_script

            script = str(document_script(doc, mixed_ratio, min_chars))
    return DocumentFacts(
        path=doc.path, bytes=len(doc.data), sha256=hashlib.sha256(doc.data).hexdigest(),
        readable=readable, encoding=encoding, encoding_guess=guess, bom=doc.data.startswith(BOM),
        line_endings=line_ending_style(doc.data), script=script, chars=len(text),
        plain_chars=plain_chars, lines=lines, spans=len(spans), cand=cand, a=a, pairs=len(pairs),
        annotated=bool(annotated),
        connectives=tuple(Counter(s.text for s in spans if s.tag == "cand").items()),
        pair_texts=tuple(Counter(f"{p.first.text}…{p.second.text}" for p in pairs).items()),
    )


def sentence_end_of(ruleset: RuleSet | None) -> str:
    """The run's sentence-end characters: PAIR001's option, else PAIR002's, else the default."""
    from validators.rules import option_value

    if ruleset is not None:
        for rule_id in ("PAIR001", "PAIR002"):
            rule = ruleset.rules.get(rule_id)
            value = option_value(rule.options, "sentence_end") if rule is not None else None
            if isinstance(value, str):
                return value
    return DEFAULT_SENTENCE_END


def script_thresholds(ruleset: RuleSet | None) -> tuple[float, int]:
    """(mixed_ratio, min_chars) of the script policy rule, else its defaults."""
    from validators.rules import option_value

    rule = ruleset.rules.get(SCRIPT_RULE) if ruleset is not None else None
    options = rule.options if rule is not None else {}
    return (float(option_value(options, "mixed_ratio", DEFAULT_MIXED_RATIO)),
            int(option_value(options, "min_chars", DEFAULT_MIN_CHARS)))

