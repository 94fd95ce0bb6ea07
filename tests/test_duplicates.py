"""Duplicate detection (rules/duplicates.yaml, validators/checks/_dedup.py, the four DUP check types).

The real texts are public-domain Voice of America news articles (tests/data/voa-news/, see SOURCE.md)
and the bundled sample corpus. Reposts (another headline, truncation, whitespace and punctuation
variants, the other script) and injected copies (exact, 8% of lines removed, converted to
Traditional, a repeated line) are made from them here, deterministically.
"""

from __future__ import annotations

import pickle
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.checks import _dedup as dedup
from validators.engine import check_document, finish_corpus
from validators.findings import Finding
from validators.load import decode
from validators.rules import RuleSet, load_rule_file, with_options

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "voa-news"
SAMPLE = REPO / "sample-corpus"
DUP_RULES = REPO / "rules" / "duplicates.yaml"


def dup_ruleset(**options: dict) -> RuleSet:
    rules = {r.id: r for r in load_rule_file(DUP_RULES)}
    for rule_id, opts in options.items():
        rules[rule_id].options = with_options(rules[rule_id], opts, (str(DUP_RULES), 0))
    return RuleSet(rules)


def run(docs: dict[str, str], focus: set[str] | None = None,
        ruleset: RuleSet | None = None) -> list[Finding]:
    ruleset = ruleset or dup_ruleset()
    results = [check_document(decode(path, text.encode("utf-8")), ruleset)
               for path, text in sorted(docs.items())]
    findings = [f for r in results for f in r.findings]
    findings += finish_corpus(ruleset, results, focus)
    return findings


def group_mates(findings: list[Finding]) -> dict[tuple[str, str], set[str]]:
    """(rule, path) -> the other members of the duplicate group a DUP001/DUP002 finding reports
    its document in (the finding lists a few of them in ``related``, the group has them all)."""
    mates = {}
    for f in findings:
        if f.rule in ("DUP001", "DUP002"):
            assert f.group is not None and f.path in f.group.members, f
            mates[(f.rule, f.path)] = set(f.group.members) - {f.path}
    return mates


def split_paragraphs(article: str, per_line: int = 2) -> str:
    """A one-line article as a corpus document: a line is a paragraph of ``per_line`` sentences."""
    sentences = re.findall(r"[^。！？]+[。！？]*", article)
    lines = ["".join(sentences[i:i + per_line]) for i in range(0, len(sentences), per_line)]
    return "\n".join(lines) + "\n"


def real_articles() -> dict[str, str]:
    """Distinct real long documents: the Voice of America articles and the sample corpus."""
    docs = {}
    for i, line in enumerate((DATA / "voa-articles.txt").read_text("utf-8").splitlines()):
        docs[f"voa/{i}.txt"] = split_paragraphs(line)
    for f in sorted(SAMPLE.glob("*.txt")):
        docs[f"sample/{f.name}"] = f.read_text("utf-8")
    return docs


def real_short_news() -> dict[str, str]:
    lines = (DATA / "voa-short-news.txt").read_text("utf-8").splitlines()
    return {f"short/{i:02d}.txt": line + "\n" for i, line in enumerate(lines)}


def to_traditional(text: str) -> str:
    return str(dedup._opencc("s2t").convert(text))


def to_simplified(text: str) -> str:
    return str(dedup._opencc("t2s").convert(text))


def body_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


HEADLINES = ["【转载】{} | 深度阅读", "重磅！{}", "{}（附全文）"]


def reposts(path: str, text: str, rng: random.Random) -> dict[str, str]:
    """Realistic reposts of one article: another headline (and a source footer), a truncated copy
    (the first 55-75% of the paragraphs, then '阅读全文'), a whitespace/punctuation-width variant
    (re-wrapped lines, spaces, half-width punctuation), and the other script."""
    lines = body_lines(text)
    head = lines[0][:18]
    headline = rng.choice(HEADLINES).format(head)
    keep = max(2, int(len(lines) * rng.uniform(0.55, 0.75)))
    flat = "".join(lines)
    wrapped = [flat[i:i + rng.randint(30, 45)] for i in range(0, len(flat), 40)]
    wrapped = [w.replace("，", ", ").replace("。", ". ") for w in wrapped]
    other_script = to_simplified(text) if path.endswith("001_1e269361cd1d25e8.txt") \
        else to_traditional(text)
    stem = path.replace("/", "_")
    return {
        f"repost/{stem}.headline.txt": headline + "\n\n" + "\n".join(lines[1:])
        + "\n（来源：网络转载，如有侵权请联系删除）\n",
        f"repost/{stem}.truncated.txt": "\n".join(lines[:keep]) + "\n……阅读全文\n",
        f"repost/{stem}.whitespace.txt": "\n".join("  " + w for w in wrapped) + "\n\n",
        f"repost/{stem}.script.txt": other_script,
    }


def injected(path: str, text: str, rng: random.Random) -> dict[str, str]:
    """Injected copies: exact, 8% of the lines removed, converted to Traditional."""
    lines = text.split("\n")
    content = [i for i, line in enumerate(lines) if line.strip()]
    drop = set(rng.sample(content, max(1, round(0.08 * len(content)))))
    stem = path.replace("/", "_")
    return {
        f"copy/{stem}.exact.txt": text,
        f"copy/{stem}.minus8.txt": "\n".join(x for i, x in enumerate(lines) if i not in drop),
        f"copy/{stem}.traditional.txt": to_traditional(text),
    }


def related_paths(findings: list[Finding], path: str, rules: tuple[str, ...]) -> set[str]:
    return {r.path for f in findings if f.path == path and f.rule in rules for r in f.related}


def reported_with(mates: dict[tuple[str, str], set[str]], path: str, rules: tuple[str, ...]) -> set[str]:
    return {p for rule in rules for p in mates.get((rule, path), set())}


@pytest.fixture(scope="module")
def corpus_with_copies() -> tuple[dict[str, str], dict[str, str], list[Finding]]:
    rng = random.Random(4)
    originals = real_articles()
    variants: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path, text in originals.items():
        for made in (reposts(path, text, rng), injected(path, text, rng)):
            variants.update(made)
            origin.update(dict.fromkeys(made, path))
    docs = {**originals, **real_short_news(), **variants}
    return docs, origin, run(docs)


# --- what must show -------------------------------------------------------------------------

def test_reposts_and_injected_copies_are_reported(corpus_with_copies) -> None:
    _, origin, findings = corpus_with_copies
    mates = group_mates(findings)
    found = {v for v, o in origin.items() if o in reported_with(mates, v, ("DUP001", "DUP002"))}
    missed = sorted(set(origin) - found)
    assert len(origin) == 12 * 7
    assert len(found) / len(origin) >= 0.9, missed
    # each kind of copy on its own too
    for kind in ("headline", "truncated", "whitespace", "script", "exact", "minus8",
                 "traditional"):
        of_kind = [v for v in origin if v.endswith(f".{kind}.txt")]
        assert sum(v in found for v in of_kind) / len(of_kind) >= 0.9, (kind, missed)


def test_copies_are_grouped_with_their_own_original_only(corpus_with_copies) -> None:
    docs, origin, findings = corpus_with_copies
    family = {p: origin.get(p, p) for p in docs}
    for f in findings:
        if f.rule in ("DUP001", "DUP002"):
            assert {family[r.path] for r in f.related} == {family[f.path]}, f


def test_exact_and_script_copies_are_exact_duplicates(corpus_with_copies) -> None:
    _, origin, findings = corpus_with_copies
    for variant, original in origin.items():
        if variant.endswith((".exact.txt", ".traditional.txt")):
            assert original in related_paths(findings, variant, ("DUP001",)), variant


def test_near_duplicate_findings_give_the_similarity(corpus_with_copies) -> None:
    _, _, findings = corpus_with_copies
    near = [f for f in findings if f.rule == "DUP002"]
    assert near
    for f in near:
        value = float(re.search(r"(?:Jaccard|containment) (\d\.\d\d)", f.message).group(1))
        assert 0.5 <= value < 1.0 or "containment" in f.message, f.message
        assert f.related and f.line >= 1 and f.end_column > f.column


def test_clean_distinct_real_documents_get_no_duplicate_finding() -> None:
    """34 distinct real documents: the only DUP finding is the sample corpus's real repeated
    title (003, lines 1 and 2)."""
    docs = {**real_articles(), **real_short_news()}
    assert len(docs) == 34
    assert [(f.rule, f.path, f.line) for f in run(docs)] == [
        ("DUP003", "sample/003_2ce58a2ea71ab375.txt", 2)]


def test_sample_corpus_documents_are_not_near_duplicates_of_each_other() -> None:
    """All five are about large-model commercialisation; measured, they stay far from the
    threshold: the highest Jaccard of their character 5-gram sets is about 0.011 (001/002, two
    北京商报 pieces), the highest containment 0.022."""
    texts = {f.name: dedup.fold(f.read_text("utf-8")) for f in SAMPLE.glob("*.txt")}
    grams = {name: dedup.ngram_hashes(text, 5) for name, text in texts.items()}
    names = sorted(grams)
    worst = max(dedup.jaccard(grams[a], grams[b]) for i, a in enumerate(names)
                for b in names[i + 1:])
    assert worst[0] < 0.05 and worst[1] < 0.05
    findings = run({f.name: f.read_text("utf-8") for f in SAMPLE.glob("*.txt")})
    assert [(f.rule, f.path, f.line) for f in findings] == [
        ("DUP003", "003_2ce58a2ea71ab375.txt", 2)]
    assert findings[0].related[0].line == 1


def test_an_injected_repeated_line_is_reported_where_it_was_put() -> None:
    rng = random.Random(7)
    docs = real_articles()
    hits = 0
    for path, text in docs.items():
        lines = text.split("\n")
        candidates = [i for i, line in enumerate(lines) if len(dedup.fold(line)) >= 10]
        source = rng.choice(candidates)
        target = rng.randint(source + 1, len(lines))
        lines.insert(target, lines[source])
        findings = [f for f in run({path: "\n".join(lines)}) if f.rule == "DUP003"]
        if [(f.line, f.related[0].line) for f in findings] == [(target + 1, source + 1)]:
            hits += 1
    assert hits / len(docs) >= 0.9


# --- rules in detail ------------------------------------------------------------------------

def test_exact_duplicates_ignore_tags_width_whitespace_and_script() -> None:
    raw = "但时至今日，能转起大模型商业化齿轮的，似乎仍以互联网大厂既有业务为主。\n"
    variants = {
        "a.txt": raw,
        "b.txt": "<cand>但</cand>时至今日，能转起大模型商业化齿轮的，似乎仍以互联网大厂既有业务为主。\n",
        "c.txt": "但时至今日, 能转起大模型\n商业化齿轮的, 似乎仍以互联网大厂既有业务为主.\n",
        "d.txt": to_traditional(raw),
        "e.txt": "但时至今日，能转起大模型商业化齿轮的，似乎仍以ＡＩ大厂既有业务为主。\n",
    }
    findings = [f for f in run(variants) if f.rule == "DUP001"]
    assert sorted(f.path for f in findings) == ["a.txt", "b.txt", "c.txt", "d.txt"]
    assert {r.path for r in findings[0].related} == {"b.txt", "c.txt", "d.txt"}
    assert "similarity 1.00" in findings[0].message


def test_focus_reports_only_groups_with_a_focused_document() -> None:
    articles = real_articles()
    a, b = "voa/0.txt", "voa/1.txt"
    docs = {a: articles[a], "copy-a.txt": articles[a], b: articles[b],
            "copy-b.txt": to_traditional(articles[b]), "other.txt": articles["voa/2.txt"]}
    findings = run(docs, focus={"copy-b.txt"})
    assert [(f.rule, f.path) for f in findings] == [("DUP001", "copy-b.txt")]
    assert [r.path for r in findings[0].related] == [b]
    assert run(docs, focus={"other.txt"}) == []


def test_a_near_duplicate_finding_does_not_repeat_exact_copies() -> None:
    text = real_articles()["voa/5.txt"]
    lines = text.split("\n")
    docs = {"a.txt": text, "a-trad.txt": to_traditional(text),
            "half.txt": "\n".join(lines[: len(lines) // 2]) + "\n"}
    findings = run(docs)
    near = {f.path: f for f in findings if f.rule == "DUP002"}
    assert [r.path for r in near["a.txt"].related] == ["half.txt"]
    assert [r.path for r in near["a-trad.txt"].related] == ["half.txt"]
    assert [r.path for r in near["half.txt"].related] == ["a-trad.txt", "a.txt"]
    assert near["a.txt"].message == "near duplicate of half.txt (containment 1.00)"
    assert near["half.txt"].message.endswith("(containment 1.00 with a-trad.txt)")
    assert {f.path for f in findings if f.rule == "DUP001"} == {"a.txt", "a-trad.txt"}


def test_boilerplate_lines_across_documents() -> None:
    articles = list(real_articles().values())[:4]
    docs = {f"d{i}.txt": ("打开APP\n" if i != 2 else "") + text + "相关文章\n"
            for i, text in enumerate(articles)}
    findings = [f for f in run(docs) if f.rule == "DUP004"]
    assert sorted((f.path, f.line) for f in findings if "打开APP" in f.message) == [
        ("d0.txt", 1), ("d1.txt", 1), ("d3.txt", 1)]
    assert sum("相关文章" in f.message for f in findings) == 4
    f = next(f for f in findings if f.path == "d0.txt" and f.line == 1)
    assert "recurs in 3 documents" in f.message and {r.path for r in f.related} == {"d1.txt",
                                                                                    "d3.txt"}


def test_boilerplate_is_not_reported_line_by_line_for_copies() -> None:
    text = real_articles()["voa/4.txt"]
    docs = {"a.txt": text, "b.txt": to_traditional(text), "c.txt": text.replace("。", "。\n"),
            "d.txt": "打开APP\n" + text}
    assert [f for f in run(docs) if f.rule == "DUP004"] == []


def test_short_lines_never_count_as_repeated() -> None:
    text = "---\n“”\n编辑 | 魏佳\n\n---\n“”\n编辑 | 魏佳\n\n图片来源：视觉中国\n图片来源：视觉中国\n"
    assert [f for f in run({"a.txt": text}) if f.rule == "DUP003"] == []


def test_near_duplicate_threshold_option_is_honoured() -> None:
    articles = real_articles()
    text = articles["voa/6.txt"]
    lines = text.split("\n")
    half_edited = "\n".join(line[: len(line) // 2] + "。" if i % 2 else line
                            for i, line in enumerate(lines))
    docs = {"a.txt": text, "b.txt": half_edited}
    jac, _ = dedup.jaccard(dedup.ngram_hashes(dedup.fold(text), 5),
                           dedup.ngram_hashes(dedup.fold(half_edited), 5))
    below = dup_ruleset(DUP002={"threshold": round(jac + 0.05, 2), "containment": 0.0})
    above = dup_ruleset(DUP002={"threshold": round(jac - 0.05, 2), "containment": 0.0})
    assert [f for f in run(docs, ruleset=below) if f.rule == "DUP002"] == []
    assert len([f for f in run(docs, ruleset=above) if f.rule == "DUP002"]) == 2


# --- the machinery --------------------------------------------------------------------------

def test_collected_data_is_small_deterministic_and_picklable() -> None:
    ruleset = dup_ruleset()
    text = (SAMPLE / "000_c48a539151d484c8.txt").read_text("utf-8")
    first = check_document(decode("a.txt", text.encode()), ruleset).collected
    second = check_document(decode("a.txt", text.encode()), ruleset).collected
    assert first == second and set(first) == {"DUP001", "DUP002", "DUP004"}
    blob = pickle.dumps(first)
    assert pickle.loads(blob) == first
    assert "时至今日，能转起大模型商业化齿轮的" not in blob.decode("utf-8", "ignore")
    assert len(first["DUP002"]["sig"]) == 128 * 8


def test_lsh_bands_find_pairs_at_the_threshold() -> None:
    from datasketch.lsh import _optimal_param

    for threshold in (0.3, 0.5, 0.7, 0.8, 0.9):
        bands, rows = dedup.choose_bands(threshold, 128)
        assert bands * rows <= 128
        ours = dedup.candidate_probability(threshold, bands, rows)
        theirs = dedup.candidate_probability(threshold, *_optimal_param(threshold, 128, 0.5, 0.5))
        assert ours >= 0.9 > theirs
        assert dedup.candidate_probability(0.05, bands, rows) < 0.1


def test_lsh_candidates_cover_every_pair_above_the_threshold(corpus_with_copies) -> None:
    """LSH + verification against brute force on the real corpus with copies (no pair with a
    Jaccard well above the threshold is lost)."""
    docs, _, _ = corpus_with_copies
    grams = {p: dedup.ngram_hashes(dedup.fold(t), 5) for p, t in docs.items()}
    sigs = {p: dedup.minhash_signature(g, 128) for p, g in grams.items()}
    candidates = dedup.lsh_candidates(sigs, 128, *dedup.choose_bands(0.5, 128))
    paths = sorted(grams)
    above = {(a, b) for i, a in enumerate(paths) for b in paths[i + 1:]
             if dedup.jaccard(grams[a], grams[b])[0] >= 0.6}
    assert above and above <= candidates


def test_heavy_libraries_are_imported_only_when_a_duplicate_rule_runs() -> None:
    code = ("import sys\nimport validators.checks._dedup\n"
            "import validators.checks.near_duplicates, validators.checks.duplicate_documents\n"
            "import validators.checks.boilerplate, validators.checks.repeated_lines\n"
            "print(sorted(m for m in ('opencc', 'datasketch', 'xxhash') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout
    assert out.strip() == "[]"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("大模型商业化齿轮，。 \n\t/acnd！AIＡＩ體")), max_size=60))
def test_fold_is_idempotent_and_ignores_whitespace(text: str) -> None:
    folded = dedup.fold(text)
    assert dedup.fold(folded) == folded
    assert dedup.fold(" \n".join(text)) == folded
    assert not re.search(r"\s", folded)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=6), st.integers(0, 2 ** 16))
def test_exact_duplicates_survive_added_whitespace_and_tags(positions: list[int], seed: int) -> None:
    base = "大模型企业到底需要面对多少种坑？到底什么样的大模型才能卷出来？"
    rng = random.Random(seed)
    noisy = base
    for p in sorted(positions, reverse=True):
        noisy = noisy[:p] + rng.choice([" ", "\n", "　", "<cand>", "</cand>"]) + noisy[p:]
    findings = run({"a.txt": base, "b.txt": noisy})
    assert {f.path for f in findings if f.rule == "DUP001"} == {"a.txt", "b.txt"}
