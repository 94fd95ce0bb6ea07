"""The default lexicons are reproducible from their source and cover the sample annotation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SAMPLE

from validators.lexicons import load_lexicon
from validators.load import decode
from validators.pairing import pair_markers

LEXICONS = REPO / "rules" / "lexicons"


def test_lexicons_are_regenerated_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "tools" / "derive_lexicons.py"), "--out-dir",
                    str(tmp_path)], check=True, capture_output=True)
    for name in ("connectives.yaml", "paired-connectives.yaml"):
        assert (tmp_path / name).read_bytes() == (LEXICONS / name).read_bytes(), name


def test_lexicons_keep_the_attribution() -> None:
    for name in ("connectives.yaml", "paired-connectives.yaml", "paired-frames.yaml", "NOTICE.md"):
        text = (LEXICONS / name).read_text(encoding="utf-8")
        assert "acoli-repo/rdf4discourse" in text and "Apache" in text


def test_lexicons_cover_all_real_annotation_of_the_sample_corpus() -> None:
    words = load_lexicon(LEXICONS / "connectives.yaml").words
    pairs = load_lexicon(LEXICONS / "paired-frames.yaml").pairs
    for path in SAMPLE.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert set(re.findall(r"<cand>([^<]*)</cand>", text)) <= words
        doc = decode(path.name, path.read_bytes())
        found = {(p.first.text, p.second.text) for p in pair_markers(doc, "。！？!?").pairs}
        assert found <= pairs
    assert {("不仅", "也"), ("除了", "外"), ("不是", "而是"), ("但", "却")} <= pairs
