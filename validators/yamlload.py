"""Safe YAML loading that remembers line numbers and refuses duplicate keys.

Rule and configuration errors must name the file and line, so every mapping loaded here is a
:class:`LineDict` that knows the line of each key. Only ``yaml.SafeLoader`` is ever used
(validators.yamlparse, imported when a file is parsed); a file parsed before is read back as
data (:func:`parsed_once`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from validators.errors import ConfigError
from validators.yamldata import LineDict, LineList

__all__ = ["LineDict", "LineList", "load_yaml_file", "load_yaml_text", "parsed_once"]


def load_yaml_text(text: str, source: str, loader_class: type | None = None) -> Any:
    """Parse YAML text (validators.yamlparse, imported now); any YAML error becomes a ConfigError
    with file and line."""
    from validators.yamlparse import load_yaml_text as parse

    return parse(text, source, loader_class)


def load_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not valid UTF-8", str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", str(path)) from None
    return parsed_once(text, str(path))


class _NotData(Exception):
    """A value JSON cannot hold (a YAML timestamp, a set): such a file is parsed every time."""


def parsed_once(text: str, source: str) -> Any:
    """:func:`load_yaml_text`, parsed once per user and content: the result is kept as
    authenticated JSON with its line numbers (validators.derived), so a one-file check does not
    parse the bundled rule files and lexicons (~80 ms) at every start. Errors are never kept:
    a file that does not load fails the same way every time."""
    import hashlib

    from validators.derived import cached_table

    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    holder: list[Any] = []

    def build() -> Any:
        holder.append(load_yaml_text(text, source))
        try:
            return _to_data(holder[0])
        except _NotData:
            return NOT_DATA

    data = cached_table("yaml", f"{_parser_identity()}, text {digest}", build)
    if holder:  # parsed in this process: the loader's own objects
        return holder[0]
    if data == NOT_DATA:  # a kept marker: this file is parsed every time
        return load_yaml_text(text, source)
    return _from_data(data)


NOT_DATA = {"not": "data"}  # what is kept for a file whose values JSON cannot hold


@functools.cache
def _parser_identity() -> str:
    """Everything a parse depends on besides the text: this code, the parser's (its limits and
    refusals), PyYAML's version and whether its C parser is there (the two differ on a few
    inputs)."""
    import importlib.util

    from validators.derived import library_version, source_digest

    here = Path(__file__).parent
    spec = importlib.util.find_spec("yaml")  # (finding yaml._yaml would import yaml: ~20 ms)
    with_c = bool(spec and spec.origin and any(Path(spec.origin).parent.glob("_yaml.*")))
    return (f"code {source_digest(__file__)} {source_digest(str(here / 'yamlparse.py'))} "
            f"{source_digest(str(here / 'yamldata.py'))}, {library_version('PyYAML', 'yaml')}"
            f"{' with libyaml' if with_c else ''}")


def _to_data(value: Any) -> Any:
    """LineDict/LineList with their lines as JSON-able lists (tagged), scalars as they are."""
    if isinstance(value, LineDict):
        return {"m": [[_to_data(k), _to_data(v), value.line_of(k)] for k, v in value.items()],
                "l": value.line}
    if isinstance(value, LineList):
        return {"s": [_to_data(v) for v in value], "l": value.line}
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise _NotData(type(value).__name__)


def _from_data(data: Any) -> Any:
    if isinstance(data, dict):
        if "m" in data:
            out = LineDict()
            out.line, out.key_lines = data["l"], {}
            for key, value, line in data["m"]:
                key = _from_data(key)
                out[key] = _from_data(value)
                out.key_lines[key] = line
            return out
        items = LineList(_from_data(v) for v in data["s"])
        items.line = data["l"]
        return items
    return data
