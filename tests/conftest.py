from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

# the result cache's per-user key (validators.cache): never the real one in ~/.cache
os.environ["CORPUS_VALIDATE_KEY_DIR"] = tempfile.mkdtemp(prefix="cv-test-key-")

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample-corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"
# CI sets it (.ci/run): the tests marked slow run there, and are left out of a local run
RUN_SLOW_ENV = "CORPUS_VALIDATORS_RUN_SLOW"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true",
                     help=f"also run the tests marked slow (as CI does; or {RUN_SLOW_ENV}=1)")


def _run_slow(config: pytest.Config) -> bool:
    """Slow tests run when asked for (--run-slow, the variable, or a -m expression that names
    ``slow`` or ``browser``: such a selection decides by itself)."""
    expression = config.getoption("markexpr") or ""
    return bool(config.getoption("--run-slow") or os.environ.get(RUN_SLOW_ENV, "") not in ("", "0")
                or "slow" in expression or "browser" in expression)


def pytest_report_header(config: pytest.Config) -> str:
    if _run_slow(config):
        return "slow tests: included"
    return f"slow tests: left out (--run-slow or {RUN_SLOW_ENV}=1 runs them, as CI does)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _run_slow(config):
        return
    if os.environ.get("CORPUS_VALIDATORS_REQUIRE_BROWSER") == "1":  # CI (.ci/run): all or nothing
        raise pytest.UsageError(f"CI requires every test: set {RUN_SLOW_ENV}=1 (as .ci/run does)")
    slow = [item for item in items
            if item.get_closest_marker("slow") and not _named_on_the_command_line(item, config)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        left_out = set(slow)
        items[:] = [item for item in items if item not in left_out]


def _named_on_the_command_line(item: pytest.Item, config: pytest.Config) -> bool:
    """``pytest tests/test_x.py::test_slow_one`` runs that test, slow or not."""
    for arg in config.args:
        path, _, name = arg.partition("::")
        if name and Path(path).resolve() == item.path and \
                item.nodeid.partition("::")[2].startswith(name):
            return True
    return False


def load_script(path: Path, name: str) -> ModuleType:
    """A script that is not a package module (a benchmark's generator, a data folder's measure.py),
    imported by path so the tests use the very code that prints the README's numbers."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus_generator() -> ModuleType:
    """benchmarks/generate_corpus.py: the generated corpora of the tests."""
    return load_script(REPO / "benchmarks" / "generate_corpus.py", "generate_corpus")


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None,
            env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``corpus-validate ARGS`` as a user runs it (exit code, stdout, stderr), but in this process:
    ``validators.cli.main`` with its own standard streams, working directory (default: the
    repository) and environment (``env`` replaces it, as ``subprocess.run(env=)`` does), all
    restored afterwards. A subprocess costs a second of start-up; the few tests that need a real
    process (signals, the console script, executors, what a fresh interpreter imports) use
    :func:`run_cli_process`."""
    from validators.cli import main

    stdin, stdout, stderr = _byte_backed_stream(input or ""), _byte_backed_stream(), _byte_backed_stream()
    with _isolated_process_state(cwd or REPO, env, stdin, stdout, stderr):
        try:
            code = main(list(args))
        except SystemExit as exc:  # what the interpreter makes of it
            code = _exit_status(exc.code, stderr)
        except Exception:  # uncaught (only with --debug): a traceback and exit 1, as in a process
            traceback.print_exc(file=stderr)
            code = 1
    return subprocess.CompletedProcess(["corpus-validate", *args], code, _text_of(stdout),
                                       _text_of(stderr))


def run_cli_process(*args: str, cwd: Path | None = None, input: str | None = None,
                    env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m validators ARGS`` in a real subprocess: the end-to-end layer (exit status and
    stderr of a fresh interpreter, signal handlers, worker processes, imports at start-up)."""
    return subprocess.run([sys.executable, "-m", "validators", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, input=input, timeout=600,
                          env=None if env is None else _with_test_key(env))


def _with_test_key(env: Mapping[str, str]) -> dict[str, str]:
    """A replaced environment still names the tests' own key folder: a run must never create or
    read the real ~/.cache/corpus-validators (its key, its derived tables)."""
    return {"CORPUS_VALIDATE_KEY_DIR": os.environ["CORPUS_VALIDATE_KEY_DIR"], **env}


def _byte_backed_stream(text: str = "") -> io.TextIOWrapper:
    """A UTF-8 text stream over bytes, like a pipe's ``sys.stdout`` (``main`` reconfigures its
    error handler, and what it writes is encoded exactly as in a process)."""
    return io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", newline="\n")


def _text_of(stream: io.TextIOWrapper) -> str:
    """What ``subprocess.run(text=True)`` would have read: decoded, universal newlines."""
    stream.flush()
    data = stream.buffer.getvalue()  # type: ignore[attr-defined]
    return data.decode().replace("\r\n", "\n").replace("\r", "\n")


def _exit_status(code: object, stderr: io.TextIOWrapper) -> int:
    """``raise SystemExit(code)`` as the interpreter reports it: None is 0, a message is printed
    and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    stderr.write(f"{code}\n")
    return 1


@contextmanager
def _isolated_process_state(cwd: Path, env: Mapping[str, str] | None, stdin: io.TextIOWrapper,
                            stdout: io.TextIOWrapper, stderr: io.TextIOWrapper) -> Iterator[None]:
    """Swap in the streams, working directory and environment of one command-line run; restore
    them (and forget what the CLI cached from files) whatever happens. Warnings are shown on the
    run's stderr under a fresh interpreter's filters, so a test that wants a clean stderr still
    sees one."""
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    try:
        if env is not None:
            replaced = _with_test_key(env)
            os.environ.clear()
            os.environ.update(replaced)
        os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
        with warnings.catch_warnings():
            _fresh_interpreter_warning_filters()
            warnings.showwarning = _show_warning_on_stderr
            yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)
        _forget_file_caches()


def _fresh_interpreter_warning_filters() -> None:
    """Python's default filters (``python -W`` unset): only DeprecationWarning in ``__main__``,
    never Pending/Import/Resource warnings; everything else once per location."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def _show_warning_on_stderr(message: Warning | str, category: type[Warning], filename: str,
                            lineno: int, file: object = None, line: str | None = None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _forget_file_caches() -> None:
    """State the CLI keeps between calls that depends on a file's content rather than its
    arguments: a lexicon is cached by path, and a test may rewrite it between two runs."""
    from validators.lexicons import load_lexicon

    load_lexicon.cache_clear()


def check_json(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    proc = run_cli("check", "--format", "json", *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    for f in SAMPLE.glob("*.txt"):
        (target / f.name).write_bytes(f.read_bytes())
    return target
