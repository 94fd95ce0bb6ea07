"""The CI gate and the pre-commit hooks: which files a run checks, and what it reports.

- ``check --changed-since REF``: the focus is the corpus files changed since the merge base of
  REF and HEAD (plus uncommitted and untracked ones); per-document rules run on those files only,
  corpus-wide rules (duplicates) still read the whole corpus and report only groups that contain
  a focused file.
- ``hook FILE…``: the per-file pre-commit hook (document rules on the staged corpus files);
  ``hook --corpus-wide FILE…``: the corpus-wide hook (corpus rules over the whole configured
  corpus, reporting only groups that contain a staged file). pre-commit splits and shuffles file
  lists, so the corpus-wide hook never compares only the files it was given.
- ``check --baseline F``: findings recorded in F are silenced; only new ones decide the exit code.
- ``per_file_ignores`` and ``ignore`` (:mod:`validators.suppressions`) hide reviewed exceptions
  before the baseline is applied (or written), in ``check``, ``baseline`` and the hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from validators.baseline import apply_baseline, load_baseline
from validators.cache import ResultCache, open_result_cache, ruleset_fingerprint
from validators.config import Config
from validators.discover import CorpusFile, display_path, matches
from validators.pipeline import RunResult, scoped  # noqa: F401 - scoped: for the hooks
from validators.rules import RuleSet
from validators.settings import Settings
from validators.suppressions import apply_suppressions, text_notes

Progress = Callable[..., None] | None


def cache_directory(config: Config, directory: Path | None = None) -> Path:
    """Where the result cache lives (:func:`validators.settings.cache_directory`)."""
    from validators.settings import cache_directory as resolve

    return resolve(config, directory)


def open_cache(config: Config, ruleset: RuleSet, *, enabled: bool = True,
               directory: Path | None = None, tracked: bool | None = None,
               warn: Callable[[str], None] | None = None,
               settings: Settings | None = None) -> ResultCache | None:
    """The result cache for this rule set in :func:`cache_directory`, or None: disabled, tracked
    by git (``tracked``: the caller's :func:`validators.cache.tracked_by_git` answer, else asked
    here), or no usable per-user key; ``warn`` receives the one-line reason. Its fingerprint
    covers the rule set and the settings results depend on (``Settings.cache_items``)."""
    if not enabled:
        return None
    if settings is None:
        from validators.settings import settings_from

        settings = settings_from(config, ruleset)
    cache, warning = open_result_cache(cache_directory(config, directory),
                                       ruleset_fingerprint(ruleset, settings.cache_items()),
                                       tracked=tracked)
    if warning is not None and warn is not None:
        warn(warning)
    return cache


def corpus_files(config: Config, paths: list[str]) -> list[CorpusFile]:
    """The corpus a focused run compares against: the PATHs given, else the configured paths,
    else (a configuration without paths) the files of its repository under its folder, as
    ``check`` sees them (:func:`validators.run.files_for`), else (no configuration) the
    repository's tracked and untracked-not-ignored files (not the sample corpus)."""
    if paths or config.paths or config.source is not None:
        from validators.run import files_for

        return files_for(config, paths)
    from validators.git import corpus_files_in_repository

    return corpus_files_in_repository(config.include, config.exclude)


def corpus_members(config: Config, given: list[str]) -> list[CorpusFile]:
    """Those of ``given`` (files named by pre-commit) that belong to the configured corpus: under
    a configured path (any path without configuration) and matching include/exclude. A file is
    placed by its own name (a symlink by where the link is, not where it leads), so a staged link
    to a file outside the corpus is a member, reported by the load stage and never read."""
    roots = ([Path(p).resolve() for p in config.corpus_paths()] if config.paths
             else [config.root.resolve()] if config.source is not None else [Path.cwd().resolve()])
    found: dict[str, CorpusFile] = {}
    for name in given:
        path = Path(name)
        if not path.is_file():
            continue
        located = path.parent.resolve() / path.name
        for root in roots:
            try:
                rel = located.relative_to(root).as_posix() if root.is_dir() else None
            except ValueError:
                continue
            if rel is None:
                if path.resolve() == root:
                    rel = root.name
                else:
                    continue
            if matches(rel, config.include) and not matches(rel, config.exclude):
                shown = display_path(path)
                base = root if root.is_dir() else root.parent
                found.setdefault(shown, CorpusFile(shown, str(path), rel, str(base)))
            break
    return [found[key] for key in sorted(found)]


def run_focused(corpus: list[CorpusFile], focus: set[str], ruleset: RuleSet,
                cache_for: Callable[[RuleSet], ResultCache | None],
                progress: Progress = None, scope: str = "all", jobs: int = 1) -> RunResult:
    """Per-document rules on the focused files only; corpus-wide rules over the whole corpus,
    reporting only groups that contain a focused file (one pass: :func:`validators.pipeline.run`).
    ``scope`` limits to one of the two."""
    from validators.pipeline import run
    from validators.settings import Settings

    settings = Settings(jobs=jobs, focus=frozenset(focus), scope=scope)
    return run(corpus, ruleset, settings, cache_for=cache_for, progress=progress)


def changed_focus(ref: str, corpus: list[CorpusFile], paths: list[str] | None = None,
                  config: Config | None = None) -> set[str]:
    """Display paths of the corpus files changed since the merge base of ``ref`` and HEAD, in the
    repository that holds the PATHs given (else the configuration's, else the working
    directory's): ``check /elsewhere/corpus --changed-since main`` diffs /elsewhere's history."""
    from validators.git import changed_files, paths_repository

    if paths:
        where: Path | None = paths_repository(paths)
    elif config is not None and config.paths:
        where = paths_repository(config.corpus_paths())
    elif config is not None and config.source is not None:
        where = config.root
    else:
        where = None
    changed = {display_path(p) for p in changed_files(ref, where)}
    return {f.path for f in corpus if f.path in changed}


def apply_baseline_file(result: RunResult, path: Path, focus: set[str] | frozenset[str] | None = None
                        ) -> RunResult:
    """A new result with only the findings not in the baseline ``path``; its summary records
    new/baselined/stale."""
    baseline = load_baseline(path)
    outcome = apply_baseline(list(result.findings), baseline, set(focus) if focus is not None else None,
                             checked={d.path for d in result.documents})
    return replace(result, findings=outcome.new,
                   extra_summary={**result.extra_summary, "baseline": outcome.summary(str(path))})


def suppress(result: RunResult, config: Config, files: list[CorpusFile], judge: bool) -> RunResult:
    """A new result without the findings the configuration suppresses; its summary says what each
    suppression hid (``suppressions``) and in all (``suppressed``). ``judge``: the run covered
    the whole configured corpus, so a suppression that hid nothing is marked dead."""
    if not config.suppressions:
        return result
    from validators.requirements import WELL_FORMED_TAGS

    breaking = frozenset(r.id for r in result.ruleset.enabled() if r.check.breaks(r.options) is WELL_FORMED_TAGS)
    outcome = apply_suppressions(result.findings, config.suppressions, files, judge, breaking)
    return replace(result, findings=outcome.kept,
                   extra_summary={**result.extra_summary, "suppressed": outcome.hidden,
                                  "suppressions": outcome.entries})


def gate_notes(result: RunResult) -> list[str]:
    """Lines the text report adds about the gate (changed files, baseline)."""
    summary: dict[str, Any] = result.extra_summary
    notes = []
    if "changed_since" in summary:
        notes.append(f"Changed since {summary['changed_since']}: {len(result.documents)} corpus "
                     f"file(s) checked, compared against {summary['corpus_documents']} for "
                     "corpus-wide rules.")
    if "baseline" in summary:
        b = summary["baseline"]
        why = ("" if b.get("stale_not_checked", 0) >= b["stale"] else
               " (fixed since; refresh with `corpus-validate baseline`)")
        notes.append(f"Baseline {b['file']}: {b['new']} new, {b['baselined']} baselined, "
                     f"{b['stale']} stale{why}.")
        if b.get("paths_hint"):
            notes.append(b["paths_hint"])
    notes += text_notes(summary)
    return notes
