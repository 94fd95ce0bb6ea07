"""The ``extract`` and ``check-table`` subcommands (wired into validators.cli).

Exit codes as for ``check``: 0 no SCH finding at or above ``--fail-on``, 1 findings, 2 usage,
configuration or internal error. pandas and pandera are imported only when one of these runs.
The findings are printed by the reporters of ``check`` (validators.reporters): the text format's
lines, and sarif, github, gitlab and junit as they are; ``--format json`` is the tables' own
report (the table, and each finding's row and field).
"""

from __future__ import annotations

import argparse
import bisect
import io
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from validators.errors import UsageError
from validators.findings import Finding
from validators.outputs import OutputGuard
from validators.reporters import FORMATS
from validators.settings import add_executor_arguments
from validators.tables import TABLES

FAIL_ON = ["error", "warning", "info", "never"]


def add_parsers(sub: Any) -> None:
    extract = sub.add_parser("extract", help="write the documents, spans, pairs, findings and "
                             "connectives tables of a corpus (CSV or Parquet), validated by their schemas")
    extract.add_argument("paths", nargs="*", metavar="PATH",
                         help="corpus files or folders (default: the configured corpus)")
    extract.add_argument("--out", type=Path, required=True, metavar="DIR",
                         help="folder to write the documents, spans, pairs, findings and connectives "
                         "tables into")
    extract.add_argument("--as", dest="as_format", choices=["csv", "parquet"], default="csv",
                         help="the tables' file format (default: csv)")
    extract.add_argument("--config", type=Path)
    extract.add_argument("--format", choices=sorted(FORMATS), default="text")
    extract.add_argument("--fail-on", choices=FAIL_ON)
    add_executor_arguments(extract)
    extract.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)

    check = sub.add_parser("check-table", help="validate a table (CSV or Parquet) against the "
                           "documents, spans, pairs, findings or connectives schema")
    check.add_argument("file", type=Path, metavar="FILE",
                       help="the table to validate: a CSV or Parquet file")
    check.add_argument("--schema", choices=list(TABLES),
                       help="the table's schema (default: the one its header matches)")
    check.add_argument("--corpus", action="append", default=[], metavar="PATH",
                       help="the corpus the table was extracted from: enables the checks against "
                            "the documents (span text at its offsets, offsets within the "
                            "document, sentences, pairs' spans); repeatable")
    check.add_argument("--config", type=Path)
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--fail-on", choices=FAIL_ON)
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)


def _summary(findings: list[Finding]) -> dict[str, Any]:
    by_severity = Counter(f.severity for f in findings)
    return {"findings": len(findings),
            "by_severity": {s: by_severity.get(s, 0) for s in ("error", "warning", "info")},
            "by_rule": dict(sorted(Counter(f.rule for f in findings).items()))}


def write_report(fmt: str, found: list[tuple[Finding, Any]], *, head: dict[str, Any],
                 closing: list[str], ruleset: Any, paths: list[str], fail_on: str) -> None:
    """The findings in ``fmt`` on stdout. json: ``head`` (what was checked or written), the
    summary, and each finding with its table row and field; text: each finding as ``check``
    prints it, then the ``closing`` lines; any other format: its reporter, as for a run over
    the tables ``paths`` (junit marks failures at ``fail_on``)."""
    findings = [f for f, _ in found]
    if fmt == "json":
        payload = {"version": 1, **head, "summary": _summary(findings),
                   "findings": [_finding_json(f, x.row, x.column) for f, x in found]}
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "text":
        from validators.reporters.text import headline, marked_context

        for finding in findings:
            sys.stdout.write(headline(finding) + "\n")
            for line in marked_context(finding):
                sys.stdout.write(line + "\n")
        for line in closing:
            sys.stdout.write(line + "\n")
    else:
        from validators.engine import DocumentResult
        from validators.pipeline import RunResult
        from validators.reporters import get_reporter

        tables = [DocumentResult(path, [f for f in findings if f.path == path]) for path in paths]
        get_reporter(fmt)(RunResult(findings, tables, ruleset, fail_on=fail_on), sys.stdout)


def _finding_json(finding: Finding, row: int | None, column: str | None) -> dict[str, Any]:
    return {**finding.as_dict(), "row": row, "field": column}


def _table_bytes(frame: Any, as_format: str) -> bytes:
    if as_format == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    return str(frame.to_csv(index=False, lineterminator="\n")).encode("utf-8")


def cmd_extract(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.run import exit_code, files_for
    from validators.settings import load_project_config, settings_from
    from validators.tables.cross_table import Reference
    from validators.tables.extract import extract_corpus
    from validators.tables.findings import to_findings
    from validators.tables.reading import frame_data
    from validators.tables.validate import validate
    from validators.terminal import progress_printer

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    files = files_for(config, args.paths)
    settings = settings_from(config, ruleset, args)
    suffix = "parquet" if args.as_format == "parquet" else "csv"
    guard = OutputGuard.for_files(files)
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"{args.out}: is not a folder; --out takes the folder to write the tables into")
    for table in TABLES:  # a refused table fails now, before the extraction
        guard.check(args.out / f"{table}.{suffix}", f"{table} table")
    extraction = extract_corpus(files, ruleset, progress=progress_printer(), settings=settings)
    frames = extraction.frames
    ref = Reference(extraction.plain_texts, spans=frames["spans"].set_axis(
        range(1, len(frames["spans"]) + 1)), pairs=frames["pairs"], source="the extracted corpus")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{args.out}: cannot create the folder: {exc.strerror}") from None
    schema_findings: list[tuple[Finding, Any]] = []
    written: dict[str, dict[str, Any]] = {}
    for table in TABLES:
        target = args.out / f"{table}.{suffix}"
        data = frame_data(table, frames[table], target.as_posix())
        schema_findings += to_findings(data, validate(data, ref if table != "findings" else None),
                                       ruleset)
        guard.write(target, _table_bytes(frames[table], args.as_format), f"{table} table")
        written[table] = {"path": target.as_posix(), "rows": len(frames[table])}
    findings = [f for f, _ in schema_findings]
    fail_on = args.fail_on or config.fail_on
    closing = [f"wrote {info['path']}: {info['rows']} row(s)" for info in written.values()]
    closing.append(f"{len(findings)} schema finding(s) in the extracted tables"
                   + (" (the tables were written anyway)" if findings else "") + ".")
    write_report(args.format, schema_findings,
                 head={"out": args.out.as_posix(), "format": args.as_format, "tables": written},
                 closing=closing, ruleset=ruleset,
                 paths=[info["path"] for info in written.values()], fail_on=fail_on)
    return exit_code(findings, fail_on)


def reference_rows(doc: Any, doc_id: str, sentence_end: str, *, facts: Any = None
                   ) -> tuple[Any, list[int], list[tuple[int, int]]]:
    """A document's table rows and its sentences (starts; ends and indexes) for ``--corpus``:
    the per-document product of the run :func:`corpus_reference` makes (module-level: pickled
    by name to worker processes)."""
    from validators.tables.extract import document_rows

    spans = doc.sentences(sentence_end) if doc.readable else []
    return (document_rows(doc, doc_id, sentence_end, facts=facts), [s.start for s in spans],
            [(s.end, s.index) for s in spans])


def corpus_reference(paths: list[str], config: Any, ruleset: Any, table: str) -> Any:
    """The documents of ``--corpus``: plain texts, sentences, and their extracted tables, from
    one run of the pipeline (no rule checks: only the rows)."""
    from validators.discover import discover
    from validators.pipeline import run
    from validators.rules import RuleSet
    from validators.settings import settings_from
    from validators.tables.cross_table import Reference
    from validators.tables.extract import frame

    files = discover(paths, config.include, config.exclude)
    settings = settings_from(config, ruleset)
    produced = run(files, RuleSet({}), settings, rows_of=reference_rows).rows
    texts: dict[str, str] = {}
    sentences: dict[str, tuple[list[int], list[tuple[int, int]]]] = {}
    rows = []
    for row, starts, ends in produced:
        doc_id = row.document["doc_id"]
        rows.append(row)
        texts[doc_id] = row.plain_text
        sentences[doc_id] = (starts, ends)

    def sentence_of(doc_id: str, offset: int) -> int | None:
        starts, rest = sentences.get(doc_id, ([], []))
        i = bisect.bisect_right(starts, offset) - 1
        return rest[i][1] if i >= 0 and offset < rest[i][0] else None

    def indexed(df: Any) -> Any:
        return df.set_axis(range(1, len(df) + 1))

    shown = ", ".join(paths)
    return Reference(
        texts, sentence_of,
        documents=indexed(frame("documents", [r.document for r in rows])) if table == "documents"
        else None,
        spans=indexed(frame("spans", [s for r in rows for s in r.spans])) if table == "pairs"
        else None,
        source=f"the corpus ({shown})")


def cmd_check_table(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.run import exit_code
    from validators.settings import load_project_config
    from validators.tables.cross_table import NEEDS_CORPUS
    from validators.tables.findings import to_findings
    from validators.tables.reading import header_matches, read_table
    from validators.tables.validate import validate

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    path: Path = args.file
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a CSV or Parquet file")
    try:
        data = read_table(path, args.schema)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    if args.schema is None and not header_matches(data.header, data.table):
        raise UsageError(f"{path}: cannot tell from its header which table it is; give --schema "
                         f"{'|'.join(TABLES)}")
    ref = corpus_reference(args.corpus, config, ruleset, data.table) if args.corpus else None
    pairs = to_findings(data, validate(data, ref), ruleset)
    findings = [f for f, _ in pairs]
    not_checked = [] if args.corpus else NEEDS_CORPUS[data.table]
    fail_on = args.fail_on or config.fail_on
    summary = _summary(findings)
    sev = summary["by_severity"]
    closing = [f"{data.path}: {data.row_count} row(s) checked against the {data.table} schema: "
               f"{len(findings)} finding(s) ({sev['error']} error(s), {sev['warning']} "
               f"warning(s), {sev['info']} info)."]
    if not_checked:
        closing.append("Not checked without --corpus: " + "; ".join(not_checked) + ".")
    head = {"table": {"path": data.path, "schema": data.table, "format": data.source_format,
                      "rows": data.row_count, "corpus": args.corpus or None,
                      "not_checked": not_checked}}
    write_report(args.format, pairs, head=head, closing=closing, ruleset=ruleset,
                 paths=[data.path], fail_on=fail_on)
    return exit_code(findings, fail_on)


COMMANDS = {"extract": cmd_extract, "check-table": cmd_check_table}
