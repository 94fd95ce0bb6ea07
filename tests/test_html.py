"""The HTML report without a browser: escaping, sample caps, CSP, no external URL, `--html` targets.

The headless-Chromium tests are in test_html_browser.py; ``make_faulty_corpus`` is shared with them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import random
import re
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, run_cli
from hypothesis import given
from hypothesis import strategies as st

from validators.config import build_ruleset, load_config
from validators.engine import DocumentResult
from validators.findings import Finding, Related
from validators.reporters import html as html_report
from validators.run import RunResult

INJECTION = ('<script>window.__pwned=1</script>\n'
             '图片<img src=x onerror="window.__pwned=1">加载失败。\n'
             '<cand>但</cand>这里</script><!-- 注释 --><style>body{display:none}</style>。\n'
             '<a href="http://evil.example/x.js">链接</a>，<iframe src="//evil.example/"></iframe>\n')

FAULTS = ["<cand>但", "</cand>", "<cnad>而</cnad>", "<a>不仅</a>", "\u200b", "<cand></cand>",
          "<CAND>但</CAND>", "<cand>大模型</cand>", "<a>也</a>", "<a>不是</a>好<a>而是</a>", "\ufeff",
          "<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">', "< a>"]


def make_faulty_corpus(target: Path, documents: int = 300, seed: int = 8) -> Path:
    """``documents`` short documents cut from the sample corpus's real text, with injected faults,
    one script-injection document and one exact duplicate."""
    rng = random.Random(seed)
    lines = [line for f in sorted(SAMPLE.glob("*.txt"))
             for line in f.read_text(encoding="utf-8").split("\n") if line.strip()]
    target.mkdir(parents=True, exist_ok=True)
    for i in range(documents - 2):
        start = rng.randrange(len(lines))
        doc = lines[start:start + rng.randint(2, 8)]
        for _ in range(rng.randint(0, 6)):
            j = rng.randrange(len(doc))
            k = rng.randint(0, len(doc[j]))
            doc[j] = doc[j][:k] + rng.choice(FAULTS) + doc[j][k:]
        (target / f"doc{i:04d}.txt").write_text("\n".join(doc) + "\n", encoding="utf-8")
    (target / "injection.txt").write_text(INJECTION, encoding="utf-8")
    (target / "zz-copy-of-doc0000.txt").write_bytes((target / "doc0000.txt").read_bytes())
    return target


def _ruleset():
    return build_ruleset(load_config(None))


def _result(findings: list[Finding], docs: dict[str, dict], **summary: object) -> RunResult:
    """A run of ``findings`` over ``docs``; ``summary`` entries go into its summary as another
    stage (duplicates, suppressions, connectives) would put them."""
    return RunResult(findings, [DocumentResult(p, [], s) for p, s in docs.items()], _ruleset(),
                     extra_summary=dict(summary))


def _finding(rule: str, path: str, line: int, context: str = "上下文", column: int = 1, end: int = 2,
             severity: str = "error", related: tuple[Related, ...] = (), message: str = "msg") -> Finding:
    return Finding(rule=rule, name=rule.lower(), category=rule.rstrip("0123456789"), severity=severity,
                   path=path, line=line, column=column, end_line=line, end_column=end, message=message,
                   context=context, fingerprint="f", related=related)


def _data_block(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def _inline(page: str, tag: str) -> str:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S)
    assert match
    return match.group(1)


def _sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_corpus_text_cannot_leave_the_json_block_or_become_markup(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "injection.txt").write_text(INJECTION, encoding="utf-8")
    evil_name = corpus / '<img src=x onerror=alert(1)>.txt'  # file names are corpus text too
    evil_name.write_text("<cand>但</cand>好。\n</cand>\n", encoding="utf-8")
    out = tmp_path / "r.html"
    proc = run_cli("check", str(corpus), "--html", str(out), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    page = out.read_text(encoding="utf-8")
    # the page's own two scripts only; no element the corpus tried to inject
    assert len(re.findall(r"<script", page, re.I)) == 2
    assert len(re.findall(r"</script", page, re.I)) == 2
    for needle in ("<img", "<iframe", "<!--", "<style>body", "onerror=\"", "<a href=\"http"):
        assert needle not in page, needle
    data = _data_block(page)
    contexts = [data["strings"][row[7]] for row in data["findings"]]
    assert any("<script>window.__pwned=1</script>" in c for c in contexts)  # kept exactly, as text
    assert any("<img src=x onerror=\"window.__pwned=1\">" in c for c in contexts)
    paths = [d[0] for d in data["docs"]]
    assert any(p.endswith("<img src=x onerror=alert(1)>.txt") for p in paths)


@given(st.text())
def test_json_for_script_is_inert_and_round_trips(text: str) -> None:
    encoded = html_report.json_for_script({"t": text, "k": [text]})
    assert not set(encoded) & {"<", ">", "&"}
    assert json.loads(encoded) == {"t": text, "k": [text]}


def test_jinja_escapes_rule_and_connective_text() -> None:
    docs = {"a.txt": {"chars": 3, "connectives": {"<b>但": 2}, "pair_texts": {"<i>不仅…也": 1}, "pairs": 1,
                      "script": "<svg onload=x>", "encoding": "utf-8&more"}}
    page = html_report.render_html(_result([_finding("TAG001", "a.txt", 1)], docs))
    assert "<b>但" not in page and "&lt;b&gt;但" in page
    assert "<i>不仅" not in page and "&lt;i&gt;不仅…也" in page
    assert "<svg onload" not in page and "&lt;svg onload=x&gt;" in page
    assert "utf-8&amp;more" in page


def test_csp_forbids_the_network_and_allows_only_the_pages_own_script_and_style() -> None:
    page = html_report.render_html(_result([_finding("TAG001", "a.txt", 1)], {"a.txt": {"chars": 3}}))
    csp = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1))
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'none'" and directives["img-src"] == "data:"
    assert directives["script-src"] == f"'{_sha(_inline(page, 'script'))}'"
    assert directives["style-src"] == f"'{_sha(_inline(page, 'style'))}'"
    assert "unsafe" not in csp and "http" not in csp and "*" not in csp
    assert page.index("Content-Security-Policy") < page.index("<style>")  # in force before anything loads


def test_no_external_url_in_the_page() -> None:
    finding = _finding("TAG004", "a.txt", 1, context='<a href="https://evil.example/">x</a>')
    page = html_report.render_html(_result([finding], {"a.txt": {"chars": 3}}))
    for attr, value in re.findall(r'\b(src|href|action|srcset|poster|data)\s*=\s*"([^"]*)"', page):
        assert value.startswith(("#", "data:")), (attr, value)
    outside_data = page.replace(_data_block_text(page), "")
    assert not re.search(r"https?:|//[a-z]", outside_data.replace("http-equiv", ""))
    assert "url(" not in _inline(page, "style") and "@import" not in _inline(page, "style")


def _data_block_text(page: str) -> str:
    return re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1)


def test_samples_are_capped_per_rule_and_counts_stay_exact() -> None:
    context = "他说<cand>但时至今日，能转起大模型商业化齿轮的，似乎仍以互联网大厂既有业务为主。"
    findings, docs = [], {}
    for d in range(500):
        path = f"corpus/doc{d:04d}.txt"
        docs[path] = {"chars": 1000, "spans": 10, "bytes": 3000}
        for i in range(200):
            rule = ("TAG001", "TAG004", "PAIR001", "LEX001")[i % 4]
            findings.append(_finding(rule, path, i + 1, context=context, column=3, end=9,
                                     severity="warning" if rule == "LEX001" else "error"))
    assert len(findings) == 100_000
    result = _result(findings, docs)
    page = html_report.render_html(result)
    data = _data_block(page)
    by_rule = {r[0]: r for r in data["rules"]}
    assert data["summary"] == json.loads(json.dumps(result.summary()))
    for rule in ("TAG001", "TAG004", "PAIR001", "LEX001"):
        assert by_rule[rule][4] == 25_000                       # exact count
        assert by_rule[rule][5] == html_report.SAMPLE_CAP       # rendered sample
    assert len(data["findings"]) == 4 * html_report.SAMPLE_CAP
    # the sample is spread over documents, not the first document's 200 findings
    sampled_docs = {row[1] for row in data["findings"] if row[0] == data["rules"].index(by_rule["TAG001"])}
    assert len(sampled_docs) == html_report.SAMPLE_CAP
    size = len(page.encode("utf-8"))
    assert size < 1_500_000, size  # 100 000 findings: ~0.5 MB measured; the JSON output is ~40 MB


def test_highlight_range_follows_the_engines_clipping() -> None:
    assert html_report.highlight_range(_finding("TAG001", "a", 1, "他说<cand>但", column=3, end=9)) == (2, 8)
    clipped = "…" + "字" * 60 + "<cand>" + "字" * 60 + "…"
    f = _finding("TAG001", "a", 1, clipped, column=500, end=506)
    start, end = html_report.highlight_range(f)
    assert clipped[start:end] == "<cand>"
    # a zero-width position at the end of the line stays inside the text
    assert html_report.highlight_range(_finding("TAG001", "a", 1, "ab", column=3, end=3)) == (2, 2)


def test_script_and_encoding_distribution_with_unknown_fallback() -> None:
    docs = {"a.txt": {"chars": 3, "script": "traditional", "encoding": "utf-8"},
            "b.txt": {"chars": 3, "script": "simplified", "encoding": "utf-8"},
            "c.txt": {"chars": 3, "script": "simplified"}}
    page = html_report.render_html(_result([], docs))
    script = re.search(r'id="script-distribution">(.*?)</div>', page, re.S).group(1)
    assert re.findall(r'data-label="([^"]+)" data-count="(\d+)"', script) == [
        ("simplified", "2"), ("traditional", "1")]
    encoding = re.search(r'id="encoding-distribution">(.*?)</div>', page, re.S).group(1)
    assert re.findall(r'data-label="([^"]+)" data-count="(\d+)"', encoding) == [
        ("utf-8", "2"), ("unknown", "1")]


def test_duplicate_groups_show_each_member_once_with_its_line(tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in ("a.txt", "b.txt", "c.txt"))
    a.write_text("标题\n同一段文字。\n", encoding="utf-8")
    b.write_text("同一段文字。\n", encoding="utf-8")
    c.write_text("x\n" * 5 + "同一段文字。" + "很长" * 100_000 + "\n", encoding="utf-8")
    members = {"a.txt": 2, "b.txt": 1, "c.txt": 6}
    findings = [_finding("DUP003", p, line, context="", related=tuple(
        Related(q, m) for q, m in members.items() if q != p), severity="warning")
        for p, line in members.items()]
    sources = {"a.txt": str(a), "b.txt": str(b), "c.txt": str(c)}
    data = html_report.build_data(_result(findings, {p: {} for p in members}), sources)
    assert data["groups_total"] == 1 and len(data["groups"]) == 1
    shown = data["groups"][0]["members"]
    assert [m[:2] for m in shown] == [["a.txt", 2], ["b.txt", 1], ["c.txt", 6]]
    assert shown[0][2] == shown[1][2] == "同一段文字。"
    assert shown[2][2].startswith("同一段文字。很长") and len(shown[2][2]) == html_report.SNIPPET_CHARS + 1


def test_read_line_bounds(tmp_path: Path) -> None:
    f = tmp_path / "f.txt"
    f.write_bytes(b"one\r\n" + b"x" * 300_000 + b"\nthree\n\xff\xfe bad\n")
    assert html_report.read_line(str(f), 1) == "one"
    assert html_report.read_line(str(f), 3) == "three"
    assert html_report.read_line(str(f), 4) == "\ufffd\ufffd bad"
    assert html_report.read_line(str(f), 9) is None
    assert html_report.read_line(str(tmp_path / "missing.txt"), 1) is None


def test_cli_html_next_to_json_and_default_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "my corpus"
    corpus.mkdir()
    (corpus / "doc.txt").write_text("第一句。\n他说<cand>但时至今日。\n", encoding="utf-8")
    proc = run_cli("check", str(corpus), "--format", "json", "--html", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["findings"] == 1  # stdout is still the JSON report
    report = tmp_path / "reports" / "my_corpus.html"
    assert report.is_file() and report.stat().st_mode & 0o044  # readable by others, like any new file
    assert _data_block(report.read_text(encoding="utf-8"))["summary"] == json.loads(proc.stdout)["summary"]
    # a folder: <folder>/<name>.html; a file name: that file
    (tmp_path / "out").mkdir()
    assert run_cli("check", str(corpus), "--html", "out", cwd=tmp_path).returncode == 1
    assert (tmp_path / "out" / "my_corpus.html").is_file()
    assert run_cli("check", str(corpus), "--html=x/y/r.html", cwd=tmp_path).returncode == 1
    assert (tmp_path / "x" / "y" / "r.html").is_file()
    assert not list(corpus.glob("*.html"))


def test_cli_html_refuses_a_corpus_folder_taken_as_its_value(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.txt").write_text("好。\n", encoding="utf-8")
    proc = run_cli("check", "--html", "corpus", cwd=tmp_path)  # meant: check corpus --html
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "check corpus --html" in proc.stderr
    assert not list(corpus.glob("*.html"))


def test_cli_html_unwritable_target_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    proc = run_cli("check", str(SAMPLE), "--html", str(blocker / "r.html"), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_templates_are_package_data() -> None:
    templates = REPO / "validators" / "reporters" / "templates"
    assert {p.name for p in templates.iterdir()} >= {"report.html.j2", "report.css", "report.js"}


@pytest.mark.slow
def test_templates_ship_in_the_wheel(tmp_path: Path) -> None:
    import zipfile

    hatchling = pytest.importorskip("hatchling.builders.wheel")
    builder = hatchling.WheelBuilder(str(REPO))
    wheel = next(iter(builder.build(directory=str(tmp_path), versions=["standard"])))
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("report.html.j2", "report.css", "report.js"):
        assert f"validators/reporters/templates/{name}" in names


def test_example_report_is_committed() -> None:
    example = REPO / "reports" / "sample-corpus.html"
    assert example.is_file()
    page = example.read_text(encoding="utf-8")
    assert _data_block(page)["summary"]["documents"] == 5


def _section(page: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}"[^>]*>(.*?)</section>', page, re.S)
    assert match, section_id
    return match.group(1)


def test_the_page_leads_with_the_findings() -> None:
    page = html_report.render_html(_result([_finding("TAG001", "a.txt", 1)], {"a.txt": {"chars": 3}}))
    order = [page.index(f'<section id="{s}"') for s in ("overview", "findings", "rules", "duplicates", "corpus")]
    assert order == sorted(order)  # the findings right after the summary cards
    nav = re.search(r'<nav class="toc"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert re.findall(r'href="(#[^"]+)"', nav)[0] == "#findings"  # one click from the top
    assert page.index("<nav") < page.index("<main")


def test_rules_without_findings_fold_into_one_line_and_unrun_rules_are_named() -> None:
    ruleset = _ruleset()
    table_rules = sorted(r.id for r in ruleset if r.check.scope == "table")
    run_rules = sorted(r.id for r in ruleset if r.enabled and r.check.scope != "table")
    assert table_rules and "TAG001" in run_rules
    page = html_report.render_html(_result([_finding("TAG001", "a.txt", 1), _finding("TAG001", "a.txt", 2)],
                                           {"a.txt": {"chars": 3}}))
    rules = _section(page, "rules")
    table = re.search(r'<table [^>]*id="rule-table".*?</table>', rules, re.S).group(0)
    assert re.findall(r'<tr class="clickable" data-filter-rule="([^"]+)"', table) == ["TAG001"]
    quiet = re.search(r'<details class="fold" id="quiet-rules">\s*<summary>(.*?)</summary>(.*?)</details>',
                      rules, re.S)
    assert quiet.group(1) == f"{len(run_rules) - 1} rules without findings"
    assert sorted(re.findall(r'data-rule="([^"]+)"', quiet.group(2))) == [r for r in run_rules if r != "TAG001"]
    not_run = re.search(r'<details class="fold" id="not-run-rules">\s*<summary>(.*?)</summary>(.*?)</details>',
                        rules, re.S)
    assert not_run.group(1) == f"{len(table_rules)} rules not run by check"
    assert sorted(re.findall(r'data-rule="([^"]+)"', not_run.group(2))) == table_rules
    assert not_run.group(2).count("check-table runs it") == len(table_rules)
    # categories: the one with findings in the table, the others in one line, SCH in neither
    categories = re.search(r'id="categories".*?</table>', rules, re.S).group(0)
    assert re.findall(r'data-category="([^"]+)"', categories) == ["TAG"]
    quiet_categories = re.search(r'id="quiet-categories">(.*?)</p>', rules, re.S).group(1)
    assert "ENC" in quiet_categories and "SCH" not in quiet_categories and "TAG" not in quiet_categories
    assert f"{len(run_rules)} rules run" in page


def test_rules_turned_off_are_not_run_and_a_run_without_findings_says_so() -> None:
    ruleset = _ruleset()
    ruleset.rules["PUN001"].severity = "off"
    result = RunResult([], [DocumentResult("a.txt", [], {"chars": 3})], ruleset)
    rules = _section(html_report.render_html(result), "rules")
    assert 'id="rule-table"' not in rules and 'id="no-findings"' in rules
    not_run = re.search(r'id="not-run-rules">(.*?)</details>', rules, re.S).group(1)
    assert re.search(r'data-rule="PUN001">.*?off in the configuration', not_run)
    quiet = re.search(r'id="quiet-rules">(.*?)</details>', rules, re.S).group(1)
    assert 'data-rule="PUN001"' not in quiet


def test_summary_duplicate_groups_are_listed_once_each() -> None:
    big = [f"c/<b>copy</b>-{i:03d}.txt" for i in range(30)]
    small = ["c/x.txt", "c/y.txt"]
    # each member's finding names a few group mates only (related capped at 5)
    findings = [_finding("DUP002", p, 1, context="", severity="warning",
                         related=tuple(Related(q, 1) for q in big[:6] if q != p)[:5]) for p in big]
    findings.append(_finding("DUP003", "c/x.txt", 4, context="", severity="warning",
                             related=(Related("c/x.txt", 1),)))
    closest = [{"path": big[(i + 1) % 30], "similarity": 0.9 + i / 1000, "measure": "jaccard"} for i in range(30)]
    groups = [{"rule": "DUP002", "size": 2, "members": small,  # one closest pair for the group
               "closest": {"a": "c/x.txt", "b": "c/y.txt", "similarity": 0.875}},
              {"rule": "DUP002", "size": 30, "members": big, "closest": closest}]  # one per member
    docs = {p: {"chars": 10} for p in big + small}
    page = html_report.render_html(_result(findings, docs, duplicate_groups=groups))
    section = _section(page, "duplicates")
    shown = re.findall(r'<div class="group sgroup" data-rule="(\w+)" data-size="(\d+)">', section)
    assert shown == [("DUP002", "30"), ("DUP002", "2")]  # once each, largest first
    first, second = section[section.index('data-size="30"'):section.index('data-size="2"')].split(
        "</details>")[0], section[section.index('data-size="2"'):]
    listed = re.findall(r'<li><span class="path">(.*?)</span> <span class="closest">closest: (.*?)</span></li>', first)
    assert [html.unescape(p) for p, _ in listed] == big  # every member once, as escaped text
    assert html.unescape(listed[29][1]) == f"{big[0]} (0.93 jaccard)"  # beside its member
    assert "<b>copy" not in section and "&lt;b&gt;copy&lt;/b&gt;-000.txt" in section
    assert re.search(r"<summary>18 more members</summary>", first)  # 12 shown, the rest folded
    assert "closest: <span class=\"mono\">c/x.txt ↔ c/y.txt (0.88)</span>" in second
    # DUP002's partial `related` lists do not make 30 more groups; DUP003's group is still shown
    data = _data_block(page)
    assert data["groups_total"] == 1 and [g["message"] for g in data["groups"]] == ["msg"]
    assert data["rules"][data["groups"][0]["rule"]][0] == "DUP003"
    # without the summary entry: no such list
    plain = _section(html_report.render_html(_result(findings, docs)), "duplicates")
    assert "sgroup" not in plain


def test_suppressions_show_what_each_hides_and_flag_dead_ones() -> None:
    suppressions = [
        {"kind": "per_file_ignores", "pattern": "legacy/**/*.txt", "rules": ["PUN001", "PUN003"], "reason": None,
         "hidden": 12, "hidden_by_rule": {"PUN001": 12, "PUN003": 0}, "dead": False, "dead_rules": ["PUN003"],
         "source": "corpus-validate.yaml", "line": 7},
        {"kind": "ignore", "fingerprint": "3f1c9a0b77e2d4aa", "rules": ["TAG004"],
         "reason": "quoted <source> keeps its markup", "hidden": 1},
        {"kind": "ignore", "fingerprint": "deadbeefdeadbeef", "rules": ["LEX001"], "reason": "fixed", "hidden": 0,
         "dead": True, "source": "corpus-validate.yaml", "line": 12},
        {"kind": "ignore", "fingerprint": "0123456789abcdef", "rules": [], "reason": "elsewhere", "hidden": 0,
         "dead": False},  # a run over part of the corpus cannot tell
    ]
    docs = {"a.txt": {"chars": 3}}
    page = html_report.render_html(_result([_finding("TAG001", "a.txt", 1)], docs, suppressions=suppressions,
                                           suppressed=13))
    section = _section(page, "suppressions")
    rows = re.findall(r'<tr class="(dead)?" data-kind="([^"]+)" data-hidden="(\d+)" data-dead="([01])">(.*?)</tr>',
                      section, re.S)
    assert [(kind, hidden, dead) for _, kind, hidden, dead, _ in rows] == [
        ("per_file_ignores", "12", "0"), ("ignore", "1", "0"), ("ignore", "0", "1"), ("ignore", "0", "0")]
    cells = [r[4] for r in rows]
    assert "legacy/**/*.txt" in cells[0] and "corpus-validate.yaml:7" in cells[0]
    assert '<code>PUN001</code> <span class="muted">12</span>' in cells[0]
    assert '<code class="dead-rule"' in cells[0] and "PUN003: nothing" in cells[0]  # a glob's dead rule
    assert "quoted &lt;source&gt; keeps its markup" in cells[1]
    assert "hides nothing" in cells[2] and not any("hides nothing" in c for c in cells[:2] + cells[3:])
    assert "0 in this run" in cells[3] and '<span class="muted">all</span>' in cells[3]
    assert "hide 13 findings; 2 hide nothing" in section
    assert 'href="#suppressions"' in page and "13 suppressed" in _section(page, "overview")
    plain = html_report.render_html(_result([_finding("TAG001", "a.txt", 1)], docs))
    assert 'id="suppressions"' not in plain and 'href="#suppressions"' not in plain


def test_connectives_tagged_and_untagged_most_tagged_first_top_50_then_folded() -> None:
    usage = [{"form": f"连{i:02d}", "tagged": i, "untagged": 100 - i} for i in range(60)]
    usage.append({"form": "<但>", "tagged": 500, "untagged": 2})
    page = html_report.render_html(_result([], {"a.txt": {"chars": 3}}, connectives=usage))
    panel = re.search(r'id="connective-usage-panel">(.*?)</details>', page, re.S).group(1)

    def rows(table_id: str) -> list[tuple[str, int, int]]:
        table = re.search(rf'id="{table_id}">(.*?)</table>', panel, re.S).group(1)
        return [(html.unescape(f), int(t), int(u)) for f, t, u in
                re.findall(r'data-form="([^"]+)" data-tagged="(\d+)" data-untagged="(\d+)"', table)]

    top, rest = rows("connective-usage"), rows("connective-usage-rest")
    assert len(top) == 50 and len(rest) == 11
    assert top[0] == ("<但>", 500, 2) and top[1] == ("连59", 59, 41)
    assert [t for _, t, _ in top + rest] == sorted((t for _, t, _ in top + rest), reverse=True)
    assert {f for f, _, _ in top + rest} == {u["form"] for u in usage}
    assert "<但>" not in page.replace(_data_block_text(page), "")  # escaped outside the JSON too
    assert "61 connective forms: 2,270 tagged, 4,232 untagged" in panel
    assert 'id="connective-usage' not in html_report.render_html(_result([], {"a.txt": {"chars": 3}}))


def test_print_stylesheet_hides_the_controls_and_forces_light_colours() -> None:
    css = _inline(html_report.render_html(_result([], {"a.txt": {"chars": 3}})), "style")
    block = css[css.index("@media print"):]
    assert re.search(r"\.toc, \.filters, [^{]*#more[^{]*\{ display: none; \}", block)
    assert re.search(r"--bg: #ffffff; --panel: #ffffff;", block)
