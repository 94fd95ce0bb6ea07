"""The ``corpus-validate`` command line. Exit codes: 0 clean, 1 findings, 2 usage/config/internal.

Only this module prints and exits; everything below it returns values or raises UsageError.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from validators import __version__
from validators.errors import UsageError
from validators.settings import add_executor_arguments, load_project_config
from validators.terminal import announce_executor

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        command = self.prog.removeprefix("corpus-validate").strip()  # "check", "rules", …
        raise UsageError(f"{command}: {message}" if command else message)


FAIL_ON_CHOICES = ["error", "warning", "info", "never"]
COMPLETION_SHELLS = ("bash", "zsh", "tcsh")  # what shtab writes
# the help of options several commands share, given once (build_parser fills it in where a
# command's own definition left it out)
SHARED_HELP = {
    "config": "the configuration: a corpus-validate.yaml or a pyproject.toml with "
              "[tool.corpus-validate] (default: the first found from here upwards)",
    "format": "how the findings are printed (default: text)",
    "fail_on": "the lowest severity that makes the exit code 1 (default: the configuration's "
               "fail_on, else error; never: always 0)",
    "debug": "on an internal error, show the traceback instead of one line",
    "paths": "corpus files or folders to check (default: the configured corpus; without a "
             "configuration, the bundled sample corpus)",
}
EPILOG = ("Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage, configuration or "
          "internal error. `corpus-validate COMMAND --help` describes a command.")


def build_parser() -> argparse.ArgumentParser:
    from validators.reporters import FORMATS

    parser = _Parser(prog="corpus-validate",
                     description="Validate Chinese corpora annotated with discourse connectives.",
                     epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"corpus-validate {__version__}",
                        help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help=SHARED_HELP["debug"])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND",
                                title="commands")

    check = sub.add_parser("check", help="validate corpus files (default: the configured corpus)",
                           description="Validate corpus files and report the findings.",
                           epilog=EPILOG)
    check.add_argument("paths", nargs="*", metavar="PATH", help=SHARED_HELP["paths"])
    check.add_argument("--config", type=Path, metavar="F")
    check.add_argument("--format", choices=sorted(FORMATS), default="text",
                       help="how the findings are printed: text (default; coloured on a "
                            "terminal), json, sarif (code scanning), junit, github (workflow "
                            "annotations), gitlab (Code Quality)")
    check.add_argument("--output", type=Path, metavar="F",
                       help="write the report to F instead of stdout (a summary line goes to "
                            "stderr)")
    check.add_argument("--html", nargs="?", const="", metavar="F",
                       help="also write the HTML report to F (a folder or no value: reports/<corpus>.html)")
    check.add_argument("--fail-on", choices=FAIL_ON_CHOICES)
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true",
                        help="apply the lossless fixes of rules marked fixable (atomic writes), "
                             "then report what remains")
    fixing.add_argument("--diff", action="store_true",
                        help="print what --fix would change as a unified diff; write nothing "
                             "(exit 1 when something would change)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff, apply the fixes marked unsafe as well (they "
                            "may change what the text says; `rules explain` says which)")
    check.add_argument("--jobs", "-j", type=_jobs_value, metavar="N",
                       help="worker processes for the per-document checks (default: the cores; "
                            "1: no worker processes)")
    check.add_argument("--changed-since", metavar="REF",
                       help="check only files changed since the merge base of REF and HEAD "
                            "(plus uncommitted ones); duplicates still compare the whole corpus")
    check.add_argument("--baseline", type=Path, metavar="F",
                       help="silence the findings recorded in F; only new findings fail")
    _color_argument(check)
    _cache_arguments(check)
    add_executor_arguments(check)
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)

    baseline = sub.add_parser("baseline", help="record the current findings as a baseline file",
                              description="Record every current finding in a baseline file, so "
                                          "that `check --baseline F` fails only on new ones.")
    baseline.add_argument("paths", nargs="*", metavar="PATH")
    baseline.add_argument("--output", type=Path, required=True, metavar="F",
                          help="the baseline file to write (JSON, meant to be committed)")
    baseline.add_argument("--config", type=Path, metavar="F")
    _cache_arguments(baseline)
    add_executor_arguments(baseline)

    hook = sub.add_parser("hook", help="the pre-commit hooks: check the staged FILEs",
                          description="What the pre-commit hooks run: the per-file rules on the "
                                      "staged corpus files, or (--corpus-wide) the corpus-wide "
                                      "rules over the whole corpus. Prints nothing when clean.")
    hook.add_argument("files", nargs="*", metavar="FILE",
                      help="the staged files (pre-commit passes them); files outside the "
                           "configured corpus are ignored")
    hook.add_argument("--corpus-wide", action="store_true",
                      help="run the corpus-wide rules (duplicates) over the whole configured "
                           "corpus, reporting only groups that contain one of the FILEs")
    hook.add_argument("--config", type=Path, metavar="F")
    hook.add_argument("--format", choices=sorted(FORMATS), default="text")
    hook.add_argument("--fail-on", choices=FAIL_ON_CHOICES)
    _color_argument(hook)
    _cache_arguments(hook)
    add_executor_arguments(hook)

    from validators.tables.command import add_parsers as add_table_parsers

    add_table_parsers(sub)  # extract, check-table

    rules = sub.add_parser("rules", help="list the rules, explain one, or test their examples",
                           description="The rules of the configuration: list them, explain one "
                                       "(description, options, examples), or run every rule's "
                                       "pass/fail examples.")
    rules.add_argument("action", nargs="?", choices=["list", "explain", "test"], default="list",
                       help="list (default): every rule with its severity and fix; explain: a "
                            "rule's page (what it does, why, examples, options, requirements, "
                            "fix); test: run the rules' own examples (exit 1 if one misbehaves)")
    rules.add_argument("rule_ids", nargs="*", metavar="ID",
                       help="with explain: the rules' ids or names, e.g. PAIR001")
    rules.add_argument("--config", type=Path, metavar="F")
    rules.add_argument("--format", choices=["text", "json", "markdown"], default="text",
                       help="text (default), json, or markdown (the README's catalogue)")

    completion = sub.add_parser("completion", help="print a shell completion script",
                                description="Print the completion script of a shell. bash: "
                                            "`source <(corpus-validate completion bash)`; zsh: "
                                            "save it as _corpus-validate in a folder of $fpath.")
    completion.add_argument("shell", choices=list(COMPLETION_SHELLS),
                            help="the shell to complete in")
    _fill_shared_help(parser)
    return parser


def _fill_shared_help(parser: argparse.ArgumentParser) -> None:
    """Give every option that several commands share (--config, --format, --fail-on, --debug,
    PATH) the one help text of :data:`SHARED_HELP`, where its command did not say more."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in set(action.choices.values()):
                _fill_shared_help(subparser)
        elif not action.help and action.dest in SHARED_HELP:
            action.help = SHARED_HELP[action.dest]


def _color_argument(parser: argparse.ArgumentParser) -> None:
    from validators.terminal import COLOR_CHOICES

    parser.add_argument("--color", choices=COLOR_CHOICES, default="auto",
                        help="colour the text report: auto (default: when stdout is a terminal "
                             "and NO_COLOR is not set), always, never")


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


SAMPLE_LABEL = "sample-corpus"  # how findings name the bundled sample's files


def _files_to_check(config: Any, paths: list[str]) -> list[Any]:
    """The files of a run (:func:`validators.run.files_for`). The bundled sample corpus, checked
    when there is no configuration, lives inside the installed package: its files are named
    ``sample-corpus/<file>`` (the name the README uses), not by a long site-packages path. The
    cwd-relative name of any other file is its display path already."""
    from validators.run import files_for, sample_note

    files = files_for(config, paths)
    if sample_note(config, paths) is None:
        return files
    return [replace(f, path=f"{SAMPLE_LABEL}/{f.doc_id}") for f in files]


def _note_sample(config: Any, paths: list[str]) -> None:
    """Say so on stderr when a run falls back to the bundled sample corpus (no configuration)."""
    from validators.run import sample_note

    note = sample_note(config, paths)
    if note:
        sys.stderr.write(f"{note} (shown as {SAMPLE_LABEL}/)\n")


def _report_with_notes(result: Any, fmt: str, stream: TextIO, color: str) -> None:
    """The report, and after a text report the gate's notes (a baseline, --fail-on)."""
    _report(result, fmt, stream, color)
    if fmt == "text":
        from validators.gate import gate_notes

        for note in gate_notes(result):
            stream.write(note + "\n")


def _report(result: Any, fmt: str, stream: TextIO, color: str) -> None:
    """The report in ``fmt``; the text format coloured when ``color`` (auto|always|never) and
    the stream (a terminal) say so."""
    from validators.reporters import get_reporter

    if fmt == "text":
        from validators.reporters.text import report as text_report
        from validators.terminal import wants_color

        text_report(result, stream, color=wants_color(stream, color))
    else:
        get_reporter(fmt)(result, stream)


def _warn_dead_suppressions(result: Any) -> None:
    from validators.suppressions import dead_warnings

    for line in dead_warnings(result.extra_summary):
        sys.stderr.write(f"corpus-validate: warning: {line}\n")


def _leftover_temp_files(files: list[Any], remove: bool) -> None:
    """Temporary files an interrupted ``--fix`` left beside corpus files (its process was killed
    before it could remove them): reported on stderr, removed by ``--fix``."""
    from validators.atomic import leftover_temp_files
    from validators.discover import display_path

    for left in leftover_temp_files(os.path.dirname(f.fs_path) or os.curdir for f in files):
        shown = display_path(Path(left.path))
        if remove:
            try:
                os.unlink(left.path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                sys.stderr.write(f"corpus-validate: warning: {shown}: left by an interrupted write "
                                 f"(process {left.pid}), cannot remove it: {exc.strerror}\n")
                continue
            sys.stderr.write(f"corpus-validate: removed {shown}, a temporary file an interrupted "
                             f"--fix left (process {left.pid})\n")
        else:
            sys.stderr.write(f"corpus-validate: warning: {shown}: a temporary file an interrupted "
                             f"write left (process {left.pid} is gone); `check --fix` removes it, "
                             "or delete it\n")


def cmd_check(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.gate import suppress
    from validators.pipeline import exit_code, run
    from validators.settings import settings_from
    from validators.terminal import progress_bars, report_written

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    settings = settings_from(config, ruleset, args)  # a bad option fails before any work
    focus = None
    if args.changed_since is not None:
        from validators.gate import changed_focus, corpus_files

        files = corpus_files(config, args.paths)
        focus = changed_focus(args.changed_since, files, args.paths, config)
    else:
        files = _files_to_check(config, args.paths)
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
    _leftover_temp_files([f for f in files if focus is None or f.path in focus], remove=args.fix)
    fix = "write" if args.fix else "diff" if args.diff else None
    extra = {"changed_since": args.changed_since} if focus is not None else None
    # --diff writes nothing, the cache included
    with progress_bars() as progress:
        result = run(files, ruleset, settings, announce=announce_executor,
                     cache_for=None if args.diff else _cache_for(settings, config),
                     progress=None if args.diff else progress, fix=fix, extra=extra,
                     fix_ignores=config.suppressions if fix is not None else None)
    if fix is not None:
        from validators.fix import summary_lines, unified_diff, unsafe_fixes_left

        fixes = list(result.fixes)
        if args.diff:
            for fixed in fixes:
                if fixed.changed:
                    sys.stdout.write(unified_diff(fixed))
        for line in summary_lines(fixes, written=not args.diff):
            sys.stderr.write(f"corpus-validate: {line}\n")
        from validators.finding_blocks import Findings

        reported = {rule for rule, *_ in Findings.of(result.findings).weights()}
        hidden = [] if args.unsafe_fixes else [r for r in unsafe_fixes_left(ruleset) if r in reported]
        if hidden:  # as ruff: say that more could be fixed, and how
            sys.stderr.write(f"corpus-validate: {', '.join(hidden)} can fix what it reports, unsafely "
                             "(the text may change): --unsafe-fixes applies it\n")
        if args.diff:
            return EXIT_FINDINGS if any(f.changed for f in fixes) else EXIT_CLEAN
    # a suppression that hid nothing is dead only when the whole configured corpus was checked
    result = suppress(result, config, files, judge=focus is None and not args.paths)
    if args.format != "text" or args.output is not None:  # (a text report on stdout says it)
        _warn_dead_suppressions(result)
    if args.baseline is not None:
        from validators.gate import apply_baseline_file

        result = apply_baseline_file(result, args.baseline, focus)
    if args.output is None:
        _report_with_notes(result, args.format, sys.stdout, args.color)
    else:
        with guard.writer(args.output, "report") as handle:  # written once, straight into place
            stream = io.TextIOWrapper(handle, encoding="utf-8", errors="backslashreplace",
                                      newline="")
            _report_with_notes(result, args.format, stream, args.color)
            stream.flush()
            stream.detach()  # the writer closes (and renames) the file
    summary = result.summary() if args.output is not None or html_path is not None else {}
    if args.output is not None:
        sys.stderr.write(report_written(f"{args.format} report", args.output, summary) + "\n")
    if html_path is not None:
        from validators.reporters.html import write_report

        write_report(result, html_path, sources={f.path: f.fs_path for f in files}, guard=guard)
        sys.stderr.write(report_written("HTML report", html_path, summary) + "\n")
    return exit_code(result.findings, result.fail_on)


def cmd_baseline(args: argparse.Namespace) -> int:
    from validators.baseline import write_baseline
    from validators.config import build_ruleset
    from validators.gate import suppress
    from validators.outputs import OutputGuard
    from validators.pipeline import run
    from validators.settings import settings_from
    from validators.terminal import progress_bars

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    files = _files_to_check(config, args.paths)
    settings = settings_from(config, ruleset, args)
    _note_sample(config, args.paths)
    guard = OutputGuard.for_files(files)
    guard.check(args.output, "baseline")  # a refused --output fails now, not after the run
    with progress_bars() as progress:
        result = run(files, ruleset, settings, announce=announce_executor,
                     cache_for=_cache_for(settings, config), progress=progress)
    # reviewed exceptions (per_file_ignores, ignore) are not legacy findings: never recorded
    result = suppress(result, config, files, judge=not args.paths)
    _warn_dead_suppressions(result)
    count = write_baseline(args.output, result.findings, guard)
    sys.stdout.write(f"corpus-validate: wrote {count} finding(s) of {len(result.documents)} "
                     f"document(s) to the baseline {args.output}\n")
    return EXIT_CLEAN


def cmd_hook(args: argparse.Namespace) -> int:
    """Prints nothing when the staged files are clean; findings below ``fail_on`` are printed
    with a line saying they do not block the commit (pre-commit shows them: ``verbose: true``)."""
    from validators.config import build_ruleset
    from validators.gate import corpus_files, corpus_members, scoped, suppress
    from validators.pipeline import exit_code, run
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
    result = suppress(result, config, corpus, judge=False)
    code = exit_code(result.findings, result.fail_on)
    if not result.findings and args.format == "text":
        return code  # a clean commit: nothing to read
    _report(result, args.format, sys.stdout, args.color)
    if args.format == "text" and code == EXIT_CLEAN:
        sys.stdout.write(f"These findings do not block the commit (fail_on: {result.fail_on}).\n")
    return code


def cmd_completion(args: argparse.Namespace) -> int:
    """A completion script made from the parser itself by shtab, so it never lags behind it."""
    try:
        import shtab
    except ImportError:
        raise UsageError("completion needs the shtab package: python -m pip install shtab") from None
    parser = build_parser()
    _mark_path_arguments(parser, shtab)
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return EXIT_CLEAN


def _mark_path_arguments(parser: argparse.ArgumentParser, shtab: Any) -> None:
    """Complete file names for the arguments that take a file, folder names for folders."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in set(action.choices.values()):
                _mark_path_arguments(subparser, shtab)
        elif action.metavar in ("DIR",):
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
        elif action.type is Path or action.metavar in ("PATH", "FILE", "F"):
            action.complete = shtab.FILE  # type: ignore[attr-defined]


def cmd_rules(args: argparse.Namespace) -> int:
    from validators.config import build_ruleset
    from validators.docs import explain_rules, rules_json, rules_markdown, rules_table

    config = load_project_config(args.config)
    ruleset = build_ruleset(config)
    if args.rule_ids and args.action != "explain":
        raise UsageError(f"rules {args.action} takes no rule id (did you mean `rules explain "
                         f"{args.rule_ids[0]}`?)")
    if args.action == "explain":
        if not args.rule_ids:
            raise UsageError("rules explain needs a rule id, e.g. `rules explain PAIR001`")
        sys.stdout.write(explain_rules([_named_rule(ruleset, name) for name in args.rule_ids]))
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


def _named_rule(ruleset: Any, name: str) -> Any:
    """The rule of an id (any case) or a name, or a usage error with the nearest of both."""
    from validators.config import did_you_mean

    by_name = {rule.name: rule for rule in ruleset}
    by_folded = {rule.name.casefold(): rule for rule in ruleset}
    rule = ruleset.rules.get(name.upper()) or by_name.get(name) or by_folded.get(name.casefold())
    if rule is None:
        hint = did_you_mean(name.upper(), ruleset.rules) or did_you_mean(name.lower(), by_name)
        raise UsageError(f"unknown rule {name!r}{hint}; see `corpus-validate rules list`")
    return rule


COMMANDS = {"check": cmd_check, "rules": cmd_rules, "baseline": cmd_baseline, "hook": cmd_hook,
            "completion": cmd_completion}


def _table_command(args: argparse.Namespace) -> int:
    from validators.tables.command import COMMANDS as TABLE_COMMANDS

    return TABLE_COMMANDS[args.command](args)


COMMANDS.update({"extract": _table_command, "check-table": _table_command})


GC_THRESHOLDS = (200_000, 30, 30)  # as mypy's: a collection per 200 000 new objects, not 700


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """A command makes millions of objects (a warm 200 MB run: each document's statistics and
    findings) and almost no reference cycles, so the garbage collector's default thresholds had
    it scan what it holds again and again (~0.7 s of a warm 200 MB run's ~5.5 s); the worker
    processes it forks inherit the thresholds. Restored afterwards (tests call main in-process)."""
    import gc

    was = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*was)


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
        # SIGTERM: workers stopped, partial files removed, one line
        with sigterm_raises(), fewer_collections():
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
