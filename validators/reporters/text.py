"""``--format text``: ruff-like ``path:line:col: ID message`` with the source line marked.

Coloured (ANSI) when it goes to a terminal: see :func:`validators.terminal.wants_color`; the
characters are the same either way.
"""

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


SEVERITY_STYLE = {"error": "31", "warning": "33", "info": "36"}  # red, yellow, cyan
BOLD, DIM, GUTTER = "1", "2", "34"  # the gutter in blue, as ruff's


def paint(text: str, style: str, color: bool) -> str:
    """``text`` in the SGR ``style`` when ``color``, else unchanged."""
    return f"\x1b[{style}m{text}\x1b[0m" if color and text else text


def marked_context(finding: Any, color: bool = False) -> list[str]:
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
    blank = " " * (len(gutter) - 2) + "| "
    carets = "^" * max(display_width(show(context[start:end])), 1)
    style = SEVERITY_STYLE.get(finding.severity, "")
    return [paint(gutter, GUTTER, color) + show(context),
            paint(blank, GUTTER, color) + " " * display_width(show(context[:start]))
            + paint(carets, style, color)]


def headline(finding: Any, color: bool = False) -> str:
    """``path:line:col: RULE [severity] message``."""
    style = SEVERITY_STYLE.get(finding.severity, "")
    return (f"{paint(one_line(finding.path), BOLD, color)}:{finding.line}:{finding.column}: "
            f"{paint(finding.rule, f'{BOLD};{style}', color)} "
            f"{paint(f'[{finding.severity}]', style, color)} {one_line(finding.message)}")


def report(result: Any, stream: TextIO, color: bool = False) -> None:
    for finding in result.findings:
        stream.write(headline(finding, color) + "\n")
        for line in marked_context(finding, color):
            stream.write(line + "\n")
        for related in finding.related:
            stream.write(paint("      = ", GUTTER, color)
                         + f"also in {one_line(related.path)}:{related.line}\n")
    summary = result.summary()
    sev = summary["by_severity"]
    stream.write("\n" + paint(f"Found {summary['findings']} finding(s): {sev['error']} error(s), "
                              f"{sev['warning']} warning(s), {sev['info']} info in "
                              f"{summary['documents']} document(s).", BOLD, color) + "\n")
