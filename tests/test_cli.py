"""The command line as a user meets it: exit codes 0/1/2, one-line errors, text and JSON output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import check_json, run_cli, run_cli_process


def test_check_without_paths_runs_on_the_bundled_sample(tmp_path: Path) -> None:
    proc = run_cli("check", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the sample shows errors
    assert json.loads(proc.stdout)["summary"]["documents"] == 5


def test_text_output_is_path_line_col_id_then_the_marked_line(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("第一句。\n他说<cand>但时至今日。\n", encoding="utf-8")
    proc = run_cli("check", str(doc), cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == ("doc.txt:2:3: TAG001 [error] <cand> is never closed in its line — until the "
                        "tags are fixed, these rules skip the sentences they break: CON001, CON002, "
                        "CON003, PAIR001, PAIR002, PAIR003, PAIR004")
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


def test_a_real_process_exits_0_1_and_2_and_the_console_script_is_installed(tmp_path: Path) -> None:
    """The end-to-end layer: the tests above run ``main`` in-process; this one checks that what
    ``python -m validators`` and the installed ``corpus-validate`` script give the shell agrees."""
    clean, broken = tmp_path / "clean.txt", tmp_path / "broken.txt"
    clean.write_text("第一句。\n", encoding="utf-8")
    broken.write_text("他说<cand>但时至今日。\n", encoding="utf-8")
    assert run_cli_process("check", "--no-cache", str(clean), cwd=tmp_path).returncode == 0
    found = run_cli_process("check", "--no-cache", str(broken), cwd=tmp_path)
    assert found.returncode == 1 and found.stdout.startswith("broken.txt:1:3: TAG001 [error] ")
    error = run_cli_process("check", "--format", "xml", cwd=tmp_path)
    assert error.returncode == 2 and error.stderr.count("\n") == 1, error.stderr
    assert error.stdout == ""
    for process in (found, error):  # the in-process runner answers exactly as the process did
        same = run_cli(*process.args[3:], cwd=tmp_path)
        assert (same.returncode, same.stdout, same.stderr) == \
            (process.returncode, process.stdout, process.stderr)
    script = shutil.which("corpus-validate", path=os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert script, "the console script corpus-validate is not installed (pip install -e .)"
    version = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=120)
    assert (version.returncode, version.stdout) == (0, run_cli("--version").stdout)


def test_an_in_process_run_leaves_the_test_process_as_it_found_it(tmp_path: Path) -> None:
    before = (os.getcwd(), dict(os.environ), sys.stdin, sys.stdout, sys.stderr)
    proc = run_cli("check", "--no-cache", "--format", "json", "missing", cwd=tmp_path,
                   env={"PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"})
    assert proc.returncode == 2 and proc.stderr.startswith("corpus-validate: error: "), proc.stderr
    assert (os.getcwd(), dict(os.environ), sys.stdin, sys.stdout, sys.stderr) == before
    # --debug lets an error escape main: a traceback on stderr and exit 1, as the interpreter does
    crashed = run_cli("--debug", "check", "missing", cwd=tmp_path)
    assert crashed.returncode == 1 and "Traceback (most recent call last)" in crashed.stderr
    assert os.getcwd() == before[0]


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
