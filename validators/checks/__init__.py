"""The registry of check types. One module per check type, found automatically.

A check type never prints, reads files or exits: it receives a parsed :class:`Document` (or, for a
corpus-wide check, what it collected from every document) and its options, and yields
:class:`~validators.findings.Hit` objects. Rules in ``rules/*.yaml`` name a check type and give
its options; the engine turns hits into findings with the rule's id, severity and message.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.corpus_ops import CorpusOps, LocalOps
from validators.document import Document
from validators.findings import Hit

REQUIRED = object()

# Option types a rule file may use; see validators.rules for how each is checked and converted.
OPTION_TYPES = ("str", "int", "float", "bool", "str_list", "chars", "regex", "lexicon", "choice",
                "mapping")


@dataclass(frozen=True)
class Option:
    type: str
    default: Any = REQUIRED
    choices: tuple[Any, ...] = ()
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


class CheckType:
    """A per-document check type."""

    name: ClassVar[str] = ""
    scope: ClassVar[str] = "document"
    options: ClassVar[dict[str, Option]] = {}
    needs_text: ClassVar[bool] = True   # skipped on documents that could not be decoded
    summary: ClassVar[str] = ""

    def check(self, doc: Document, options: dict[str, Any]) -> Iterable[Hit]:
        raise NotImplementedError


class CorpusCheckType(CheckType):
    """A corpus-wide check: ``collect`` runs per document (picklable result, cacheable by content
    hash), ``plan`` runs once over everything collected, through the primitives of
    :mod:`validators.corpus_ops` (so it runs in one process or on a cluster), and yields hits with
    ``path`` set in a deterministic order."""

    scope: ClassVar[str] = "corpus"
    summary_key: ClassVar[str] = ""  # a key of the run's summary that ``summarize`` fills, if any

    def collect(self, doc: Document, options: dict[str, Any]) -> Any:
        raise NotImplementedError

    def summarize(self, ops: CorpusOps, items: Any, options: dict[str, Any]) -> Any:
        """What the run's summary shows under ``summary_key`` (the HTML report, JSON), planned
        with the same primitives as ``plan``."""
        return None

    def plan(self, ops: CorpusOps, items: Any, options: dict[str, Any],
             focus: set[str] | None = None) -> Iterable[Hit]:
        """``items``: ``ops.items(rule_id)``, the (path, collected item) pairs. ``focus``: when
        set (pre-commit, --changed-since), report only groups touching it."""
        raise NotImplementedError

    def finish(self, collected: dict[str, Any], options: dict[str, Any],
               focus: set[str] | None = None) -> Iterable[Hit]:
        """``plan`` over one rule's ``{path: item}`` in this process."""
        ops = LocalOps.of(collected)
        return self.plan(ops, ops.items(""), options, focus)

    def check(self, doc: Document, options: dict[str, Any]) -> Iterable[Hit]:
        return self.finish({doc.path: self.collect(doc, options)}, options)


REGISTRY: dict[str, type[CheckType]] = {}


def register(cls: type[CheckType]) -> type[CheckType]:
    if not cls.name:
        raise TypeError(f"{cls.__name__} has no check type name")
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise TypeError(f"check type {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls
    return cls


@functools.cache
def load_check_types() -> dict[str, type[CheckType]]:
    """Import every module of this package once; each registers its check type(s)."""
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY
