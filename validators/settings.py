"""The settings of one run, validated once from the configuration and the command line.

A frozen :class:`Settings` travels with the work (pickled with every chunk a worker gets), so a
worker started by ``fork``, ``spawn`` or on another machine sees the same limits as the parent:
no setting lives in a module global.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from validators.cache import DEFAULT_CACHE_DIR
from validators.config import FAIL_ON, Config
from validators.errors import ConfigError, UsageError
from validators.facts import DEFAULT_MIN_CHARS, DEFAULT_MIXED_RATIO, script_thresholds, sentence_end_of
from validators.load import DEFAULT_MAX_FILE_BYTES
from validators.rules import RuleSet
from validators.sentences import DEFAULT_SENTENCE_END

PROFILE_ENV = "CORPUS_VALIDATE_PROFILE"  # a JSON file to write CPU seconds per check type to
EXECUTORS = ("local", "dask")
SCOPES = ("all", "document", "corpus")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs besides its files and rules; immutable and picklable."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    sentence_end: str = DEFAULT_SENTENCE_END   # PAIR001's option, else PAIR002's, else the default
    script: str | None = None                  # the configuration's ``script:`` policy
    # SCR001's (mixed_ratio, min_chars): a document's script is classified one way everywhere
    script_thresholds: tuple[float, int] = (DEFAULT_MIXED_RATIO, DEFAULT_MIN_CHARS)
    jobs: int = 1
    executor: str = "local"
    scheduler: str | None = None               # a Dask scheduler's address (executor "dask")
    cache_enabled: bool = False
    cache_dir: Path | None = None
    focus: frozenset[str] | None = None        # display paths in focus; None: every file
    scope: str = "all"                         # with a focus: "document", "corpus" or "all" rules
    fail_on: str = "error"
    unsafe_fixes: bool = False                 # --unsafe-fixes: --fix/--diff apply unsafe fixes too
    # the enabled rules requiring WELL_FORMED_TAGS: the first TAG finding that breaks a
    # document's tags names them, whichever part of the rule set a run checks
    tag_dependents: tuple[str, ...] | None = None
    profile_path: str | None = None            # CORPUS_VALIDATE_PROFILE, read once in settings_from

    def cache_items(self) -> dict[str, Any]:
        """The settings a cached result depends on besides the rule set (for its fingerprint):
        only those that differ from the default, so that unconfigured runs share entries."""
        items: dict[str, Any] = {}
        if self.script is not None:
            items["script"] = self.script
        if self.max_file_bytes != DEFAULT_MAX_FILE_BYTES:
            items["max_file_bytes"] = self.max_file_bytes
        if self.tag_dependents is not None and self.focus is not None:
            # (a focused run caches parts of the rule set; an unfocused one is keyed by the
            # whole set, which decides the list)
            items["tag_dependents"] = list(self.tag_dependents)
        return items

    def in_focus(self, path: str) -> bool:
        return self.focus is None or path in self.focus


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def jobs_of(config: Config, given: int | None = None) -> int:
    """``--jobs``, else the configuration's ``jobs``, else the number of cores."""
    if given is not None:
        return int(given)
    configured = config.extra.get("jobs")
    if configured is None:
        return default_jobs()
    if isinstance(configured, bool) or not isinstance(configured, int) or configured < 1:
        raise ConfigError(f"'jobs' must be a whole number of processes >= 1, not {configured!r}",
                          config.source, config.lines.get("jobs", 0))
    return configured


def max_file_bytes_of(config: Config) -> int:
    limit = config.extra.get("max_file_bytes")
    if limit is None:
        return DEFAULT_MAX_FILE_BYTES
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigError(f"'max_file_bytes' must be a whole number of bytes >= 1, not {limit!r}",
                          config.source, config.lines.get("max_file_bytes"))
    return limit


def cache_directory(config: Config, directory: Path | None = None) -> Path:
    """Where the result cache lives: ``--cache-dir``, else ``cache_dir`` of the configuration
    (relative to it), else ``.corpus-validate-cache`` beside the configuration file (or in the
    working directory without one)."""
    if directory is not None:
        return directory
    configured = config.extra.get("cache_dir")
    if configured is not None and not isinstance(configured, str):
        raise ConfigError("'cache_dir' must be a path", config.source, config.lines.get("cache_dir"))
    base = config.root if config.source else Path.cwd()
    return base / (configured or DEFAULT_CACHE_DIR)


def tag_dependents_of(ruleset: RuleSet | None) -> tuple[str, ...] | None:
    """The enabled rules of the whole rule set that require WELL_FORMED_TAGS (None: no rule set)."""
    from validators.engine import rules_requiring
    from validators.requirements import WELL_FORMED_TAGS

    return None if ruleset is None else rules_requiring(ruleset, WELL_FORMED_TAGS)


def settings_from(config: Config, ruleset: RuleSet | None = None, args: Any = None,
                  **overrides: Any) -> Settings:
    """Validate the configuration and the parsed command line (``args``, any of its attributes
    may be missing) once into :class:`Settings`; ``overrides`` (focus, scope, with_tables, …)
    are set as given. Raises ConfigError or UsageError (one line, exit status 2)."""
    def arg(name: str) -> Any:
        return getattr(args, name, None) if args is not None else None

    executor = arg("executor") or "local"
    if executor not in EXECUTORS:
        raise UsageError(f"--executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    scheduler = arg("scheduler")
    if scheduler is not None and executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    unsafe_fixes = bool(arg("unsafe_fixes"))
    if unsafe_fixes and not (arg("fix") or arg("diff")):
        raise UsageError("--unsafe-fixes needs --fix or --diff")
    fail_on = arg("fail_on") or config.fail_on
    if fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    # only commands with --no-cache use the cache (extract never does)
    cache_enabled = args is not None and hasattr(args, "no_cache") and not args.no_cache
    values: dict[str, Any] = dict(
        max_file_bytes=max_file_bytes_of(config),
        sentence_end=sentence_end_of(ruleset),
        script=config.extra.get("script"),
        script_thresholds=script_thresholds(ruleset),
        jobs=jobs_of(config, arg("jobs")),
        executor=executor,
        scheduler=scheduler,
        cache_enabled=cache_enabled,
        cache_dir=cache_directory(config, arg("cache_dir")) if cache_enabled else None,
        fail_on=fail_on,
        unsafe_fixes=unsafe_fixes,
        tag_dependents=tag_dependents_of(ruleset),
        profile_path=os.environ.get(PROFILE_ENV) or None,
    )
    values.update(overrides)
    if values.get("scope", "all") not in SCOPES:
        raise UsageError(f"scope must be one of {', '.join(SCOPES)}, not {values['scope']!r}")
    if values.get("focus") is not None:
        values["focus"] = frozenset(values["focus"])
    return Settings(**values)


def add_executor_arguments(parser: Any) -> None:
    """``--executor`` and ``--scheduler`` of the commands that run the pipeline."""
    parser.add_argument("--executor", choices=list(EXECUTORS), default=None,
                        help="where the per-document checks run: local worker processes "
                             "(default) or a Dask cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="the Dask scheduler to use (with --executor dask; without it: a "
                             "local cluster of --jobs workers)")


def load_project_config(path: Path | None) -> Config:
    """The configuration named by ``--config``, else the one found from the working directory,
    else the defaults. A named file that does not exist is a usage error."""
    from validators.config import find_config, load_config

    if path is not None and not path.exists():
        raise UsageError(f"{path}: configuration file not found")
    config = load_config(path if path is not None else find_config())
    max_file_bytes_of(config)  # validated now, before any file is read
    return config
