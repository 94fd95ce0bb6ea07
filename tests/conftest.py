from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

# the result cache's per-user key (validators.cache): never the real one in ~/.cache
os.environ["CORPUS_VALIDATE_KEY_DIR"] = tempfile.mkdtemp(prefix="cv-test-key-")

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample-corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"


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


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess (exit codes and stderr as a user sees)."""
    return subprocess.run([sys.executable, "-m", "validators", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, input=input, timeout=600)


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
