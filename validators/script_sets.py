"""Which characters mark a text as Simplified or Traditional, and which forms mark a Traditional
text as written to another region's standard: derived from OpenCC's own conversion tables.

OpenCC knows one Simplified standard and three Traditional ones: its "orthodox" Traditional (the
``t`` of s2t/t2s), Taiwan (``tw``: s2tw, s2twp, t2tw, tw2t, tw2s) and Hong Kong (``hk``: s2hk,
t2hk, hk2t, hk2s). The sets are built at first use from the tables of those configurations as
installed with the ``opencc`` package, and cached in memory for the rest of the process (nothing
is downloaded, nothing written):

* **Simplified-only**: characters s2t converts (STCharacters) that *no* Traditional standard
  writes: not a Traditional candidate of STCharacters, not a Traditional input of t2s
  (TSCharacters, TSCharactersExt), not a Taiwan or Hong Kong form (TWVariants/HKVariants, both
  directions). So 群 (Taiwan; orthodox 羣), 户 and 温 (Hong Kong; 戶, 溫), 秘, 床, 峰 … count for
  neither script, and a Taiwan or Hong Kong text is never "Simplified in a Traditional document".
  Characters valid in both scripts in their own right (里, 干, 著, 后 …) never count either.
* **Traditional-only**: characters t2s converts (TSCharacters, TSCharactersExt), and the regional
  forms tw2s/hk2s convert (衞, 綫, 敍 …), that the Simplified standard does not write: not a
  Simplified candidate of TSCharacters, not a Simplified input of STCharacters (for the regional
  forms, nor a character of a Simplified phrase: 著 in 显著). Characters Simplified writes in
  common with a regional standard (群, 床, 户 …) are therefore not Traditional-only.
* **Phrase exceptions**: a Traditional standard writes a few Simplified-only characters in fixed
  phrases (恒生, 倒霉, 虱目魚, Hong Kong names of HKVariantsPhrases), and t2s keeps a few
  Traditional-only ones (八濛山). Those phrases, from the output side of the phrase tables, are
  masked before characters are counted.
* **Regional forms** (:attr:`ScriptSets.foreign`): a Hong Kong form that neither the Taiwan nor
  the orthodox standard writes (户, 温, 説, 衞, 綫 …) is foreign to a Taiwan-standard corpus, and a
  Taiwan form that neither Hong Kong nor orthodox writes (裡, 汙, 洩, 簷, 韁) to a Hong Kong one.
  Orthodox forms a region replaces (裏, 峯, 啓, 爲 …) are not reported: writers of both regions
  use them; nor, in a Taiwan corpus, a form Big5 (Taiwan's character set) encodes (濕, 枴, 衹).

The tables are read with the ``opencc_dict`` tool that ships in the same wheel (``ocd2`` → text).
When it is missing (other platforms, other builds), the character tables are rebuilt by converting
every CJK character with the converters themselves (one candidate each; a character valid on both
sides is recognised by its membership in the other script's legacy character set, GB2312 / Big5),
and there are no phrase exceptions.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

SCRIPTS = ("simplified", "traditional", "mixed", "none")
# what a corpus may expect (the `script:` key of corpus-validate.yaml, the `script` option)
POLICIES = ("simplified", "traditional", "auto", "traditional-tw", "traditional-hk")
REGIONS = {"tw": "Taiwan", "hk": "Hong Kong"}
REGION_OF_POLICY = {"traditional-tw": "tw", "traditional-hk": "hk"}

Table = dict[str, list[str]]
# the character tables of s2t/t2s and of the regional variants, both directions
CHAR_TABLES = ("STCharacters", "TSCharacters", "TSCharactersExt", "TWVariants", "TWVariantsRev",
               "HKVariants", "HKVariantsRev")
# phrase tables whose *values* a Traditional standard writes (s2t, s2tw, s2twp, s2hk). Left out:
# STPhrases_GeneratedFromRegionalPhrases and HKPhrases add nothing to what these give (OpenCC
# 1.4.2), and each table read costs a process.
TRADITIONAL_PHRASES = ("STPhrases", "TWVariantsPhrases", "TWPhrases", "HKVariantsPhrases")
SIMPLIFIED_PHRASES = ("TSPhrases",)          # values written by the Simplified standard (t2s)
SIMPLIFIED_INPUT_PHRASES = ("STPhrases",)    # keys: Simplified phrases s2t reads
# characters t2s converts that the Simplified standard itself lists (通用规范汉字表, 2013): 拚 (pàn,
# 拚命 pīn) is written in Simplified text, so it is no evidence of Traditional script
SIMPLIFIED_STANDARD_TOO = frozenset("拚")
# the converter that rebuilds each character table when the tables cannot be read
FALLBACK_CONFIGS = {"STCharacters": "s2t", "TSCharacters": "t2s", "TWVariants": "t2tw",
                    "TWVariantsRev": "tw2t", "HKVariants": "t2hk", "HKVariantsRev": "hk2t"}


@dataclass(frozen=True)
class ScriptSets:
    simplified: frozenset[str]          # Simplified-only characters
    traditional: frozenset[str]         # Traditional-only characters
    source: str = "opencc tables"
    to_traditional: dict[str, str] = field(default_factory=dict)  # first candidate, for messages
    to_simplified: dict[str, str] = field(default_factory=dict)
    # phrases a Traditional (Simplified) standard writes with a Simplified-only (Traditional-only)
    # character in them: not counted
    simplified_phrases: frozenset[str] = frozenset()
    traditional_phrases: frozenset[str] = frozenset()
    # region -> {a form only another region writes: this region's form of it}
    foreign: dict[str, dict[str, str]] = field(default_factory=dict)


def _share_dir() -> str:
    import opencc

    return os.path.join(os.path.dirname(os.path.abspath(opencc.__file__)), "clib", "share", "opencc")


def _dump_texts(names: Iterable[str]) -> dict[str, str]:
    """The text form ("key<TAB>candidate candidate…" lines) of OpenCC tables, read with the
    ``opencc_dict`` tool of the wheel, all at once (one process each, run side by side); a table
    that cannot be read is left out."""
    import opencc

    base = os.path.join(os.path.dirname(os.path.abspath(opencc.__file__)), "clib")
    tool = os.path.join(base, "bin", "opencc_dict")
    if not (os.path.isfile(tool) and os.access(tool, os.X_OK)):
        return {}
    texts: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="corpus-validators-opencc-") as tmp:
        running = []
        for name in names:
            table = os.path.join(_share_dir(), f"{name}.ocd2")
            if not os.path.isfile(table):
                continue
            out = os.path.join(tmp, f"{name}.txt")
            try:
                # close_fds=False lets Python spawn with posix_spawn instead of forking itself
                process = subprocess.Popen([tool, "-i", table, "-o", out, "-f", "ocd2", "-t", "text"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           close_fds=False)
            except OSError:
                continue
            running.append((name, out, process))
        for name, out, process in running:
            try:
                if process.wait(timeout=60) == 0:
                    with open(out, encoding="utf-8") as handle:
                        texts[name] = handle.read()
            except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
                process.kill()
                process.wait()
    return texts


def parse_table(text: str) -> Table:
    """{key: [candidates]} of a table's text form."""
    result: Table = {}
    for line in text.splitlines():
        key, _, values = line.partition("\t")
        if key and values:
            result[key] = values.split(" ")
    return result


@dataclass(frozen=True)
class Phrases:
    """A phrase table kept as two newline-separated strings (its keys, its candidates): the
    questions asked of it (which characters occur, which phrases hold a given character) are
    answered by C-speed scans of 50 000 entries instead of a dictionary built for nothing."""

    keys: str = ""
    values: str = ""

    @classmethod
    def of_text(cls, text: str) -> Phrases:
        return cls(re.sub(r"(?m)\t.*$", "", text),
                   re.sub(r"(?m)^[^\t\n]*\t", "", text).replace(" ", "\n"))

    @classmethod
    def of(cls, table: Mapping[str, list[str]]) -> Phrases:
        return cls("\n".join(table), "\n".join(v for vs in table.values() for v in vs))

    def holding(self, chars: re.Pattern[str]) -> set[str]:
        """The candidates (of two characters or more) holding a character that ``chars`` matches."""
        found = set()
        for m in chars.finditer(self.values):
            end = self.values.find("\n", m.end())
            found.add(self.values[self.values.rfind("\n", 0, m.start()) + 1:end if end >= 0 else None])
        return {p for p in found if len(p) > 1}


def _changed(table: Table) -> set[str]:
    """Characters the table converts to something else (never to themselves)."""
    return {k for k, vs in table.items() if len(k) == 1 and k not in vs}


def _outputs(*tables: Table) -> set[str]:
    return {v for t in tables for vs in t.values() for v in vs if len(v) == 1}


def _inputs(*tables: Table) -> set[str]:
    return {k for t in tables for k in t if len(k) == 1}


def _occurring(phrases: Mapping[str, Phrases], names: Iterable[str], side: str,
               candidates: Iterable[str]) -> set[str]:
    """Which of ``candidates`` occur in the keys (``side="keys"``) or candidates of the named
    phrase tables (one scan with a small character class, not a set of 50 000 phrases)."""
    pattern = _char_class(candidates)
    found: set[str] = set()
    for name in names:
        found.update(pattern.findall(getattr(phrases.get(name, Phrases()), side)))
    return found


def _regional_forms(variants: Table, reverse: Table) -> set[str]:
    """The forms a region writes instead of the orthodox ones (t2tw/t2hk outputs, tw2t/hk2t
    inputs)."""
    return ({v for k, vs in variants.items() if len(k) == 1 for v in vs if len(v) == 1 and v != k}
            | _changed(reverse))


def _counterparts(forms: Iterable[str], reverse: Table, variants: Table) -> dict[str, str]:
    """{form: its counterpart}: back to orthodox with the other region's reverse table, then to
    this region's form. A form with more than one candidate on the way is left out (neither
    reported nor fixed: there is no one right answer)."""
    result = {}
    for form in forms:
        orthodox = reverse.get(form, [form])
        own = variants.get(orthodox[0], orthodox[:1])
        if len(orthodox) == 1 and len(own) == 1 and own[0] != form:
            result[form] = own[0]
    return result


def _first(table: Table, char: str) -> str:
    return table[char][0] if table.get(char) else char


def _to_simplified(tables: Mapping[str, Table], char: str) -> str:
    """What t2s (or tw2s/hk2s, for a regional form) makes of a Traditional-only character."""
    for name in ("TSCharacters", "TSCharactersExt"):
        if tables.get(name, {}).get(char):
            return tables[name][char][0]
    orthodox = _first(tables.get("HKVariantsRev", {}), _first(tables.get("TWVariantsRev", {}), char))
    return _first(tables.get("TSCharacters", {}), orthodox)


def derive(tables: Mapping[str, Table], phrases: Mapping[str, Phrases] | None = None,
           source: str = "opencc tables") -> ScriptSets:
    """The script sets from OpenCC's character tables ({name: {key: [candidates]}}) and phrase
    tables; a missing table counts as empty. Pure: the tests feed it small tables."""
    phrases = phrases or {}

    def get(name: str) -> Table:
        return tables.get(name, {})

    st, ts, ts_ext = get("STCharacters"), get("TSCharacters"), get("TSCharactersExt")
    twv, twr, hkv, hkr = get("TWVariants"), get("TWVariantsRev"), get("HKVariants"), get("HKVariantsRev")
    traditional_writes = _outputs(st, twv, hkv) | _inputs(ts, ts_ext, twv, twr, hkv, hkr)
    simplified = _changed(st) - traditional_writes
    simplified_writes = _outputs(ts, ts_ext) | _inputs(st)
    # a regional form tw2s/hk2s converts is Traditional-only unless Simplified writes it in a
    # phrase of its own (著 of 显著: tw2s makes 着 of a lone 著)
    regional = (_changed(twr) | _changed(hkr)) - simplified_writes
    regional -= (_occurring(phrases, SIMPLIFIED_PHRASES, "values", regional)
                 | _occurring(phrases, SIMPLIFIED_INPUT_PHRASES, "keys", regional))
    traditional = (((_changed(ts) | _changed(ts_ext)) - simplified_writes) | regional) - SIMPLIFIED_STANDARD_TOO
    simplified_phrases: set[str] = set()
    simplified_class, traditional_class = _char_class(simplified), _char_class(traditional)
    for name in TRADITIONAL_PHRASES:
        simplified_phrases |= phrases.get(name, Phrases()).holding(simplified_class)
    traditional_phrases: set[str] = set()
    for name in SIMPLIFIED_PHRASES:
        traditional_phrases |= phrases.get(name, Phrases()).holding(traditional_class)
    tw_forms, hk_forms = _regional_forms(twv, twr), _regional_forms(hkv, hkr)
    either = tw_forms | hk_forms
    orthodox = _outputs(st) | _occurring(phrases, ("STPhrases",), "values", either)
    foreign = {
        # a Hong Kong form Taiwan never writes: not a Taiwan form, not an orthodox form Taiwan
        # keeps (orthodox forms Taiwan replaces, such as 啓, stay out: Taiwan writers use them
        # too), not in a Taiwan phrase, and not encoded by Big5, Taiwan's own character set
        # (濕, 枴, 衹 are written in Taiwan whatever TWVariants says)
        "tw": _counterparts(hk_forms - tw_forms - (orthodox - _changed(twv))
                            - _occurring(phrases, ("TWVariantsPhrases",), "values", either)
                            - {c for c in either if _encodable(c, "big5")}, hkr, twv),
        "hk": _counterparts(tw_forms - hk_forms - (orthodox - _changed(hkv))
                            - _occurring(phrases, ("HKVariantsPhrases",), "values", either), twr, hkv),
    }
    return ScriptSets(frozenset(simplified), frozenset(traditional), source,
                      {c: st[c][0] for c in simplified},
                      {c: _to_simplified(tables, c) for c in traditional},
                      frozenset(simplified_phrases), frozenset(traditional_phrases), foreign)


def _from_tables() -> ScriptSets | None:
    texts = _dump_texts((*CHAR_TABLES, *TRADITIONAL_PHRASES, *SIMPLIFIED_PHRASES))
    if "STCharacters" not in texts or "TSCharacters" not in texts:
        return None
    tables = {name: parse_table(texts.get(name, "")) for name in CHAR_TABLES}
    phrases = {name: Phrases.of_text(texts[name])
               for name in (*TRADITIONAL_PHRASES, *SIMPLIFIED_PHRASES) if name in texts}
    return derive(tables, phrases)


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _converter_tables() -> dict[str, Table]:
    """The character tables rebuilt by converting every CJK character one at a time (a character
    the other script's legacy character set holds stays valid on both sides)."""
    import opencc

    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0x20000, 0x2A6E0)]
    chars = [chr(i) for lo, hi in ranges for i in range(lo, hi)]
    joined = "\n".join(chars)
    tables: dict[str, Table] = {}
    for name, config in FALLBACK_CONFIGS.items():
        converted = opencc.OpenCC(config).convert(joined).split("\n")
        if len(converted) != len(chars):  # pragma: no cover - defensive
            return {}
        keep = {"STCharacters": "big5", "TSCharacters": "gb2312"}.get(name)
        tables[name] = {c: [t, c] if keep and _encodable(c, keep) else [t]
                        for c, t in zip(chars, converted, strict=True) if t != c}
    return tables


def _from_converter() -> ScriptSets:
    """The sets without the phrase tables: a regional form GB2312 holds stands in for one a
    Simplified phrase writes (著 of 显著), one GB2312 and Big5 both hold for one an orthodox
    phrase writes (著 of 顯著)."""
    tables = _converter_tables()
    if not tables:  # pragma: no cover - defensive
        return ScriptSets(frozenset(), frozenset(), "unavailable")
    regional = set().union(*(_changed(tables[n]) | _outputs(tables[n])
                             for n in ("TWVariants", "TWVariantsRev", "HKVariants", "HKVariantsRev")))
    in_gb = {c for c in regional if _encodable(c, "gb2312")}
    phrases = {"TSPhrases": Phrases(values="\n".join(sorted(in_gb))),
               "STPhrases": Phrases(values="\n".join(sorted(c for c in in_gb if _encodable(c, "big5"))))}
    return derive(tables, phrases, source="opencc converter")


@lru_cache(maxsize=1)
def script_sets() -> ScriptSets:
    """The script sets, built once per user and OpenCC version (a dozen table reads: a few
    processes) and kept as data (validators.derived); cached for the process."""
    from validators.derived import cached_table, library_version, source_digest

    # this module's own source, not the whole package's: reading every module would cost a
    # one-file check ~12 ms to name a table only this module derives
    return sets_of_data(cached_table(
        "script-sets", f"opencc {library_version('opencc')}, code {source_digest(__file__)}",
        lambda: data_of_sets(_from_tables() or _from_converter())))


def data_of_sets(sets: ScriptSets) -> dict[str, Any]:
    """The sets as JSON data (sorted: the same sets give the same bytes)."""
    return {"simplified": sorted(sets.simplified), "traditional": sorted(sets.traditional),
            "source": sets.source, "to_traditional": sets.to_traditional,
            "to_simplified": sets.to_simplified,
            "simplified_phrases": sorted(sets.simplified_phrases),
            "traditional_phrases": sorted(sets.traditional_phrases), "foreign": sets.foreign}


def sets_of_data(data: dict[str, Any]) -> ScriptSets:
    return ScriptSets(frozenset(data["simplified"]), frozenset(data["traditional"]), data["source"],
                      dict(data["to_traditional"]), dict(data["to_simplified"]),
                      frozenset(data["simplified_phrases"]), frozenset(data["traditional_phrases"]),
                      {region: dict(forms) for region, forms in data["foreign"].items()})


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
MASK = "\u3000"  # stands in for each character of an exception phrase: offsets do not move


def _char_class(chars: Iterable[str]) -> re.Pattern[str]:
    """A regex of the BMP characters of ``chars``. (A character class that also holds astral
    characters makes ``re`` scan it linearly, 500× slower: those are looked up apart.)"""
    bmp = sorted(c for c in chars if ord(c) <= 0xFFFF)
    return re.compile("[" + re.escape("".join(bmp)) + "]" if bmp else "(?!)")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str] | None]:
    """Regexes of the Simplified-only and Traditional-only characters, and of the phrases that
    are masked before counting (longest first)."""
    sets = script_sets()
    phrases = sorted(sets.simplified_phrases | sets.traditional_phrases, key=lambda p: (-len(p), p))
    mask = re.compile("|".join(map(re.escape, phrases))) if phrases else None
    return _char_class(sets.simplified), _char_class(sets.traditional), mask


def masked(text: str) -> str:
    """``text`` with the exception phrases (恒生, 倒霉 …) blanked out, same length."""
    mask = _patterns()[2]
    if mask is None or mask.search(text) is None:
        return text
    return mask.sub(lambda m: MASK * len(m.group()), text)


def find_first(script: str, text: str, start: int = 0) -> int:
    """Offset of the first Simplified-only (or Traditional-only) character at or after
    ``start``, or -1."""
    sets = script_sets()
    chars = sets.simplified if script == "simplified" else sets.traditional
    text = masked(text)
    simplified, traditional, _ = _patterns()
    m = (simplified if script == "simplified" else traditional).search(text, start)
    best = m.start() if m else -1
    for a in ASTRAL.finditer(text, start, best if best >= 0 else len(text)):
        if a.group() in chars:
            return a.start()
    return best


PROFILE_CHUNK = 1 << 20  # characters scanned per findall: bounds the match list's memory


def profile(text: str, sets: ScriptSets | None = None) -> ScriptProfile:
    """Counts of the script-specific characters of ``text`` (regex scans: C speed)."""
    sets = sets or script_sets()
    simplified, traditional, _ = _patterns()
    text = masked(text)
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


def lines_with(script: str, doc: Any) -> list[int]:
    """0-based indexes of the lines of ``doc`` whose text (exception phrases masked, as
    :func:`profile` counts it) holds a character only ``script`` uses: one regex scan of the
    document instead of a profile of every line (a phrase never spans a line end, so masking the
    whole text masks each line as on its own)."""
    import bisect

    sets = script_sets()
    simplified, traditional, _ = _patterns()
    pattern, own = (simplified, sets.simplified) if script == "simplified" else \
        (traditional, sets.traditional)
    text = masked(doc.plain_text)
    starts = doc.line_starts
    found: list[int] = []
    match = pattern.search(text)
    while match is not None:  # the first such character of a line, then on from the next line
        found.append(max(bisect.bisect_right(starts, match.start()) - 1, 0))
        line_end = text.find("\n", match.start())
        match = pattern.search(text, line_end + 1) if line_end >= 0 else None
    astral = {max(bisect.bisect_right(starts, m.start()) - 1, 0)
              for m in ASTRAL.finditer(text) if m.group() in own}
    return sorted(set(found) | astral) if astral else found


def document_profile(doc: Any) -> ScriptProfile:
    """The profile of a document's plain text (tags removed), cached on the document."""
    key = ("script_profile",)
    if key not in doc.cache:
        doc.cache[key] = profile(doc.plain_text if doc.readable else "")
    return doc.cache[key]


def document_script(doc: Any, mixed_ratio: float = 0.1, min_chars: int = 1) -> str:
    return document_profile(doc).classify(mixed_ratio, min_chars)


# --- regional standards ---------------------------------------------------------------------


@lru_cache(maxsize=2)
def _foreign_pattern(region: str) -> re.Pattern[str]:
    return _char_class(script_sets().foreign.get(region, {}))


def foreign_forms(text: str, region: str) -> Counter[str]:
    """The forms in ``text`` that only another region's standard writes (户 in a Taiwan text)."""
    counts: Counter[str] = Counter()
    pattern = _foreign_pattern(region)
    for start in range(0, len(text), PROFILE_CHUNK):
        counts.update(pattern.findall(text, start, start + PROFILE_CHUNK))
    return counts


def find_foreign(text: str, region: str, start: int = 0) -> int:
    """Offset of the first form foreign to ``region`` at or after ``start``, or -1."""
    m = _foreign_pattern(region).search(text, start)
    return m.start() if m else -1


def document_region(doc: Any) -> str | None:
    """``tw`` or ``hk`` when the document writes more forms of that region only than of the
    other, else None: picks the OpenCC configuration of a hint (s2tw rather than s2t)."""
    key = ("script_region",)
    if key not in doc.cache:
        text = doc.plain_text if doc.readable else ""
        hk_marks = sum(foreign_forms(text, "tw").values())   # Hong Kong forms
        tw_marks = sum(foreign_forms(text, "hk").values())   # Taiwan forms
        doc.cache[key] = "hk" if hk_marks > tw_marks else "tw" if tw_marks > hk_marks else None
    return doc.cache[key]


def base_script(policy: str) -> str:
    """simplified | traditional | auto: the script a policy expects (traditional-tw → traditional)."""
    return "traditional" if policy in REGION_OF_POLICY else policy


def opencc_config(target: str) -> str:
    """The OpenCC configuration that converts text to ``target`` (a policy): t2s, s2t, s2tw, s2hk."""
    return {"simplified": "t2s", "traditional-tw": "s2tw", "traditional-hk": "s2hk"}.get(target, "s2t")


def name_chars(chars: Iterable[str], limit: int = 8) -> str:
    """``來 (×3), 這, 說 …``: the offending characters, most frequent first."""
    counts = Counter(chars)
    parts = [f"{c} (×{n})" if n > 1 else c for c, n in counts.most_common(limit)]
    more = len(counts) - limit
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


@lru_cache(maxsize=8)
def _converter(config: str) -> Any:
    """One OpenCC converter per configuration: building one reads its dictionaries (~50 ms)."""
    import opencc

    return opencc.OpenCC(config)


def conversion_hint(text: str, target: str, limit: int = 12) -> str:
    """A short suggestion of what OpenCC would make of ``text`` converted to ``target`` (a
    policy; see :func:`opencc_config`), never applied."""
    snippet = text.strip()[:limit]
    if not snippet:
        return ""
    converted = _converter(opencc_config(target)).convert(snippet)
    return f"{snippet} → {converted}" if converted != snippet else ""


def hint_suffix(text: str, target: str) -> str:
    """`` (OpenCC s2tw: 这场 → 這場)`` for a message, or "" when OpenCC changes nothing."""
    hint = conversion_hint(text, target)
    return f" (OpenCC {opencc_config(target)}: {hint})" if hint else ""
