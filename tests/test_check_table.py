"""`corpus-validate check-table` (issue 5): hand-corrupted tables are reported row by row, with
stable SCH ids; bad files are findings, never tracebacks; exit codes 0/1/2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.cli import main

ANNOTATED = "000_c48a539151d484c8.txt"


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tables")
    assert main(["extract", str(SAMPLE), "--out", str(out)]) == 0
    return out


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code, out, err = cli(capsys, "check-table", *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def failures(report: dict) -> set[tuple[str, int | None, str | None]]:
    return {(f["rule"], f["row"], f["field"]) for f in report["findings"]}


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def corrupt(rows: list[list[str]], *faults: str) -> list[list[str]]:
    """Corrupt a spans table by hand. Row numbers count data rows (rows[3] is row 3)."""
    rows = [list(r) for r in rows]
    col = {name: i for i, name in enumerate(rows[0])}
    for fault in faults:
        if fault == "swap":            # row 3: start and end swapped
            r = rows[3]
            r[col["start"]], r[col["end"]] = r[col["end"]], r[col["start"]]
        elif fault == "tag":           # row 5: an unknown tag
            rows[5][col["tag"]] = "cnad"
        elif fault == "duplicate":     # row 8 takes the span id of row 7
            rows[8][col["span_id"]] = rows[7][col["span_id"]]
        elif fault == "text":          # row 12: another connective of the same length
            rows[12][col["text"]] = "但" if rows[12][col["text"]] != "但" else "而"
        elif fault == "longer":        # row 10: a text longer than its offsets
            rows[10][col["text"]] += "是"
    if "missing" in faults:            # the column 'line' is gone
        index = col["line"]
        rows = [r[:index] + r[index + 1:] for r in rows]
    return rows


EXPECTED = {
    "swap": {("SCH008", 3, "end")},
    "tag": {("SCH005", 5, "tag")},
    "duplicate": {("SCH006", 8, "span_id")},
    "missing": {("SCH002", None, "line")},
    "longer": {("SCH009", 10, "text")},
}


def test_uncorrupted_tables_exit_0(tables: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for table in ("documents", "spans", "pairs", "findings"):
        code, out, _ = cli(capsys, "check-table", str(tables / f"{table}.csv"), "--schema", table)
        assert code == 0, out
        code, out, _ = cli(capsys, "check-table", str(tables / f"{table}.csv"),
                           "--corpus", str(SAMPLE))
        assert code == 0, out
    code, out, _ = cli(capsys, "check-table", str(tables / "spans.csv"))
    assert "82 row(s) checked against the spans schema: 0 finding(s)" in out
    assert "Not checked without --corpus: the span text against" in out


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_each_hand_corruption_is_named_with_its_row(tables: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    fault: str) -> None:
    bad = write_rows(tmp_path / "spans.csv", corrupt(rows_of(tables / "spans.csv"), fault))
    code, report = check_json(capsys, str(bad), "--schema", "spans")
    assert code == 1
    assert failures(report) == EXPECTED[fault]


def test_all_corruptions_at_once_are_each_reported_and_nothing_else(
        tables: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    faults = ("swap", "tag", "duplicate", "missing", "longer", "text")
    bad = write_rows(tmp_path / "spans.csv", corrupt(rows_of(tables / "spans.csv"), *faults))
    expected = set().union(*EXPECTED.values())
    code, report = check_json(capsys, str(bad), "--schema", "spans")
    assert code == 1 and failures(report) == expected
    assert report["table"]["not_checked"]
    # a text of the right length but the wrong characters needs the documents
    code, report = check_json(capsys, str(bad), "--schema", "spans", "--corpus", str(SAMPLE))
    assert code == 1 and failures(report) == expected | {("SCH009", 12, "text")}
    mismatch = next(f for f in report["findings"] if f["row"] == 12)
    assert "but the document has" in mismatch["message"]
    assert report["table"]["not_checked"] == []


def test_text_output_names_row_and_column_and_marks_the_cell(
        tables: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_rows(tmp_path / "spans.csv", corrupt(rows_of(tables / "spans.csv"), "swap"))
    code, out, _ = cli(capsys, "check-table", str(bad), "--schema", "spans")
    assert code == 1
    lines = out.splitlines()
    source = rows_of(bad)[3]
    end_cell_column = len(",".join(source[:5])) + 2   # 1-based column of the 'end' cell
    assert lines[0] == (f"{bad.as_posix()}:4:{end_cell_column}: SCH008 [error] row 3, column "
                        f"'end': start < end does not hold (start={source[4]}, end={source[5]})")
    assert lines[1].endswith("| " + ",".join(source))
    caret_line = lines[2].split("| ", 1)[1]
    assert caret_line.strip() == "^" * len(source[5])
    assert "1 finding(s) (1 error(s)" in out


def test_the_real_entry_point_exit_codes(tables: Path, tmp_path: Path) -> None:
    bad = write_rows(tmp_path / "spans.csv", corrupt(rows_of(tables / "spans.csv"), "tag"))
    assert run_cli("check-table", str(tables / "spans.csv"), "--schema", "spans").returncode == 0
    proc = run_cli("check-table", str(bad), "--schema", "spans")
    assert proc.returncode == 1 and "row 5, column 'tag': 'cnad' is not one of: cand, a" in proc.stdout
    proc = run_cli("check-table", str(tmp_path / "nope.csv"), "--schema", "spans")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


BAD_FILES = {
    "empty.csv": (b"", "SCH001", "the file is empty"),
    "binary.csv": (b"\x00\x01\x02PK\x03\x04", "SCH001", "NUL bytes"),
    "gbk.csv": ("doc_id,span_id\n但,1\n".encode("gbk"), "SCH001", "not a UTF-8 CSV file"),
    "fake.parquet": (b"doc_id,span_id\nd,1\n", "SCH001", "not a Parquet file"),
    "truncated.parquet": (b"PAR1\x00\x00\x00", "SCH001", "not a Parquet file"),
    "unterminated.csv": ('doc_id,span_id,tag,text,start,end,line,column,sentence,pair_id,role\n'
                         '"d.txt,0,cand,但,0,1,1,1,0,,\n'.encode(), "SCH001", "never closed"),
    "ragged.csv": ("doc_id,span_id,tag,text,start,end,line,column,sentence,pair_id,role\n"
                   "d.txt,0,cand,但,0,1,1,1,0\n".encode(), "SCH001", "9 cells, the header 11"),
    "not-a-number.csv": ("doc_id,span_id,tag,text,start,end,line,column,sentence,pair_id,role\n"
                         "d.txt,0,cand,但,zero,1,1,1,0,,\n".encode(), "SCH003",
                         "'zero' is not an integer"),
    "empty-cell.csv": (b"doc_id,span_id,tag,text,start,end,line,column,sentence,pair_id,role\n"
                       b"d.txt,0,cand,,0,1,1,1,0,,\n", "SCH004", "empty cell"),
    "headerless.csv": (b"d.txt,0,cand,x,0,1,1,1,0,,\n", "SCH001", "not a header"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_findings_not_tracebacks(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               name: str) -> None:
    data, rule, words = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, report = check_json(capsys, str(path), "--schema", "spans")
    assert code == 1
    assert [f["rule"] for f in report["findings"]] == [rule]
    assert words in report["findings"][0]["message"]


def test_header_only_table_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spans.csv"
    path.write_text("doc_id,span_id,tag,text,start,end,line,column,sentence,pair_id,role\n",
                    encoding="utf-8")
    code, report = check_json(capsys, str(path))
    assert code == 0 and report["table"]["rows"] == 0 and report["table"]["schema"] == "spans"


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unknown = tmp_path / "other.csv"
    unknown.write_text("a,b\n1,2\n", encoding="utf-8")
    for args in (("check-table", str(tmp_path / "missing.csv")), ("check-table", str(tmp_path)),
                 ("check-table", str(unknown)), ("check-table", str(unknown), "--schema", "cells")):
        code, _, err = cli(capsys, *args)
        assert code == 2, args
        assert err.count("\n") == 1 and err.startswith("corpus-validate: error:"), err


def test_corrupted_parquet_reports_the_same_rows(tables: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    spans = pd.read_csv(tables / "spans.csv", dtype={"pair_id": "Int64", "sentence": "Int64"})
    spans.loc[2, ["start", "end"]] = spans.loc[2, ["end", "start"]].to_numpy()  # row 3
    spans.loc[4, "tag"] = "cnad"                                                 # row 5
    path = tmp_path / "spans.parquet"
    spans.to_parquet(path, index=False)
    code, report = check_json(capsys, str(path), "--schema", "spans")
    assert code == 1 and report["table"]["format"] == "parquet"
    assert failures(report) == {("SCH008", 3, "end"), ("SCH005", 5, "tag")}
    assert {f["line"] for f in report["findings"]} == {4, 6}   # line = row + 1
    # a Parquet column of the wrong type is reported per cell, like a CSV cell
    spans = spans.astype({"start": "str"})
    spans.loc[6, "start"] = "x"
    spans.to_parquet(path, index=False)
    code, report = check_json(capsys, str(path), "--schema", "spans")
    assert ("SCH003", 7, "start") in failures(report)


def test_pairs_are_checked_against_the_spans_of_the_corpus(
        tables: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = rows_of(tables / "pairs.csv")
    col = {name: i for i, name in enumerate(rows[0])}
    rows[1][col["second_span"]] = "0"            # span 0 is a <cand> span, before the first part
    rows[2][col["sentence"]] = str(int(rows[2][col["sentence"]]) + 1)
    bad = write_rows(tmp_path / "pairs.csv", rows)
    code, report = check_json(capsys, str(bad), "--schema", "pairs")
    assert code == 1 and failures(report) == {("SCH008", 1, "second_span")}
    code, report = check_json(capsys, str(bad), "--schema", "pairs", "--corpus", str(SAMPLE))
    assert failures(report) == {("SCH008", 1, "second_span"), ("SCH010", 1, "second_span"),
                                ("SCH010", 2, "first_span"), ("SCH010", 2, "second_span")}
    message = next(f["message"] for f in report["findings"]
                   if f["rule"] == "SCH010" and f["row"] == 1)
    assert "it is a <cand> span, not <a>" in message


def test_documents_are_checked_against_their_files(tables: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    rows = rows_of(tables / "documents.csv")
    col = {name: i for i, name in enumerate(rows[0])}
    rows[2][col["bytes"]] = str(int(rows[2][col["bytes"]]) + 1)
    rows[3][col["doc_id"]] = "renamed.txt"
    bad = write_rows(tmp_path / "documents.csv", rows)
    code, report = check_json(capsys, str(bad))
    assert code == 0 and report["table"]["schema"] == "documents"
    code, report = check_json(capsys, str(bad), "--corpus", str(SAMPLE))
    assert code == 1
    assert failures(report) == {("SCH010", 2, "bytes"), ("SCH010", 3, "doc_id")}


def test_schema_severities_come_from_the_configuration(
        tables: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_rows(tmp_path / "spans.csv", corrupt(rows_of(tables / "spans.csv"), "duplicate"))
    config = tmp_path / "corpus-validate.yaml"
    config.write_text("rules:\n  SCH006: warning\n  SCH005: off\n", encoding="utf-8")
    code, report = check_json(capsys, str(bad), "--config", str(config))
    assert code == 0 and [f["severity"] for f in report["findings"]] == ["warning"]
    code, _, _ = cli(capsys, "check-table", str(bad), "--config", str(config), "--fail-on",
                     "warning")
    assert code == 1


def test_quoted_cells_with_commas_and_line_breaks_keep_their_positions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.DataFrame({"doc_id": ["a,b.txt", 'say "x".txt'], "span_id": [0, 0],
                          "tag": ["cand", "cnad"], "text": ["但", "而"], "start": [0, 3],
                          "end": [1, 4], "line": [1, 1], "column": [1, 4], "sentence": [0, 0],
                          "pair_id": [None, None], "role": [None, None]})
    path = tmp_path / "spans.csv"
    path.write_text(frame.to_csv(index=False, lineterminator="\r\n"), encoding="utf-8")
    code, report = check_json(capsys, str(path))
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["row"], finding["field"], finding["line"]) == (2, "tag", 3)
    raw_line = io.StringIO(path.read_text(encoding="utf-8")).readlines()[2]
    assert raw_line[finding["column"] - 1:finding["end_column"] - 1] == "cnad"


HEADER = "doc_id,span_id,tag,text,start,end,line,column,sentence,pair_id,role\n"
CSV_NOISE = st.text(alphabet=st.sampled_from(list('ab0129-.,"\r\n 但\ufeff<>')), max_size=120)


@settings(max_examples=100, deadline=None)
@given(body=CSV_NOISE, header=st.booleans())
def test_any_csv_text_gives_failures_never_an_exception(body: str, header: bool) -> None:
    from validators.tables.findings import to_findings
    from validators.tables.reading import parse_csv_text
    from validators.tables.validate import validate

    data = parse_csv_text((HEADER if header else "") + body, "spans", "t.csv")
    found = to_findings(data, validate(data), None)
    lines = data.text.split("\n")
    for finding, _ in found:
        assert 1 <= finding.line <= max(len(lines), 1)
        assert finding.column < finding.end_column


@settings(max_examples=40, deadline=None)
@given(blob=st.binary(max_size=200), suffix=st.sampled_from([".csv", ".parquet"]))
def test_any_bytes_give_failures_never_an_exception(tmp_path_factory: pytest.TempPathFactory,
                                                    blob: bytes, suffix: str) -> None:
    from validators.tables.reading import read_table
    from validators.tables.validate import validate

    path = tmp_path_factory.mktemp("blob") / f"table{suffix}"
    path.write_bytes(blob)
    failures = validate(read_table(path, "pairs"))
    # 200 random bytes are never a pairs table (its header names eleven columns): always said,
    # each failure one line that a reader can act on
    assert failures
    assert all(f.kind and f.detail and "\n" not in f.detail for f in failures)
