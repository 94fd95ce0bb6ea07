"""The ``corpus-validate`` command line. Exit codes: 0 clean, 1 findings, 2 usage/config/internal.

Only this module prints and exits; everything below it returns values or raises UsageError.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from validators import __version__
from validators.errors import UsageError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    from validators.reporters import FORMATS

    parser = _Parser(prog="corpus-validate",
                     description="Validate Chinese corpora annotated with discourse connectives.")
    parser.add_argument("--version", action="version", version=f"corpus-validate {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="validate corpus files (default: the configured corpus)")
    check.add_argument("paths", nargs="*", metavar="PATH")
    check.add_argument("--config", type=Path, help="corpus-validate.yaml or pyproject.toml")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--output", type=Path, help="write the report here instead of stdout")
    check.add_argument("--fail-on", choices=["error", "warning", "info", "never"])
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)

    rules = sub.add_parser("rules", help="list the rules or explain one")
    rules.add_argument("action", nargs="?", choices=["list", "explain", "test"], default="list")
    rules.add_argument("rule_id", nargs="?")
    rules.add_argument("--config", type=Path)
    rules.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    return parser


def _load_config(path: Path | None) -> Any:
    from validators.config import find_config, load_config

    if path is not None and not path.exists():
        raise UsageError(f"{path}: configuration file not found")
    return load_config(path if path is not None else find_config())


def _open_output(path: Path | None) -> TextIO:
    if path is None:
        return sys.stdout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None


def _progress_printer() -> Any:
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            end = "\n" if done == total else ""
            sys.stderr.write(f"\rchecked {done}/{total} files{end}")
            sys.stderr.flush()

    return progress


def cmd_check(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.reporters import get_reporter
    from validators.run import exit_code, files_for, run_check

    config = _load_config(args.config)
    ruleset = build_ruleset(config)
    files = files_for(config, args.paths)
    result = run_check(files, ruleset, progress=_progress_printer())
    stream = _open_output(args.output)
    try:
        get_reporter(args.format)(result, stream)
    finally:
        if stream is not sys.stdout:
            stream.close()
    return exit_code(result.findings, args.fail_on or config.fail_on)


def cmd_rules(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.docs import explain_rule, rules_json, rules_markdown, rules_table

    config = _load_config(args.config)
    ruleset = build_ruleset(config)
    if args.action == "explain":
        if not args.rule_id:
            raise UsageError("rules explain needs a rule id, e.g. `rules explain PAIR001`")
        rule = ruleset.rules.get(args.rule_id.upper()) or next(
            (r for r in ruleset if r.name == args.rule_id), None)
        if rule is None:
            raise UsageError(f"unknown rule {args.rule_id!r}; see `corpus-validate rules list`")
        sys.stdout.write(explain_rule(rule))
        return EXIT_CLEAN
    if args.action == "test":
        from validators.engine import example_failures

        problems = [p for rule in ruleset for p in example_failures(rule)]
        for problem in problems:
            sys.stdout.write(problem + "\n")
        sys.stdout.write(f"{len(problems)} problem(s) in the examples of {len(ruleset.rules)} "
                         "rules\n")
        return EXIT_FINDINGS if problems else EXIT_CLEAN
    render = {"text": rules_table, "json": rules_json, "markdown": rules_markdown}[args.format]
    sys.stdout.write(render(ruleset))
    return EXIT_CLEAN


COMMANDS = {"check": cmd_check, "rules": cmd_rules}


def main(argv: Sequence[str] | None = None) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_ERROR
        return COMMANDS[args.command](args)
    except UsageError as exc:
        if debug:
            raise
        sys.stderr.write(f"corpus-validate: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("corpus-validate: interrupted\n")
        return EXIT_ERROR
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:  # an internal error: one line, the traceback only with --debug
        if debug:
            raise
        sys.stderr.write(f"corpus-validate: internal error: {type(exc).__name__}: {exc} "
                         "(run with --debug for the traceback)\n")
        return EXIT_ERROR
