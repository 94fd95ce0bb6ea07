"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`` (``warning`` for warnings,
``notice`` for info). Escaping follows the Actions runner: in the message ``%`` → ``%25``,
``\\r`` → ``%0D``, ``\\n`` → ``%0A``; in properties additionally ``:`` → ``%3A`` and ``,`` → ``%2C``
(so a message cannot end a command early or inject another one). Columns are given only for
single-line findings (GitHub ignores them otherwise). GitHub shows a limited number of annotations
per step, so when ``$GITHUB_STEP_SUMMARY`` is set the full list is also appended to the job
summary as a Markdown table.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO

from validators.atomic import write_bytes_atomic
from validators.suppressions import dead_suppressions

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
SUMMARY_LIMIT = 900 * 1024  # GitHub rejects a step summary over 1 MiB; leave room for others


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _safe(text: str) -> str:
    """Text that can be written as UTF-8 (file names that did not decode keep a \\x escape)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def annotation(finding: Any) -> str:
    props = [("file", finding.path), ("line", str(finding.line))]
    if finding.end_line == finding.line:
        props += [("col", str(finding.column)), ("endLine", str(finding.end_line)),
                  ("endColumn", str(finding.end_column))]
    else:
        props += [("endLine", str(finding.end_line))]
    props.append(("title", f"{finding.rule} {finding.name}"))
    message = finding.message
    if finding.related:
        message += "\n" + "\n".join(f"also in {r.path}:{r.line}" for r in finding.related)
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return _safe(f"::{COMMANDS.get(finding.severity, 'warning')} {rendered}::"
                 f"{escape_data(message)}")


def markdown_cell(text: str) -> str:
    """Corpus text in a Markdown table cell: HTML-escaped (the corpus contains <a>) and with the
    characters Markdown would interpret backslash-escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|~#!":
        text = text.replace(ch, "\\" + ch)
    return _safe(text.replace("\r", " ").replace("\n", "<br>"))


def step_summary(result: Any) -> str:
    summary = result.summary()
    sev = summary["by_severity"]
    lines = [f"## corpus-validate: {summary['findings']} finding(s)", "",
             f"{sev['error']} error(s), {sev['warning']} warning(s), {sev['info']} info in "
             f"{summary['documents']} document(s).", ""]
    baseline = summary.get("baseline")
    if baseline:
        lines += [f"Baseline `{markdown_cell(Path(baseline['file']).name)}`: {baseline['new']} new, "
                  f"{baseline['baselined']} baselined, {baseline['stale']} stale.", ""]
    if summary.get("suppressions"):
        dead = len(dead_suppressions(summary))
        lines += [f"Suppressed by the configuration: {summary.get('suppressed', 0)} finding(s)"
                  + (f"; {dead} suppression(s) hide nothing (remove them)." if dead else "."), ""]
    if result.findings:
        lines += ["| severity | rule | location | message |", "|---|---|---|---|"]
        size = sum(len(line.encode()) + 1 for line in lines)
        for shown, f in enumerate(result.findings):
            row = (f"| {f.severity} | `{f.rule}` {markdown_cell(f.name)} | "
                   f"{markdown_cell(f.path)}:{f.line}:{f.column} | {markdown_cell(f.message)} |")
            size += len(row.encode()) + 1
            if size > SUMMARY_LIMIT:
                lines += ["", f"… and {len(result.findings) - shown} more finding(s): GitHub "
                              "limits a step summary to 1 MiB; use `--format sarif` or `json` for "
                              "the complete list."]
                break
            lines.append(row)
    return "\n".join(lines) + "\n"


def report(result: Any, stream: TextIO) -> None:
    for finding in result.findings:
        stream.write(annotation(finding) + "\n")
    summary = result.summary()
    for source, line, text in dead_suppressions(summary):  # shown on the configuration's line
        props = f"file={escape_property(source)},line={line},title=dead suppression"
        stream.write(_safe(f"::warning {props}::{escape_data(text)}") + "\n")
    stream.write(f"corpus-validate: {summary['findings']} finding(s) in "
                 f"{summary['documents']} document(s)\n")
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        try:
            try:
                before = Path(target).read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:
                before = ""
            # a new summary file is readable like any file the user creates (0666 less the umask)
            write_bytes_atomic(target, (before + step_summary(result)).encode("utf-8"), new_mode=0o666)
        except OSError as exc:
            stream.write(f"::warning::{escape_data(f'cannot write $GITHUB_STEP_SUMMARY: {exc}')}\n")
