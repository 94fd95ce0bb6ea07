"""Extracted tables (issue 5): `extract`, the pandera schemas, their YAML and README documentation,
and properties on generated annotated documents (extract → validate; extract → CSV/Parquet →
check-table round trips)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, SAMPLE, run_cli
from hypothesis import HealthCheck, given, settings
from strategies import AnnotatedDocument, annotated_documents, corpora, findings_tables

from validators.config import Config, build_ruleset
from validators.discover import discover
from validators.load import decode
from validators.tables import FAILURE_KINDS, TABLES
from validators.tables.cross_table import Reference
from validators.tables.csv_positions import render_csv
from validators.tables.extract import build_frames, document_rows, extract_corpus, frame
from validators.tables.reading import frame_data, parse_csv_text, read_table
from validators.tables.schemas import COLUMNS, MODELS, markdown_tables, schema_of, schema_yaml
from validators.tables.validate import validate

RULESET = build_ruleset(Config())
ANNOTATED = "000_c48a539151d484c8.txt"
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def sample_extraction():
    return extract_corpus(discover([str(SAMPLE)]), RULESET)


def test_sample_spans_table_holds_the_70_cand_and_12_a_spans_and_6_pairs(sample_extraction) -> None:
    spans = sample_extraction.frames["spans"]
    mine = spans[spans["doc_id"] == ANNOTATED]
    assert len(mine) == len(spans) == 82
    assert mine["tag"].value_counts().to_dict() == {"cand": 70, "a": 12}
    assert list(mine["span_id"]) == list(range(82))
    pairs = sample_extraction.frames["pairs"]
    assert len(pairs) == 6 and set(pairs["doc_id"]) == {ANNOTATED}
    # every <a> span belongs to one of the 6 pairs, as first or second
    a_spans = mine[mine["tag"] == "a"]
    assert a_spans["pair_id"].notna().all()
    assert sorted(a_spans["role"].value_counts().items()) == [("first", 6), ("second", 6)]
    first = pairs.iloc[0]
    assert (first["first_text"], first["second_text"]) == ("不仅", "也")
    documents = sample_extraction.frames["documents"].set_index("doc_id")
    assert documents.loc[ANNOTATED, ["spans", "cand", "a", "pairs"]].tolist() == [82, 70, 12, 6]
    assert documents["annotated"].sum() == 1 and len(documents) == 5
    assert documents.loc["001_1e269361cd1d25e8.txt", "script"] == "traditional"


def test_span_offsets_point_at_the_span_text_in_the_plain_text(sample_extraction) -> None:
    plain = sample_extraction.plain_texts[ANNOTATED]
    for row in sample_extraction.frames["spans"].itertuples():
        assert plain[row.start:row.end] == row.text


def test_extracted_tables_pass_their_schemas_and_cross_checks(sample_extraction) -> None:
    frames = sample_extraction.frames
    ref = Reference(sample_extraction.plain_texts, spans=frames["spans"], pairs=frames["pairs"])
    for table in TABLES:
        data = frame_data(table, frames[table], f"{table}.csv")
        assert validate(data, ref if table != "findings" else None) == [], table
    assert len(frames["findings"]) == len(sample_extraction.findings)


def test_extract_cli_writes_csv_and_parquet_tables(tmp_path: Path) -> None:
    for as_format in ("csv", "parquet"):
        out = tmp_path / as_format
        proc = run_cli("extract", str(SAMPLE), "--out", str(out), "--as", as_format)
        assert proc.returncode == 0, proc.stderr
        assert "0 schema finding(s)" in proc.stdout
        for table in TABLES:
            assert (out / f"{table}.{as_format}").is_file()
        read = pd.read_csv if as_format == "csv" else pd.read_parquet
        spans = read(out / f"spans.{as_format}")
        assert spans["tag"].value_counts().to_dict() == {"cand": 70, "a": 12}
        assert len(read(out / f"pairs.{as_format}")) == 6
        assert len(read(out / f"documents.{as_format}")) == 5


def test_extract_cli_json_and_usage_errors(tmp_path: Path) -> None:
    proc = run_cli("extract", str(SAMPLE), "--out", str(tmp_path / "out"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["tables"]["spans"]["rows"] == 82 and payload["tables"]["pairs"]["rows"] == 6
    assert payload["findings"] == []
    for args in (("extract", str(SAMPLE)), ("extract", "nonexistent", "--out", str(tmp_path)),
                 ("extract", str(SAMPLE), "--out", str(tmp_path), "--as", "xlsx")):
        proc = run_cli(*args)
        assert proc.returncode == 2, args
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_plain_check_does_not_import_pandas_or_pandera() -> None:
    code = ("import sys, io, contextlib\nfrom validators.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['check', {str(SAMPLE)!r}, '--format', 'json'])\n"
            "print(sorted(m for m in ('pandas', 'pandera', 'pyarrow') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          timeout=300)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr


def test_models_declare_the_extracted_columns_in_order() -> None:
    assert tuple(MODELS) == TABLES
    for table in TABLES:
        assert tuple(schema_of(table).columns) == COLUMNS[table]
        assert MODELS[table].__doc__


def test_tables_take_their_dtypes_from_the_models_by_panderas_coercion() -> None:
    """A CSV table and an extracted one have the model's dtype in every column: pandera's
    coercion (``coerce = True``) makes them, from cells as tables write them."""
    from pandera.engines.pandas_engine import Engine

    def dtypes(df: pd.DataFrame) -> dict[str, str]:
        return {name: str(Engine.dtype(dtype)) for name, dtype in df.dtypes.items()}

    for table in TABLES:
        assert schema_of(table).coerce, table
        wanted = {name: str(column.dtype) for name, column in schema_of(table).columns.items()}
        header = ",".join(COLUMNS[table])
        data = parse_csv_text(header + "\n", table, f"{table}.csv")
        assert data.frame is not None
        assert dtypes(data.frame) == wanted, table
        assert dtypes(frame(table, [])) == wanted, table
    row = "d.txt,d.txt,3.0,1,1,1,utf-8,True,lf,none,FALSE,0,0,0,0," + "0" * 64
    data = parse_csv_text(",".join(COLUMNS["documents"]) + "\n" + row + "\n", "documents", "d.csv")
    assert validate(data) == []
    assert data.frame is not None
    assert (data.frame.at[1, "bytes"], data.frame.at[1, "bom"], data.frame.at[1, "annotated"]) == (
        3, True, False)


def test_empty_tables_keep_their_dtypes_and_pass() -> None:
    for table in TABLES:
        data = frame_data(table, frame(table, []), table)
        assert validate(data) == []


def test_schema_yaml_files_are_generated_from_the_models() -> None:
    import pandera.pandas as pa

    for table in TABLES:
        path = REPO / "schemas" / f"{table}.yaml"
        assert path.read_text(encoding="utf-8") == schema_yaml(table), (
            f"{path} is stale: run `python tools/update_table_docs.py`")
        loaded = pa.DataFrameSchema.from_yaml(path.read_text(encoding="utf-8"))
        assert list(loaded.columns) == list(COLUMNS[table])
        assert [c.name for c in loaded.checks] == [c.name for c in schema_of(table).checks]


def test_yaml_schema_validates_like_the_model(sample_extraction) -> None:
    """The serialized schema is the real one: it accepts the extracted spans, rejects end <= start."""
    import pandera.errors
    import pandera.pandas as pa

    loaded = pa.DataFrameSchema.from_yaml(schema_yaml("spans"))
    spans = sample_extraction.frames["spans"]
    loaded.validate(spans)
    broken = spans.copy()
    broken.loc[0, "end"] = broken.loc[0, "start"]
    with pytest.raises(pandera.errors.SchemaError):
        loaded.validate(broken)


def test_readme_documents_every_schema_as_generated() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- tables:start -->\n(.*?)<!-- tables:end -->", readme, re.S)
    assert block, "README lacks the tables:start/tables:end markers"
    assert block.group(1) == markdown_tables(), (
        "README table documentation is stale: run `python tools/update_table_docs.py`")
    for kind in FAILURE_KINDS:
        (rule,) = [r for r in RULESET if r.check.name == "table_schema" and r.options.failure == kind]
        assert f"`{rule.id}`" in readme


def test_every_schema_rule_says_why_and_where_its_examples_fail() -> None:
    for rule in RULESET:
        if rule.check.name == "table_schema":
            assert rule.why, rule.id
            assert all(isinstance(e, dict) and {"line", "column"} <= set(e)
                       for e in rule.tests["fail"]), rule.id


def test_the_table_schema_check_type_lives_beside_the_tables() -> None:
    from validators.checks import load_check_types

    assert load_check_types()["table_schema"].__module__ == "validators.tables.table_schema"
    assert not (REPO / "validators" / "checks" / "table_schema.py").exists()


SPANS_HEADER = "doc_id,span_id,tag,text,start,end,line,column,sentence,pair_id,role\n"


def _check_table(tmp_path: Path, config: str, *args: str) -> dict:
    (tmp_path / "spans.csv").write_text(SPANS_HEADER + "d.txt,0,cnad,但,0,1,1,1,0,,\n"
                                        "d.txt,0,cand,而,2,3,1,10,0,,\n", encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text(config, encoding="utf-8")
    proc = run_cli("check-table", str(tmp_path / "spans.csv"), "--config",
                   str(tmp_path / "corpus-validate.yaml"), "--format", "json", *args)
    assert proc.returncode == 1, proc.stderr  # (every caller's table has findings)
    return json.loads(proc.stdout)


def test_a_schema_rule_of_a_project_rule_file_reports_its_failure_kind(tmp_path: Path) -> None:
    """SCH rule ids come from the rule files: a project's own table_schema rule reports the kind
    its ``failure`` option names, only in the tables its ``schema`` option names."""
    def rule(name: str, severity: str, schema: str, fail: str, line: int) -> dict:
        return {"name": name, "check": "table_schema", "severity": severity,
                "message": "house: {where}", "description": f"A key used twice ({name}), as "
                "the house style reports it.", "options": {"failure": "duplicate", "schema": schema},
                "tests": {"pass": [fail.split("\n")[0] + "\n"],
                          "fail": [{"text": fail, "line": line, "column": 3}]}}

    spans = SPANS_HEADER + "d,0,cand,但,0,1,1,1,0,,\nd,0,cand,但,2,3,1,9,0,,\n"
    (tmp_path / "house.yaml").write_text(yaml.safe_dump({"rules": {
        "SCH101": rule("house-duplicate-span", "warning", "spans", spans, 3),
        "SCH102": rule("house-duplicate-pair", "info", "pairs", "doc_id,pair_id\nd,0\nd,0\n", 3),
    }}, allow_unicode=True), encoding="utf-8")
    report = _check_table(tmp_path, "rule_files: [house.yaml]\n")
    found = sorted((f["rule"], f["row"], f["field"], f["severity"]) for f in report["findings"])
    assert found == [("SCH005", 1, "tag", "error"), ("SCH006", 2, "span_id", "error"),
                     ("SCH101", 2, "span_id", "warning")]
    assert next(f["message"] for f in report["findings"] if f["rule"] == "SCH101") == (
        "house: row 2, column 'span_id'")


def test_a_failure_kind_no_enabled_rule_names_is_not_reported(tmp_path: Path) -> None:
    report = _check_table(tmp_path, "rules:\n  SCH006: off\n")
    assert [(f["rule"], f["row"]) for f in report["findings"]] == [("SCH005", 1)]


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab", "junit"])
def test_check_table_prints_with_the_reporters_of_check(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "spans.csv").write_text(SPANS_HEADER + "d.txt,0,cnad,但,0,1,1,1,0,,\n",
                                        encoding="utf-8")
    proc = run_cli("check-table", str(tmp_path / "spans.csv"), "--format", fmt)
    assert proc.returncode == 1, proc.stderr
    table = (tmp_path / "spans.csv").as_posix()
    if fmt == "sarif":
        (result,) = json.loads(proc.stdout)["runs"][0]["results"]
        assert result["ruleId"] == "SCH005"
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"], region["endColumn"]) == (2, 9, 13)
    elif fmt == "gitlab":
        (issue,) = json.loads(proc.stdout)
        assert issue["check_name"] == "SCH005" and issue["location"]["lines"]["begin"] == 2
    elif fmt == "junit":
        assert 'type="SCH005"' in proc.stdout and proc.stdout.startswith("<?xml")
    else:
        assert proc.stdout.startswith(f"::error file={table},line=2,col=9,endLine=2,endColumn=13,")
    # the text format is check's own headline
    text = run_cli("check-table", str(tmp_path / "spans.csv")).stdout.splitlines()[0]
    assert text == f"{table}:2:9: SCH005 [error] row 1, column 'tag': 'cnad' is not one of: cand, a"


def test_schema_rules_never_run_in_a_corpus_check() -> None:
    assert all(not r.id.startswith("SCH") for r in RULESET.document_rules() + RULESET.corpus_rules())
    proc = run_cli("rules", "explain", "SCH006")
    assert proc.returncode == 0 and "duplicate-key" in proc.stdout and "Fails:" in proc.stdout


# ---------------------------------------------------------------------------------------------
# properties


def _extract(corpus: dict[str, AnnotatedDocument]) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    rows = [document_rows(decode(name, doc.text.encode("utf-8")), name)
            for name, doc in sorted(corpus.items())]
    return build_frames(rows, []), {r.document["doc_id"]: r.plain_text for r in rows}


def _reference(frames: dict[str, pd.DataFrame], texts: dict[str, str]) -> Reference:
    return Reference(texts, spans=frames["spans"], pairs=frames["pairs"])


@PROPERTY
@given(corpora())
def test_extract_then_validate_never_fails_on_valid_documents(corpus) -> None:
    frames, texts = _extract(corpus)
    for table in ("documents", "spans", "pairs"):
        assert validate(frame_data(table, frames[table], table), _reference(frames, texts)) == []
    spans = frames["spans"]
    for name, doc in corpus.items():
        mine = spans[spans["doc_id"] == name]
        assert list(zip(mine["tag"], mine["text"], strict=True)) == doc.spans
        pairs = frames["pairs"][frames["pairs"]["doc_id"] == name]
        assert list(zip(pairs["first_text"], pairs["second_text"], strict=True)) == doc.pairs


def _same(original: pd.DataFrame, data) -> None:
    assert data.frame is not None
    pd.testing.assert_frame_equal(data.frame.reset_index(drop=True), original.reset_index(drop=True))


@PROPERTY
@given(corpora())
def test_extract_csv_check_table_round_trip(corpus) -> None:
    frames, texts = _extract(corpus)
    for table in ("documents", "spans", "pairs"):
        data = parse_csv_text(render_csv(frames[table]), table, f"{table}.csv")
        assert validate(data, _reference(frames, texts)) == []
        _same(frames[table], data)


@PROPERTY
@given(corpus=corpora())
def test_extract_parquet_check_table_round_trip(tmp_path_factory, corpus) -> None:
    frames, texts = _extract(corpus)
    folder = tmp_path_factory.mktemp("parquet")
    for table in ("documents", "spans", "pairs"):
        buffer = io.BytesIO()
        frames[table].to_parquet(buffer, index=False)
        path = folder / f"{table}.parquet"
        path.write_bytes(buffer.getvalue())
        data = read_table(path, table)
        assert data.source_format == "parquet"
        assert validate(data, _reference(frames, texts)) == []
        _same(frames[table], data)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=findings_tables())
def test_findings_tables_from_pandera_column_strategies_round_trip(tmp_path_factory, table) -> None:
    """Arbitrary text (commas, quotes, line breaks, control characters) survives CSV and Parquet."""
    assert validate(frame_data("findings", table, "findings")) == []
    data = parse_csv_text(render_csv(table), "findings", "findings.csv")
    assert validate(data) == []
    _same(table, data)
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    path = tmp_path_factory.mktemp("findings") / "findings.parquet"
    path.write_bytes(buffer.getvalue())
    data = read_table(path, "findings")
    assert validate(data) == []
    _same(table, data)


@PROPERTY
@given(annotated_documents())
def test_generated_documents_are_valid_for_the_tag_and_pair_rules(doc) -> None:
    """The strategy's documents are what they claim: no TAG or PAIR finding."""
    from validators.engine import check_document

    result = check_document(decode("g.txt", doc.text.encode("utf-8")), RULESET)
    assert [f.rule for f in result.findings if f.category in ("TAG", "PAIR")] == []


def test_same_relative_path_under_two_roots_keeps_ids_unique(tmp_path: Path) -> None:
    for root, name in (("r1", ANNOTATED), ("r2", "001_1e269361cd1d25e8.txt")):
        (tmp_path / root).mkdir()
        (tmp_path / root / "x.txt").write_bytes((SAMPLE / name).read_bytes())
    extraction = extract_corpus(discover([str(tmp_path / "r1"), str(tmp_path / "r2")]), RULESET)
    frames = extraction.frames
    ids = list(frames["documents"]["doc_id"])
    assert len(set(ids)) == 2 and all(i.endswith("/x.txt") for i in ids)
    ref = Reference(extraction.plain_texts, spans=frames["spans"], pairs=frames["pairs"])
    for table in ("documents", "spans", "pairs"):
        assert validate(frame_data(table, frames[table], table), ref) == []
