"""Simplified-only and Traditional-only character sets, derived from OpenCC's own tables.

The sets are built at first use from the character tables shipped inside the installed ``opencc``
package (``STCharacters`` Simplified→Traditional and ``TSCharacters`` Traditional→Simplified) and
cached in memory for the rest of the process. A character counts for a script only when it is
*not* valid in the other one: 里 (Simplified for 裏, but also a Traditional character in its own
right), 干, 后, 著 … appear among their own conversion candidates and are left out, so a Simplified
text that writes 公里 or a Traditional one that writes 皇后 is not called mixed.

The tables are read with the ``opencc_dict`` tool that ships in the same wheel (``ocd2`` → text).
When that tool is missing (other platforms, other builds), the sets are derived with the OpenCC
converter itself, one character at a time, and characters valid in both scripts are recognised by
their membership in the other script's legacy character set (GB2312 / Big5). Nothing is written to
disk and nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

SCRIPTS = ("simplified", "traditional", "mixed", "none")


@dataclass(frozen=True)
class ScriptSets:
    simplified: frozenset[str]          # Simplified-only characters
    traditional: frozenset[str]         # Traditional-only characters
    source: str = "opencc tables"
    to_traditional: dict[str, str] = field(default_factory=dict)  # first candidate, for messages
    to_simplified: dict[str, str] = field(default_factory=dict)


def _share_dir() -> str:
    import opencc

    return os.path.join(os.path.dirname(os.path.abspath(opencc.__file__)), "clib", "share", "opencc")


def _dump_table(name: str) -> dict[str, list[str]] | None:
    """One OpenCC character table as {char: [candidates…]}, or None if it cannot be read."""
    import opencc

    base = os.path.join(os.path.dirname(os.path.abspath(opencc.__file__)), "clib")
    tool = os.path.join(base, "bin", "opencc_dict")
    table = os.path.join(_share_dir(), f"{name}.ocd2")
    if not (os.path.isfile(tool) and os.access(tool, os.X_OK) and os.path.isfile(table)):
        return None
    with tempfile.TemporaryDirectory(prefix="corpus-validators-opencc-") as tmp:
        out = os.path.join(tmp, f"{name}.txt")
        try:
            subprocess.run([tool, "-i", table, "-o", out, "-f", "ocd2", "-t", "text"],
                           check=True, capture_output=True, timeout=60)
            with open(out, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
            return None
    result: dict[str, list[str]] = {}
    for line in lines:
        key, _, values = line.partition("\t")
        if len(key) == 1 and values:
            result[key] = values.split(" ")
    return result or None


def _from_tables() -> ScriptSets | None:
    st = _dump_table("STCharacters")
    ts = _dump_table("TSCharacters")
    if st is None or ts is None:
        return None
    st_values = {v for vs in st.values() for v in vs}
    ts_values = {v for vs in ts.values() for v in vs}
    simplified = {c for c, vs in st.items() if c not in vs and c not in st_values and c not in ts}
    traditional = {c for c, vs in ts.items() if c not in vs and c not in ts_values and c not in st}
    return ScriptSets(frozenset(simplified), frozenset(traditional), "opencc tables",
                      {c: st[c][0] for c in simplified}, {c: ts[c][0] for c in traditional})


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _from_converter() -> ScriptSets:
    import opencc

    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0x20000, 0x2A6E0)]
    chars = [chr(i) for lo, hi in ranges for i in range(lo, hi)]
    joined = "\n".join(chars)
    to_t = opencc.OpenCC("s2t").convert(joined).split("\n")
    to_s = opencc.OpenCC("t2s").convert(joined).split("\n")
    if len(to_t) != len(chars) or len(to_s) != len(chars):  # pragma: no cover - defensive
        return ScriptSets(frozenset(), frozenset(), "unavailable")
    simplified = {c for c, t, s in zip(chars, to_t, to_s, strict=True)
                  if t != c and s == c and not _encodable(c, "big5")}
    traditional = {c for c, t, s in zip(chars, to_t, to_s, strict=True)
                   if s != c and t == c and not _encodable(c, "gb2312")}
    return ScriptSets(frozenset(simplified), frozenset(traditional), "opencc converter",
                      {c: t for c, t, s in zip(chars, to_t, to_s, strict=True) if c in simplified},
                      {c: s for c, t, s in zip(chars, to_t, to_s, strict=True) if c in traditional})


@lru_cache(maxsize=1)
def script_sets() -> ScriptSets:
    """The cached Simplified-only / Traditional-only sets (built on first call, ~0.1 s)."""
    return _from_tables() or _from_converter()


@dataclass
class ScriptProfile:
    """How many Simplified-only and Traditional-only characters a text holds, and which."""

    simplified: Counter[str] = field(default_factory=Counter)
    traditional: Counter[str] = field(default_factory=Counter)

    @property
    def s_count(self) -> int:
        return sum(self.simplified.values())

    @property
    def t_count(self) -> int:
        return sum(self.traditional.values())

    def classify(self, mixed_ratio: float = 0.1, min_chars: int = 1) -> str:
        """simplified | traditional | mixed | none. ``mixed``: the minority script has more than
        ``mixed_ratio`` of the script-specific characters."""
        s, t = self.s_count, self.t_count
        if s + t < min_chars or s + t == 0:
            return "none"
        minority = min(s, t) / (s + t)
        if minority > mixed_ratio:
            return "mixed"
        return "simplified" if s > t else "traditional"


ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Regexes of the BMP script-specific characters. (A character class that also holds
    astral characters makes ``re`` scan it linearly, 500× slower: those are looked up apart.)"""
    sets = script_sets()
    return tuple(re.compile("[" + re.escape("".join(sorted(c for c in chars if ord(c) <= 0xFFFF)))
                            + "]") for chars in (sets.simplified, sets.traditional))  # type: ignore[return-value]


def find_first(script: str, text: str, start: int = 0) -> int:
    """Offset of the first Simplified-only (or Traditional-only) character at or after
    ``start``, or -1."""
    sets = script_sets()
    chars = sets.simplified if script == "simplified" else sets.traditional
    m = _patterns()[0 if script == "simplified" else 1].search(text, start)
    best = m.start() if m else -1
    for a in ASTRAL.finditer(text, start, best if best >= 0 else len(text)):
        if a.group() in chars:
            return a.start()
    return best


PROFILE_CHUNK = 1 << 20  # characters scanned per findall: bounds the match list's memory


def profile(text: str, sets: ScriptSets | None = None) -> ScriptProfile:
    """Counts of the script-specific characters of ``text`` (regex scans: C speed)."""
    sets = sets or script_sets()
    simplified, traditional = _patterns()
    result = ScriptProfile(Counter(), Counter())
    for start in range(0, len(text), PROFILE_CHUNK):  # chunked: findall of a 200 MB line makes
        end = start + PROFILE_CHUNK                    # one string object per match (GBs)
        result.simplified.update(simplified.findall(text, start, end))
        result.traditional.update(traditional.findall(text, start, end))
    for char in ASTRAL.findall(text):
        if char in sets.simplified:
            result.simplified[char] += 1
        elif char in sets.traditional:
            result.traditional[char] += 1
    return result


def document_profile(doc: Any) -> ScriptProfile:
    """The profile of a document's plain text (tags removed), cached on the document."""
    key = ("script_profile",)
    if key not in doc.cache:
        doc.cache[key] = profile(doc.plain_text if doc.readable else "")
    return doc.cache[key]


def document_script(doc: Any, mixed_ratio: float = 0.1, min_chars: int = 1) -> str:
    return document_profile(doc).classify(mixed_ratio, min_chars)


def name_chars(chars: Iterable[str], limit: int = 8) -> str:
    """``來 (×3), 這, 說 …``: the offending characters, most frequent first."""
    counts = Counter(chars)
    parts = [f"{c} (×{n})" if n > 1 else c for c, n in counts.most_common(limit)]
    more = len(counts) - limit
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    """One OpenCC converter per configuration: building one reads its dictionaries (~50 ms)."""
    import opencc

    return opencc.OpenCC(config)


def conversion_hint(text: str, target: str, limit: int = 12) -> str:
    """A short suggestion of what OpenCC would make of ``text`` (never applied)."""
    snippet = text.strip()[:limit]
    if not snippet:
        return ""
    converted = _converter("t2s" if target == "simplified" else "s2t").convert(snippet)
    return f"{snippet} → {converted}" if converted != snippet else ""
