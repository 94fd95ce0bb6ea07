"""What a loaded YAML file is made of: mappings and lists that remember their lines (shared by
the parser, validators.yamlparse, and the loader, validators.yamlload, without either importing
the other at module level)."""

from __future__ import annotations

from typing import Any


class LineDict(dict):
    """A dict that records the 1-based line of the mapping and of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
