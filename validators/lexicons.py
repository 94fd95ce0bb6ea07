"""Connective lexicons: YAML files of single connectives (``text``) or pairs (``first``/``second``).

A lexicon file is a mapping with an ``entries`` list and, optionally:

- ``include``: other lexicon files (relative to this one) whose entries are merged in, so that a
  hand-written file of frames and variants can extend a generated one without copying it;
- ``variants``: ``{part: [longer or shorter forms]}``; a pair that has ``part`` as its first or
  second part is also known with each variant there (不仅仅是 for 不仅 in 不仅…也, 倒不如 for 不如 in
  与其…不如): real annotation tags the form the text has, not the textbook one;
- ``scripts``: the OpenCC conversions whose output is also accepted (default ``[s2t, s2tw,
  s2hk]``; ``[]`` for none), so a Traditional corpus (並且, 雖然…但是) is read by the same lexicon.

A pair entry's ``first`` and ``second`` may each be a list of alternatives: a frame such as
当/在/从/直到 … 以后/之后/后/时/的时候 is one entry, not dozens of spelled-out pairs.

``Lexicon.words`` and ``Lexicon.pairs`` hold the forms as written (with variants and frames
expanded); the script variants are generated on first need (:meth:`Lexicon.knows_word`,
:meth:`Lexicon.knows_pair`) and cached, so a run that never meets an unknown form never builds an
OpenCC converter.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from validators.errors import ConfigError
from validators.yamlload import LineDict, load_yaml_file

SCRIPT_CONVERSIONS = ("s2t", "s2tw", "s2hk")
FILE_KEYS = {"name", "description", "attribution", "license", "entries", "include", "variants",
             "scripts"}
MAX_FRAME = 400  # expanded pairs one entry may stand for: a frame, not a cross product of lists


@dataclass(frozen=True)
class Frame:
    """One pair entry with alternatives per part (kept to explain the lexicon)."""

    first: tuple[str, ...]
    second: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    source: str
    words: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    frames: tuple[Frame, ...] = ()
    variants: tuple[tuple[str, tuple[str, ...]], ...] = ()
    scripts: tuple[str, ...] = SCRIPT_CONVERSIONS
    includes: tuple[str, ...] = field(default=())

    @property
    def longest(self) -> int:
        return max((len(w) for w in self.words), default=0)

    def __contains__(self, item: object) -> bool:
        return item in self.words or item in self.pairs

    def knows_word(self, text: str) -> bool:
        """``text`` is a word of the lexicon, as written or in one of its scripts."""
        return text in self.words or text in self._script_words

    def knows_pair(self, first: str, second: str) -> bool:
        """``first…second`` is a pair of the lexicon, as written or in one of its scripts."""
        return (first, second) in self.pairs or (first, second) in self._script_pairs

    def all_words(self) -> frozenset[str]:
        """The words as written and in every script the lexicon reads (builds the converters)."""
        return self.words | self._script_words

    @cached_property
    def _script_forms(self) -> dict[str, frozenset[str]]:
        forms = set(self.words) | {part for pair in self.pairs for part in pair}
        return script_forms(frozenset(forms), self.scripts)

    @cached_property
    def _script_words(self) -> frozenset[str]:
        forms = self._script_forms
        return frozenset(v for w in self.words for v in forms.get(w, ()))

    @cached_property
    def _script_pairs(self) -> frozenset[tuple[str, str]]:
        forms = self._script_forms
        out: set[tuple[str, str]] = set()
        for first, second in self.pairs:
            firsts = {first, *forms.get(first, ())}
            seconds = {second, *forms.get(second, ())}
            out.update(itertools.product(firsts, seconds))
        return frozenset(out - self.pairs)

    def describe(self) -> list[str]:
        """What `rules explain` shows of the lexicon beyond its file name."""
        lines = [f"{len(self.words)} single connectives, {len(self.pairs)} pairs"
                 + (f" (with {', '.join(self.includes)})" if self.includes else "")]
        if self.frames:
            lines.append("frames (any first part with any second part):")
            lines += [f"  {' / '.join(f.first)} … {' / '.join(f.second)}" for f in self.frames]
        if self.variants:
            lines.append("variants (also accepted wherever the part is):")
            lines += [f"  {base}: {', '.join(forms)}" for base, forms in self.variants]
        lines.append("scripts: " + (", ".join(self.scripts) + " forms generated with OpenCC"
                                    if self.scripts else "as written only"))
        return lines


@lru_cache(maxsize=8)
def script_forms(forms: frozenset[str], scripts: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """``{form: its other-script spellings}`` for each OpenCC conversion in ``scripts`` (one
    converter call per conversion: the forms are joined by line breaks)."""
    if not forms or not scripts:
        return {}
    from validators.derived import cached_table, library_version, source_digest

    ordered = sorted(forms)
    # built once per user, OpenCC version and lexicon (validators.derived): each converter reads
    # its dictionaries (~20 ms), which a one-file check would pay at every start
    what = hashlib.sha256("\0".join([*scripts, "", *ordered]).encode("utf-8", "surrogatepass")).hexdigest()
    data = cached_table("lexicon-script-forms", f"opencc {library_version('opencc')}, code "
                        f"{source_digest(__file__)}, forms {what}", lambda: _converted(ordered, scripts))
    return {form: frozenset(others) for form, others in data.items()}


def _converted(ordered: list[str], scripts: tuple[str, ...]) -> dict[str, list[str]]:
    """{form: its other-script spellings} by OpenCC, as JSON data (sorted lists)."""
    from validators.script_sets import _converter

    joined = "\n".join(ordered)
    out: dict[str, set[str]] = {}
    for config in scripts:
        converted = _converter(config).convert(joined).split("\n")
        if len(converted) != len(ordered):  # a conversion never merges lines; be safe anyway
            converted = [_converter(config).convert(form) for form in ordered]
        for form, other in zip(ordered, converted, strict=True):
            if other != form:
                out.setdefault(form, set()).add(other)
    return {form: sorted(others) for form, others in out.items()}


def _parts(value: Any, key: str, source: str, line: int) -> tuple[str, ...]:
    """A pair entry's ``first`` or ``second``: one form or a list of alternatives."""
    if isinstance(value, str) and value:
        return (value,)
    if (isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)
            and len(set(value)) == len(value)):
        return tuple(value)
    raise ConfigError(f"a lexicon entry's {key!r} must be a form or a list of distinct forms",
                      source, line)


def lexicon_from_entries(entries: Any, source: str, line: int = 0, *,
                         variants: dict[str, tuple[str, ...]] | None = None,
                         scripts: tuple[str, ...] = SCRIPT_CONVERSIONS,
                         base: Lexicon | None = None, includes: tuple[str, ...] = ()) -> Lexicon:
    words: set[str] = set(base.words) if base else set()
    pairs: set[tuple[str, str]] = set(base.pairs) if base else set()
    frames: list[Frame] = list(base.frames) if base else []
    if not isinstance(entries, list):
        raise ConfigError("a lexicon's entries must be a list", source, line)
    for entry in entries:
        entry_line = getattr(entry, "line", line)
        if isinstance(entry, str):
            if "…" in entry:
                first, _, second = entry.partition("…")
                pairs.add((first.strip("…"), second.strip("…")))
            else:
                words.add(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("text"), str):
            words.add(entry["text"])
        elif isinstance(entry, dict) and "first" in entry and "second" in entry:
            at = entry.line_of("first") if isinstance(entry, LineDict) else entry_line
            firsts = _parts(entry["first"], "first", source, at)
            seconds = _parts(entry["second"], "second", source, at)
            if len(firsts) * len(seconds) > MAX_FRAME:
                raise ConfigError(f"a lexicon entry stands for {len(firsts) * len(seconds)} pairs "
                                  f"(at most {MAX_FRAME}): split it", source, at)
            pairs.update(itertools.product(firsts, seconds))
            if len(firsts) > 1 or len(seconds) > 1:
                frames.append(Frame(firsts, seconds))
        else:
            raise ConfigError("a lexicon entry needs 'text', or 'first' and 'second'", source,
                              entry_line)
    variant_items = tuple(sorted((variants or {}).items()))
    if variant_items:
        known = dict(variant_items)
        for first, second in list(pairs):
            pairs.update(itertools.product((first, *known.get(first, ())),
                                           (second, *known.get(second, ()))))
        words.update(v for w in list(words) for v in known.get(w, ()))
    return Lexicon(source, frozenset(words), frozenset(pairs), tuple(frames),
                   (*(base.variants if base else ()), *variant_items), scripts, includes)


def _variants(data: Any, source: str) -> dict[str, tuple[str, ...]]:
    raw = data.get("variants") or {}
    line = data.line_of("variants") if isinstance(data, LineDict) else 0
    if not isinstance(raw, dict):
        raise ConfigError("a lexicon's 'variants' must map a form to a list of forms", source, line)
    out: dict[str, tuple[str, ...]] = {}
    for form, forms in raw.items():
        at = raw.line_of(form) if isinstance(raw, LineDict) else line
        if not isinstance(form, str) or not form:
            raise ConfigError("a lexicon's 'variants' must map a form to a list of forms", source, at)
        out[form] = _parts(forms, f"variants of {form}", source, at)
    return out


def _scripts(data: Any, source: str) -> tuple[str, ...]:
    raw = data.get("scripts", list(SCRIPT_CONVERSIONS))
    line = data.line_of("scripts") if isinstance(data, LineDict) else 0
    if not isinstance(raw, list) or any(s not in SCRIPT_CONVERSIONS for s in raw):
        raise ConfigError(f"a lexicon's 'scripts' must be a list of {', '.join(SCRIPT_CONVERSIONS)}"
                          f", not {raw!r}", source, line)
    return tuple(raw)


@lru_cache(maxsize=32)
def load_lexicon(path: Path) -> Lexicon:
    return _load(path.resolve(), ())


def _load(path: Path, chain: tuple[Path, ...]) -> Lexicon:
    data = load_yaml_file(path)
    source = str(path)
    if not isinstance(data, dict) or "entries" not in data:
        raise ConfigError("a lexicon file needs an 'entries' list", source)
    unknown = sorted(set(data) - FILE_KEYS, key=str)
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r} in a lexicon file (allowed: "
                          f"{', '.join(sorted(FILE_KEYS))})", source,
                          data.line_of(unknown[0]) if isinstance(data, LineDict) else None)
    line = data.line_of("entries") if isinstance(data, LineDict) else 0
    base: Lexicon | None = None
    includes = data.get("include") or []
    include_line = data.line_of("include") if isinstance(data, LineDict) else 0
    if not isinstance(includes, list) or not all(isinstance(i, str) and i for i in includes):
        raise ConfigError("a lexicon's 'include' must be a list of lexicon files", source,
                          include_line)
    for name in includes:
        target = (path.parent / name).resolve()
        if target in (*chain, path):
            raise ConfigError(f"lexicon {name!r} includes itself (through {source})", source,
                              include_line)
        if not target.is_file():
            raise ConfigError(f"included lexicon {name!r} not found", source, include_line)
        included = _load(target, (*chain, path))
        base = included if base is None else Lexicon(
            source, base.words | included.words, base.pairs | included.pairs,
            base.frames + included.frames, base.variants + included.variants)
    return lexicon_from_entries(data["entries"], source, line, variants=_variants(data, source),
                                scripts=_scripts(data, source), base=base,
                                includes=tuple(includes))
