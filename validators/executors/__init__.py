"""Where the per-document stage runs: in this process and its worker processes (``local``) or on
a Dask cluster (``dask``). Every executor gives the same outcomes in file order, so the findings
do not depend on where they were computed.

An executor maps ``task.process_chunk`` (a picklable bound method: the task, with its settings,
rules and caches, travels with every chunk) over the files, and finishes the corpus-wide rules
over the outcomes. It imports nothing of the pipeline that uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from validators.discover import CorpusFile
from validators.errors import UsageError
from validators.findings import Finding
from validators.rules import RuleSet

Progress = Callable[..., None] | None


class Executor:
    """The interface of an executor; a context manager that closes its pools or cluster."""

    def map_documents(self, files: Sequence[CorpusFile], task: Any,
                      progress: Progress = None) -> Iterator[Any]:
        """``DocumentOutcome``s of ``files`` in file order: ``task.process_chunk(chunk)`` of
        consecutive chunks, each outcome's cache statistics counted in the task's caches."""
        raise NotImplementedError

    def finish_corpus(self, ruleset: RuleSet, outcomes: Sequence[Any],
                      focus: frozenset[str] | set[str] | None) -> list[Finding]:
        """The corpus-wide rules of ``ruleset`` over what the outcomes collected."""
        from validators.engine import finish_corpus

        return finish_corpus(ruleset, [o.result for o in outcomes], set(focus) if focus is not None else None)

    def corpus_stage(self, ruleset: RuleSet, outcomes: Sequence[Any],
                     focus: frozenset[str] | set[str] | None, progress: Progress = None
                     ) -> tuple[list[Finding], dict[str, Any]]:
        """:meth:`finish_corpus` and :meth:`corpus_summary` at once (the local executor runs
        them side by side); ``progress(done, total, stage="corpus", item=...)`` names each rule
        as it starts (the rules then run one at a time)."""
        if progress is None:
            return self.finish_corpus(ruleset, outcomes, focus), self.corpus_summary(ruleset, outcomes)
        rules = list(ruleset.corpus_rules())
        found: list[Finding] = []
        for done, rule in enumerate(rules):
            progress(done, len(rules), stage="corpus", item=f"{rule.id} {rule.name}")
            found.extend(self.finish_corpus(RuleSet({rule.id: rule}), outcomes, focus))
        if rules:
            progress(len(rules), len(rules), stage="corpus")
        return found, self.corpus_summary(ruleset, outcomes)

    def corpus_summary(self, ruleset: RuleSet, outcomes: Sequence[Any]) -> dict[str, Any]:
        """What corpus rules add to the run's summary (CON001: the per-connective counts)."""
        from validators.corpus_ops import LocalOps

        # only the rules with a summary: the others' collected data is not read (a warm run's
        # stays packed in the cache entries)
        from validators.engine import CollectedOf

        results = [o.result for o in outcomes]
        collected = {rule.id: CollectedOf(results, rule.id)
                     for rule in ruleset.corpus_rules() if getattr(rule.check, "summary_key", "")}
        return summaries(LocalOps(collected), ruleset)

    def share(self, jobs: Sequence[Callable[[], Any]],
              starting: Callable[[int], None] | None = None) -> list[Any]:
        """Each job's result, in job order (``starting(index)`` before each job this process
        runs): the jobs of a step that reads what this process holds, such as the cache
        look-ups before the per-document stage. Here one after the other; the local executor
        shares them with a second process."""
        done = []
        for index, job in enumerate(jobs):
            if starting is not None:
                starting(index)
            done.append(job())
        return done

    def info(self) -> dict[str, Any]:
        """For the profile only (never in a report): e.g. the number of workers used."""
        return {}

    def close(self) -> None:
        """Stop what the executor started."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def executor_for(settings: Any) -> Executor:
    """The executor the settings name: ``local`` (worker processes on this machine) or ``dask``
    (imported only then; without the dask package: a usage error naming the extra to install)."""
    if settings.executor == "dask":
        try:
            from validators.executors.dask import DaskExecutor
        except ImportError as exc:
            missing = (getattr(exc, "name", "") or "").split(".")[0]
            if missing in ("dask", "distributed"):
                raise UsageError("--executor dask needs the dask package: install "
                                 "'corpus-validators[dask]'") from None
            raise UsageError("--executor dask is not available in this version") from None
        return DaskExecutor(settings)
    from validators.executors.local import LocalExecutor

    return LocalExecutor(settings.jobs)


def summaries(ops: Any, ruleset: RuleSet) -> dict[str, Any]:
    """``check.summarize`` of every corpus rule whose check type names a ``summary_key``, over
    ``ops`` (validators.corpus_ops: local lists or a Dask bag)."""
    from validators.checks import CorpusCheckType

    return {rule.check.summary_key: rule.check.summarize(ops, ops.items(rule.id), rule.options)
            for rule in ruleset.corpus_rules()
            if isinstance(rule.check, CorpusCheckType) and rule.check.summary_key}
