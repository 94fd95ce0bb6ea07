"""The terminal (issue 17): help for every command and option, --version, a summary line when the
report goes to a file, progress bars on stderr (only on a terminal), paths relative to the
working folder, colour on a terminal (NO_COLOR respected) and shell completion."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLE, run_cli

from validators import __version__, terminal
from validators.cli import build_parser, main

FINDING_LINE = re.compile(r"^(?P<path>\S.*?):\d+:\d+: [A-Z]+\d+ \[")


def _undocumented(parser: argparse.ArgumentParser, name: str) -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            missing += [f"{name} {c.dest}" for c in action._choices_actions if not c.help]
            for sub_name, sub in action.choices.items():
                missing += _undocumented(sub, f"{name} {sub_name}")
        elif not action.help or action.help == argparse.SUPPRESS:
            missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_command_and_option_says_what_it_does() -> None:
    assert _undocumented(build_parser(), "corpus-validate") == []
    shown = run_cli("check", "--help").stdout
    for words in ("PATH  ", "corpus files or folders to check", "--format", "how the findings are printed",
                  "--fail-on", "the lowest severity that makes the exit code 1", "--debug",
                  "show the traceback", "--color"):
        assert words in shown, words
    rules = run_cli("rules", "--help").stdout
    assert "list (default): every rule with its severity" in rules and "ID  " in rules


def test_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout == f"corpus-validate {__version__}\n"


def test_a_report_sent_to_a_file_leaves_a_summary_line_on_stderr(tmp_path: Path) -> None:
    proc = run_cli("check", str(SAMPLE), "--no-cache", "--format", "json", "--output", "out.json",
                   "--html", "report.html", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    summary = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["summary"]
    sev = summary["by_severity"]
    counts = (f"{summary['findings']} finding(s) ({sev['error']} error(s), {sev['warning']} warning(s), "
              f"{sev['info']} info) in 5 document(s)")
    assert proc.stderr.splitlines() == [f"corpus-validate: wrote the json report to out.json: {counts}",
                                        f"corpus-validate: wrote the HTML report to report.html: {counts}"]


def test_the_bundled_sample_is_shown_by_short_relative_paths(tmp_path: Path) -> None:
    """Run from a folder that is not the project's (as after `pip install`): findings name
    sample-corpus/…, never the long path of the installed package."""
    proc = run_cli("check", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1
    paths = {m["path"] for m in map(FINDING_LINE.match, proc.stdout.splitlines()) if m}
    assert paths and all(p.startswith("sample-corpus/") and Path(p).name in
                         {f.name for f in SAMPLE.glob("*.txt")} for p in paths), paths
    assert str(SAMPLE) not in proc.stdout
    assert "(shown as sample-corpus/)" in proc.stderr
    report = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=tmp_path).stdout)
    assert all(f["path"].startswith("sample-corpus/") for f in report["findings"])


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_with_a_terminal_stderr(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                *args: str) -> str:
    err = FakeTerminal()
    monkeypatch.setattr(terminal, "BAR_DELAY", 0)  # show the bars of a quick run too,
    monkeypatch.setattr(terminal, "BAR_REFRESH", 0)  # every step of it
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.delenv("TERM", raising=False)
    code = main(list(args))
    capsys.readouterr()
    assert code in (0, 1), err.getvalue()
    return err.getvalue()


def test_the_per_file_stage_has_a_progress_bar_on_a_terminal(
        sample_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    shown = _run_with_a_terminal_stderr(monkeypatch, capsys, "check", str(sample_copy), "--no-cache",
                                        "--jobs", "1", "--format", "json")
    assert re.search(r"checking files: +\d+%\|.*\| \d/5 \[", shown), shown
    assert shown.endswith("\r") or shown.endswith("\x1b[A"), repr(shown[-40:])  # the bar erased


def test_the_corpus_wide_stage_has_a_progress_bar_too(
        sample_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    shown = _run_with_a_terminal_stderr(monkeypatch, capsys, "check", str(sample_copy), "--no-cache",
                                        "--jobs", "1", "--format", "json")
    assert re.search(r"corpus-wide rules: +\d+%\|.*\| \d+/\d+ \[.*DUP\d+", shown), shown


def test_no_progress_bar_in_a_pipe(sample_copy: Path) -> None:
    proc = run_cli("check", str(sample_copy), "--no-cache", "--jobs", "1")
    assert "\r" not in proc.stderr and "checking files" not in proc.stderr


def _in_a_terminal(args: list[str], cwd: Path, **env: str) -> str:
    """stdout of the command line when stdout is a pseudo-terminal (\\r\\n as a tty writes it)."""
    master, slave = os.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(TERM="xterm", **env)
    proc = subprocess.Popen([sys.executable, "-m", "validators", *args], cwd=cwd, env=environ,
                            stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other end is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        proc.wait(timeout=60)
    return b"".join(chunks).decode("utf-8", "replace")


def test_the_text_report_is_coloured_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("他说<cand>但时至今日,大家都知道。\n", encoding="utf-8")
    args = ["check", "doc.txt", "--no-cache", "--jobs", "1"]
    coloured = _in_a_terminal(args, tmp_path)
    assert "\x1b[1mdoc.txt\x1b[0m:1:3: \x1b[1;31mTAG001\x1b[0m \x1b[31m[error]\x1b[0m" in coloured
    assert "\x1b[1;33mPUN001\x1b[0m \x1b[33m[warning]\x1b[0m" in coloured
    plain = _in_a_terminal(args, tmp_path, NO_COLOR="1")
    assert "\x1b[" not in plain and "doc.txt:1:3: TAG001 [error]" in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain  # the same characters either way
    piped = run_cli(*args, cwd=tmp_path).stdout
    assert "\x1b[" not in piped and piped.replace("\n", "\r\n") == plain  # a pipe: no colour
    forced = run_cli(*args, "--color", "always", cwd=tmp_path).stdout
    assert forced.replace("\n", "\r\n") == coloured


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_and_choices(tmp_path: Path) -> None:
    script = run_cli("completion", "bash", cwd=tmp_path)
    assert script.returncode == 0, script.stderr
    (tmp_path / "complete.bash").write_text(script.stdout, encoding="utf-8")

    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        program = (f"source complete.bash; COMP_WORDS=({' '.join(repr(w) for w in words)}); "
                   f"COMP_CWORD={len(words) - 1}; COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}; "
                   "_shtab_corpus_validate; printf '%s\\n' \"${COMPREPLY[@]}\"")
        proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert complete("corpus-validate", "che") == ["check", "check-table"]
    assert complete("corpus-validate", "check", "--format", "") == ["github", "gitlab", "json", "junit",
                                                                  "sarif", "text"]
    assert "--fail-on" in complete("corpus-validate", "check", "--fa")
    assert complete("corpus-validate", "rules", "ex") == ["explain"]
    zsh = run_cli("completion", "zsh", cwd=tmp_path).stdout
    assert zsh.startswith("#compdef corpus-validate") and "check-table" in zsh


def test_completion_of_an_unknown_shell_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("completion", "powershell", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "completion: argument shell: invalid choice: 'powershell'" in proc.stderr, proc.stderr


def test_diff_of_a_gbk_file_names_the_file_and_its_encodings(tmp_path: Path) -> None:
    text = "第一行文字内容很长很长，今天天气很好。\n但是时至今日我们仍然需要努力工作学习。\n"
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk"))
    proc = run_cli("check", "--diff", "--no-cache", "gbk.txt", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "--- a/gbk.txt\tGB18030/GBK\n+++ b/gbk.txt\tUTF-8\n" in proc.stdout, proc.stdout
    assert "the text is unchanged: only its encoding changes" in proc.stdout
    assert (tmp_path / "gbk.txt").read_bytes() == text.encode("gbk")  # --diff writes nothing


def test_bars_are_per_stage_and_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = FakeTerminal()
    monkeypatch.setattr(terminal, "BAR_DELAY", 0)
    monkeypatch.setattr(terminal, "BAR_REFRESH", 0)
    bars = terminal.ProgressBars(stream)
    for done in range(1, 4):
        bars(done, 3)
    bars(0, 2, stage="corpus", item="DUP001 duplicate-document")
    bars(1, 2, stage="corpus", item="DUP002 near-duplicate")
    bars(2, 2, stage="corpus")
    shown = stream.getvalue()
    assert "checking files" in shown and "3/3" in shown
    assert "corpus-wide rules" in shown and "DUP001 duplicate-document" in shown
    assert shown.index("checking files") < shown.index("corpus-wide rules")
    assert bars._bar is None  # both closed


@pytest.mark.parametrize(("env", "choice", "expected"), [
    ({}, "auto", True), ({"NO_COLOR": "1"}, "auto", False), ({"NO_COLOR": ""}, "auto", True),
    ({"TERM": "dumb"}, "auto", False), ({"NO_COLOR": "1"}, "always", True), ({}, "never", False),
])
def test_when_to_colour(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], choice: str,
                        expected: bool) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert terminal.wants_color(FakeTerminal(), choice) is expected
    assert terminal.wants_color(io.StringIO(), "auto") is False  # not a terminal
