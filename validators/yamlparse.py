"""The YAML parser behind validators.yamlload: PyYAML's safe loader (libyaml's parser when PyYAML
was built with it) that records line numbers, refuses duplicate keys and caps aliases (a "billion
laughs" YAML bomb). Imported only when a file is parsed: a start whose files were parsed before
reads them back as data (validators.yamlload.parsed_once) without importing PyYAML (~20 ms).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from validators.errors import ConfigError
from validators.yamldata import LineDict, LineList

MAX_ALIASES = 100  # a YAML "billion laughs" needs many aliases; real rule files need few
MAX_ALIAS_EXPANSION = 100_000  # values all aliases stand for together, once expanded


def _node_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values a node stands for once every alias in it is expanded (memoised)."""
    key = id(node)
    if key not in sizes:
        sizes[key] = 1  # a recursive alias counts once instead of recursing forever
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(_node_size(child, sizes) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(_node_size(k, sizes) + _node_size(v, sizes) for k, v in node.value)
        sizes[key] = total
    return sizes[key]


class _LineMixin:
    """Composition with the alias budget and construction of LineDict/LineList, over whichever
    parser the loader has (libyaml's events when PyYAML was built with it: about 10x faster on
    the lexicons, which a one-file check would otherwise spend most of its time parsing)."""

    _source: str
    _aliases: int
    _expanded: int
    _sizes: dict[int, int]

    def _start(self, source: str) -> None:
        self._source = source
        self._aliases = 0
        self._expanded = 0
        self._sizes = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            self._aliases += 1
            mark = self.peek_event().start_mark  # type: ignore[attr-defined]
            if self._aliases > MAX_ALIASES:
                raise ConfigError(
                    f"more than {MAX_ALIASES} YAML aliases (refusing a possible YAML bomb)",
                    self._source,
                    mark.line + 1,
                )
            node = Composer.compose_node(self, parent, index)  # type: ignore[arg-type]
            # a few aliases of nested aliases expand exponentially ("billion laughs"): count
            # what each alias stands for once expanded
            self._expanded += _node_size(node, self._sizes) if node is not None else 0
            if self._expanded > MAX_ALIAS_EXPANSION:
                raise ConfigError(
                    f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} values (refusing a "
                    "possible YAML bomb)", self._source, mark.line + 1)
            return node
        return Composer.compose_node(self, parent, index)  # type: ignore[arg-type]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        self.flatten_mapping(node)  # type: ignore[attr-defined]
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            try:
                hash(key)
            except TypeError:
                raise ConfigError("unhashable mapping key", self._source, key_node.start_mark.line + 1) from None
            if key in result:
                raise ConfigError(f"duplicate key {key!r}", self._source, key_node.start_mark.line + 1)
            result[key] = self.construct_object(value_node, deep=True)  # type: ignore[attr-defined]
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True)  # type: ignore[attr-defined]
                          for child in node.value)
        result.line = node.start_mark.line + 1
        return result


class _PureLineLoader(_LineMixin, yaml.SafeLoader):
    """PyYAML's own scanner and parser (the reference, and the loader without libyaml)."""

    def __init__(self, stream: Any, source: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start(source)


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _LineLoader(_LineMixin, Composer, CParser, SafeConstructor, Resolver):
        """libyaml scans and parses; composition (the alias budget) and construction stay here."""

        def __init__(self, stream: Any, source: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start(source)

        def dispose(self) -> None:
            pass
else:  # pragma: no cover - PyYAML built without libyaml
    _LineLoader = _PureLineLoader  # type: ignore[misc,assignment]


for _loader in {_LineLoader, _PureLineLoader}:
    _loader.add_constructor("tag:yaml.org,2002:map", _LineMixin.construct_mapping)  # type: ignore[type-var]
    _loader.add_constructor("tag:yaml.org,2002:seq", _LineMixin.construct_sequence)  # type: ignore[type-var]


def load_yaml_text(text: str, source: str, loader_class: type | None = None) -> Any:
    """Parse YAML text; any YAML error becomes a ConfigError with file and line."""
    loader = (loader_class or _LineLoader)(text, source)
    try:
        return loader.get_single_data()
    except ConfigError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", source, line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", source) from None
    except RecursionError:
        raise ConfigError("YAML nesting too deep", source) from None
    finally:
        loader.dispose()


