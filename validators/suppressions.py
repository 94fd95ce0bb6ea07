"""Suppressions a reviewer can read: ``per_file_ignores`` and ``ignore`` in the configuration.

Corpus files are plain text, so there is no inline ``# noqa``: the exceptions live in
``corpus-validate.yaml``, where a pull request shows them to a reviewer::

    per_file_ignores:                 # globs -> rule ids or categories, as ruff's
      "classics/**": [PUN001, PUN002] # classical texts keep their half-width punctuation
      "drafts/*.txt": [LEX]
    ignore:                           # single findings accepted after review
      - fingerprint: 3f2a9c0d1e2b4a5f # the finding's "fingerprint" in `check --format json`
        reason: the title quotes a URL, brackets included
        rule: TAG009                  # optional; when given, it must match too
        path: corpus/news/12.txt      # optional; when given, it must match too

- A glob is matched against the finding's file as seen from the configuration's folder and
  against its document id (its path under the corpus folder given or configured); a glob without
  ``/`` also matches the file name, as ``include`` and ``exclude`` do.
- Every ``ignore`` entry needs a ``reason`` (a configuration error otherwise, exit 2): it is a
  reviewed exception, where a baseline records legacy findings wholesale.
- A suppressed finding is gone from every report and from the exit code; the run's summary
  (``summary["suppressions"]``) says how many findings each suppression hides.
- A suppression that hides nothing in a run over the whole configured corpus is *dead*: a warning
  that names the configuration file and line. It is reported the way stale baseline entries are
  (stderr, the text report, a GitHub annotation, a SARIF configuration notification), not as a
  finding: it is a fact about the configuration, not about a corpus document, so it has no
  document to sit in, no category of the corpus, and no place in the gate's verdict. A run over
  part of the corpus (PATHs, ``--changed-since``, the pre-commit hooks) cannot tell a dead
  suppression from one whose files were not checked, so it judges none.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validators.discover import CorpusFile, matches
from validators.errors import ConfigError
from validators.findings import CATEGORIES, SKIP_NOTE, Finding, category_of, without_skip_note
from validators.rules import RuleSet

FINGERPRINT_HEX = frozenset("0123456789abcdef")
IGNORE_KEYS = ("fingerprint", "reason", "rule", "path")


@dataclass(frozen=True)
class FileIgnore:
    """``per_file_ignores: {pattern: [rule ids or categories]}``: one glob and what it silences."""

    pattern: str
    rules: tuple[str, ...]
    base: str       # the folder of the configuration file that declared it
    source: str     # that file, for messages
    line: int

    def selector_for(self, rule_id: str) -> str | None:
        """The entry of ``rules`` that covers ``rule_id`` (the id itself or its category)."""
        if rule_id in self.rules:
            return rule_id
        category = category_of(rule_id)
        return category if category in self.rules else None


@dataclass(frozen=True)
class AcceptedFinding:
    """One ``ignore`` entry: a finding accepted after review, identified by its fingerprint."""

    fingerprint: str
    reason: str
    rule: str | None
    path: str | None
    base: str
    source: str
    line: int


@dataclass(frozen=True)
class Suppressions:
    """Everything the configuration (and the files it extends) suppresses. Picklable."""

    per_file: tuple[FileIgnore, ...] = ()
    accepted: tuple[AcceptedFinding, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.per_file or self.accepted)

    def __add__(self, other: Suppressions) -> Suppressions:
        return Suppressions(self.per_file + other.per_file, self.accepted + other.accepted)

    def unknown_rules(self, known: Iterable[str]) -> list[tuple[str, str, str, int, list[str]]]:
        """(what, unknown id, file, line, what it could have been) for each rule id or category
        that no rule defines: the configuration reports them (a typo would silence nothing)."""
        ids = set(known)
        allowed = ids | set(CATEGORIES) | {category_of(i) for i in ids}
        found = []
        for entry in self.per_file:
            found += [(f"per_file_ignores {entry.pattern!r}", rule, entry.source, entry.line,
                       sorted(allowed)) for rule in entry.rules if rule not in allowed]
        found += [("ignore", a.rule, a.source, a.line, sorted(ids)) for a in self.accepted
                  if a.rule is not None and a.rule not in ids]
        return found

    def without_ignored(self, ruleset: RuleSet, corpus_file: CorpusFile) -> RuleSet:
        """``ruleset`` less the rules ``per_file_ignores`` silences in ``corpus_file`` (each entry
        matched from the folder of the configuration that declared it)."""
        ignored: set[str] = set()
        for base in {entry.base for entry in self.per_file}:
            names = names_of(corpus_file.path, corpus_file.fs_path, corpus_file.doc_id, base)
            ignored |= Suppressions(tuple(e for e in self.per_file if e.base == base)).rules_ignored_in(names)
        if not ignored:
            return ruleset
        return RuleSet({rule_id: rule for rule_id, rule in ruleset.rules.items()
                        if rule_id not in ignored and category_of(rule_id) not in ignored})

    def rules_ignored_in(self, names: tuple[str, ...]) -> frozenset[str]:
        """The rule ids and categories ``per_file_ignores`` silences in a file known by ``names``
        (:func:`names_of`)."""
        return frozenset(rule for entry in self.per_file if _glob_matches(entry, names)
                         for rule in entry.rules)


def parse_suppressions(data: dict[str, Any], source: str, base: Path, line_of: Any) -> Suppressions:
    """The ``per_file_ignores`` and ``ignore`` keys of one configuration file (ConfigError with
    the file and line for anything malformed)."""
    per_file: list[FileIgnore] = []
    accepted: list[AcceptedFinding] = []
    if "per_file_ignores" in data:
        mapping = data["per_file_ignores"]
        if not isinstance(mapping, dict):
            raise ConfigError("'per_file_ignores' must be a mapping of globs to lists of rule ids, "
                              "e.g. {\"drafts/**\": [PUN001]}", source, line_of("per_file_ignores"))
        for pattern, rules in mapping.items():
            line = _line(mapping, pattern) or line_of("per_file_ignores")
            if isinstance(rules, str):
                rules = [rules]
            if not isinstance(pattern, str) or not pattern.strip():
                raise ConfigError(f"per_file_ignores: {pattern!r} is not a glob", source, line)
            if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
                raise ConfigError(f"per_file_ignores {pattern!r}: give a list of rule ids or "
                                  "categories, e.g. [PUN001, LEX]", source, line)
            per_file.append(FileIgnore(pattern, tuple(r.strip().upper() for r in rules), str(base),
                                       source, line))
    if "ignore" in data:
        entries = data["ignore"]
        if not isinstance(entries, list):
            raise ConfigError("'ignore' must be a list of {fingerprint: ..., reason: ...}", source,
                              line_of("ignore"))
        for number, entry in enumerate(entries, 1):
            accepted.append(_accepted(entry, number, source, base, line_of("ignore")))
    return Suppressions(tuple(per_file), tuple(accepted))


def _accepted(entry: Any, number: int, source: str, base: Path, list_line: int) -> AcceptedFinding:
    line = getattr(entry, "line", 0) or list_line
    what = f"ignore entry {number}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{what}: give a mapping {{fingerprint: ..., reason: ...}}", source, line)
    unknown = sorted(set(map(str, entry)) - set(IGNORE_KEYS))
    if unknown:
        raise ConfigError(f"{what}: unknown key {unknown[0]!r} (known: {', '.join(IGNORE_KEYS)})",
                          source, _line(entry, unknown[0]) or line)
    fingerprint = entry.get("fingerprint")
    if not isinstance(fingerprint, str) or not fingerprint or set(fingerprint.lower()) - FINGERPRINT_HEX:
        raise ConfigError(f"{what}: 'fingerprint' must be a finding's fingerprint (hexadecimal, as "
                          "in `check --format json`)", source, _line(entry, "fingerprint") or line)
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ConfigError(f"{what} ({fingerprint}) needs a 'reason': say why this finding is "
                          "accepted, for the next reviewer", source, _line(entry, "reason") or line)
    optional: dict[str, str | None] = {}
    for key in ("rule", "path"):
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"{what}: {key!r} must be a string", source, _line(entry, key) or line)
        optional[key] = value.strip() if isinstance(value, str) else None
    rule = optional["rule"].upper() if optional["rule"] else None
    return AcceptedFinding(fingerprint.lower(), reason.strip(), rule, optional["path"], str(base),
                           source, line)


def _line(mapping: Any, key: Any) -> int:
    line_of = getattr(mapping, "line_of", None)
    return int(line_of(key)) if line_of is not None else 0


def names_of(path: str, fs_path: str, doc_id: str, base: str) -> tuple[str, ...]:
    """The names a file is matched by: its path from ``base`` (the configuration's folder), when
    it lies below it, and its document id."""
    names = []
    where = fs_path or path  # the folder resolved, not the file: a symlink keeps its own name
    absolute = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(where))),
                            os.path.basename(where))
    relative = os.path.relpath(absolute, os.path.realpath(base))
    if relative.split(os.sep, 1)[0] not in (os.curdir, os.pardir):  # below the folder
        names.append(Path(relative).as_posix())
    if doc_id and doc_id not in names:
        names.append(doc_id)
    return tuple(names)


def _glob_matches(entry: FileIgnore, names: tuple[str, ...]) -> bool:
    return any(matches(name, (entry.pattern,)) for name in names)


@dataclass
class SuppressionOutcome:
    """What the suppressions did to one run's findings."""

    kept: list[Finding]
    hidden: int                                   # findings hidden (with their unlisted hits)
    entries: list[dict[str, Any]] = field(default_factory=list)   # summary["suppressions"]
    judged: bool = False                          # dead ones can be told (whole corpus)

    def dead(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["dead"] or e.get("dead_rules")]


class FileNames:
    """The names of the run's files by display path (``CorpusFile`` objects), for matching."""

    def __init__(self, files: Iterable[Any]) -> None:
        self._files = {f.path: f for f in files}
        self._names: dict[tuple[str, str], tuple[str, ...]] = {}

    def of(self, path: str, base: str) -> tuple[str, ...]:
        key = (path, base)
        if key not in self._names:
            found = self._files.get(path)
            self._names[key] = (names_of(path, found.fs_path, found.doc_id, base) if found is not None
                                else names_of(path, path, "", base))
        return self._names[key]


def apply_suppressions(findings: Iterable[Finding], suppressions: Suppressions, files: Iterable[Any],
                       judge: bool, tag_breaking: frozenset[str] = frozenset()) -> SuppressionOutcome:
    """Split ``findings`` into kept and hidden; count what each suppression hides. A finding that
    several suppressions cover counts for each of them (none of them is dead), once in the total.
    ``judge``: the run covered the whole configured corpus, so a suppression hiding nothing is
    dead. ``tag_breaking``: the rules whose findings break a sentence's tags; when the one that
    carries a document's skip note is hidden, the note moves to the first such finding kept."""
    names = FileNames(files)
    by_selector: list[Counter[str]] = [Counter() for _ in suppressions.per_file]
    accepted_hits: list[int] = [0] * len(suppressions.accepted)
    accepted_rules: list[set[str]] = [set() for _ in suppressions.accepted]
    kept: list[Finding] = []
    moved: dict[str, str] = {}  # path -> the skip note of a hidden finding
    hidden = 0
    for finding in findings:
        weight = 1 + finding.unlisted
        covered = False
        for i, entry in enumerate(suppressions.per_file):
            selector = entry.selector_for(finding.rule)
            if selector is not None and _glob_matches(entry, names.of(finding.path, entry.base)):
                by_selector[i][selector] += weight
                covered = True
        for i, accepted in enumerate(suppressions.accepted):
            if finding.fingerprint == accepted.fingerprint and accepted.rule in (None, finding.rule) \
                    and (accepted.path is None
                         or accepted.path in names.of(finding.path, accepted.base)
                         or accepted.path == finding.path):
                accepted_hits[i] += weight
                accepted_rules[i].add(finding.rule)
                covered = True
        if covered:
            hidden += weight
            if SKIP_NOTE in finding.message:
                moved[finding.path] = finding.message[len(without_skip_note(finding.message)):]
        else:
            kept.append(finding)
    if moved:
        kept = _with_moved_notes(kept, moved, tag_breaking)
    entries: list[dict[str, Any]] = []
    for entry, counts in zip(suppressions.per_file, by_selector, strict=True):
        total = sum(counts.values())
        dead_rules = [r for r in entry.rules if not counts.get(r)] if judge else []
        entries.append({"kind": "per_file_ignores", "pattern": entry.pattern, "rules": list(entry.rules),
                        "reason": None, "hidden": total,
                        "hidden_by_rule": {r: counts.get(r, 0) for r in entry.rules},
                        "dead": judge and total == 0,
                        "dead_rules": dead_rules if total else [],
                        "source": _shown_source(entry.source), "line": entry.line})
    for accepted, hits, rules in zip(suppressions.accepted, accepted_hits, accepted_rules, strict=True):
        entries.append({"kind": "ignore", "fingerprint": accepted.fingerprint,
                        "rules": [accepted.rule] if accepted.rule else sorted(rules),
                        "reason": accepted.reason, "hidden": hits,
                        **({"path": accepted.path} if accepted.path else {}),
                        "dead": judge and hits == 0,
                        "source": _shown_source(accepted.source), "line": accepted.line})
    return SuppressionOutcome(kept, hidden, entries, judge)


def _with_moved_notes(kept: list[Finding], notes: dict[str, str], tag_breaking: frozenset[str]
                      ) -> list[Finding]:
    """``kept`` with each hidden skip note (by path) on the path's first kept tag-breaking finding."""
    first: dict[str, int] = {}
    for index, finding in enumerate(kept):
        if finding.path in notes and finding.rule in tag_breaking and SKIP_NOTE not in finding.message:
            best = first.get(finding.path)
            if best is None or (finding.line, finding.column, finding.rule) < \
                    (kept[best].line, kept[best].column, kept[best].rule):
                first[finding.path] = index
    out = list(kept)
    for path, index in first.items():
        out[index] = dataclasses.replace(out[index], message=out[index].message + notes[path])
    return out


def _shown_source(source: str) -> str:
    """The configuration file as the user would type it: relative to the working directory
    when it lies below it."""
    try:
        return Path(source).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return source


def describe(entry: dict[str, Any]) -> str:
    """``per_file_ignores 'drafts/**' [PUN001, LEX]`` or ``ignore 3f2a9c0d1e2b4a5f (TAG009)``."""
    if entry["kind"] == "per_file_ignores":
        return f"per_file_ignores {entry['pattern']!r} [{', '.join(entry['rules'])}]"
    rules = f" ({', '.join(entry['rules'])})" if entry["rules"] else ""
    return f"ignore {entry['fingerprint']}{rules}"


def dead_suppressions(summary: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(configuration file, line, what is dead) for each dead suppression or dead rule of a glob."""
    found = []
    for entry in summary.get("suppressions", ()):
        if entry.get("dead"):
            found.append((entry["source"], entry["line"], f"{describe(entry)} hides no finding; remove "
                          "it (a dead suppression would hide the next real problem)"))
        elif entry.get("dead_rules"):
            found.append((entry["source"], entry["line"], f"per_file_ignores {entry['pattern']!r}: "
                          f"{', '.join(entry['dead_rules'])} hides no finding there; remove it"))
    return found


def dead_warnings(summary: dict[str, Any]) -> list[str]:
    """One line per dead suppression, naming the file and line: ``corpus-validate.yaml:7: …``."""
    return [f"{source}:{line}: {text}" if line else f"{source}: {text}"
            for source, line, text in dead_suppressions(summary)]


def text_notes(summary: dict[str, Any]) -> list[str]:
    """The text report's lines about suppressions: the total, then each suppression's count."""
    entries = summary.get("suppressions")
    if not entries:
        return []
    total = summary.get("suppressed", sum(e["hidden"] for e in entries))
    lines = [f"Suppressed {total} finding(s) by {len(entries)} suppression(s) in the configuration:"]
    for entry in entries:
        if entry.get("dead"):
            count = "hides nothing: dead, remove it"
        elif entry["hidden"] == 0:
            count = "hides nothing in this run"
        else:
            count = f"hides {entry['hidden']}"
            if entry.get("dead_rules"):
                count += f" ({', '.join(entry['dead_rules'])}: nothing, remove)"
        reason = f" — {entry['reason']}" if entry.get("reason") else ""
        lines.append(f"  {describe(entry)}: {count}{reason}")
    return lines
