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


def corpus_generator() -> ModuleType:
    """benchmarks/generate_corpus.py (not a package module): the generated corpora of the tests."""
    spec = importlib.util.spec_from_file_location("generate_corpus",
                                                  REPO / "benchmarks" / "generate_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
