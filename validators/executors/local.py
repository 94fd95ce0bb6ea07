"""The local executor: the per-document stage in this process, or in a pool of worker processes
on this machine (``--jobs``). Everything a worker needs comes with each chunk (the task: settings,
rules, caches), so ``fork`` and ``spawn`` workers give the same outcomes; nothing is a global."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from validators.discover import CorpusFile
from validators.executors import Executor, Progress
from validators.findings import Finding
from validators.rules import RuleSet
from validators.settings import default_jobs

PARALLEL_MIN_BYTES = 1_000_000  # below this, a pool's start-up costs more than it saves
CHUNK_FILES = 32                # files per task at most (small tasks keep both workers busy)
PR_SET_PDEATHSIG = 1            # linux/prctl.h


class Terminated(BaseException):
    """SIGTERM (what ``timeout`` and a cancelled CI job send) arrived during a run: raised in the
    main thread so that the workers are stopped and files being written are cleaned up on the
    way out; the command line turns it into one line and exit status 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` in the main thread (unless someone has
    installed their own handler; outside the main thread signals cannot be handled at all)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def raise_terminated(signum: int, frame: Any) -> None:
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def useful_workers(jobs: int, chunks: int) -> int:
    """Worker processes worth starting: never more than asked for, than the cores this process
    may use or than there are tasks (``--jobs 1000`` on two cores starts two, not a thousand)."""
    return max(1, min(jobs, default_jobs(), chunks))


def worth_a_pool(files: Sequence[CorpusFile], jobs: int, min_bytes: int) -> bool:
    if jobs <= 1 or len(files) < 2:
        return False
    total = 0
    for corpus_file in files:
        with contextlib.suppress(OSError):
            total += os.stat(corpus_file.fs_path).st_size
        if total >= min_bytes:
            return True
    return False


def chunks_of(files: Sequence[CorpusFile], jobs: int, most: int | None = None) -> list[list[CorpusFile]]:
    """Consecutive chunks of ``files``: about 8 per worker, at most ``most`` (CHUNK_FILES) files."""
    size = max(1, min(CHUNK_FILES if most is None else most, len(files) // (jobs * 8)))
    return [list(files[i:i + size]) for i in range(0, len(files), size)]


class LocalExecutor(Executor):
    """``jobs`` worker processes at most (none below ``min_pool_bytes`` of input, default
    :data:`PARALLEL_MIN_BYTES`); ``start_method`` (default: fork where available) lets a test
    pin ``spawn``."""

    def __init__(self, jobs: int = 1, start_method: str | None = None,
                 min_pool_bytes: int | None = None, chunk_files: int | None = None) -> None:
        self.jobs = jobs
        self.start_method = start_method
        self.min_pool_bytes = min_pool_bytes
        self.chunk_files = chunk_files
        self.workers = 0

    def info(self) -> dict[str, Any]:
        return {"workers": self.workers}

    def map_documents(self, files: Sequence[CorpusFile], task: Any,
                      progress: Progress = None) -> Iterator[Any]:
        for done, outcome in enumerate(self._outcomes(files, task), 1):
            if progress:
                progress(done, len(files))
            yield outcome

    def _outcomes(self, files: Sequence[CorpusFile], task: Any) -> Iterator[Any]:
        jobs = min(self.jobs, default_jobs())
        min_bytes = PARALLEL_MIN_BYTES if self.min_pool_bytes is None else self.min_pool_bytes
        if not worth_a_pool(files, jobs, min_bytes):
            for corpus_file in files:
                yield from task.process_chunk([corpus_file])
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        method = self.start_method or ("fork" if "fork" in methods else None)
        chunks = chunks_of(files, jobs, self.chunk_files)
        self.workers = useful_workers(jobs, len(chunks))
        pool = ProcessPoolExecutor(max_workers=self.workers,
                                   mp_context=multiprocessing.get_context(method),
                                   initializer=_init_worker, initargs=(os.getpid(),))
        try:
            with sigterm_raises():
                with stop_signals_blocked():  # the first submit forks the workers
                    # the task travels with each chunk (pickled with it): settings, rules, caches
                    futures = [pool.submit(task.process_chunk, chunk) for chunk in chunks]
                # results in file order; the futures are never cancelled (see _stop_pool). Each
                # future is let go once read: a future keeps its result, and a chunk's outcomes
                # (their packed data, before the run spills it) would otherwise stay to the end
                futures.reverse()
                while futures:
                    for outcome in futures.pop().result():
                        task.count_cache(outcome)  # the workers' hits, misses, stores
                        yield outcome
        except BaseException:
            _stop_pool(pool)
            raise
        pool.shutdown()

    def finish_corpus(self, ruleset: RuleSet, outcomes: Sequence[Any],
                      focus: frozenset[str] | set[str] | None) -> list[Finding]:
        return self.corpus_stage(ruleset, outcomes, focus, summary=False)[0]

    def share(self, jobs: Sequence[Callable[[], Any]],
              starting: Callable[[int], None] | None = None) -> list[Any]:
        """On two cores when ``jobs`` allows (:func:`in_two_processes`: this process and a fork
        of it take the jobs in turn; only results are pickled, back from the fork), else here."""
        if len(jobs) >= 2 and two_processes_allowed(self.jobs) \
                and self.start_method in (None, "fork"):
            both = in_two_processes(list(jobs), starting, give_back=False)
            if both is not None:
                return both
        return super().share(jobs, starting)

    def corpus_stage(self, ruleset: RuleSet, outcomes: Sequence[Any],
                     focus: frozenset[str] | set[str] | None, progress: Progress = None,
                     summary: bool = True) -> tuple[list[Finding], dict[str, Any]]:
        """The corpus-wide rules (and the summary), on two cores when ``jobs`` allows and the
        corpus is worth it: this process and one forked from it take the rules and the summary
        in turn (each the next one not taken), so the corpus stage, serial after the
        per-document one, no longer leaves a core idle. A rule whose plan holds much memory
        (``runs_alone``: DUP002) runs first, in this process alone: beside another plan, a 200 MB
        run's corpus stage peaked at 511 MB (437 MB now, the end of the per-document stage).
        The findings are those of the serial loop, in its order. ``progress`` is told of the
        jobs this process starts (and how many both have taken)."""
        from validators.engine import finish_corpus

        results = [o.result for o in outcomes]
        wanted = set(focus) if focus is not None else None
        rules = list(ruleset.corpus_rules())
        # (name, job, whether it runs alone): one per rule, and the summary
        jobs: list[tuple[str, Callable[[], Any], bool]] = [
            (f"{rule.id} {rule.name}",
             functools.partial(finish_corpus, RuleSet({rule.id: rule}), results, wanted),
             getattr(rule.check, "runs_alone", False)) for rule in rules]
        summary_at = min(1, len(rules))
        if summary:  # second: the first rule (CON001) and its summary are the longest jobs
            jobs.insert(summary_at, ("summary", functools.partial(
                self.corpus_summary, ruleset, outcomes), False))

        def started(count: int, at: int) -> None:  # the job at ``at``, after ``count`` others
            if progress is not None:
                progress(count, len(jobs), stage="corpus", item=jobs[at][0])

        size = sum(r.stats.get("bytes", 0) for r in results if isinstance(r.stats, dict))
        done: dict[int, Any] = {}
        if (len(jobs) >= 2 and two_processes_allowed(self.jobs) and size >= PARALLEL_MIN_BYTES
                and self.start_method in (None, "fork")):
            # the rules whose plans hold much memory first, alone, then the others side by side
            alone = [at for at, (_, _, by_itself) in enumerate(jobs) if by_itself]
            for count, at in enumerate(alone):
                started(count, at)
                done[at] = jobs[at][1]()
                _give_back_memory()
            shared = [at for at in range(len(jobs)) if at not in done]
            side_by_side = in_two_processes(
                [jobs[at][1] for at in shared],
                lambda index: started(len(alone) + index, shared[index]),
            ) if len(shared) >= 2 else None
            if side_by_side is not None:
                done.update(zip(shared, side_by_side, strict=True))
        in_order = []
        for at, (_, job, _) in enumerate(jobs):
            if at not in done:
                started(len(done), at)
                done[at] = job()
            in_order.append(done[at])
        if progress is not None and jobs:
            progress(len(jobs), len(jobs), stage="corpus")
        found_summary = in_order.pop(summary_at) if summary else {}
        return [finding for found in in_order for finding in found], found_summary


@contextlib.contextmanager
def stop_signals_blocked() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back while worker processes are forked, so a worker never runs
    the parent's handlers; it unblocks them once it has set its own (:func:`_init_worker`). A
    signal that arrives meanwhile is delivered to the parent when it unblocks."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)


def _give_back_memory() -> None:
    """Return the memory a finished job freed to the system (glibc keeps freed heap pages in
    the process: after DUP002's n-gram sets, the next job ran with ~190 MB it did not use,
    beside the other process's job). Elsewhere a no-op."""
    import ctypes
    import gc
    import sys

    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).malloc_trim(0)


def two_processes_allowed(jobs: int) -> bool:
    """Whether work may be shared with a forked second process: ``jobs`` (``--jobs``) and the
    cores this process may use are two or more, and processes can be forked."""
    return min(jobs, default_jobs()) >= 2 and "fork" in _start_methods()


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def in_two_processes(jobs: list[Callable[[], Any]],
                     starting: Callable[[int], None] | None = None,
                     give_back: bool = True) -> list[Any] | None:
    """Each job's result, in job order, the jobs shared by this process and one forked from it
    (each takes the next job not taken, so a job's index is how many were taken before it);
    ``starting(index)`` is called in this process before each of its own jobs. The fork
    inherits what the jobs read (the results and the spill file's descriptor) without pickling
    it; only its jobs' results come back through a pipe. The objects made so far are frozen out
    of the garbage collector first, so that the child's collections do not copy every page of
    them. ``give_back``: after each job, collect the garbage and return freed memory to the
    system (for jobs that free much, like the corpus rules' plans; not after each of many small
    ones). None when the second process cannot be had (no shared semaphore, no pipe, no fork: a
    container without /dev/shm, a process limit): the caller runs the jobs itself."""
    import gc
    import multiprocessing

    context = multiprocessing.get_context("fork")
    try:
        taken = context.Value("i", 0)  # the index of the next job to take, for both processes
        reader, writer = context.Pipe(duplex=False)
    except OSError:
        return None

    def share(starting: Callable[[int], None] | None = None) -> dict[int, Any]:
        done: dict[int, Any] = {}
        while True:
            with taken.get_lock():
                index = taken.value
                taken.value += 1
            if index >= len(jobs):
                return done
            if starting is not None:
                starting(index)
            done[index] = jobs[index]()
            if give_back:
                _give_back_memory()  # what a job freed, before the next one (and the other process)

    parent = os.getpid()

    def child() -> None:
        _init_worker(parent)
        try:
            outcome: tuple[str, Any] = ("done", share())
        except BaseException as exc:  # reported to the parent, which raises it
            outcome = ("failed", exc)
        try:
            writer.send(outcome)
        except Exception as exc:  # an exception that does not pickle
            writer.send(("failed", RuntimeError(f"the second process: {exc}")))
        os._exit(0)

    gc.freeze()
    try:
        with stop_signals_blocked():
            process = context.Process(target=child, daemon=True)
            process.start()
    except OSError:
        reader.close()
        return None
    finally:
        gc.unfreeze()
        writer.close()
    try:
        mine = share(starting)
        try:
            status, theirs = reader.recv()
        except EOFError:
            raise RuntimeError("the second process ended before its jobs were "
                               f"done (exit status {process.exitcode})") from None
    finally:
        if process.is_alive() and process.exitcode is None:
            process.join(timeout=1)
            if process.is_alive():
                process.terminate()
        process.join()
        reader.close()
    if status != "done":
        raise theirs
    done = {**mine, **theirs}
    return [done[index] for index in range(len(jobs))]


def _stop_pool(pool: Any) -> None:
    """Ctrl-C, SIGTERM or an error: end the workers now (they ignore SIGINT, and the interpreter's
    exit would otherwise wait for them to finish their files), then wait for the pool's manager
    thread, which marks the unfinished futures broken and exits. No future is cancelled first:
    the manager thread would then fail on a cancelled one (``InvalidStateError`` traceback).

    A worker ended while it was sending a result leaves half a message in the result pipe, and
    the manager thread waiting for the rest forever (this process holds the pipe's write end
    too, so it never reads an end of file): once the workers are gone, that write end is closed,
    so the read ends and the pool is seen broken (seen as a hang of the suite, 1 run in ~10)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None and all(not process.is_alive() for process in processes):
        with contextlib.suppress(Exception):
            writer.close()
    pool.shutdown(wait=True)


def _init_worker(parent: int | None = None) -> None:
    """Signals of a worker: Ctrl-C is the parent's to handle, SIGTERM ends it (also when the
    parent dies). It keeps no state: the work brings its settings."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # Pool.terminate() and the parent's death
    _end_with_parent(parent)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it forked us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _end_with_parent(parent: int | None) -> None:
    """On Linux, ask the kernel for SIGTERM when the parent dies, even by SIGKILL (otherwise an
    orphaned worker would wait for work forever); if it has already died, end now."""
    import sys

    if not sys.platform.startswith("linux") or parent is None:
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)
