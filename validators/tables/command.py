"""The ``extract`` and ``check-table`` subcommands (wired into validators.cli).

Exit codes as for ``check``: 0 no SCH finding at or above ``--fail-on``, 1 findings, 2 usage,
configuration or internal error. pandas and pandera are imported only when one of these runs.
"""

from __future__ import annotations

import argparse
import bisect
import io
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from validators.errors import UsageError
from validators.findings import Finding
from validators.outputs import OutputGuard
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
    extract.add_argument("--format", choices=["text", "json"], default="text")
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
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument("--fail-on", choices=FAIL_ON)
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)


def _summary(findings: list[Finding]) -> dict[str, Any]:
    by_severity = Counter(f.severity for f in findings)
    return {"findings": len(findings),
            "by_severity": {s: by_severity.get(s, 0) for s in ("error", "warning", "info")},
            "by_rule": dict(sorted(Counter(f.rule for f in findings).items()))}


def _write_findings(findings: list[Finding], stream: TextIO) -> None:
    from validators.reporters.text import marked_context

    for finding in findings:
        stream.write(f"{finding.path}:{finding.line}:{finding.column}: {finding.rule} "
                     f"[{finding.severity}] {finding.message}\n")
        for line in marked_context(finding):
            stream.write(line + "\n")


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
    from validators.tables.extract import extract_corpus
    from validators.tables.validate import Reference, frame_data, to_findings, validate
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
    if args.format == "json":
        payload = {"version": 1, "out": args.out.as_posix(), "format": args.as_format,
                   "tables": written, "summary": _summary(findings),
                   "findings": [_finding_json(f, x.row, x.column) for f, x in schema_findings]}
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _write_findings(findings, sys.stdout)
        for info in written.values():
            sys.stdout.write(f"wrote {info['path']}: {info['rows']} row(s)\n")
        sys.stdout.write(f"{len(findings)} schema finding(s) in the extracted tables"
                         + (" (the tables were written anyway)" if findings else "") + ".\n")
    return exit_code(findings, args.fail_on or config.fail_on)


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
    from validators.tables.extract import frame
    from validators.tables.validate import Reference

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
    from validators.tables.validate import NEEDS_CORPUS, header_matches, read_table, to_findings, validate

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
    if args.format == "json":
        payload = {"version": 1,
                   "table": {"path": data.path, "schema": data.table, "format": data.source_format,
                             "rows": data.row_count, "corpus": args.corpus or None,
                             "not_checked": not_checked},
                   "summary": _summary(findings),
                   "findings": [_finding_json(f, x.row, x.column) for f, x in pairs]}
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _write_findings(findings, sys.stdout)
        summary = _summary(findings)
        sev = summary["by_severity"]
        sys.stdout.write(f"{data.path}: {data.row_count} row(s) checked against the {data.table} "
                         f"schema: {len(findings)} finding(s) ({sev['error']} error(s), "
                         f"{sev['warning']} warning(s), {sev['info']} info).\n")
        if not_checked:
            sys.stdout.write("Not checked without --corpus: " + "; ".join(not_checked) + ".\n")
    return exit_code(findings, args.fail_on or config.fail_on)


COMMANDS = {"extract": cmd_extract, "check-table": cmd_check_table}
