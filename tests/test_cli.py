"""The command line as a user meets it: exit codes 0/1/2, one-line errors, text and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import check_json, run_cli


def test_check_without_paths_runs_on_the_bundled_sample(tmp_path: Path) -> None:
    proc = run_cli("check", "--format", "json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["summary"]["documents"] == 5


def test_text_output_is_path_line_col_id_then_the_marked_line(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("第一句。\n他说<cand>但时至今日。\n", encoding="utf-8")
    proc = run_cli("check", str(doc), cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "doc.txt:2:3: TAG001 [error] <cand> is never closed in its line"
    assert lines[1].endswith("| 他说<cand>但时至今日。")
    # carets under <cand>: 他说 is 4 terminal columns wide, <cand> is 6
    assert lines[2].split("| ", 1)[1] == "    ^^^^^^"


def test_json_contract(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("<a>不仅</a>便宜。<a>也</a>好用。", encoding="utf-8")
    code, report = check_json(str(doc), cwd=tmp_path)
    assert code == 1 and report["version"] == 1
    finding = report["findings"][0]
    assert set(finding) == {"rule", "name", "category", "severity", "path", "line", "column",
                            "end_line", "end_column", "message", "context", "fingerprint"}
    assert (finding["rule"], finding["category"], finding["line"], finding["column"]) == \
        ("PAIR002", "PAIR", 1, 1)
    assert report["summary"]["by_severity"]["error"] == 1


def test_fail_on_controls_the_exit_code(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("<cand>大模型</cand>很好。", encoding="utf-8")  # LEX001 is a warning
    assert run_cli("check", str(doc), cwd=tmp_path).returncode == 0
    assert run_cli("check", str(doc), "--fail-on", "warning", cwd=tmp_path).returncode == 1
    assert run_cli("check", str(doc), "--fail-on", "never", cwd=tmp_path).returncode == 0


def test_usage_and_configuration_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    for args in (("check", "nonexistent-dir"), ("check", "--format", "xml"),
                 ("rules", "explain", "NOPE001"), ("check", "--config", "missing.yaml")):
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, args
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr


def test_malformed_rule_file_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_text(
        "rules:\n  TAG101:\n    name: no-latin\n    check: pattern\n    message: Latin {text}\n"
        "    description: No Latin letters in this corpus, ever, anywhere in the text.\n"
        "    options: {regex: '[A-Za-z]+', scope: plain_line}\n"
        "    tests: {pass: ['中文'], fail: ['中文']}\n", encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text("rule_files: [house.yaml]\n", encoding="utf-8")
    proc = run_cli("check", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2
    assert "house.yaml" in proc.stderr and "gives no finding" in proc.stderr


def test_user_rule_without_code_and_severity_override(tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_text(
        "rules:\n  TAG101:\n    name: no-latin\n    check: pattern\n    severity: warning\n"
        "    message: Latin letters {text}\n"
        "    description: No Latin letters in this corpus, ever, anywhere in the text.\n"
        "    options: {regex: '[A-Za-z]+', scope: plain_line}\n"
        "    tests: {pass: ['中文'], fail: ['中文AI']}\n", encoding="utf-8")
    (tmp_path / "corpus-validate.yaml").write_text(
        "extends: default\nrule_files: [house.yaml]\nrules:\n  TAG101: error\n  LEX001: off\n",
        encoding="utf-8")
    (tmp_path / "doc.txt").write_text("<cand>大模型</cand>和AI。", encoding="utf-8")
    code, report = check_json(str(tmp_path / "doc.txt"), cwd=tmp_path)
    assert code == 1
    assert [(f["rule"], f["severity"], f["column"]) for f in report["findings"]] == \
        [("TAG101", "error", 18)]  # raw columns count the tags


def test_gbk_and_binary_and_empty_files_are_findings_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "gbk.txt").write_bytes("第一行\n但是时至今日".encode("gbk"))
    (tmp_path / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "empty.txt").write_bytes(b"")
    code, report = check_json(str(tmp_path), cwd=tmp_path)
    assert code == 1
    by_path = {f["path"]: f for f in report["findings"] if f["category"] == "ENC"}
    assert by_path["gbk.txt"]["rule"] == "ENC001"
    assert (by_path["gbk.txt"]["line"], by_path["gbk.txt"]["column"]) == (1, 1)
    assert by_path["bin.txt"]["rule"] == "ENC002"
    assert by_path["empty.txt"]["rule"] == "ENC003"


def test_empty_folder_checks_nothing_and_passes(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    code, report = check_json("corpus", cwd=tmp_path)
    assert code == 0 and report["summary"]["documents"] == 0


def test_rules_explain_and_list() -> None:
    proc = run_cli("rules", "explain", "PAIR001")
    assert proc.returncode == 0 and "unpaired-pair-marker" in proc.stdout
    assert "Fails:" in proc.stdout
    listing = run_cli("rules", "list").stdout
    assert "TAG001" in listing and "PAIR004" in listing


def test_findings_of_one_rule_in_one_file_are_capped_with_an_exact_count(tmp_path: Path) -> None:
    doc = tmp_path / "brackets.txt"
    doc.write_text("<<>>" * 600, encoding="utf-8")  # 2400 stray brackets
    code, report = check_json(str(doc), "--no-cache", "--fail-on", "warning", cwd=tmp_path)
    assert code == 1
    listed = [f for f in report["findings"] if f["rule"] == "TAG008"]
    assert len(listed) == 1000
    assert listed[-1]["message"].endswith("(and 1400 more TAG008 findings in this file, not listed)")


def test_character_messages_name_the_character_once(tmp_path: Path) -> None:
    (tmp_path / "ctrl.txt").write_text("控制\x1b字符。\n", encoding="utf-8")
    (tmp_path / "pua.txt").write_text("大模型\ue000应用。\n", encoding="utf-8")
    _, report = check_json(str(tmp_path), "--no-cache", cwd=tmp_path)
    messages = {(f["rule"], f["message"]) for f in report["findings"] if f["category"] == "ENC"}
    assert messages == {("ENC007", "U+001B control character in the text"),
                        ("ENC009", "U+E000 private-use character: it has no standard meaning")}


def test_a_span_with_several_bad_characters_is_one_tag009_finding(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("<cand>但]]</cand>是。\n<cand>但[1]</cand>是。\n", encoding="utf-8")
    _, report = check_json(str(tmp_path / "doc.txt"), "--no-cache", cwd=tmp_path)
    tag009 = [(f["line"], f["column"], f["end_column"], f["message"]) for f in report["findings"]
              if f["rule"] == "TAG009"]
    assert tag009 == [
        (1, 8, 10, "<cand>但]]</cand> contains white space, punctuation or a symbol (']]')"),
        (2, 8, 11, "<cand>但[1]</cand> contains white space, punctuation or a symbol ('[1]')")]
