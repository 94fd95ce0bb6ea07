"""The HTML report in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

No network: every request the page makes is recorded and aborted, and only the report file itself
may be loaded. Without /usr/bin/chromium these tests are skipped with the reason, unless
CORPUS_VALIDATORS_REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser fails them.
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, run_cli
from test_html import make_faulty_corpus

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each test drives headless Chromium

CHROMIUM = os.environ.get("CORPUS_VALIDATORS_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("CORPUS_VALIDATORS_REQUIRE_BROWSER") == "1"
ARTIFACTS = REPO / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"CORPUS_VALIDATORS_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-wqy-microhei)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run over a few hundred real-text documents with injected faults: JSON and HTML."""
    root = tmp_path_factory.mktemp("faulty")
    corpus = make_faulty_corpus(root / "corpus", documents=300)
    html = root / "report.html"
    proc = run_cli("check", "corpus", "--format", "json", "--html", str(html), cwd=root)
    assert proc.returncode == 1, proc.stderr
    return {"json": json.loads(proc.stdout), "html": html, "corpus": corpus}


class Page:
    """A page opened from a file with every network request recorded and refused."""

    def __init__(self, browser: Any, path: Path, fragment: str = "", **context: Any) -> None:
        context.setdefault("viewport", {"width": 1280, "height": 900})
        self.context = browser.new_context(**context)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.url = path.resolve().as_uri()

        def route(r: Any) -> None:
            self.requests.append(r.request.url)
            if r.request.url.split("#")[0] == self.url:
                r.continue_()
            else:
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("request", lambda req: self.requests.append(req.url))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type in ("error", "warning")
                     else None)
        self.page.goto(self.url + fragment)
        self.page.wait_for_selector("html[data-ready='1']")

    def close(self) -> None:
        self.context.close()

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if u.split("#")[0] != self.url]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def opener(path: Path, fragment: str = "", **context: Any) -> Page:
        pages.append(Page(browser, path, fragment, **context))
        return pages[-1]

    yield opener
    for page in pages:
        page.close()


def _cards(page: Any) -> dict[str, int]:
    return {k: int(v) for k, v in page.eval_on_selector_all(
        ".card[data-key] .value[data-value]",
        "els => els.map(e => [e.closest('.card').dataset.key, e.dataset.value])")}


def test_page_loads_with_no_network_and_no_error(faulty_run: dict[str, Any], open_page: Any) -> None:
    view = open_page(faulty_run["html"])
    assert view.foreign_requests() == []
    assert view.errors == []  # no script error, no CSP violation of the page's own code
    assert view.page.eval_on_selector_all("tr.finding", "els => els.length") > 0


def test_summary_equals_the_json_output(faulty_run: dict[str, Any], open_page: Any) -> None:
    summary = faulty_run["json"]["summary"]
    page = open_page(faulty_run["html"]).page
    cards = _cards(page)
    assert summary["documents"] >= 300 and summary["findings"] > 1000
    assert {k: cards[k] for k in ("documents", "characters", "spans", "findings")} == \
        {k: summary[k] for k in ("documents", "characters", "spans", "findings")}
    assert {s: cards[s] for s in ("error", "warning", "info")} == summary["by_severity"]
    rules = dict(page.eval_on_selector_all(
        "#rule-table tbody tr", "rows => rows.map(r => [r.dataset.rule, Number(r.dataset.count)])"))
    assert {k: v for k, v in rules.items() if v} == summary["by_rule"]
    categories = dict(page.eval_on_selector_all(
        "#categories tbody tr", "rows => rows.map(r => [r.dataset.category, Number(r.dataset.count)])"))
    assert {k: v for k, v in categories.items() if v} == summary["by_category"]
    # what the page says in words too
    assert page.inner_text(".card[data-key=findings] .value") == f"{summary['findings']:,}"
    status = page.eval_on_selector("#status", "e => e.dataset.exact")
    assert int(status) == summary["findings"]


def test_filter_narrows_the_table_and_the_url_restores_it(faulty_run: dict[str, Any],
                                                          open_page: Any) -> None:
    by_rule = faulty_run["json"]["summary"]["by_rule"]
    rule = "TAG001" if "TAG001" in by_rule else max(by_rule, key=by_rule.get)
    view = open_page(faulty_run["html"])
    page = view.page
    before = int(page.eval_on_selector("#status", "e => e.dataset.matched"))
    page.select_option("#f-rule", rule)
    rows = page.eval_on_selector_all("tr.finding", "els => els.map(e => e.dataset.rule)")
    after = int(page.eval_on_selector("#status", "e => e.dataset.matched"))
    assert 0 < after < before
    assert set(rows) == {rule}
    assert int(page.eval_on_selector("#status", "e => e.dataset.exact")) == by_rule[rule]
    # narrow further by path; the state is in the URL
    path = rows and page.eval_on_selector("tr.finding", "e => e.dataset.path")
    page.fill("#f-path", path)
    narrowed = page.eval_on_selector_all("tr.finding", "els => els.map(e => [e.dataset.rule, e.dataset.path])")
    assert narrowed and all(r == rule and p == path for r, p in narrowed)
    assert f"rule={rule}" in page.url
    page.select_option("#f-sort", "severity")
    shared = page.url
    page.reload()
    page.wait_for_selector("html[data-ready='1']")
    assert page.input_value("#f-rule") == rule and page.input_value("#f-path") == path
    assert page.input_value("#f-sort") == "severity"
    assert page.eval_on_selector_all("tr.finding", "els => els.map(e => [e.dataset.rule, e.dataset.path])") == narrowed
    # a shared link opened fresh shows the same view
    other = open_page(faulty_run["html"], "#" + shared.split("#", 1)[1]).page
    assert other.eval_on_selector_all("tr.finding", "els => els.map(e => [e.dataset.rule, e.dataset.path])") == narrowed
    # severity chips and reset
    page.click("#f-reset")
    assert int(page.eval_on_selector("#status", "e => e.dataset.matched")) == before
    assert "#" not in page.url or page.url.endswith("#")
    page.uncheck("input[name=sev][value=error]")
    severities = set(page.eval_on_selector_all("tr.finding", "els => els.map(e => e.dataset.severity)"))
    assert severities and "error" not in severities
    assert view.foreign_requests() == []


def test_a_mangled_link_opens_without_error(faulty_run: dict[str, Any], open_page: Any) -> None:
    view = open_page(faulty_run["html"], "#path=%E0%A4%A&rule=<x>&sort=nope&rule-table=bogus:up")
    assert view.errors == []
    assert view.page.input_value("#f-rule") == "" and view.page.input_value("#f-sort") == "path"
    assert view.page.eval_on_selector_all("tr.finding", "els => els.length") == 0  # no path matches


def test_clicking_a_rule_row_filters_and_sorting_a_table_is_kept(faulty_run: dict[str, Any],
                                                                  open_page: Any) -> None:
    page = open_page(faulty_run["html"]).page
    counts = page.eval_on_selector_all("#rule-table tbody tr", "rows => rows.map(r => Number(r.dataset.count))")
    assert counts == sorted(counts, reverse=True)  # default: most findings first
    page.click("#rule-table th[data-sort=id]")
    ids = page.eval_on_selector_all("#rule-table tbody tr", "rows => rows.map(r => r.dataset.rule)")
    assert ids == sorted(ids)
    page.reload()
    page.wait_for_selector("html[data-ready='1']")
    assert page.eval_on_selector_all("#rule-table tbody tr", "rows => rows.map(r => r.dataset.rule)") == ids
    top = page.eval_on_selector("#rule-table tbody tr:not(.zero)", "r => r.dataset.rule")
    page.click(f"#rule-table tbody tr[data-rule={top}]")
    assert set(page.eval_on_selector_all("tr.finding", "els => els.map(e => e.dataset.rule)")) == {top}
    assert page.input_value("#f-rule") == top


def _inert(page: Any) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 2  # the data block and the page's script
    assert page.evaluate("document.querySelectorAll('img, iframe, [onerror]').length") == 0
    assert page.evaluate("document.querySelectorAll('body style').length") == 0
    assert page.is_visible("#findings")  # the injected <style>body{display:none}</style> did nothing


def test_injected_markup_runs_nothing_in_the_big_report(faulty_run: dict[str, Any], open_page: Any) -> None:
    view = open_page(faulty_run["html"], "#path=injection.txt")
    page = view.page
    _inert(page)
    rows = page.eval_on_selector_all(
        "tr.finding", "els => els.map(e => [Number(e.querySelector('.loc').textContent.split(':')[0]),"
                      " e.querySelector('.src code').textContent])")
    contexts = {(f["line"], f["context"]) for f in faulty_run["json"]["findings"]
                if f["path"].endswith("injection.txt")}
    assert rows and {tuple(r) for r in rows} <= contexts  # the raw line, character for character
    # re-rendering (sort, filter, "Show more") does not run it either
    page.select_option("#f-sort", "rule")
    page.fill("#f-path", "")
    for _ in range(3):
        if page.is_visible("#more"):
            page.click("#more")
    _inert(page)
    assert view.foreign_requests() == []


def test_injected_markup_shows_as_text(open_page: Any, tmp_path: Path) -> None:
    from test_html import INJECTION

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "injection.txt").write_text(INJECTION, encoding="utf-8")
    html = tmp_path / "r.html"
    assert run_cli("check", "corpus", "--html", str(html), cwd=tmp_path).returncode == 1
    view = open_page(html)
    _inert(view.page)
    shown = view.page.inner_text("#docs")
    assert "<script>window.__pwned=1</script>" in shown
    assert '<img src=x onerror="window.__pwned=1">' in shown
    assert "<!-- 注释 --><style>body{display:none}</style>" in shown
    assert view.foreign_requests() == [] and view.errors == []


def test_invisible_characters_and_tags_are_shown(faulty_run: dict[str, Any], open_page: Any) -> None:
    page = open_page(faulty_run["html"]).page
    assert page.eval_on_selector_all("#docs .tag-cand", "els => els.length") > 0
    invisible = page.eval_on_selector_all("#docs .inv", "els => els.map(e => e.textContent)")
    assert invisible and set(invisible) <= {"⟨U+200B⟩", "⟨U+FEFF⟩"}
    marks = page.eval_on_selector_all("#docs mark", "els => els.length")
    assert marks > 0


def test_screenshots_light_dark_and_sample(faulty_run: dict[str, Any], open_page: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    light = open_page(faulty_run["html"]).page
    light.screenshot(path=str(ARTIFACTS / "html-report.png"))
    light.eval_on_selector("#findings", "e => e.scrollIntoView({behavior: 'instant'})")
    light.screenshot(path=str(ARTIFACTS / "html-report-findings.png"))
    dark = open_page(faulty_run["html"], color_scheme="dark").page
    dark.eval_on_selector("#duplicates", "e => e.scrollIntoView({behavior: 'instant'})")
    dark.screenshot(path=str(ARTIFACTS / "html-report-dark.png"))
    for name in ("html-report.png", "html-report-findings.png", "html-report-dark.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
    groups = dark.eval_on_selector_all("#groups .group", "els => els.length")
    assert groups > 0  # the copied document forms a duplicate group


def test_committed_sample_report_opens_offline(open_page: Any, tmp_path: Path) -> None:
    example = REPO / "reports" / "sample-corpus.html"
    copy = tmp_path / "sample-corpus.html"
    shutil.copy(example, copy)
    view = open_page(copy)
    assert view.foreign_requests() == [] and view.errors == []
    assert _cards(view.page)["documents"] == 5


@pytest.mark.slow
def test_a_report_of_100000_findings_opens(open_page: Any, tmp_path: Path) -> None:
    from test_html import _finding, _result

    from validators.reporters.html import SAMPLE_CAP, render_html

    context = "他说<cand>但时至今日，能转起大模型商业化齿轮的，似乎仍以互联网大厂既有业务为主。"
    rules = ("TAG001", "TAG002", "TAG004", "TAG006", "PAIR001", "PAIR002", "LEX001", "TAG008")
    findings = [_finding(rules[i % len(rules)], f"c/doc{i % 1000:04d}.txt", i // 1000 + 1, context, 3, 9)
                for i in range(100_000)]
    result = _result(findings, {f"c/doc{d:04d}.txt": {"chars": 500} for d in range(1000)})
    path = tmp_path / "big.html"
    path.write_text(render_html(result), encoding="utf-8")
    view = open_page(path)
    page = view.page
    assert view.errors == []
    assert _cards(page)["findings"] == 100_000
    assert int(page.eval_on_selector("#status", "e => e.dataset.matched")) == SAMPLE_CAP * len(rules)
    assert page.eval_on_selector_all("tr.finding", "els => els.length") == 250  # one page rendered
    page.click("#more")
    assert page.eval_on_selector_all("tr.finding", "els => els.length") == 500


def _box(page: Any, selector: str) -> dict[str, float]:
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect();"
                                           " return {top: r.top, bottom: r.bottom, height: r.height}; }")


def test_first_finding_of_the_sample_is_on_the_first_screen(open_page: Any, tmp_path: Path) -> None:
    """The README's quick start (the bundled sample) at 1280×800: the first finding is visible
    without scrolling, below the sticky header; the findings are one click from the top."""
    html = tmp_path / "sample-corpus.html"
    proc = run_cli("check", "--html", str(html), cwd=tmp_path)
    assert proc.returncode == 1 and html.is_file(), proc.stderr
    view = open_page(html, viewport={"width": 1280, "height": 800})
    page = view.page
    shot = tmp_path / "first-screen.png"  # kept with the test's tmp dir, and where CI collects them
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "html-report-first-screen.png")
    header, first = _box(page, ".masthead"), _box(page, "tr.finding")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"sample report at 1280x800: first finding at y={first['top']:.0f}..{first['bottom']:.0f} px,"
          f" page height {height} px")
    assert header["bottom"] <= first["top"] and first["bottom"] <= 800, (header, first)
    assert page.evaluate("window.scrollY") == 0
    # rules with no findings are one folded line, not 40 table rows above the findings
    assert page.eval_on_selector_all("#rule-table tbody tr", "rows => rows.every(r => Number(r.dataset.count) > 0)")
    assert page.eval_on_selector("#quiet-rules", "d => !d.open")
    # far down the page, the nav link at the top brings the findings back in one click
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.click(".masthead a[href='#findings']")
    page.wait_for_function("() => Math.abs(document.getElementById('findings').getBoundingClientRect().top"
                           " - document.querySelector('.masthead').getBoundingClientRect().bottom) < 40")
    assert view.errors == [] and view.foreign_requests() == []


def test_print_shows_every_finding_on_white_without_controls(faulty_run: dict[str, Any], open_page: Any,
                                                             tmp_path: Path) -> None:
    view = open_page(faulty_run["html"], color_scheme="dark")
    page = view.page
    matched = int(page.eval_on_selector("#status", "e => e.dataset.matched"))
    assert matched > 250 and page.eval_on_selector_all("tr.finding", "els => els.length") == 250
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)"
    page.emulate_media(media="print")
    page.wait_for_function("n => document.querySelectorAll('tr.finding').length === n", arg=matched, timeout=10_000)
    for selector in (".toc", "#filters", ".more-wrap"):
        assert page.eval_on_selector(selector, "e => getComputedStyle(e).display") == "none", selector
    backgrounds = page.evaluate("""() => [document.body, ...document.querySelectorAll(
        '.masthead, .panel, .card, .doc > header, .src')].map(e => getComputedStyle(e).backgroundColor)""")
    for colour in set(backgrounds):  # every background light enough for paper (or transparent)
        red, green, blue, *alpha = (float(c) for c in re.findall(r"[\d.]+", colour))
        assert alpha == [0.0] or 0.2126 * red + 0.7152 * green + 0.0722 * blue > 230, colour
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.stat().st_size > 50_000
    page.emulate_media(media="screen")  # back on screen: one page of findings again
    page.wait_for_function("() => document.querySelectorAll('tr.finding').length === 250")
    assert view.errors == [] and view.foreign_requests() == []


def test_a_clean_corpus_says_it_has_no_findings(open_page: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.txt").write_text("今天天气很好。\n他说<cand>但</cand>时至今日，一切如常。\n", encoding="utf-8")
    html = tmp_path / "r.html"
    proc = run_cli("check", "corpus", "--html", str(html), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    view = open_page(html)
    assert view.page.inner_text("#status") == "No findings: every rule that ran passed."
    assert view.page.is_visible("#no-findings") and view.page.query_selector("#rule-table") is None
    assert view.errors == [] and view.foreign_requests() == []


def test_print_unfolds_duplicate_group_members_but_not_the_quiet_rules(open_page: Any, tmp_path: Path) -> None:
    from test_html import _finding, _result

    from validators.reporters.html import render_html

    members = [f"c/copy-{i:02d}.txt" for i in range(20)]
    result = _result([_finding("DUP002", p, 1, context="", severity="warning") for p in members],
                     {p: {"chars": 10} for p in members},
                     duplicate_groups=[{"rule": "DUP002", "size": 20, "members": members}])
    path = tmp_path / "groups.html"
    path.write_text(render_html(result), encoding="utf-8")
    view = open_page(path)
    page = view.page
    folded = "() => [...document.querySelectorAll('#summary-groups details')].map(d => d.open)"
    assert page.evaluate(folded) == [False]
    assert not page.is_visible("#summary-groups details li >> nth=0")
    page.emulate_media(media="print")
    page.wait_for_function("() => document.querySelector('#summary-groups details').open")
    assert page.is_visible("#summary-groups details li >> nth=0")
    assert page.eval_on_selector("#quiet-rules", "d => d.open") is False  # no findings in there
    page.emulate_media(media="screen")
    page.wait_for_function("() => !document.querySelector('#summary-groups details').open")
    assert view.errors == []
