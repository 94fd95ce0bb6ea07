"""The ``corpus-validate`` command line. Exit codes: 0 clean, 1 findings, 2 usage/config/internal.

Only this module prints and exits; everything below it returns values or raises UsageError.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from validators import __version__
from validators.errors import UsageError
from validators.settings import add_executor_arguments, load_project_config
from validators.terminal import announce_executor, progress_printer

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        command = self.prog.removeprefix("corpus-validate").strip()  # "check", "rules", …
        raise UsageError(f"{command}: {message}" if command else message)


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
    check.add_argument("--html", nargs="?", const="", metavar="F",
                       help="also write the HTML report to F (a folder or no value: reports/<corpus>.html)")
    check.add_argument("--fail-on", choices=["error", "warning", "info", "never"])
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true",
                        help="apply the lossless fixes of rules marked fixable (atomic writes), "
                             "then report what remains")
    fixing.add_argument("--diff", action="store_true",
                        help="print what --fix would change as a unified diff; write nothing "
                             "(exit 1 when something would change)")
    check.add_argument("--jobs", "-j", type=_jobs_value, metavar="N",
                       help="worker processes for the per-document checks (default: the cores; "
                            "1: no worker processes)")
    check.add_argument("--changed-since", metavar="REF",
                       help="check only files changed since the merge base of REF and HEAD "
                            "(plus uncommitted ones); duplicates still compare the whole corpus")
    check.add_argument("--baseline", type=Path, metavar="F",
                       help="silence the findings recorded in F; only new findings fail")
    _cache_arguments(check)
    add_executor_arguments(check)
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)

    baseline = sub.add_parser("baseline", help="record the current findings as a baseline file")
    baseline.add_argument("paths", nargs="*", metavar="PATH")
    baseline.add_argument("--output", type=Path, required=True, metavar="F")
    baseline.add_argument("--config", type=Path)
    _cache_arguments(baseline)
    add_executor_arguments(baseline)

    hook = sub.add_parser("hook", help="the pre-commit hooks: check the staged FILEs")
    hook.add_argument("files", nargs="*", metavar="FILE")
    hook.add_argument("--corpus-wide", action="store_true",
                      help="run the corpus-wide rules (duplicates) over the whole configured "
                           "corpus, reporting only groups that contain one of the FILEs")
    hook.add_argument("--config", type=Path)
    hook.add_argument("--format", choices=sorted(FORMATS), default="text")
    hook.add_argument("--fail-on", choices=["error", "warning", "info", "never"])
    _cache_arguments(hook)
    add_executor_arguments(hook)

    from validators.tables.command import add_parsers as add_table_parsers

    add_table_parsers(sub)  # extract, check-table

    rules = sub.add_parser("rules", help="list the rules or explain one")
    rules.add_argument("action", nargs="?", choices=["list", "explain", "test"], default="list")
    rules.add_argument("rule_id", nargs="?")
    rules.add_argument("--config", type=Path)
    rules.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    return parser


def _cache_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the result cache")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="the result cache (default: .corpus-validate-cache beside the "
                             "configuration)")


def _cache_for(settings: Any, config: Any) -> Any:
    """The cache opener of one run: the directory is resolved and asked about git once (a
    focused run opens it for two rule sets), and a reason not to use it is printed once."""
    from validators.cache import tracked_by_git
    from validators.gate import open_cache

    state: dict[str, Any] = {}
    warned: set[str] = set()

    def warn(text: str) -> None:
        if text not in warned:
            warned.add(text)
            sys.stderr.write(text + "\n")

    def cache_for(ruleset: Any) -> Any:
        if not settings.cache_enabled:
            return None
        if settings.scheduler is not None:
            # the cache (and its per-user key) would travel to other machines' workers over the
            # network, and its folder is this machine's: off with a remote scheduler (README)
            return None
        if "tracked" not in state:
            state["tracked"] = tracked_by_git(settings.cache_dir)
        return open_cache(config, ruleset, directory=settings.cache_dir, tracked=state["tracked"],
                          warn=warn, settings=settings)

    return cache_for


def _jobs_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes >= 1, not {text!r}")
    return value


def _note_sample(config: Any, paths: list[str]) -> None:
    """Say so on stderr when a run falls back to the bundled sample corpus (no configuration)."""
    from validators.run import sample_note

    note = sample_note(config, paths)
    if note:
        sys.stderr.write(note + "\n")


def _open_output(path: Path | None) -> TextIO:
    """stdout, or a buffer that :func:`_close_output` writes to ``path`` once the report is whole
    (atomically, or into a device or FIFO: :mod:`validators.outputs`)."""
    return sys.stdout if path is None else io.StringIO()


def _close_output(stream: TextIO, path: Path | None, guard: Any) -> None:
    if path is not None and isinstance(stream, io.StringIO):
        guard.write(path, stream.getvalue().encode("utf-8", "backslashreplace"), "report")


def cmd_check(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.pipeline import exit_code, run
    from validators.reporters import get_reporter
    from validators.run import files_for
    from validators.settings import settings_from

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    settings = settings_from(config, ruleset, args)  # a bad option fails before any work
    focus = None
    if args.changed_since is not None:
        from validators.gate import changed_focus, corpus_files

        files = corpus_files(config, args.paths)
        focus = changed_focus(args.changed_since, files, args.paths, config)
    else:
        files = files_for(config, args.paths)
        if not files:  # an empty folder or an include glob that matches nothing: say so
            where = ", ".join(args.paths) or ", ".join(config.corpus_paths())
            sys.stderr.write(f"corpus-validate: warning: no files to check in {where} (include: "
                             f"{', '.join(config.include)})\n")
    if focus is not None:
        settings = replace(settings, focus=frozenset(focus))
    from validators.outputs import OutputGuard

    guard = OutputGuard.for_files(files)  # never over a corpus file or a special file
    html_path = None
    if not args.diff:  # the targets are checked now, not after the run (and again when written)
        if args.output is not None:
            guard.check(args.output, "report")
        if getattr(args, "html", None) is not None:
            from validators.reporters.html import html_target

            html_path = html_target(args.html, args.paths, config)
            guard.check(html_path, "HTML report")
    if focus is None:  # (--changed-since without configuration: the repository, not the sample)
        _note_sample(config, args.paths)  # once the command line is known to be good
    fix = "write" if args.fix else "diff" if args.diff else None
    extra = {"changed_since": args.changed_since} if focus is not None else None
    # --diff writes nothing, the cache included
    result = run(files, ruleset, settings, announce=announce_executor,
                 cache_for=None if args.diff else _cache_for(settings, config),
                 progress=None if args.diff else progress_printer(), fix=fix, extra=extra)
    if fix is not None:
        from validators.fix import summary_lines, unified_diff

        fixes = list(result.fixes)
        if args.diff:
            for fixed in fixes:
                if fixed.changed:
                    sys.stdout.write(unified_diff(fixed))
        for line in summary_lines(fixes, written=not args.diff):
            sys.stderr.write(f"corpus-validate: {line}\n")
        if args.diff:
            return EXIT_FINDINGS if any(f.changed for f in fixes) else EXIT_CLEAN
    if args.baseline is not None:
        from validators.gate import apply_baseline_file

        result = apply_baseline_file(result, args.baseline, focus)
    stream = _open_output(args.output)
    get_reporter(args.format)(result, stream)
    if args.format == "text":
        from validators.gate import gate_notes

        for note in gate_notes(result):
            stream.write(note + "\n")
    _close_output(stream, args.output, guard)
    if html_path is not None:
        from validators.reporters.html import write_report

        write_report(result, html_path, sources={f.path: f.fs_path for f in files}, guard=guard)
    return exit_code(result.findings, result.fail_on)


def cmd_baseline(args: argparse.Namespace) -> int:
    from validators.baseline import write_baseline
    from validators.config import build_ruleset
    from validators.outputs import OutputGuard
    from validators.pipeline import run
    from validators.run import files_for
    from validators.settings import settings_from

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    files = files_for(config, args.paths)
    settings = settings_from(config, ruleset, args)
    _note_sample(config, args.paths)
    guard = OutputGuard.for_files(files)
    guard.check(args.output, "baseline")  # a refused --output fails now, not after the run
    result = run(files, ruleset, settings, announce=announce_executor,
                 cache_for=_cache_for(settings, config),
                 progress=progress_printer())
    count = write_baseline(args.output, result.findings, guard)
    sys.stdout.write(f"corpus-validate: wrote {count} finding(s) of {len(result.documents)} "
                     f"document(s) to the baseline {args.output}\n")
    return EXIT_CLEAN


def cmd_hook(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.gate import corpus_files, corpus_members, scoped
    from validators.pipeline import exit_code, run
    from validators.reporters import get_reporter
    from validators.settings import jobs_of, settings_from

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    scope = "corpus" if args.corpus_wide else "document"
    staged = corpus_members(config, args.files)
    # pre-commit already runs the per-file hook in parallel chunks; the corpus-wide one is serial
    settings = settings_from(config, ruleset, args, focus={f.path for f in staged}, scope=scope,
                             jobs=jobs_of(config) if args.corpus_wide else 1)
    if not staged or not scoped(ruleset, scope).enabled():
        return EXIT_CLEAN
    corpus = corpus_files(config, []) if args.corpus_wide else staged
    result = run(corpus, ruleset, settings, announce=announce_executor,
                 cache_for=_cache_for(settings, config))
    get_reporter(args.format)(result, sys.stdout)
    return exit_code(result.findings, result.fail_on)


def cmd_rules(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.docs import explain_rule, rules_json, rules_markdown, rules_table

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    if args.action == "explain":
        if not args.rule_id:
            raise UsageError("rules explain needs a rule id, e.g. `rules explain PAIR001`")
        rule = ruleset.rules.get(args.rule_id.upper()) or next(
            (r for r in ruleset if r.name == args.rule_id), None)
        if rule is None:
            from validators.config import did_you_mean

            hint = did_you_mean(args.rule_id.upper(), ruleset.rules)
            raise UsageError(f"unknown rule {args.rule_id!r}{hint}; see `corpus-validate rules "
                             "list`")
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


COMMANDS = {"check": cmd_check, "rules": cmd_rules, "baseline": cmd_baseline, "hook": cmd_hook}


def _table_command(args: argparse.Namespace) -> int:
    from validators.tables.command import COMMANDS as TABLE_COMMANDS

    return TABLE_COMMANDS[args.command](args)


COMMANDS.update({"extract": _table_command, "check-table": _table_command})


def main(argv: Sequence[str] | None = None) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    from validators.run import Terminated, sigterm_raises

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_ERROR
        with sigterm_raises():  # SIGTERM: workers stopped, partial files removed, one line
            code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe must surface here, not at interpreter exit
        return code
    except UsageError as exc:
        if debug:
            raise
        sys.stderr.write(f"corpus-validate: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("corpus-validate: interrupted\n")
        return EXIT_ERROR
    except Terminated as exc:
        sys.stderr.write("corpus-validate: terminated\n")
        return 128 + exc.signum  # the status a shell gives a command ended by that signal
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_ERROR
    except OSError as exc:  # a full disk, a failing device: an I/O error, not an internal one
        if debug:
            raise
        sys.stderr.write(f"corpus-validate: error: {_io_error(exc)}\n")
        return EXIT_ERROR
    except Exception as exc:  # an internal error: one line, the traceback only with --debug
        if debug:
            raise
        sys.stderr.write(f"corpus-validate: internal error: {type(exc).__name__}: {exc} "
                         "(run with --debug for the traceback)\n")
        return EXIT_ERROR


WRITE_ERRNOS = {"ENOSPC", "EDQUOT", "EFBIG", "EIO", "EROFS"}


def _io_error(exc: OSError) -> str:
    """One line for an I/O error that no command turned into its own message."""
    import errno

    reason = exc.strerror or str(exc)
    stdout_failed = False
    try:
        sys.stdout.flush()
    except OSError:
        stdout_failed = True
    if stdout_failed or (exc.filename is None and errno.errorcode.get(exc.errno or 0) in WRITE_ERRNOS):
        _silence_stdout()  # what could not be written must not fail again at interpreter exit
    if exc.filename is not None:
        from validators.discover import printable_path

        return f"{printable_path(os.fsdecode(exc.filename))}: {reason}"
    if stdout_failed:
        return f"cannot write to standard output: {reason}"
    if errno.errorcode.get(exc.errno or 0) in WRITE_ERRNOS:
        return f"cannot write: {reason}"
    return f"I/O error: {reason}"


def _silence_stdout() -> None:
    """Point stdout's descriptor at /dev/null, dropping what is still buffered for it."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
