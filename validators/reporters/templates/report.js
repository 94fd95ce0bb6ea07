(function () {
  "use strict";
  // Corpus text is only ever put into the page with textContent / createTextNode: never as HTML.
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var SEVERITIES = ["error", "warning", "info"];
  var RANK = { error: 3, warning: 2, info: 1, off: 0 };
  var PAGE = 250;
  var TAGS = ["<cand>", "</cand>", "<a>", "</a>"];
  var INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u2000-\u200a\u3164\u115f\u1160]/u;

  var rules = D.rules.map(function (r, i) {
    return { index: i, id: r[0], name: r[1], cat: r[2], sev: r[3], count: r[4], shown: r[5] };
  });
  var docs = D.docs.map(function (d, i) {
    var counts = { error: 0, warning: 0, info: 0 }, rc = {}, total = 0;
    d[1].forEach(function (pair) {
      var rule = rules[pair[0]];
      rc[pair[0]] = pair[1];
      total += pair[1];
      if (counts[rule.sev] !== undefined) counts[rule.sev] += pair[1];
    });
    return { index: i, path: d[0], lower: d[0].toLowerCase(), rc: rc, total: total, counts: counts,
             chars: d[2], script: d[3], encoding: d[4] };
  });
  var findings = D.findings.map(function (f) {
    return { rule: rules[f[0]], doc: docs[f[1]], line: f[2], col: f[3], endLine: f[4], endCol: f[5],
             message: D.strings[f[6]], context: D.strings[f[7]], hs: f[8], he: f[9], related: f[10], relatedTotal: f[11] };
  });

  // ---- DOM helpers ------------------------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function plural(n, word) { return fmt(n) + " " + word + (n === 1 ? "" : "s"); }
  function hex(cp) { var h = cp.toString(16).toUpperCase(); while (h.length < 4) h = "0" + h; return h; }

  // The source line: tags coloured, invisible characters as ⟨U+XXXX⟩, [hs, he) marked.
  // Offsets are code points (as the finding's columns), not UTF-16 units.
  function tokens(text) {
    var cps = Array.from(text), out = [], i = 0;
    while (i < cps.length) {
      var matched = null;
      if (cps[i] === "<") {
        for (var t = 0; t < TAGS.length; t++) {
          if (cps.slice(i, i + TAGS[t].length).join("") === TAGS[t]) { matched = TAGS[t]; break; }
        }
      }
      if (matched) {
        out.push({ kind: matched.indexOf("cand") >= 0 ? "tag-cand" : "tag-a", text: matched, start: i, end: i + matched.length });
        i += matched.length;
      } else if (cps[i] !== "\t" && INVISIBLE.test(cps[i])) {
        out.push({ kind: "inv", text: cps[i], start: i, end: i + 1 });
        i += 1;
      } else {
        out.push({ kind: "", text: cps[i], start: i, end: i + 1 });
        i += 1;
      }
    }
    return out;
  }
  function renderToken(parent, tok) {
    if (tok.kind === "inv") {
      var cp = tok.text.codePointAt(0);
      var span = el("span", "inv", "⟨U+" + hex(cp) + "⟩");
      span.title = "invisible character U+" + hex(cp);
      parent.appendChild(span);
    } else if (tok.kind) {
      parent.appendChild(el("span", tok.kind, tok.text));
    } else {
      var last = parent.lastChild;
      if (last && last.nodeType === 3) last.appendData(tok.text);
      else parent.appendChild(document.createTextNode(tok.text));
    }
  }
  function highlighted(text, hs, he) {
    var code = el("code", "");
    var toks = tokens(text), mark = null;
    if (hs !== undefined && he <= hs && hs >= Array.from(text).length) {
      toks.forEach(function (t) { renderToken(code, t); });
      code.appendChild(el("span", "caret"));
      return code;
    }
    if (hs !== undefined && he <= hs) he = hs + 1;
    toks.forEach(function (tok) {
      var inside = hs !== undefined && tok.start < he && tok.end > hs;
      var whole = hs !== undefined && tok.start >= hs && tok.end <= he;
      if (inside && !whole && tok.kind.indexOf("tag") === 0) {
        // a tag cut by the range: render its characters one by one
        Array.from(tok.text).forEach(function (ch, k) {
          var sub = { kind: "", text: ch, start: tok.start + k, end: tok.start + k + 1 };
          var subIn = sub.start < he && sub.end > hs;
          if (subIn) { if (!mark) { mark = el("mark"); code.appendChild(mark); } renderToken(mark, sub); }
          else { mark = null; renderToken(code, sub); }
        });
        return;
      }
      if (inside) {
        if (!mark) { mark = el("mark"); code.appendChild(mark); }
        renderToken(mark, tok);
      } else {
        mark = null;
        renderToken(code, tok);
      }
    });
    return code;
  }
  function sourceLine(line, text, hs, he) {
    var box = el("div", "src");
    box.appendChild(el("span", "ln", line));
    box.appendChild(highlighted(text, hs, he));
    return box;
  }

  // ---- state in the URL (the hash), so a link shows the same view ---------------------------
  var DEFAULT_SORT = "path";
  var state = { sev: SEVERITIES.slice(), cat: "", rule: "", path: "", sort: DEFAULT_SORT, tables: {} };
  var limit = PAGE;

  function readState() {
    var fresh = { sev: SEVERITIES.slice(), cat: "", rule: "", path: "", sort: DEFAULT_SORT, tables: {} };
    if (location.hash.indexOf("=") < 0) return fresh;
    var params;
    try { params = new URLSearchParams(location.hash.replace(/^#/, "")); } catch (e) { return fresh; }
    if (params.has("sev")) {
      fresh.sev = params.get("sev").split(",").filter(function (s) { return SEVERITIES.indexOf(s) >= 0; });
    }
    fresh.cat = params.get("cat") || "";
    fresh.rule = params.get("rule") || "";
    fresh.path = params.get("path") || "";
    var sort = params.get("sort");
    if (sort && ["path", "most", "severity", "rule"].indexOf(sort) >= 0) fresh.sort = sort;
    document.querySelectorAll("table.sortable").forEach(function (table) {
      if (params.has(table.id)) fresh.tables[table.id] = params.get(table.id);
    });
    return fresh;
  }
  function writeState() {
    var params = new URLSearchParams();
    if (state.sev.length !== SEVERITIES.length) params.set("sev", state.sev.join(","));
    if (state.cat) params.set("cat", state.cat);
    if (state.rule) params.set("rule", state.rule);
    if (state.path) params.set("path", state.path);
    if (state.sort !== DEFAULT_SORT) params.set("sort", state.sort);
    Object.keys(state.tables).forEach(function (id) { params.set(id, state.tables[id]); });
    var qs = params.toString();
    var hash = qs ? "#" + qs : "";
    if (location.hash === hash || (!hash && !location.hash)) return;
    try {
      history.replaceState(null, "", hash || location.pathname + location.search);
    } catch (e) {
      location.replace(hash || "#");
    }
  }

  // ---- filter form ----------------------------------------------------------------------------
  var form = document.getElementById("filters");
  var selCat = document.getElementById("f-cat"), selRule = document.getElementById("f-rule");
  var inpPath = document.getElementById("f-path"), selSort = document.getElementById("f-sort");

  function syncForm() {
    form.querySelectorAll("input[name=sev]").forEach(function (box) { box.checked = state.sev.indexOf(box.value) >= 0; });
    selCat.value = state.cat;
    if (selCat.value !== state.cat) { state.cat = ""; selCat.value = ""; }
    selRule.value = state.rule;
    if (selRule.value !== state.rule) { state.rule = ""; selRule.value = ""; }
    inpPath.value = state.path;
    selSort.value = state.sort;
  }
  function readForm() {
    state.sev = [];
    form.querySelectorAll("input[name=sev]").forEach(function (box) { if (box.checked) state.sev.push(box.value); });
    state.cat = selCat.value;
    state.rule = selRule.value;
    state.path = inpPath.value.trim();
    state.sort = selSort.value;
  }

  function ruleMatches(rule) {
    return state.sev.indexOf(rule.sev) >= 0 && (!state.cat || rule.cat === state.cat) &&
           (!state.rule || rule.id === state.rule);
  }
  function docMatches(doc) { return !state.path || doc.lower.indexOf(state.path.toLowerCase()) >= 0; }

  function exactCount() {
    var n = 0;
    if (!state.path) {
      rules.forEach(function (rule) { if (ruleMatches(rule)) n += rule.count; });
      return n;
    }
    docs.forEach(function (doc) {
      if (!docMatches(doc)) return;
      Object.keys(doc.rc).forEach(function (ri) { if (ruleMatches(rules[ri])) n += doc.rc[ri]; });
    });
    return n;
  }

  function docOrder(a, b) {
    if (state.sort === "most") return b.total - a.total || a.index - b.index;
    if (state.sort === "severity") {
      return b.counts.error - a.counts.error || b.counts.warning - a.counts.warning ||
             b.counts.info - a.counts.info || a.index - b.index;
    }
    return a.index - b.index;
  }
  function findingOrder(a, b) {
    if (a.doc !== b.doc) return docOrder(a.doc, b.doc);
    if (state.sort === "severity" && a.rule.sev !== b.rule.sev) return RANK[b.rule.sev] - RANK[a.rule.sev];
    if (state.sort === "rule" && a.rule.id !== b.rule.id) return a.rule.id < b.rule.id ? -1 : 1;
    return a.line - b.line || a.col - b.col || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0);
  }

  function setFilter(changes) {
    Object.keys(changes).forEach(function (k) { state[k] = changes[k]; });
    limit = PAGE;
    syncForm();
    render();
    writeState();
  }

  function findingRow(f) {
    var tr = el("tr", "finding sev-row-" + f.rule.sev);
    tr.dataset.rule = f.rule.id;
    tr.dataset.severity = f.rule.sev;
    tr.dataset.path = f.doc.path;
    var sev = el("td", "sev");
    sev.appendChild(el("span", "badge b-" + f.rule.sev, f.rule.sev));
    tr.appendChild(sev);
    tr.appendChild(el("td", "loc", f.line + ":" + f.col));
    var rule = el("td", "rule");
    rule.appendChild(el("code", "", f.rule.id));
    rule.appendChild(el("span", "rname", f.rule.name));
    tr.appendChild(rule);
    var body = el("td", "body");
    body.appendChild(el("div", "message", f.message));
    if (f.context) body.appendChild(sourceLine(f.line, f.context, f.hs, f.he));
    if (f.related && f.related.length) {
      var rel = el("div", "rel", "also in ");
      f.related.forEach(function (r) {
        var link = el("a", "", r[0] + ":" + r[1]);
        link.href = "#";
        link.addEventListener("click", function (ev) { ev.preventDefault(); setFilter({ path: r[0] }); });
        rel.appendChild(link);
      });
      if (f.relatedTotal > f.related.length) rel.appendChild(document.createTextNode("and " + fmt(f.relatedTotal - f.related.length) + " more"));
      body.appendChild(rel);
    }
    tr.appendChild(body);
    return tr;
  }

  function docSection(doc, shownInDoc) {
    var section = el("section", "doc");
    section.dataset.path = doc.path;
    var header = el("header");
    header.appendChild(el("h3", "", doc.path));
    var meta = el("div", "meta");
    meta.appendChild(el("span", "", plural(doc.total, "finding")));
    SEVERITIES.forEach(function (sev) {
      if (doc.counts[sev]) meta.appendChild(el("span", "c-" + sev, plural(doc.counts[sev], sev === "info" ? "info" : sev).replace(/infos$/, "info")));
    });
    if (shownInDoc < doc.total) meta.appendChild(el("span", "", fmt(shownInDoc) + " shown here"));
    meta.appendChild(el("span", "", plural(doc.chars, "character")));
    if (doc.script !== "unknown") meta.appendChild(el("span", "", "script: " + doc.script));
    if (doc.encoding !== "unknown") meta.appendChild(el("span", "", "encoding: " + doc.encoding));
    header.appendChild(meta);
    section.appendChild(header);
    var table = el("table", "findings");
    table.appendChild(el("tbody"));
    section.appendChild(table);
    return section;
  }

  var container = document.getElementById("docs");
  var status = document.getElementById("status");
  var more = document.getElementById("more");

  function render() {
    var matched = findings.filter(function (f) { return ruleMatches(f.rule) && docMatches(f.doc); });
    matched.sort(findingOrder);
    var perDoc = new Map();
    matched.forEach(function (f) { perDoc.set(f.doc, (perDoc.get(f.doc) || 0) + 1); });
    container.textContent = "";
    var current = null, tbody = null, shown = 0;
    for (var i = 0; i < matched.length && shown < limit; i++) {
      var f = matched[i];
      if (f.doc !== current) {
        current = f.doc;
        var section = docSection(current, perDoc.get(current));
        tbody = section.querySelector("tbody");
        container.appendChild(section);
      }
      tbody.appendChild(findingRow(f));
      shown++;
    }
    var exact = exactCount();
    status.dataset.shown = shown;
    status.dataset.matched = matched.length;
    status.dataset.exact = exact;
    var text;
    if (!matched.length) {
      text = exact ? fmt(exact) + " findings match, none in the rendered sample."
        : D.summary.findings ? "No finding matches these filters." : "No findings: every rule that ran passed.";
    } else {
      text = "Showing " + fmt(shown) + " of " + fmt(matched.length) + " findings in " + plural(perDoc.size, "document");
      if (exact > matched.length) text += " · " + fmt(exact) + " match in total (at most " + fmt(D.caps.sample) + " rendered per rule)";
      text += ".";
    }
    status.textContent = text;
    more.hidden = shown >= matched.length;
    more.textContent = "Show " + fmt(Math.min(PAGE, matched.length - shown)) + " more";
    document.querySelectorAll("[data-filter-rule]").forEach(function (row) {
      row.classList.toggle("selected", row.dataset.filterRule === state.rule);
    });
  }

  more.addEventListener("click", function () { limit += PAGE; render(); });
  form.addEventListener("change", function () { readForm(); limit = PAGE; render(); writeState(); });
  inpPath.addEventListener("input", function () { readForm(); limit = PAGE; render(); writeState(); });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  document.getElementById("f-reset").addEventListener("click", function () {
    setFilter({ sev: SEVERITIES.slice(), cat: "", rule: "", path: "", sort: DEFAULT_SORT });
  });

  function goToFindings() {
    document.getElementById("findings").scrollIntoView({ behavior: "smooth", block: "start" });
  }
  function activate(row, action) {
    row.tabIndex = 0;
    row.addEventListener("click", action);
    row.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); action(); } });
  }
  document.querySelectorAll("[data-filter-rule]").forEach(function (row) {
    activate(row, function () { setFilter({ rule: row.dataset.filterRule, cat: "" }); goToFindings(); });
  });
  document.querySelectorAll("[data-filter-cat]").forEach(function (row) {
    activate(row, function () { setFilter({ cat: row.dataset.filterCat, rule: "" }); goToFindings(); });
  });
  document.querySelectorAll("[data-filter-sev]").forEach(function (card) {
    card.addEventListener("click", function (ev) {
      ev.preventDefault();
      setFilter({ sev: [card.dataset.filterSev] });
      goToFindings();
    });
  });
  // section links scroll without replacing the filter state in the hash
  document.querySelectorAll(".toc a").forEach(function (link) {
    link.addEventListener("click", function (ev) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      ev.preventDefault();
      target.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });

  // ---- sortable tables ------------------------------------------------------------------------
  function sortTable(table, spec, remember) {
    var parts = spec.split(":"), key = parts[0], dir = parts[1] === "asc" ? 1 : -1;
    var th = table.querySelector("th[data-sort='" + key + "']");
    if (!th) return;
    var rows = Array.from(table.tBodies[0].rows);
    rows.sort(function (a, b) {
      var x = a.dataset[key], y = b.dataset[key];
      var nx = Number(x), ny = Number(y);
      var c = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y), "zh");
      if (c === 0) c = (a.dataset.id || a.dataset.text || "").localeCompare(b.dataset.id || b.dataset.text || "", "zh") * dir;
      return c * dir;
    });
    rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
    table.querySelectorAll("th[data-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    table.dataset.sorted = key + ":" + (dir === 1 ? "asc" : "desc");
    if (remember) {
      if (table.dataset.sorted === table.dataset.defaultSort) delete state.tables[table.id];
      else state.tables[table.id] = table.dataset.sorted;
      writeState();
    }
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.addEventListener("click", function () {
        var key = th.dataset.sort;
        var cur = (table.dataset.sorted || "").split(":");
        var numeric = key === "count" || key === "severity";
        var dir = cur[0] === key ? (cur[1] === "asc" ? "desc" : "asc") : (numeric ? "desc" : "asc");
        sortTable(table, key + ":" + dir, true);
      });
    });
  });
  function applyTableSorts() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      sortTable(table, state.tables[table.id] || table.dataset.defaultSort || "", false);
    });
  }

  // ---- duplicate groups, side by side ------------------------------------------------------
  function renderGroups() {
    var box = document.getElementById("groups");
    D.groups.forEach(function (g) {
      var rule = rules[g.rule];
      var group = el("div", "group");
      var header = el("header");
      header.appendChild(el("span", "badge b-" + rule.sev, rule.sev));
      header.appendChild(el("code", "", rule.id));
      header.appendChild(el("span", "", g.message));
      if (g.total > g.members.length) header.appendChild(el("span", "muted", fmt(g.total) + " members, " + fmt(g.members.length) + " shown"));
      group.appendChild(header);
      var members = el("div", "members");
      g.members.forEach(function (m, k) {
        var card = el("div", "member" + (k === 0 ? " primary" : ""));
        card.appendChild(el("div", "where", m[0] + ":" + m[1]));
        if (m[2] === null || m[2] === undefined) card.appendChild(el("div", "empty", "(text not available)"));
        else card.appendChild(sourceLine(m[1], m[2]));
        members.appendChild(card);
      });
      group.appendChild(members);
      box.appendChild(group);
    });
  }

  function restore() {
    state = readState();
    limit = PAGE;
    syncForm();
    applyTableSorts();
    render();
  }
  // ---- print: every finding of the sample and the print-open folds, not one page of them ------
  var printing = false, screenLimit = PAGE, openedForPrint = [];
  function beforePrint() {
    if (printing) return;
    printing = true;
    screenLimit = limit;
    limit = Infinity;
    render();
    openedForPrint = Array.from(document.querySelectorAll("details.print-open:not([open])"));
    openedForPrint.forEach(function (d) { d.open = true; });
  }
  function afterPrint() {
    if (!printing) return;
    printing = false;
    limit = screenLimit;
    render();
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  var printQuery = window.matchMedia ? window.matchMedia("print") : null;
  if (printQuery && printQuery.addEventListener) {
    printQuery.addEventListener("change", function (ev) { if (ev.matches) beforePrint(); else afterPrint(); });
  }

  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") >= 0 || !location.hash) restore();
  });
  renderGroups();
  restore();
  document.documentElement.dataset.ready = "1";
})();
