"""``--html F``: one self-contained HTML report (inline CSS, JS and SVG; no network; a CSP).

Every piece of corpus text reaches the page in one of two escaped ways: through jinja2 with
autoescape on, or inside the JSON data block (``<``, ``>`` and ``&`` written as ``\\u003c`` …),
from which the page's script builds DOM nodes with ``textContent`` only. The content-security
policy allows only the page's own script and style (by their sha256), so even a bug in the escaping
could not run an injected ``<script>`` or ``onerror=``.

Findings are sampled per rule (:data:`SAMPLE_CAP`, spread over the documents round-robin) while
every count stays exact, so a run with 100 000 findings still gives a small page that opens quickly.

The page leads with the findings: the summary cards, then the per-document list; rules without
findings fold into one line, and rules ``check`` never runs (table-schema rules, rules turned off)
are named as such, not as rules that found nothing. Sections that other stages put into the run's
summary (``duplicate_groups``, ``suppressions``, ``connectives``) are rendered when present.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from validators import __version__
from validators.engine import CONTEXT_RADIUS
from validators.findings import CATEGORIES, SEVERITY_RANK, Finding

SAMPLE_CAP = 200      # findings rendered per rule (counts stay exact)
DOC_CAP = 5000        # documents with findings listed (the ones with most findings first)
GROUP_CAP = 100       # duplicate groups rendered
MEMBER_CAP = 12       # members of one duplicate group shown side by side
FREQ_CAP = 200        # rows of a frequency table
SNIPPET_CHARS = 240   # code points of a duplicate member's line shown
GROUP_PATHS_CAP = 200  # member paths listed for one group of the summary's duplicate_groups
CONNECTIVES_TOP = 50   # connective rows shown before the fold (tagged vs untagged)
CONNECTIVES_CAP = 1000  # connective rows rendered in all

SEVERITY_ORDER = ("error", "warning", "info")
DEFAULT_FOLDER = "reports"


def _template_text(name: str) -> str:
    return resources.files("validators.reporters").joinpath("templates", name).read_text("utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    can close the element or open a comment, whatever the corpus text contains."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def highlight_range(finding: Finding) -> tuple[int, int]:
    """Code-point offsets ``[start, end)`` of the offending text within ``finding.context``."""
    context = finding.context
    start = finding.column - 1
    if context.startswith("…"):  # clipped around the finding by the engine
        start = 1 + min(finding.column - 1, CONTEXT_RADIUS)
    same_line = finding.end_line == finding.line
    end = start + max(finding.end_column - finding.column, 0) if same_line else len(context)
    start = max(0, min(start, len(context)))
    return start, max(start, min(end, len(context)))


def _label(value: Any) -> str:
    """A stats value (script, encoding) as a distribution label."""
    if value is None or value == "":
        return "unknown"
    if isinstance(value, Mapping):
        for key in ("name", "label", "script", "encoding", "value"):
            if key in value:
                return _label(value[key])
        return "unknown"
    return str(value)


def _encoding_label(stats: Mapping[str, Any]) -> str:
    """The encoding verdict (the tables' vocabulary) with the likely legacy encoding when one
    was guessed: ``not-utf-8 (GB18030/GBK)``."""
    label = _label(stats.get("encoding"))
    guess = stats.get("encoding_guess")
    return f"{label} ({guess})" if guess else label


def _sample(findings: list[Finding], cap: int) -> list[Finding]:
    """At most ``cap`` findings, taken round-robin over their documents (one rule's findings)."""
    if len(findings) <= cap:
        return findings
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_path[finding.path].append(finding)
    queues = list(by_path.values())
    chosen: list[Finding] = []
    depth = 0
    while len(chosen) < cap:
        for queue in queues:
            if depth < len(queue):
                chosen.append(queue[depth])
                if len(chosen) == cap:
                    break
        depth += 1
    return chosen


def read_line(fs_path: str, line: int, limit: int = SNIPPET_CHARS) -> str | None:
    """Line ``line`` (1-based) of a file, at most ``limit`` code points, without reading any line
    whole (a 200 MB one-line file costs one bounded read). None when it cannot be read."""
    chunk = 1 << 16
    try:
        with open(fs_path, "rb") as handle:
            number = 1
            while number < line:
                data = handle.readline(chunk)
                if not data:
                    return None
                if data.endswith(b"\n"):
                    number += 1
            data = handle.readline(limit * 4 + 4)
    except OSError:
        return None
    text = data.decode("utf-8", "replace").rstrip("\n").rstrip("\r")
    return text if len(text) <= limit else text[:limit] + "…"


def _counter_rows(counter: Counter[str], cap: int) -> dict[str, Any]:
    total = sum(counter.values())
    rows = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    top = rows[0][1] if rows else 0
    return {"rows": [{"text": k, "count": n, "share": n / total if total else 0.0,
                      "bar": round(100 * n / top, 1) if top else 0.0} for k, n in rows[:cap]],
            "distinct": len(rows), "total": total, "hidden": max(len(rows) - cap, 0)}


def _distribution(values: Iterable[str]) -> dict[str, Any]:
    counter = Counter(values)
    total = sum(counter.values())
    rows, x = [], 0.0
    for i, (label, count) in enumerate(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))):
        width = 100 * count / total if total else 0.0
        rows.append({"label": label, "count": count, "share": count / total if total else 0.0,
                     "x": round(x, 3), "width": round(width, 3), "color": i % 8})
        x += width
    return {"rows": rows, "total": total}


def not_run_reason(rule: Any) -> str | None:
    """Why ``check`` did not run a rule of its rule set, or None when it ran it: table-schema
    rules belong to ``check-table``, and a rule turned off runs nowhere."""
    if not rule.enabled:
        return "off in the configuration"
    if getattr(rule.check, "scope", "document") == "table":
        return "a table-schema rule: check-table runs it"
    return None


def _summary_groups(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    groups = summary.get("duplicate_groups")
    return [g for g in groups if isinstance(g, Mapping)] if isinstance(groups, list) else []


def build_data(result: Any, sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Everything the page shows, with exact counts and capped samples."""
    summary = result.summary()
    findings: list[Finding] = list(result.findings)
    stats_by_path = {d.path: d.stats for d in result.documents}

    # rules: every rule of the rule set (what was checked), plus any rule id a finding names
    by_rule = Counter(summary.get("by_rule", {}))  # findings the engine did not list count too
    rules: dict[str, dict[str, Any]] = {}
    for rule in result.ruleset:
        rules[rule.id] = {"id": rule.id, "name": rule.name, "category": rule.category,
                          "severity": rule.severity, "description": " ".join(rule.description.split()),
                          "count": by_rule.get(rule.id, 0), "not_run": not_run_reason(rule)}
    for finding in findings:
        if finding.rule not in rules:
            rules[finding.rule] = {"id": finding.rule, "name": finding.name, "category": finding.category,
                                   "severity": finding.severity, "description": "",
                                   "count": by_rule[finding.rule], "not_run": None}
    rule_ids = sorted(rules)
    rule_index = {rid: i for i, rid in enumerate(rule_ids)}

    # documents with findings: exact counts per rule
    per_doc: dict[str, Counter[int]] = defaultdict(Counter)
    for finding in findings:
        per_doc[finding.path][rule_index[finding.rule]] += 1 + finding.unlisted
    doc_paths = sorted(per_doc, key=lambda p: (-sum(per_doc[p].values()), p))[:DOC_CAP]
    doc_paths.sort()
    doc_index = {p: i for i, p in enumerate(doc_paths)}

    by_rule_findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.path in doc_index:
            by_rule_findings[finding.rule].append(finding)
    sample: list[Finding] = []
    for rid in rule_ids:
        chosen = _sample(by_rule_findings.get(rid, []), SAMPLE_CAP)
        rules[rid]["shown"] = len(chosen)
        sample.extend(chosen)
    sample.sort(key=Finding.sort_key)

    strings: dict[str, int] = {}  # messages and source lines repeat: each is stored once

    def intern(text: str) -> int:
        return strings.setdefault(text, len(strings))

    rows = []
    for f in sample:
        start, end = highlight_range(f)
        related = [[r.path, r.line] for r in f.related[:MEMBER_CAP]]
        rows.append([rule_index[f.rule], doc_index[f.path], f.line, f.column, f.end_line, f.end_column,
                     intern(f.message), intern(f.context), start, end, related, len(f.related)])

    docs = []
    for path in doc_paths:
        stats = stats_by_path.get(path, {})
        docs.append([path, sorted(per_doc[path].items()), stats.get("chars", 0),
                     _label(stats.get("script")), _encoding_label(stats)])

    # groups the summary lists whole are shown from there; a finding's few `related` would
    # otherwise make one partial group per member
    listed_whole = {str(g.get("rule")) for g in _summary_groups(summary)}
    related_findings = [f for f in findings if f.related and f.rule not in listed_whole]
    groups: list[dict[str, Any]] = []
    seen_groups: set[tuple[str, frozenset[tuple[str, int]]]] = set()
    for f in related_findings:
        if len(groups) >= GROUP_CAP:
            break
        members = [(f.path, f.line)] + [(r.path, r.line) for r in f.related]
        key = (f.rule, frozenset(members))
        if key in seen_groups:  # each member of a group reports the group: show it once
            continue
        seen_groups.add(key)
        shown = []
        for path, line in members[:MEMBER_CAP]:
            text = None
            if path == f.path and line == f.line and f.context and not f.context.startswith("…"):
                text = f.context
            elif sources and path in sources:
                text = read_line(sources[path], line)
            shown.append([path, line, text])
        groups.append({"rule": rule_index[f.rule], "message": f.message, "members": shown,
                       "total": len(members)})

    return {
        "summary": summary,
        "rules": [[r["id"], r["name"], r["category"], r["severity"], r["count"], r.get("shown", 0)]
                  for r in (rules[rid] for rid in rule_ids)],
        "docs": docs,
        "docs_with_findings": len(per_doc),
        "findings": rows,
        "strings": list(strings),
        "groups": groups,
        "groups_total": len({(f.rule, frozenset([(f.path, f.line), *((r.path, r.line) for r in f.related)]))
                             for f in related_findings}),
        "caps": {"sample": SAMPLE_CAP, "docs": DOC_CAP, "groups": GROUP_CAP, "members": MEMBER_CAP},
        "_rules_full": [rules[rid] for rid in rule_ids],
        "_stats": list(stats_by_path.values()),
    }


def _count(value: Any) -> int:
    """A count from a summary another stage wrote: a non-negative int, 0 for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _closest_text(value: Any) -> str:
    """A closest match (a path, a pair of paths, or a mapping naming them and a similarity with
    its measure) as one line of text; "" when absent."""
    if value is None or value == "":
        return ""
    if isinstance(value, Mapping):
        paths = [str(value[k]) for k in ("path", "a", "b") if value.get(k)]
        score = next((value[k] for k in ("similarity", "jaccard", "score")
                      if isinstance(value.get(k), int | float) and not isinstance(value.get(k), bool)), None)
        text = " ↔ ".join(paths)
        if score is not None:
            measure = f" {value['measure']}" if isinstance(value.get("measure"), str) else ""
            text = f"{text} ({score:.2f}{measure})" if text else f"{score:.2f}{measure}"
        return text
    if isinstance(value, list | tuple):
        return " ↔ ".join(str(v) for v in value)
    return str(value)


def duplicate_group_rows(summary: Mapping[str, Any]) -> dict[str, Any]:
    """``summary["duplicate_groups"]`` as rows: each group once, largest first, at most
    :data:`GROUP_CAP` groups of at most :data:`GROUP_PATHS_CAP` listed members. ``closest`` is
    either one per member (in the order of ``members``: shown beside each) or one for the group."""
    rows: list[dict[str, Any]] = []
    for group in _summary_groups(summary):
        paths = [str(m.get("path", "")) if isinstance(m, Mapping) else str(m)
                 for m in group.get("members") or [] if m is not None]
        closest = group.get("closest")
        beside = closest if isinstance(closest, list) and len(closest) == len(paths) else None
        members = [{"path": path, "closest": _closest_text(beside[i]) if beside else ""}
                   for i, path in enumerate(paths[:GROUP_PATHS_CAP])]
        size = _count(group.get("size")) or len(paths)
        rows.append({"rule": str(group.get("rule", "")), "size": size, "members": members,
                     "unlisted": max(size - len(members), 0),
                     "closest": "" if beside else _closest_text(closest)})
    rows.sort(key=lambda r: (-r["size"], [m["path"] for m in r["members"][:1]], r["rule"]))
    return {"rows": rows[:GROUP_CAP], "total": len(rows), "hidden": max(len(rows) - GROUP_CAP, 0),
            "documents": sum(r["size"] for r in rows)}


def suppression_rows(summary: Mapping[str, Any]) -> dict[str, Any]:
    """``summary["suppressions"]`` in configuration order, each with the findings it hides. One
    that hides nothing is flagged: ``dead`` when the run could tell (it covered the whole corpus),
    else "nothing in this run"; so is each rule of a glob that hides nothing (``dead_rules``)."""
    items = summary.get("suppressions")
    rows: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        kind = str(item.get("kind", ""))
        hidden = _count(item.get("hidden"))
        by_rule = item.get("hidden_by_rule")
        rules = [{"id": str(r), "hidden": _count(by_rule.get(r)) if isinstance(by_rule, Mapping) else None}
                 for r in item.get("rules") or []]
        dead = bool(item["dead"]) if isinstance(item.get("dead"), bool) else hidden == 0
        source, line = item.get("source"), item.get("line")
        rows.append({"kind": kind, "kind_label": {"per_file_ignores": "per-file ignore",
                                                  "ignore": "ignored finding"}.get(kind, kind),
                     "target": str(item.get("pattern") or item.get("fingerprint") or ""),
                     "path": str(item["path"]) if item.get("path") else "",
                     "rules": rules, "reason": str(item["reason"]) if item.get("reason") else "",
                     "hidden": hidden, "dead": dead, "idle": not dead and hidden == 0,
                     "dead_rules": [str(r) for r in item.get("dead_rules") or []],
                     "where": (f"{source}:{line}" if _count(line) else str(source)) if source else ""})
    total = summary.get("suppressed")
    return {"rows": rows, "hidden": _count(total) if total is not None else sum(r["hidden"] for r in rows),
            "dead": sum(1 for r in rows if r["dead"] or r["dead_rules"])}


def connective_usage(summary: Mapping[str, Any]) -> dict[str, Any]:
    """``summary["connectives"]``: per connective form, how often it is tagged and how often the
    same form stands untagged; most tagged first, the first :data:`CONNECTIVES_TOP` before the fold."""
    items = summary.get("connectives")
    rows: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and item.get("form"):
            tagged, untagged = _count(item.get("tagged")), _count(item.get("untagged"))
            rows.append({"form": str(item["form"]), "tagged": tagged, "untagged": untagged,
                         "total": tagged + untagged})
    rows.sort(key=lambda r: (-r["tagged"], -r["untagged"], r["form"]))
    top = max((r["total"] for r in rows), default=0)
    for row in rows:
        row["share"] = row["tagged"] / row["total"] if row["total"] else 0.0
        row["tagged_bar"] = round(100 * row["tagged"] / top, 2) if top else 0.0
        row["untagged_bar"] = round(100 * row["untagged"] / top, 2) if top else 0.0
    shown = rows[:CONNECTIVES_CAP]
    return {"top": shown[:CONNECTIVES_TOP], "rest": shown[CONNECTIVES_TOP:], "distinct": len(rows),
            "not_shown": len(rows) - len(shown), "tagged": sum(r["tagged"] for r in rows),
            "untagged": sum(r["untagged"] for r in rows)}


def _context(result: Any, data: dict[str, Any], title: str, generated: str) -> dict[str, Any]:
    summary = data["summary"]
    stats = data.pop("_stats")
    rules_full = data.pop("_rules_full")
    connectives: Counter[str] = Counter()
    pair_texts: Counter[str] = Counter()
    for s in stats:
        connectives.update(s.get("connectives") or {})
        pair_texts.update(s.get("pair_texts") or {})
    pairs = sum(int(s.get("pairs", 0) or 0) for s in stats)
    cand = sum(int(s.get("cand", 0) or 0) for s in stats)
    marker_a = sum(int(s.get("a", 0) or 0) for s in stats)
    top_rule = max((r["count"] for r in rules_full), default=0)
    for rule in rules_full:
        rule["bar"] = round(100 * rule["count"] / top_rule, 1) if top_rule else 0.0
    # a rule check never ran is not a rule that found nothing
    ran = [r for r in rules_full if r["count"] or not r["not_run"]]
    by_category = summary.get("by_category", {})
    top_cat = max(by_category.values(), default=0)
    categories = []
    for cat in sorted(set(by_category) | {r["category"] for r in ran},
                      key=lambda c: (-by_category.get(c, 0), c)):
        count = by_category.get(cat, 0)
        segments, x = [], 0.0
        for sev in SEVERITY_ORDER:  # the bar split by severity
            n = sum(r["count"] for r in ran if r["category"] == cat and r["severity"] == sev)
            width = 100 * n / top_cat if top_cat else 0.0
            if n:
                segments.append({"severity": sev, "count": n, "x": round(x, 2), "width": round(width, 2)})
            x += width
        categories.append({"id": cat, "label": CATEGORIES.get(cat, cat), "count": count,
                           "rules": sum(1 for r in ran if r["category"] == cat),
                           "segments": segments})
    readable = [s for s in stats if s.get("readable", True)]
    return {
        "title": title, "generated": generated, "version": __version__,
        "summary": summary, "sev": summary.get("by_severity", {}),
        "pairs": pairs, "cand": cand, "marker_a": marker_a,
        "rules": rules_full, "rules_run": len(ran),
        "rules_found": sorted((r for r in ran if r["count"]), key=lambda r: (-r["count"], r["id"])),
        "rules_quiet": [r for r in ran if not r["count"]],
        "rules_not_run": [r for r in rules_full if r not in ran],
        "categories": [c for c in categories if c["count"]],
        "quiet_categories": [c for c in categories if not c["count"]],
        "connectives": _counter_rows(connectives, FREQ_CAP),
        "pair_table": _counter_rows(pair_texts, FREQ_CAP),
        "script": _distribution(_label(s.get("script")) for s in readable),
        "encoding": _distribution(_encoding_label(s) for s in stats),
        "unreadable": len(stats) - len(readable),
        "caps": data["caps"], "sample_cap": SAMPLE_CAP,
        "capped_rules": [r for r in rules_full if r.get("shown", 0) < r["count"]],
        "docs_with_findings": data["docs_with_findings"], "docs_listed": len(data["docs"]),
        "groups_total": data["groups_total"],
        "summary_groups": duplicate_group_rows(summary),
        "suppressions": suppression_rows(summary),
        "connective_usage": connective_usage(summary),
    }


def render_html(result: Any, *, title: str = "Corpus validation report",
                sources: Mapping[str, str] | None = None, generated: str | None = None) -> str:
    """The report as one HTML string. ``sources`` maps finding paths to files, used only to show
    the lines of duplicate-group members side by side."""
    import jinja2

    if generated is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        now = (_dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch and epoch.isdigit()
               else _dt.datetime.now(_dt.UTC))
        generated = now.strftime("%Y-%m-%d %H:%M UTC")
    data = build_data(result, sources)
    context = _context(result, data, title, generated)
    css = _template_text("report.css")
    js = _template_text("report.js")
    csp = ("default-src 'none'; "
           f"script-src '{_sha256(js)}'; style-src '{_sha256(css)}'; "
           "img-src data:; font-src data:; connect-src 'none'; media-src 'none'; object-src 'none'; "
           "frame-src 'none'; worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'")
    env = jinja2.Environment(loader=jinja2.FunctionLoader(_template_text),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda n: f"{int(n):,}"
    env.filters["pct"] = lambda x: f"{100 * float(x):.1f}%"
    template = env.get_template("report.html.j2")
    return template.render(csp=csp, css=jinja2.utils.markupsafe.Markup(css),
                           js=jinja2.utils.markupsafe.Markup(js),
                           data_json=jinja2.utils.markupsafe.Markup(json_for_script(data)),
                           severities=SEVERITY_ORDER, categories_names=CATEGORIES,
                           severity_rank=SEVERITY_RANK, **context)


def report(result: Any, stream: TextIO) -> None:
    """The reporter interface ``(result, stream)``: the HTML report on a stream."""
    stream.write(render_html(result))


def report_name(paths: list[str]) -> str:
    """``<name>`` of ``reports/<name>.html``: the first corpus path's folder or file name."""
    if not paths:
        return "report"
    first = Path(paths[0])
    with contextlib.suppress(OSError):
        first = first.resolve()
    name = first.stem if first.suffix and not first.is_dir() else first.name
    name = re.sub(r"[^\w.-]+", "_", name).strip("._")
    return name or "report"


def html_target(value: str, paths: list[str], config: Any) -> Path:
    """Where ``--html [F]`` writes: F; F/<name>.html when F is a folder; reports/<name>.html with
    no value. Refuses a folder of corpus files (``check --html corpus/`` meant ``check corpus/``)."""
    from validators.discover import discover
    from validators.errors import UsageError

    name = report_name(paths or config.corpus_paths()) + ".html"
    if value == "":
        return Path(DEFAULT_FOLDER) / name
    target = Path(value)
    if target.is_dir():
        if not paths and discover([value], config.include, config.exclude):
            raise UsageError(f"--html {value}: that folder holds corpus files; to check it, write "
                             f"`check {value} --html`, or give --html a file name")
        return target / name
    if value.endswith(("/", os.sep)):
        target = target / name
    existing = next((p for p in target.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():  # fail now, not after the whole run
        raise UsageError(f"--html {value}: cannot write there: {existing} is not a folder")
    return target


def write_report(result: Any, path: str | os.PathLike[str], *, title: str | None = None,
                 sources: Mapping[str, str] | None = None, guard: Any = None) -> Path:
    """Write the report where ``guard`` (a :class:`validators.outputs.OutputGuard`) allows: never
    over a corpus file or a special file, atomically for a regular file (a reader never sees half a
    page), into a device or FIFO. A new file is readable like any file the user creates."""
    from validators.outputs import OutputGuard

    text = render_html(result, title=title or "Corpus validation report", sources=sources)
    return (guard or OutputGuard()).write(path, text.encode("utf-8", "replace"), "HTML report")
