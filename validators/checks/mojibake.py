"""``mojibake``: text that was decoded with the wrong codec somewhere upstream and saved again.

Two detectors, one finding per line (the first damaged run, with the likely original):

* **UTF-8 read as GBK/Big5** (鍏ㄥ浗鍚岃優 for 全国同胞): ftfy's badness heuristic misses this kind
  because the damaged text consists of real, if rare, Han characters. A run of non-ASCII
  characters counts when (1) most of its Han characters are rare (outside GB2312 level 1 and Big5
  level 1), (2) re-encoding it as GBK (or Big5) gives bytes that decode as UTF-8 almost
  completely (the round trip), and (3) the result is mostly common characters.
* **UTF-8 read as Latin-1/cp1252** (å¹´ for 年): ftfy (its badness heuristic, and
  ``fix_encoding`` changing the text).

The message suggests the repair. The fix is **unsafe** (only ``check --fix --unsafe-fixes``
applies it): it decodes back only what the detectors report, but a detector's verdict is a
heuristic, and a run it mistakes for mojibake would be changed. A GBK/Big5 run is repaired in the
smallest pieces whose re-encoded bytes decode as strict UTF-8 (the exact inverse of the damage);
a piece whose bytes were lost upstream stays as it is. A Latin-1 window is repaired by ftfy's
``fix_encoding`` only when the repair loses nothing (no new U+FFFD) and the window ends at an
ASCII character (no UTF-8 sequence cut in two). The document's character scan
(validators.char_scan) names the lines where either detector can fire; only those are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from validators.checks import CheckOptions, CheckType, Fix, FixTarget, option, register
from validators.checks._chars import badness_signs, common_han
from validators.document import Document
from validators.facts import char_scan
from validators.findings import Hit

if TYPE_CHECKING:
    from validators.char_scan import CharScan

RUN = re.compile(r"[^\x00-\x7f\ufffd]{4,}")
RUN_BREAKERS = "".join(map(chr, range(0x80))) + "\ufffd"  # the characters RUN excludes
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
MAX_RUN = 512
MAX_PIECE = 8  # characters in one piece of a repair (2-byte GBK/Big5 codes, UTF-8 of 1-4 bytes)
# characters UTF-8 lead/continuation bytes turn into when read as Latin-1/cp1252
LATIN_CHAR = re.compile(r"[\u00c0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                        r"\u02c6\u02dc\u2013-\u2122]")
LATIN_WINDOW = 240  # code points around the first suspicious character handed to ftfy


def gbk_roundtrip(run: str, min_rare: float, min_valid: float, min_common: float
                  ) -> tuple[str, str] | None:
    """(codec, repaired text) when ``run`` looks like UTF-8 bytes decoded as that codec."""
    run = run[:MAX_RUN]  # the verdict on a run's first 512 characters: linear on any input
    han = HAN.findall(run)
    if len(han) < 3:
        return None
    common = common_han()
    rare = sum(c not in common for c in han) / len(han)
    if rare < min_rare:
        return None
    for codec in ("gbk", "big5"):
        try:
            data = run.encode(codec)
        except UnicodeEncodeError:
            continue
        decoded = data.decode("utf-8", "replace")
        bad = decoded.count("\ufffd")
        if not decoded or 1 - bad / len(decoded) < min_valid:
            continue
        decoded_han = HAN.findall(decoded)
        if len(decoded_han) < 2:
            continue
        if sum(c in common for c in decoded_han) / len(decoded_han) >= min_common:
            return codec.upper(), decoded.replace("\ufffd", "?")
    return None


def strict_repair(run: str, codec: str) -> tuple[str, int]:
    """``run`` with every smallest piece whose ``codec`` bytes decode as strict UTF-8 decoded
    back (鍏ㄥ浗 → 全国), and how many pieces were; a character whose piece does not decode (its
    bytes were lost when the text was damaged) is kept."""
    out: list[str] = []
    pieces = 0
    start = 0
    while start < len(run):
        for end in range(start + 1, min(start + MAX_PIECE, len(run)) + 1):
            try:
                out.append(run[start:end].encode(codec).decode("utf-8"))
            except UnicodeError:
                continue
            pieces += 1
            start = end
            break
        else:
            out.append(run[start])
            start += 1
    return "".join(out), pieces


def latin_repaired(line: str) -> str:
    """The line with each window of UTF-8-read-as-Latin-1 mojibake repaired by ftfy, left to right
    (each window once: linear in the line, a 200 MB line included): a window starts 8 code points
    before a Latin-1 look-alike character, is cut before its last ASCII character or UTF-8 lead
    byte read as Latin-1 (À–ÿ) when it ends inside the line (no UTF-8 sequence is cut in two), and
    is replaced only when ftfy's heuristic finds it bad and its repair loses nothing (no new
    U+FFFD). Windows that do not qualify are kept as they are."""
    parts: list[str] = []
    pos = 0
    while (m := LATIN_CHAR.search(line, pos)) is not None:
        lo = max(m.start() - 8, pos)
        window = line[lo:lo + LATIN_WINDOW]
        if lo + LATIN_WINDOW < len(line):
            window = window[:max((i for i, c in enumerate(window) if c < "\x80" or "\u00c0" <= c <= "\u00ff"),
                                 default=0)]
        if len(window) <= m.start() - lo:  # the cut left nothing from the look-alike on
            window = line[lo:m.end()]
        parts.append(line[pos:lo])
        parts.append(_repaired_window(window))
        pos = lo + len(window)
    parts.append(line[pos:])
    return "".join(parts)


def _repaired_window(window: str) -> str:
    if badness_signs().isdisjoint(window):
        return window
    import ftfy

    if not ftfy.badness.is_bad(window):
        return window
    fixed = ftfy.fix_encoding(window)
    return window if fixed.count("\ufffd") > window.count("\ufffd") else fixed


def latin_mojibake(line: str) -> tuple[str, str] | None:
    """(damaged text, repair) when ftfy finds UTF-8-read-as-Latin-1 mojibake in the line."""
    m = LATIN_CHAR.search(line)
    if not m:
        return None
    lo = max(m.start() - 8, 0)
    window = line[lo:lo + LATIN_WINDOW]  # bounded: a 200 MB line costs no more than a short one
    if badness_signs().isdisjoint(window):  # is_bad cannot fire (tests/test_char_scan.py)
        return None
    import ftfy  # only for windows ftfy's heuristic can accept

    if not ftfy.badness.is_bad(window):  # one regex search: most windows stop here, before
        return None                      # fix_encoding's much dearer attempts
    fixed = ftfy.fix_encoding(window)
    if fixed == window:
        return None
    start = next(i for i, (a, b) in enumerate(zip(window, fixed, strict=False)) if a != b)
    return window[start:start + 12], fixed[start:start + 8]


def candidate_lines(scan: CharScan, min_rare: float) -> tuple[set[int], set[int]]:
    """(lines, lines): the 0-based lines with a run that can pass :func:`gbk_roundtrip`'s first
    two tests (at least 3 Han characters among the run's first MAX_RUN, a share of rare ones of
    at least ``min_rare``), and the lines :func:`latin_mojibake` can report (a Latin-1
    look-alike character, and a character ftfy's heuristic needs: ``badness_signs``). Every
    other line has no finding."""
    import numpy as np

    from validators.char_scan import BADNESS_SIGN, LATIN1_LOOKALIKE, RARE_HAN, char_class

    # ftfy.badness.is_bad must accept the window around the first look-alike character
    latin = set(scan.lines_with(char_class(bits=LATIN1_LOOKALIKE)).tolist())
    latin.intersection_update(scan.lines_with(char_class(bits=BADNESS_SIGN)).tolist())
    # the runs of RUN: 4 or more characters none of which is one of RUN_BREAKERS
    starts, ends = scan.runs(char_class(RUN_BREAKERS), inside=False)
    long_enough = ends - starts >= 4
    starts, limits = starts[long_enough], np.minimum(ends[long_enough], starts[long_enough] + MAX_RUN)
    if min_rare > 0:  # a run without a rare character cannot pass
        rare_at = scan.positions(char_class(bits=RARE_HAN))
        rare = np.searchsorted(rare_at, limits) - np.searchsorted(rare_at, starts)
        starts, limits, rare = starts[rare > 0], limits[rare > 0], rare[rare > 0]
    if not len(starts):
        return set(), latin
    han = _ideographs_in(scan, starts, limits)
    passes = han >= 3
    if min_rare > 0:
        passes &= rare / np.maximum(han, 1) >= min_rare
    return set(scan.line_of(starts[passes]).tolist()), latin


def _ideographs_in(scan: CharScan, starts: Any, limits: Any) -> Any:
    """How many of HAN's characters (the scan's Han except 〇) each ``[start, limit)`` holds."""
    import numpy as np

    from validators.char_scan import HAN as HAN_BIT
    from validators.char_scan import ID_MASK, IDEOGRAPHIC_ZERO, tracked_id

    zero = tracked_id(IDEOGRAPHIC_ZERO)
    if len(starts) <= 64:  # usually none or a few runs: each on its own
        return np.array([np.count_nonzero(v & HAN_BIT) - np.count_nonzero((v & ID_MASK) == zero)
                         for v in (scan.values[s:e] for s, e in zip(starts.tolist(), limits.tolist(), strict=True))],
                        np.int64)
    values = scan.values
    ideographs = np.append(((values & HAN_BIT) != 0) & ((values & ID_MASK) != zero), False)
    return np.add.reduceat(ideographs, np.column_stack((starts, limits)).ravel(), dtype=np.int64)[0::2]


@register
class MojibakeCheck(CheckType):
    name: ClassVar[str] = "mojibake"
    summary: ClassVar[str] = "text decoded with the wrong codec (UTF-8 read as GBK, Big5 or Latin-1)"
    fix_safety: ClassVar[str | None] = "unsafe"  # the detectors' verdict is a heuristic

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        min_rare: float = option("float", 0.5, minimum=0, maximum=1,
                                 help="share of rare Han characters a damaged run must have")
        min_valid: float = option("float", 0.8, minimum=0, maximum=1,
                                  help="share of the re-encoded bytes that must decode as UTF-8")
        min_common: float = option("float", 0.6, minimum=0, maximum=1,
                                   help="share of common characters in the repaired text")

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        scan = char_scan(doc)
        if scan is None:
            for line_no, raw in enumerate(doc.lines, 1):
                hit = self._line(line_no, raw, options)
                if hit is not None:
                    yield hit
            return
        gbk, latin = candidate_lines(scan, options.min_rare)
        lines = doc.lines
        for index in sorted(gbk | latin):
            hit = self._line(index + 1, lines[index], options, gbk=index in gbk)
            if hit is not None:
                yield hit

    def fix(self, target: FixTarget, options: Options) -> Fix | None:
        """The runs the GBK/Big5 detector accepts decoded back (:func:`strict_repair`), then each
        Latin-1 window ftfy's heuristic finds bad (:func:`latin_repaired`); everything else is
        left alone."""
        text = target.text
        if text is None:
            return None
        lines = text.split("\n")
        repaired = 0
        for index, line in enumerate(lines):
            fixed = self._repair_line(line, options)
            if fixed != line:
                lines[index] = fixed
                repaired += 1
        if not repaired:
            return None
        return Fix("\n".join(lines), f"repaired mojibake (UTF-8 decoded as GBK, Big5 or Latin-1) "
                                     f"on {repaired} line(s)")

    def _repair_line(self, line: str, options: Options) -> str:
        parts: list[str] = []
        last = 0
        for m in RUN.finditer(line):
            found = gbk_roundtrip(m.group(), options.min_rare, options.min_valid, options.min_common)
            if found:
                head, pieces = strict_repair(m.group()[:MAX_RUN], found[0].lower())
                if pieces:
                    parts += [line[last:m.start()], head, m.group()[MAX_RUN:]]
                    last = m.end()
        line = "".join(parts) + line[last:]
        return latin_repaired(line) if LATIN_CHAR.search(line) else line

    def _line(self, line_no: int, raw: str, options: Options, gbk: bool = True) -> Hit | None:
        """The line's finding; ``gbk=False`` when the scan showed that no run of it can pass
        :func:`gbk_roundtrip` (then only the Latin-1 detector can report)."""
        for m in RUN.finditer(raw) if gbk else ():
            found = gbk_roundtrip(m.group(), options.min_rare, options.min_valid,
                                  options.min_common)
            if found:
                codec, repaired = found
                text = m.group()
                return Hit(line_no, m.start() + 1, line_no, m.end() + 1,
                           {"text": text[:16] + ("…" if len(text) > 16 else ""),
                            "codec": codec, "suggestion": repaired[:16]
                            + ("…" if len(repaired) > 16 else "")},
                           evidence=text)
        latin = latin_mojibake(raw)
        if latin:
            text, repaired = latin
            col = raw.index(text) + 1
            return Hit(line_no, col, line_no, col + len(text),
                       {"text": text, "codec": "Latin-1/cp1252", "suggestion": repaired},
                       evidence=text)
        return None
