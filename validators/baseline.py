"""Baselines: let a corpus with legacy findings adopt the gate and fail only on new findings.

``corpus-validate baseline PATH… --output F`` records every current finding as an entry keyed by
rule, path and the finding's fingerprint (a hash of rule, path, offending text and its occurrence
index, never of line numbers), so inserting or deleting lines elsewhere in a file does not
resurrect a baselined finding. ``check --baseline F`` then splits findings into *new* (reported,
and the only ones that decide the exit code) and *baselined* (silenced), and counts *stale*
entries: recorded findings that are gone (fixed), which a refreshed baseline would drop.

Matching is done in two passes: first by rule, path and a hash of the message and source line
(``content``), so that when a second identical finding appears *above* a baselined one (which
shifts the occurrence index in the fingerprints) the old one stays silenced and the new one is
reported where it is; then by fingerprint, so a baselined finding whose line was edited elsewhere
stays silenced. Each entry silences at most one finding.

The file is JSON, sorted, one entry per finding, meant to be committed and reviewed::

    {"version": 1, "tool": "corpus-validate 0.1.0",
     "entries": [{"rule": "TAG001", "path": "corpus/a.txt", "fingerprint": "…",
                  "content": "…", "message": "…"}]}

Paths are the paths findings carry: relative to the working directory the baseline was made in,
so run ``baseline`` and ``check --baseline`` from the same directory (the repository root).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validators import __version__
from validators.errors import UsageError
from validators.findings import Finding, without_skip_note
from validators.outputs import OutputGuard

BASELINE_VERSION = 1


def content_hash(finding: Finding) -> str:
    """Line-number-free identity of a finding's text: its message (without the note of the rules
    a broken tag skips, which goes to whichever breaking finding comes first) and source line."""
    text = f"{without_skip_note(finding.message)}\0{finding.context}".encode("utf-8", "surrogateescape")
    return hashlib.sha1(text).hexdigest()[:16]


def baseline_payload(findings: Iterable[Finding]) -> dict[str, Any]:
    entries = sorted(({"rule": f.rule, "path": f.path, "fingerprint": f.fingerprint,
                       "content": content_hash(f), "message": f.message} for f in findings),
                     key=lambda e: (e["path"], e["rule"], e["fingerprint"], e["content"],
                                    e["message"]))
    return {"version": BASELINE_VERSION, "tool": f"corpus-validate {__version__}",
            "entries": entries}


def write_baseline(path: Path, findings: Iterable[Finding], guard: OutputGuard | None = None) -> int:
    """Write the baseline where ``guard`` allows (never over a corpus file or a special file;
    atomically for a regular file); returns the number of entries."""
    payload = baseline_payload(findings)
    text = json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
    (guard or OutputGuard()).write(path, text.encode("utf-8", "backslashreplace"), "baseline")
    return len(payload["entries"])


@dataclass(frozen=True)
class Entry:
    rule: str
    path: str
    fingerprint: str
    content: str = ""
    message: str = ""


@dataclass
class Baseline:
    source: str
    entries: list[Entry] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.entries)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; anything that is not one is a usage error (exit 2), never a crash."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline file not found (create it with "
                         "`corpus-validate baseline PATH… --output FILE`)") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a baseline file (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION \
            or not isinstance(data.get("entries"), list):
        raise UsageError(f"{path}: not a baseline file of version {BASELINE_VERSION} "
                         "(expected {\"version\": 1, \"entries\": [...]})")
    baseline = Baseline(str(path))
    for i, entry in enumerate(data["entries"]):
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) for k in ("rule", "path", "fingerprint")):
            raise UsageError(f"{path}: entry {i + 1} needs string 'rule', 'path' and "
                             "'fingerprint'")
        content, message = entry.get("content", ""), entry.get("message", "")
        baseline.entries.append(Entry(entry["rule"], entry["path"], entry["fingerprint"],
                                      content if isinstance(content, str) else "",
                                      message if isinstance(message, str) else ""))
    return baseline


@dataclass
class BaselineOutcome:
    new: list[Finding]
    baselined: list[Finding]
    stale: list[Entry]
    checked: frozenset[str] | None = None  # the paths of the run's documents, when known

    def summary(self, source: str) -> dict[str, Any]:
        out: dict[str, Any] = {"file": source, "new": len(self.new), "baselined": len(self.baselined),
                               "stale": len(self.stale)}
        hint = self.paths_hint()
        if hint:
            out["stale_not_checked"] = sum(1 for e in self.stale if e.path not in (self.checked or ()))
            out["paths_hint"] = hint
        return out

    def paths_hint(self) -> str:
        """Why entries are stale when their files were not even checked: a baseline made from
        another folder (its paths are relative to where it was made) or files renamed since."""
        if self.checked is None or not self.stale:
            return ""
        elsewhere = sorted({e.path for e in self.stale if e.path not in self.checked})
        if not elsewhere:
            return ""
        example = f"'{elsewhere[0]}'"
        if not self.baselined and len(elsewhere) == len({e.path for e in self.stale}):
            seen = f", this run checks '{min(self.checked)}'" if self.checked else ""
            return (f"None of the stale entries names a file this run checked (the baseline has "
                    f"{example}{seen}): a baseline's paths are relative to the folder it was made "
                    "in, so run `check --baseline` from that folder (or remake the baseline here).")
        return (f"{len(elsewhere)} file(s) of stale entries were not checked in this run (e.g. "
                f"{example}): renamed or deleted since the baseline was made?")


def apply_baseline(findings: list[Finding], baseline: Baseline,
                   focus: set[str] | None = None, checked: set[str] | frozenset[str] | None = None
                   ) -> BaselineOutcome:
    """Split findings into new and baselined (each entry silences at most one finding). With
    ``focus`` (a changed-files run), entries of files outside it are not counted as stale.
    ``checked``: the paths of the run's documents, so that stale entries of files the run never
    saw are explained (:meth:`BaselineOutcome.paths_hint`) instead of counted as fixed."""
    by_content: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    by_fingerprint: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, entry in enumerate(baseline.entries):
        if entry.content:
            by_content[(entry.rule, entry.path, entry.content)].append(i)
        by_fingerprint[(entry.rule, entry.path, entry.fingerprint)].append(i)
    used: set[int] = set()
    matched: list[bool] = [False] * len(findings)

    def take(candidates: list[int]) -> bool:
        for i in candidates:
            if i not in used:
                used.add(i)
                return True
        return False

    for n, finding in enumerate(findings):
        matched[n] = take(by_content.get((finding.rule, finding.path, content_hash(finding)), []))
    for n, finding in enumerate(findings):
        if not matched[n]:
            matched[n] = take(by_fingerprint.get((finding.rule, finding.path,
                                                  finding.fingerprint), []))
    new = [f for f, hit in zip(findings, matched, strict=True) if not hit]
    baselined = [f for f, hit in zip(findings, matched, strict=True) if hit]
    stale = [e for i, e in enumerate(baseline.entries)
             if i not in used and (focus is None or e.path in focus)]
    return BaselineOutcome(new, baselined, stale, frozenset(checked) if checked is not None else None)
