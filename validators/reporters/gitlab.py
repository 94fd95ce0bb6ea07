"""``--format gitlab``: GitLab Code Quality JSON (a subset of the Code Climate issue format).

A JSON array; every finding is ``{"description", "check_name", "fingerprint", "severity",
"location": {"path", "lines": {"begin", "end"}}}``. Severities map ``info`` → ``info``,
``warning`` → ``minor``, ``error`` → ``major`` (``critical`` and ``blocker`` are not used). The
fingerprint is the finding's line-free fingerprint, so GitLab's merge-request widget shows a
finding as new only when it is new, not when lines moved above it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO

SEVERITIES = {"info": "info", "warning": "minor", "error": "major"}


def issues(result: Any) -> list[dict[str, Any]]:
    out = []
    seen: set[str] = set()
    for finding in result.findings:
        fingerprint = finding.fingerprint or hashlib.sha1(
            repr(finding.as_dict()).encode("utf-8", "backslashreplace")).hexdigest()
        while fingerprint in seen:  # GitLab needs them unique within a report
            fingerprint = hashlib.sha1(fingerprint.encode()).hexdigest()
        seen.add(fingerprint)
        description = f"{finding.rule} {finding.message}"
        if finding.related:
            description += " (also in " + ", ".join(f"{r.path}:{r.line}"
                                                    for r in finding.related) + ")"
        out.append({
            "type": "issue",
            "description": description,
            "check_name": finding.rule,
            "fingerprint": fingerprint,
            "severity": SEVERITIES.get(finding.severity, "minor"),
            "categories": ["Style"],
            "location": {"path": finding.path,
                         "lines": {"begin": finding.line, "end": max(finding.end_line,
                                                                      finding.line)}},
        })
    return out


def report(result: Any, stream: TextIO) -> None:
    text = json.dumps(issues(result), ensure_ascii=False, indent=2)
    stream.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
