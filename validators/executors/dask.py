"""The Dask executor (``--executor dask``): the per-document stage as a map over partitions of a
bag of files, the corpus-wide stage as the checks' plans over :class:`DaskOps` (DESIGN §6: band
buckets are a tasks shuffle, never every signature on one process).

Without ``--scheduler`` it starts a ``distributed.LocalCluster`` of ``settings.jobs`` worker
processes (one thread each: the checks are pure Python and hold the GIL) and stops it on close; with
``--scheduler ADDRESS`` it connects to that cluster and never stops it. Workers read the files by
path, so a remote cluster needs the corpus on a file system every worker shares, at the same path.

Only the light part of each outcome (findings, statistics, cache counts) comes back to the client;
what the corpus rules collected (signatures, n-gram sets, line hashes) stays persisted on the
workers for :meth:`DaskExecutor.finish_corpus`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import dask
import dask.bag as db
import distributed

import validators
from validators.discover import CorpusFile
from validators.errors import UsageError
from validators.executors import Executor, Progress, summaries
from validators.findings import Finding
from validators.rules import RuleSet
from validators.settings import default_jobs

CONNECT_TIMEOUT = "10s"     # an unreachable --scheduler is a usage error after this, not a hang
WORKERS_TIMEOUT = 60        # seconds to wait for a scheduler without workers to get one
PARTITIONS_PER_WORKER = 8   # enough partitions to balance, few enough that the ~3 ms per task stays small
PARTITION_FILES = (8, 256)  # files per partition, at least and at most


class DaskExecutor(Executor):
    """Runs on a Dask cluster: ``settings.scheduler``'s, else a LocalCluster it starts.
    ``client`` (tests, benchmarks): use that connected client and leave it open on close."""

    def __init__(self, settings: Any, client: Any = None) -> None:
        self.settings = settings
        self._cluster: Any = None
        self._owns_client = client is None
        self._collected: Any = None  # persisted bag of (path, {rule_id: item}) for the corpus stage
        if client is not None:
            self.client = client
        elif settings.scheduler:
            self.client = _connect(settings.scheduler)
        else:
            # dashboard_address=None: without bokeh the page would only say that bokeh is missing
            self._cluster = distributed.LocalCluster(
                # at most one worker per core, as the local executor (--jobs 1000 is not 1000)
                n_workers=max(1, min(int(settings.jobs), default_jobs())), threads_per_worker=1, processes=True,
                dashboard_address=":0" if _has_bokeh() else None,
                silence_logs=logging.ERROR)  # a stopped run's "task cancelled" warnings are noise
            try:
                self.client = distributed.Client(self._cluster)
            except BaseException:
                self._cluster.close()
                raise

    def info(self) -> dict[str, Any]:
        return {"workers": len(self._workers()), "scheduler": self.client.scheduler.address}

    def dashboard_link(self) -> str | None:
        """The scheduler's dashboard, if it can serve one (it needs bokeh on the scheduler)."""
        try:
            served = self.client.run_on_scheduler(_has_bokeh)
        except Exception:
            return None
        return str(self.client.dashboard_link) if served else None

    def map_documents(self, files: Sequence[CorpusFile], task: Any,
                      progress: Progress = None) -> Iterator[Any]:
        self._release()
        if not files:
            return
        # workers may run in another directory (or on another machine): give them absolute paths
        shipped = [replace(f, fs_path=os.path.abspath(f.fs_path),
                           root=os.path.abspath(f.root) if f.root else f.root) for f in files]
        self._preflight(shipped[0])
        workers = max(1, len(self._workers()))
        lo, hi = PARTITION_FILES
        size = max(lo, min(hi, len(shipped) // (workers * PARTITIONS_PER_WORKER)))
        shared_task = dask.delayed(task, pure=True)  # one graph key, not one copy per partition
        # a name of this run's own: the keys of its graph never meet those of an earlier run on
        # the same cluster (names are otherwise tokens of the file list, which a corpus repeats)
        full = self.client.persist(
            db.from_sequence(shipped, partition_size=size).map_partitions(
                _process, shared_task, token=f"process-{uuid.uuid4().hex}"))
        self._collected = self.client.persist(full.map_partitions(_collected_of))
        futures = self.client.compute(full.map_partitions(_light).to_delayed())
        del full  # the scheduler keeps the full outcomes only until both derived bags are computed
        index = {future.key: i for i, future in enumerate(futures)}
        ready: dict[int, list[Any]] = {}
        done = following = 0
        for future in distributed.as_completed(futures):
            chunk = future.result()  # a worker's exception is raised here with its own type
            ready[index[future.key]] = chunk
            done += len(chunk)
            if progress:
                progress(done, len(files))
            while following in ready:  # in file order, as soon as the earlier partitions are in
                for outcome in ready.pop(following):
                    task.count_cache(outcome)
                    yield outcome
                following += 1

    def finish_corpus(self, ruleset: RuleSet, outcomes: Sequence[Any],
                      focus: frozenset[str] | set[str] | None) -> list[Finding]:
        """Each corpus rule's plan over the collected data left on the workers by the last map."""
        rules = list(ruleset.corpus_rules())
        if not rules:
            return []
        if self._collected is None:  # outcomes not mapped here: they still carry their data
            return super().finish_corpus(ruleset, outcomes, focus)
        from validators.checks import CorpusCheckType
        from validators.engine import findings_from_hits
        from validators.executors.dask_ops import DaskOps

        ops = DaskOps(self.client, self._collected)
        findings: list[Finding] = []
        for rule in rules:
            check = rule.check
            assert isinstance(check, CorpusCheckType)
            hits = check.plan(ops, ops.items(rule.id), rule.options, None if focus is None else set(focus))
            findings.extend(findings_from_hits(rule, None, hits, "", Counter()))
        return findings

    def corpus_summary(self, ruleset: RuleSet, outcomes: Sequence[Any]) -> dict[str, Any]:
        if self._collected is None:
            return super().corpus_summary(ruleset, outcomes)
        from validators.executors.dask_ops import DaskOps

        return summaries(DaskOps(self.client, self._collected), ruleset)

    def close(self) -> None:
        """Release what this run persisted; stop the client and cluster only if started here."""
        self._release()
        if self._owns_client:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None

    def _release(self) -> None:
        self._collected = None  # dropping the futures frees the workers' memory

    def _workers(self) -> dict[str, Any]:
        return dict(self.client.scheduler_info().get("workers", {}))

    def _preflight(self, first: CorpusFile) -> None:
        """A cluster without workers, with another version of this package, or whose workers do
        not see the corpus: a one-line usage error now, not a hang or every file unreadable."""
        if not self._workers():
            try:
                self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
            except (TimeoutError, OSError):
                raise UsageError(f"the dask scheduler {self.client.scheduler.address} has no workers "
                                 f"(waited {WORKERS_TIMEOUT} s): start some with `dask worker`") from None
        if not os.access(first.fs_path, os.R_OK):
            return  # unreadable here too: a finding of the run, not a cluster problem
        try:
            answers = self.client.run(_probe, first.fs_path)
        except Exception as exc:  # e.g. a worker without this package cannot unpickle _probe
            raise UsageError(f"the dask workers cannot run corpus-validators {validators.__version__}: "
                             f"{type(exc).__name__}: {exc}; install the same version on every worker") from None
        for worker, (version, readable) in sorted(answers.items()):
            if version != validators.__version__:
                raise UsageError(f"dask worker {worker} runs corpus-validators {version}, this is "
                                 f"{validators.__version__}: install the same version on every worker")
            if not readable:
                raise UsageError(f"dask worker {worker} cannot read {first.fs_path}: workers read files by "
                                 "path: put the corpus on a shared file system, at the same path on every machine")


def _connect(address: str) -> Any:
    try:
        _reachable(address)
        return distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except Exception as exc:  # refused, timed out, unknown host, TLS without a context, ...
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(f"cannot connect to the dask scheduler {address!r}: {reason}") from None


def _reachable(address: str) -> None:
    """A TCP address that refuses connections fails now, not after the client's retries until its timeout."""
    import socket

    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    scheme, location = parse_address(address)
    if scheme != "tcp":
        return
    host, port = parse_host_port(location, default_port=8786)
    socket.create_connection((host, port), timeout=float(CONNECT_TIMEOUT.rstrip("s"))).close()


def _has_bokeh() -> bool:
    return importlib.util.find_spec("bokeh") is not None


def _probe(path: str) -> tuple[str, bool]:
    """Run on every worker: its package version and whether it can read the corpus's first file."""
    import validators as package

    return package.__version__, os.access(path, os.R_OK)


def _process(files: Iterable[CorpusFile], task: Any) -> list[Any]:
    return list(task.process_chunk(list(files)))


def _light(outcomes: Iterable[Any]) -> list[Any]:
    """An outcome without the collected data (that stays on the worker for the corpus stage)."""
    return [replace(o, result=replace(o.result, collected={})) if o.result.collected else o for o in outcomes]


def _collected_of(outcomes: Iterable[Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(o.result.path, o.result.collected) for o in outcomes if o.result.collected]
