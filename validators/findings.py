"""The findings of a run: what every check yields and every reporter prints."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("info", "warning", "error")  # ascending; "off" disables a rule
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}

CATEGORIES = {
    "TAG": "tags",
    "PAIR": "pairs",
    "LEX": "lexicon",
    "ENC": "encoding",
    "SCR": "script",
    "PUN": "punctuation",
    "DUP": "duplicates",
    "SCH": "table schema",
    "CON": "annotation consistency",
}


def category_of(rule_id: str) -> str:
    """The category prefix of a rule id: ``PAIR001`` -> ``PAIR``."""
    return rule_id.rstrip("0123456789")


# What the first finding that breaks a document's tags adds to its message (engine.skip_note):
# the rules that skip the sentences it breaks. Where the note goes moves when a finding is added
# before it, so a finding's identity (baseline.content_hash) is its message without it.
SKIP_NOTE = " — until the tags are fixed, these rules skip the sentences they break: "


def without_skip_note(message: str) -> str:
    return message.split(SKIP_NOTE, 1)[0]

@dataclass(frozen=True, slots=True)
class Related:
    path: str
    line: int

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line}


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """A group of duplicate documents, shared by the findings of its members: each finding names
    a few group mates (``related``), the run's summary lists the whole group once
    (:func:`duplicate_groups_summary`), so a group of N documents costs N entries, not N * N.

    ``closest``: per member (in the order of ``members``), its closest match as
    ``(path, similarity, measure)``; None for a group of identical documents."""

    members: tuple[str, ...]
    closest: tuple[tuple[str, str, str], ...] | None = None

    def as_dict(self, rule: str) -> dict[str, Any]:
        return {"rule": rule, "size": len(self.members), "members": list(self.members),
                "closest": None if self.closest is None else [
                    {"path": path, "similarity": similarity, "measure": measure}
                    for path, similarity, measure in self.closest]}


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check yields: a position and the fields its rule's message is formatted with.

    Lines and columns are 1-based; columns count code points of the raw line; the end column is
    exclusive (one past the last code point), as in SARIF.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    fields: dict[str, Any] = field(default_factory=dict)
    related: tuple[Related, ...] = ()
    # the offending text, for the fingerprint (baselines survive edits elsewhere in the file)
    evidence: str = ""
    path: str | None = None  # set by corpus-wide checks that report on several documents
    unlisted: int = 0  # hits of the same rule and document beyond the listing cap (engine)
    group: DuplicateGroup | None = None  # the duplicate group the hit's document belongs to


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    category: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    context: str = ""
    fingerprint: str = ""
    related: tuple[Related, ...] = ()
    # more findings of this rule in this file that the engine's listing cap left out: counted in
    # every summary and exit code, never printed as a key of the finding (DESIGN §5 fixes those)
    unlisted: int = 0
    # the duplicate group of the finding's document (DUP001, DUP002): listed once in the run's
    # summary, never printed with the finding; not part of a finding's identity
    group: DuplicateGroup | None = field(default=None, compare=False, repr=False)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path, self.line, self.column, self.rule, self.message)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "context": self.context,
            "fingerprint": self.fingerprint,
        }
        if self.related:
            data["related"] = [r.as_dict() for r in self.related]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        related = tuple(Related(r["path"], int(r["line"])) for r in data.get("related", ()))
        return cls(
            rule=data["rule"], name=data["name"], category=data["category"],
            severity=data["severity"], path=data["path"], line=int(data["line"]),
            column=int(data["column"]), end_line=int(data["end_line"]),
            end_column=int(data["end_column"]), message=data["message"],
            context=data.get("context", ""), fingerprint=data.get("fingerprint", ""),
            related=related,
        )


def duplicate_groups_summary(findings: Iterable[Finding]) -> dict[str, Any]:
    """``{"duplicate_groups": [...]}`` for the run's summary: every duplicate group that has a
    finding, once, in rule and path order (see :meth:`DuplicateGroup.as_dict`); ``{}`` when there
    is none (the summary of a run without duplicates keeps its keys)."""
    groups: dict[tuple[str, tuple[str, ...]], DuplicateGroup] = {}
    for f in findings:
        if f.group is not None:
            groups.setdefault((f.rule, f.group.members), f.group)
    if not groups:
        return {}
    return {"duplicate_groups": [groups[key].as_dict(key[0]) for key in sorted(groups)]}


def fingerprint(rule: str, path: str, evidence: str, occurrence: int) -> str:
    """A line-number-free identity: rule, path, offending text and its occurrence index.

    Inserting lines above a finding keeps its fingerprint, so baselines do not resurrect it.
    """
    digest = hashlib.sha1(f"{rule}\0{path}\0{evidence}\0{occurrence}".encode()).hexdigest()
    return digest[:16]
