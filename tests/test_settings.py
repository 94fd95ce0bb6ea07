"""Typed settings (issue 13): validated once, frozen, and travelling with the work, so that
worker processes started by ``fork`` or ``spawn`` apply the same limits as the parent."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import run_cli

from validators.config import Config, build_ruleset, load_config
from validators.discover import discover
from validators.executors.local import LocalExecutor
from validators.pipeline import run
from validators.rules import RuleSet
from validators.sentences import DEFAULT_SENTENCE_END
from validators.settings import Settings, sentence_end_of, settings_from


def _corpus(tmp_path: Path, files: int = 12) -> list:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(files):
        (corpus / f"d{i:02}.txt").write_text(f"第{i}篇。" + "今天天气很好，<cand>但是</cand>有风。\n" * 60,
                                            encoding="utf-8")
    return discover([str(corpus)])


def _enc012(files: list, executor: LocalExecutor) -> int:
    ruleset = build_ruleset(Config())
    with executor:
        result = run(files, ruleset, Settings(max_file_bytes=1000, jobs=executor.jobs),
                     executor=executor)
    return sum(1 for f in result.findings if f.rule == "ENC012")


def test_max_file_bytes_reaches_fork_and_spawn_workers_alike(tmp_path: Path) -> None:
    files = _corpus(tmp_path)
    serial = _enc012(files, LocalExecutor(1))
    assert serial == len(files)  # every file is over the limit
    spawned = LocalExecutor(2, start_method="spawn", min_pool_bytes=0)
    assert _enc012(files, spawned) == serial
    assert spawned.info()["workers"] == 2  # a pool of spawned workers really ran
    forked = LocalExecutor(2, start_method="fork", min_pool_bytes=0)
    assert _enc012(files, forked) == serial


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.max_file_bytes = 1  # type: ignore[misc]


def test_sentence_end_is_pair001s_else_pair002s_else_the_default(tmp_path: Path) -> None:
    def with_options(**by_rule: str) -> RuleSet:
        config = tmp_path / f"c{len(by_rule)}.yaml"
        config.write_text("rules:\n" + "".join(f"  {rid}:\n    options: {{sentence_end: '{ends}'}}\n"
                                               for rid, ends in by_rule.items()), encoding="utf-8")
        return build_ruleset(load_config(config))

    def without_pair001(ruleset: RuleSet) -> RuleSet:
        return RuleSet({rid: rule for rid, rule in ruleset.rules.items() if rid != "PAIR001"})

    assert sentence_end_of(with_options(PAIR001="。", PAIR002="！")) == "。"
    assert sentence_end_of(without_pair001(with_options(PAIR002="！"))) == "！"
    assert sentence_end_of(without_pair001(without_pair001(RuleSet()))) == DEFAULT_SENTENCE_END
    assert sentence_end_of(None) == DEFAULT_SENTENCE_END
    assert settings_from(Config(), without_pair001(with_options(PAIR002="！"))).sentence_end == "！"


@pytest.mark.parametrize("line,expected", [
    ("max_file_bytes: 0\n", "max_file_bytes"),
    ("max_file_bytes: many\n", "max_file_bytes"),
    ("jobs: -3\n", "jobs"),
])
def test_a_bad_setting_is_one_line_and_exit_2(tmp_path: Path, line: str, expected: str) -> None:
    (tmp_path / "corpus-validate.yaml").write_text("paths: [c]\n" + line, encoding="utf-8")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("但是。\n", encoding="utf-8")
    proc = run_cli("check", "--config", str(tmp_path / "corpus-validate.yaml"), "--no-cache")
    assert proc.returncode == 2
    assert expected in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_scheduler_without_the_dask_executor_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("check", str(tmp_path), "--scheduler", "tcp://127.0.0.1:8786")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "corpus-validate: error: --scheduler needs --executor dask"
