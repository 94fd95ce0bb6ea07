"""Connective lexicons: YAML files of single connectives (``text``) or pairs (``first``/``second``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from validators.errors import ConfigError
from validators.yamlload import LineDict, load_yaml_file


@dataclass(frozen=True)
class Lexicon:
    source: str
    words: frozenset[str]
    pairs: frozenset[tuple[str, str]]

    @property
    def longest(self) -> int:
        return max((len(w) for w in self.words), default=0)

    def __contains__(self, item: object) -> bool:
        return item in self.words or item in self.pairs


def lexicon_from_entries(entries: Any, source: str, line: int = 0) -> Lexicon:
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
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
        elif (isinstance(entry, dict) and isinstance(entry.get("first"), str)
              and isinstance(entry.get("second"), str)):
            pairs.add((entry["first"], entry["second"]))
        else:
            raise ConfigError("a lexicon entry needs 'text', or 'first' and 'second'", source,
                              entry_line)
    return Lexicon(source, frozenset(words), frozenset(pairs))


@lru_cache(maxsize=32)
def load_lexicon(path: Path) -> Lexicon:
    data = load_yaml_file(path)
    if not isinstance(data, dict) or "entries" not in data:
        raise ConfigError("a lexicon file needs an 'entries' list", str(path))
    line = data.line_of("entries") if isinstance(data, LineDict) else 0
    return lexicon_from_entries(data["entries"], str(path), line)
