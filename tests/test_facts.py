"""One record of document facts (validators.facts) feeds the JSON summary, the HTML report and the
``documents``/``pairs`` tables: the same file gets the same encoding verdict, script and pair count
in each, whatever the configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GBK_TEXT = "全国同胞们，今天我们在这里隆重集会，<cand>但</cand>大家都很高兴。\n" * 3


def _corpus(tmp_path: Path, files: dict[str, bytes], config: str = "") -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True)
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    cfg = tmp_path / "corpus-validate.yaml"
    cfg.write_text(config or "fail_on: never\n", encoding="utf-8")
    return corpus, cfg


def _check(tmp_path: Path, corpus: Path, cfg: Path) -> tuple[dict, str]:
    """The JSON report and the HTML page of one ``check`` run."""
    page = tmp_path / "report.html"
    proc = run_cli("check", str(corpus), "--config", str(cfg), "--format", "json", "--no-cache",
                   "--html", str(page), cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), page.read_text(encoding="utf-8")


def _extract(tmp_path: Path, corpus: Path, cfg: Path) -> dict[str, pd.DataFrame]:
    out = tmp_path / "tables"
    proc = run_cli("extract", str(corpus), "--config", str(cfg), "--out", str(out), cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return {name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
            for name in ("documents", "pairs")}


def _distribution(page: str, key: str) -> dict[str, int]:
    block = re.search(rf'id="{key}-distribution">(.*?)</div>', page, re.S)
    assert block, key
    return {label: int(n) for label, n in
            re.findall(r'data-label="([^"]+)" data-count="(\d+)"', block.group(1))}


def _html_docs(page: str) -> dict[str, list]:
    """The report's documents with findings: path -> [path, counts, chars, script, encoding]."""
    data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert data
    return {d[0]: d for d in json.loads(data.group(1))["docs"]}


def _row(tables: dict[str, pd.DataFrame], name: str) -> dict[str, str]:
    documents = tables["documents"]
    rows = documents[documents["path"].str.endswith(name)].to_dict("records")
    assert len(rows) == 1, documents
    return rows[0]


def test_a_gbk_file_has_one_encoding_verdict_in_the_report_and_the_table(tmp_path: Path) -> None:
    corpus, cfg = _corpus(tmp_path, {"gbk.txt": GBK_TEXT.encode("gbk"),
                                     "ok.txt": "<cand>但</cand>好。\n".encode()})
    _, page = _check(tmp_path, corpus, cfg)
    verdict = _row(_extract(tmp_path, corpus, cfg), "gbk.txt")["encoding"]
    assert verdict == "not-utf-8"
    label = next(d[4] for p, d in _html_docs(page).items() if p.endswith("gbk.txt"))
    # the verdict of the table, with the guessed legacy encoding for the reader
    assert label == "not-utf-8 (GB18030/GBK)"
    assert _distribution(page, "encoding") == {"utf-8": 1, "not-utf-8 (GB18030/GBK)": 1}


def test_a_too_large_file_is_unreadable_in_the_report_and_the_table(tmp_path: Path) -> None:
    corpus, cfg = _corpus(tmp_path, {"big.txt": ("<cand>但</cand>好。\n" * 20).encode(),
                                     "ok.txt": "<cand>但</cand>好。\n".encode()},
                          "fail_on: never\nmax_file_bytes: 100\n")
    report, page = _check(tmp_path, corpus, cfg)
    assert any(f["rule"] == "ENC012" for f in report["findings"])
    assert _row(_extract(tmp_path, corpus, cfg), "big.txt")["encoding"] == "unreadable"
    assert _distribution(page, "encoding") == {"unreadable": 1, "utf-8": 1}


@pytest.mark.parametrize(("config", "expected"), [
    ("fail_on: never\n", "none"),  # SCR001's default min_chars is 3: one 這 classifies nothing
    ("fail_on: never\nrules:\n  SCR001: {options: {min_chars: 1}}\n", "traditional"),
])
def test_a_short_traditional_text_has_one_script_in_the_report_and_the_table(
        tmp_path: Path, config: str, expected: str) -> None:
    corpus, cfg = _corpus(tmp_path, {"short.txt": "這abc\n".encode()}, config)
    _, page = _check(tmp_path, corpus, cfg)
    assert _row(_extract(tmp_path, corpus, cfg), "short.txt")["script"] == expected
    assert _distribution(page, "script") == {expected: 1}


ONLY_PAIR002 = """rules:
  PAIR002:
    name: pair-crosses-sentence-end
    check: paired_markers
    severity: error
    message: "the pair {first}……{second} crosses a sentence end"
    description: Pairs stay inside one sentence.
    options: {problem: crosses_sentence, sentence_end: "。"}
    tests: {pass: ["<a>不仅</a>便宜，<a>也</a>好用。"], fail: ["<a>不仅</a>便宜。<a>也</a>好用。"]}
"""


@pytest.mark.parametrize("config", [
    "rules:\n  PAIR001: {options: {sentence_end: \"。\"}}\n",
    # a rule set without PAIR001: the run's sentence ends are PAIR002's, for the summary too
    "extends: none\nrule_files: [only-pair002.yaml]\n",
])
def test_configured_sentence_ends_change_the_pair_count_in_summary_and_table_alike(
        tmp_path: Path, config: str) -> None:
    # with the default ends (。！？!?) the ！ ends a sentence and the two markers do not pair
    files = {"p.txt": "<a>不仅</a>便宜！<a>也</a>好用。\n".encode()}
    default_corpus, default_cfg = _corpus(tmp_path / "default", files)
    report, _ = _check(tmp_path / "default", default_corpus, default_cfg)
    tables = _extract(tmp_path / "default", default_corpus, default_cfg)
    assert report["summary"]["pairs"] == len(tables["pairs"]) == 0
    assert _row(tables, "p.txt")["pairs"] == "0"

    corpus, cfg = _corpus(tmp_path / "configured", files, "fail_on: never\n" + config)
    (tmp_path / "configured" / "only-pair002.yaml").write_text(ONLY_PAIR002, encoding="utf-8")
    report, _ = _check(tmp_path / "configured", corpus, cfg)
    tables = _extract(tmp_path / "configured", corpus, cfg)
    assert report["summary"]["pairs"] == len(tables["pairs"]) == 1
    assert _row(tables, "p.txt")["pairs"] == "1"


# ---------------------------------------------------------------- the record itself

def test_facts_are_data_and_come_back_from_their_stats() -> None:
    from validators.cache import pack_result, unpack_result
    from validators.engine import DocumentResult
    from validators.facts import DocumentFacts, document_facts
    from validators.load import decode

    facts = document_facts(decode("a.txt", "<a>不仅</a>便宜，<a>也</a>好。<cand>但</cand>\r\n".encode()))
    assert (facts.pairs, facts.cand, facts.line_endings, facts.pair_texts) == (1, 1, "crlf", (("不仅…也", 1),))
    stats = facts.to_stats()
    assert DocumentFacts.from_stats(stats) == facts
    # the cache stores stats as data: a packed result reads back to the same facts
    result = unpack_result(pack_result(DocumentResult("a.txt", [], stats)))
    assert DocumentFacts.from_stats(result.stats) == facts


def _rules():
    """The default rule set, imported late so that the CLI tests above run on any tree."""
    from validators.config import build_ruleset, load_config

    return build_ruleset(load_config(None))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.lists(st.sampled_from(["這", "这", "說", "说", "<a>不仅</a>", "<a>也</a>", "<cand>但</cand>",
                              "，", "。", "！", "\n", "\r\n", "a"]), max_size=30)
    .map(lambda parts: "".join(parts).encode("utf-8")),
    st.sampled_from(["", "\ufeff"]).map(lambda bom: (bom + GBK_TEXT).encode("utf-8")),
    st.just(GBK_TEXT.encode("gbk")), st.just(b""), st.binary(max_size=40)))
def test_the_stats_and_the_documents_row_are_one_record(data: bytes) -> None:
    from validators.engine import check_document
    from validators.facts import DocumentFacts, document_facts
    from validators.load import decode
    from validators.tables.extract import document_rows

    doc = decode("d.txt", data)
    stats = check_document(doc, _rules()).stats
    facts = DocumentFacts.from_stats(stats)
    assert facts == document_facts(decode("d.txt", data))  # the default rules' thresholds and ends
    rows = document_rows(decode("d.txt", data), "d.txt")
    assert rows.document == facts.document_row("d.txt")
    assert facts.pairs == len(rows.pairs) and facts.spans == len(rows.spans)
    assert facts.encoding in ("utf-8", "not-utf-8", "binary", "unreadable")
    assert facts.lines == (len(doc.lines) if doc.readable and doc.text else 0)


# ---------------------------------------------------------------- the character scan, a fact

def test_the_character_scan_is_made_once_per_document_and_text() -> None:
    """Every character-level rule reads one scan of the raw text and one of the plain text (the
    same one when no tag was removed), made by the first rule that asks."""
    from validators.facts import char_scan, plain_char_scan
    from validators.load import decode

    raw = "大模型,应用。\n" * 200
    doc = decode("r.txt", raw.encode())
    scan = char_scan(doc)
    assert scan is not None and scan is char_scan(doc) and plain_char_scan(doc) is scan
    assert scan.text is doc.text and len(scan.values) == len(raw) and scan.line_count == 201
    tagged = decode("t.txt", ("<cand>但</cand>是,应用。\n" * 200).encode())
    plain = plain_char_scan(tagged)
    assert plain is not None and plain is plain_char_scan(tagged) and plain is not char_scan(tagged)
    assert plain.text is tagged.plain_text and len(plain.values) == len(tagged.plain_text)
    assert {key for key in tagged.cache if key[0] == "char_scan"} == {("char_scan", "raw"), ("char_scan", "plain")}
    assert char_scan(decode("b.txt", b"\xff\xfe" * 2000)) is None  # did not decode: no text to scan


def test_a_short_text_takes_the_scan_only_once_numpy_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-file check of a short file needs no numpy; a corpus run has it loaded anyway."""
    import sys

    from validators.facts import SCAN_ALONE_CHARS, SCAN_MIN_CHARS, scan_pays

    assert scan_pays("中" * SCAN_MIN_CHARS) and not scan_pays("中" * (SCAN_MIN_CHARS - 1))
    monkeypatch.delitem(sys.modules, "numpy")
    assert not scan_pays("中" * SCAN_MIN_CHARS) and not scan_pays(None)
    assert scan_pays("中" * SCAN_ALONE_CHARS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"\r\n", b"\n", b"\r", b"a", "中".encode()]), max_size=20).map(b"".join))
def test_line_ending_counts_without_a_carriage_return_take_the_short_way(data: bytes) -> None:
    from validators.facts import line_endings

    crlf = data.count(b"\r\n")
    assert line_endings(data) == {"crlf": crlf, "lf": data.count(b"\n") - crlf, "cr": data.count(b"\r") - crlf}
