"""The registry of check types. One module per check type, found automatically.

A check type never prints, reads files or exits: it receives a parsed :class:`Document` (or, for a
corpus-wide check, what it collected from every document) and its options, and yields
:class:`~validators.findings.Hit` objects. Rules in ``rules/*.yaml`` name a check type and give
its options; the engine turns hits into findings with the rule's id, severity and message.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.corpus_ops import CorpusOps, LocalOps
from validators.document import Document
from validators.findings import Hit
from validators.requirements import (  # noqa: F401 - the check types' vocabulary
    DECODED_TEXT,
    SEVERAL_DOCUMENTS,
    WELL_FORMED_TAGS,
    Requirement,
)

REQUIRED = object()

# Option types a rule file may use; see validators.rules for how each is checked and converted.
OPTION_TYPES = ("str", "int", "float", "bool", "str_list", "chars", "regex", "lexicon", "choice",
                "mapping")


@dataclass(frozen=True)
class Option:
    """How one option is written in a rule file: its type, default, bounds and help."""

    type: str
    default: Any = REQUIRED
    choices: tuple[Any, ...] = ()
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def option(type: str, default: Any = REQUIRED, *, choices: tuple[Any, ...] = (), help: str = "",
           minimum: float | None = None, maximum: float | None = None) -> Any:
    """A field of a check type's ``Options`` dataclass, with what the rule loader needs to check
    and convert the YAML value (:class:`Option`). A lexicon or regex default is converted at load
    like a configured value."""
    spec = Option(type, default, choices, help, minimum, maximum)
    metadata = {"option": spec}
    if default is REQUIRED:
        return dataclasses.field(metadata=metadata)
    if isinstance(default, (list, dict, set)):
        return dataclasses.field(default_factory=lambda: copy.copy(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


@dataclass(frozen=True, kw_only=True)
class CheckOptions:
    """The options of a check type: subclass it as ``Options`` (frozen, keyword-only) with one
    :func:`option` field per option. The rule loader fills it from the rule file and calls
    :meth:`validate`, so a rule that could never work fails at load, naming its file and line."""

    def validate(self) -> str | None:
        """Why these options cannot work together (None if they can): checked at load."""
        return None

    @classmethod
    def specs(cls) -> dict[str, Option]:
        return {f.name: f.metadata["option"] for f in dataclasses.fields(cls)}


@dataclass(frozen=True, kw_only=True)
class NoOptions(CheckOptions):
    """A check type without options."""


@dataclass(frozen=True)
class FixTarget:
    """What a fix starts from: the file's bytes and, once it decodes (or an earlier fix decoded
    it), its text."""

    data: bytes
    text: str | None


@dataclass(frozen=True)
class Fix:
    """One rule's repair of a whole file: the new text and what was done (``SCR004 replaced 3
    Hong Kong forms…`` without the rule id), or why a wanted fix was not made."""

    text: str | None = None
    description: str = ""
    skipped: str = ""


FIX_SAFETIES = ("safe", "unsafe")


class CheckType:
    """A per-document check type.

    ``Options``: a :class:`CheckOptions` dataclass. ``requires``: the :class:`Requirement` s
    that must hold. ``fix_safety``: "safe" when :meth:`fix` never changes what the text says
    (``--fix`` applies it), "unsafe" when it may (only with ``--unsafe-fixes``), None when the
    check type has no fix."""

    name: ClassVar[str] = ""
    scope: ClassVar[str] = "document"
    Options: ClassVar[type[CheckOptions]] = NoOptions
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT,)
    summary: ClassVar[str] = ""
    fix_safety: ClassVar[str | None] = None

    def check(self, doc: Document, options: Any) -> Iterable[Hit]:
        raise NotImplementedError

    def fix(self, target: FixTarget, options: Any) -> Fix | None:
        """The repaired text of one file (None: nothing to do); only when ``fix_safety`` is set."""
        return None

    def fix_safety_for(self, options: Any) -> str | None:
        """The safety of this check type's fix for a rule with these options (a family may fix
        only some of its problems)."""
        return self.fix_safety

    def breaks(self, options: Any) -> Requirement | None:
        """The requirement a finding of a rule with these options makes fail where it is (a
        broken tag: WELL_FORMED_TAGS), or None: what the skip note of validators.engine is about."""
        return None

    @classmethod
    def option_specs(cls) -> dict[str, Option]:
        return cls.Options.specs()

    @classmethod
    def needs(cls, requirement: Requirement) -> bool:
        return requirement in cls.requires

    @classmethod
    def runs_on(cls, doc: Document) -> bool:
        """Whether its load-stage requirement holds for ``doc`` (a file that did not decode is
        only the ENC rules' that report why)."""
        return doc.readable or not cls.needs(DECODED_TEXT)


class CorpusCheckType(CheckType):
    """A corpus-wide check: ``collect`` runs per document (picklable result, cacheable by content
    hash), ``plan`` runs once over everything collected, through the primitives of
    :mod:`validators.corpus_ops` (so it runs in one process or on a cluster), and yields hits with
    ``path`` set in a deterministic order."""

    scope: ClassVar[str] = "corpus"
    summary_key: ClassVar[str] = ""  # a key of the run's summary that ``summarize`` fills, if any
    # the plan's working set is large (a local corpus stage on two cores runs it alone first)
    runs_alone: ClassVar[bool] = False

    def collect(self, doc: Document, options: Any) -> Any:
        raise NotImplementedError

    def summarize(self, ops: CorpusOps, items: Any, options: Any) -> Any:
        """What the run's summary shows under ``summary_key`` (the HTML report, JSON), planned
        with the same primitives as ``plan``."""
        return None

    def plan(self, ops: CorpusOps, items: Any, options: Any,
             focus: set[str] | None = None) -> Iterable[Hit]:
        """``items``: ``ops.items(rule_id)``, the (path, collected item) pairs. ``focus``: when
        set (pre-commit, --changed-since), report only groups touching it."""
        raise NotImplementedError

    def finish(self, collected: Mapping[str, Any], options: Any,
               focus: set[str] | None = None) -> Iterable[Hit]:
        """``plan`` over one rule's ``{path: item}`` in this process."""
        ops = LocalOps.of(collected)
        return self.plan(ops, ops.items(""), options, focus)

    def check(self, doc: Document, options: Any) -> Iterable[Hit]:
        return self.finish({doc.path: self.collect(doc, options)}, options)


REGISTRY: dict[str, type[CheckType]] = {}


def register(cls: type[CheckType]) -> type[CheckType]:
    if not cls.name:
        raise TypeError(f"{cls.__name__} has no check type name")
    if cls.fix_safety not in (None, *FIX_SAFETIES):
        raise TypeError(f"{cls.__name__}.fix_safety must be one of {FIX_SAFETIES} or None")
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise TypeError(f"check type {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls
    return cls


# check types that live beside the subsystem they check (imported by name, like the modules here)
CHECK_MODULES_ELSEWHERE = ("validators.tables.table_schema",)


@functools.cache
def load_check_types() -> dict[str, type[CheckType]]:
    """Import every module of this package once, and those of CHECK_MODULES_ELSEWHERE; each
    registers its check type(s)."""
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module.name}")
    for name in CHECK_MODULES_ELSEWHERE:
        importlib.import_module(name)
    return REGISTRY
