"""``--format text``: ruff-like ``path:line:col: ID message`` with the source line marked."""

from __future__ import annotations

import unicodedata
from typing import Any, TextIO

from validators.engine import CONTEXT_RADIUS
from validators.reporters import one_line

INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\r"}


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def show(text: str) -> str:
    """Make invisible and control characters visible as ⟨U+XXXX⟩."""
    out = []
    for ch in text:
        if ch in INVISIBLE or (unicodedata.category(ch) in ("Cc", "Cf") and ch != "\t"):
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    return "".join(out)


def marked_context(finding: Any) -> list[str]:
    """The finding's source line with carets under the offending text (wide characters count 2)."""
    context: str = finding.context
    if not context:
        return []
    start = finding.column - 1
    if context.startswith("…"):  # clipped around the finding by the engine
        start = 1 + min(finding.column - 1, CONTEXT_RADIUS)
    length = (finding.end_column - finding.column if finding.end_line == finding.line
              else len(context) - start)
    end = min(start + max(length, 1), len(context))
    gutter = f"{finding.line:>5} | "
    return [gutter + show(context),
            " " * (len(gutter) - 2) + "| " + " " * display_width(show(context[:start]))
            + "^" * max(display_width(show(context[start:end])), 1)]


def report(result: Any, stream: TextIO) -> None:
    for finding in result.findings:
        stream.write(f"{one_line(finding.path)}:{finding.line}:{finding.column}: {finding.rule} "
                     f"[{finding.severity}] {one_line(finding.message)}\n")
        for line in marked_context(finding):
            stream.write(line + "\n")
        for related in finding.related:
            stream.write(f"      = also in {one_line(related.path)}:{related.line}\n")
    summary = result.summary()
    sev = summary["by_severity"]
    stream.write(f"\nFound {summary['findings']} finding(s): {sev['error']} error(s), "
                 f"{sev['warning']} warning(s), {sev['info']} info in "
                 f"{summary['documents']} document(s).\n")
