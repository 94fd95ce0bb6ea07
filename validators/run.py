"""Which files a run checks, and :func:`run_check`, the run loop (:mod:`validators.pipeline`) with
the local executor, for tests and scripts."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from validators.cache import ResultCache
from validators.config import CONFIG_FILE, Config
from validators.discover import CorpusFile, discover
from validators.executors.local import (  # noqa: F401 - the names the command line and tests use
    LocalExecutor,
    Terminated,
    sigterm_raises,
    useful_workers,
)
from validators.pipeline import (  # noqa: F401 - the run result lives with the run loop
    DocumentTask,
    Part,
    Plan,
    RunResult,
    exit_code,
    make_plan,
    run_plan,
)
from validators.rules import RuleSet
from validators.settings import PROFILE_ENV, Settings, default_jobs  # noqa: F401


def run_check(files: list[CorpusFile], ruleset: RuleSet,
              focus: set[str] | None = None,
              progress: Callable[[int, int], None] | None = None,
              cache: ResultCache | None = None, jobs: int = 1,
              settings: Settings | None = None) -> RunResult:
    """Check ``files`` (:func:`validators.pipeline.run_plan`, for tests and scripts). With
    ``focus``, per-document findings are kept only for those paths and corpus-wide checks report
    only groups that contain one of them. With ``cache``, a document whose bytes, path and rule
    set are unchanged reuses its stored result. With ``jobs`` > 1 the per-document stage runs in
    that many worker processes (results in file order, so the findings are the same)."""
    if settings is None:
        settings = Settings(jobs=jobs, profile_path=os.environ.get(PROFILE_ENV) or None)
    if focus is None:
        plan = make_plan(files, ruleset, replace(settings, focus=None), lambda rules: cache)
    else:
        part = Part(ruleset, cache)
        plan = Plan(DocumentTask(replace(settings, focus=frozenset(focus)), (part,), (part,)),
                    list(files), ruleset)
    with LocalExecutor(settings.jobs) as executor:
        return run_plan(plan, ruleset, executor=executor, progress=progress, focused_documents=False)


def files_for(config: Config, paths: list[str]) -> list[CorpusFile]:
    """The files a run checks: the PATHs given, else the configured ``paths``, else (a
    configuration without ``paths``) its repository's tracked and not-ignored files under the
    configuration's folder matching include (the README's promise, as the hooks see the corpus),
    else (no configuration at all) the bundled sample corpus: see :func:`sample_note`."""
    if paths or config.paths or config.source is None:
        return discover(paths or config.corpus_paths(), config.include, config.exclude)
    from validators.git import corpus_files_under

    return corpus_files_under(config.root, config.include, config.exclude)


def sample_note(config: Config, paths: list[str]) -> str | None:
    """The line to print when a run falls back to the bundled sample corpus (no PATH, no
    configuration file), so that nobody mistakes it for a check of their own files."""
    if paths or config.paths or config.source is not None:
        return None
    return (f"corpus-validate: no {CONFIG_FILE} found: checking the bundled sample corpus at "
            f"{config.corpus_paths()[0]}")
