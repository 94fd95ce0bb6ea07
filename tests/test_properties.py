"""Properties of the full default rule set on generated annotated documents (issue 2).

- A generated valid document (sentence punctuation, pairs from the paired-connective lexicon
  inside one sentence, <cand> spans from the single-connective lexicon) has no TAG/PAIR finding.
- One injected fault gives exactly the finding it should: the expected rule at the expected line
  and no other TAG/PAIR finding (no cascades, as in the Universal Dependencies validator).
- parse -> render round-trips.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from validators.config import Config, build_ruleset
from validators.engine import check_document
from validators.lexicons import load_lexicon
from validators.load import decode
from validators.markup import parse, render
from validators.rules import RuleSet

LEXICONS = Path(__file__).resolve().parent.parent / "rules" / "lexicons"
WORDS = sorted(load_lexicon(LEXICONS / "connectives.yaml").words)
# the lexicon PAIR003/PAIR004 read (rules/pairs.yaml): the CDTB pairs plus frames and variants
PAIR_LEXICON = load_lexicon(LEXICONS / "paired-frames.yaml")
PAIRS = sorted(PAIR_LEXICON.pairs)
ASYMMETRIC_PAIRS = [p for p in PAIRS if not PAIR_LEXICON.knows_pair(*p[::-1])]
RULESET = build_ruleset(Config())

HAN = st.text(alphabet=st.sampled_from(list("我们的模型大小数据价格市场公司用户发展今年开始")),
              min_size=1, max_size=6)
FILLER = st.text(alphabet=st.sampled_from(list("我们的模型大小数据价格，、 AI2024")), max_size=8)
ENDS = st.sampled_from(["。", "！", "？", "。”", "！”", "?", "!"])


@dataclass(frozen=True)
class Item:
    """One piece of a generated line: plain text, or a span (tag "cand"/"a") with its text."""

    kind: str                 # "text" | "cand" | "a"
    text: str
    sentence: int = -1        # document-wide sentence number of a span
    pair: int = -1            # pair number of an <a> span
    role: int = -1            # 0 first part, 1 second part
    open_tag: str = ""        # overrides for injected faults
    close_tag: str = ""

    def render(self) -> str:
        if self.kind == "text":
            return self.text
        return (self.open_tag or f"<{self.kind}>") + self.text + (self.close_tag or f"</{self.kind}>")


@st.composite
def documents(draw: st.DrawFn) -> list[list[Item]]:
    lines: list[list[Item]] = []
    sentence = pair = 0
    for _ in range(draw(st.integers(1, 4))):
        line: list[Item] = []
        n_sentences = draw(st.integers(0, 3))
        for k in range(n_sentences):
            line.append(Item("text", draw(HAN)))  # every sentence starts with Han text
            parts: list[Item] = []
            for _ in range(draw(st.integers(0, 2))):
                first, second = draw(st.sampled_from(PAIRS))
                parts += [Item("a", first, sentence, pair, 0), Item("text", draw(FILLER)),
                          Item("text", "，"), Item("a", second, sentence, pair, 1)]
                pair += 1
            for _ in range(draw(st.integers(0, 3))):
                at = draw(st.integers(0, len(parts)))
                parts.insert(at, Item("cand", draw(st.sampled_from(WORDS)), sentence))
            for part in parts:
                line += [part, Item("text", draw(FILLER))]
            last = k == n_sentences - 1
            line.append(Item("text", draw(st.one_of(ENDS, st.just(""))) if last else draw(ENDS)))
            sentence += 1
        lines.append(line)
    return lines


def text_of(lines: list[list[Item]]) -> str:
    return "\n".join("".join(item.render() for item in line) for line in lines)


def tag_pair_findings(text: str, ruleset: RuleSet = RULESET) -> set[tuple[str, int]]:
    doc = decode("generated.txt", text.encode("utf-8"))
    return {(f.rule, f.line) for f in check_document(doc, ruleset).findings
            if f.category in ("TAG", "PAIR")}


COMMON = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(documents())
@COMMON
def test_a_valid_document_has_no_tag_or_pair_finding(lines: list[list[Item]]) -> None:
    text = text_of(lines)
    assert tag_pair_findings(text) == set(), text


@given(documents())
@COMMON
def test_parse_render_round_trip(lines: list[list[Item]]) -> None:
    text = text_of(lines)
    markup = parse(text)
    assert markup.issues == []
    assert render(markup) == text
    assert [(s.tag, s.text) for s in markup.spans] == [
        (i.kind, i.text) for line in lines for i in line if i.kind != "text"]


# ---- one fault per document ---------------------------------------------------------------------

def spans(lines: list[list[Item]]) -> list[tuple[int, int]]:
    return [(n, k) for n, line in enumerate(lines) for k, item in enumerate(line) if item.kind != "text"]


def single_pair_seconds(lines: list[list[Item]]) -> list[tuple[int, int]]:
    """Second parts of pairs that are alone in their sentence (with two pairs in a sentence,
    removing or moving one part re-pairs the others in order: a different, legitimate finding)."""
    per_sentence: dict[int, int] = {}
    for line in lines:
        for item in line:
            if item.kind == "a" and item.role == 0:
                per_sentence[item.sentence] = per_sentence.get(item.sentence, 0) + 1
    return [(n, k) for n, k in spans(lines) if lines[n][k].kind == "a" and lines[n][k].role == 1
            and per_sentence[lines[n][k].sentence] == 1]


def with_item(lines: list[list[Item]], n: int, k: int, *new: Item) -> list[list[Item]]:
    changed = [list(line) for line in lines]
    changed[n][k:k + 1] = list(new)
    return changed


FAULT_KINDS = ["delete_close", "delete_open", "misspell", "upper", "empty", "nested",
               "partner_removed", "crosses_sentence", "unknown_pair", "reversed"]


@st.composite
def faulty_documents(draw: st.DrawFn) -> tuple[str, str, int, str]:
    """(faulty text, expected rule, expected 1-based line, fault kind)."""
    lines = draw(documents())
    kind = draw(st.sampled_from(FAULT_KINDS))
    tag_spans = spans(lines)
    seconds = single_pair_seconds(lines)
    if kind in ("partner_removed", "crosses_sentence", "unknown_pair", "reversed"):
        candidates = seconds if kind != "reversed" else [
            (n, k) for n, k in seconds if (first_of(lines, n, k).text, lines[n][k].text)
            in ASYMMETRIC_PAIRS]
    else:
        candidates = tag_spans
    assume(bool(candidates))
    n, k = draw(st.sampled_from(candidates))
    item = lines[n][k]
    tag = item.kind
    if kind == "delete_close":
        return text_of(with_item(lines, n, k, replace(item, close_tag="\0"))).replace(
            "\0", ""), "TAG001", n + 1, kind
    if kind == "delete_open":
        return text_of(with_item(lines, n, k, replace(item, open_tag="\0"))).replace(
            "\0", ""), "TAG002", n + 1, kind
    if kind == "misspell":
        typo = draw(st.sampled_from(["cnad", "cadn", "cnd", "cands", " cand", "Cand"]
                                    if tag == "cand" else ["aa", "A ", "b", " a"]))
        side = draw(st.sampled_from(["open", "close", "backslash", "no >"]))
        new = (replace(item, open_tag=f"<{typo}>") if side == "open" else
               replace(item, close_tag=f"</{typo}>") if side == "close" else
               replace(item, close_tag=f"<\\{tag}>") if side == "backslash" else
               replace(item, close_tag=f"</{tag}"))
        return text_of(with_item(lines, n, k, new)), "TAG004", n + 1, kind
    if kind == "upper":
        up = tag.upper()
        new = replace(item, open_tag=f"<{up}>", close_tag=f"</{up}>")
        return text_of(with_item(lines, n, k, new)), "TAG004", n + 1, kind
    if kind == "empty":
        return (text_of(with_item(lines, n, k, replace(item, text=""), Item("text", item.text))),
                "TAG006", n + 1, kind)
    if kind == "nested":
        inner = "a" if tag == "cand" else "cand"
        head, tail = (item.text[:1], item.text[1:]) if len(item.text) > 1 else ("", item.text)
        new = Item("text", f"<{tag}>{head}<{inner}>{tail}</{inner}></{tag}>")
        return text_of(with_item(lines, n, k, new)), "TAG005", n + 1, kind
    # pair faults on a pair that is alone in its sentence; ``item`` is its second part
    if kind == "partner_removed":
        gone = draw(st.sampled_from(["first", "second"]))
        if gone == "second":
            changed = with_item(lines, n, k, Item("text", item.text))
        else:
            fn, fk = first_position(lines, n, k)
            changed = with_item(lines, fn, fk, Item("text", lines[fn][fk].text))
        return text_of(changed), "PAIR001", n + 1, kind
    if kind == "unknown_pair":
        first = first_of(lines, n, k)
        options = [w for w in ("因此", "然而", "并且", "于是", "况且", "否则", "例如")
                   if not PAIR_LEXICON.knows_pair(first.text, w) and not PAIR_LEXICON.knows_pair(w, first.text)]
        assume(bool(options))
        new = replace(item, text=draw(st.sampled_from(options)))
        return text_of(with_item(lines, n, k, new)), "PAIR003", n + 1, kind
    if kind == "reversed":
        fn, fk = first_position(lines, n, k)
        first = lines[fn][fk]
        changed = with_item(lines, n, k, replace(item, text=first.text))
        changed[fn][fk] = replace(first, text=item.text)
        return text_of(changed), "PAIR004", n + 1, kind
    # crosses_sentence: move the second part to the start of the next sentence of its line, or,
    # when its sentence ends the line, put a 。 between the two parts
    line = lines[n]
    end = next((j for j in range(k + 1, len(line)) if line[j].kind == "text"
                and line[j].text[:1] in "。！？!?" and line[j].text), None)
    changed = [list(x) for x in lines]
    if end is not None and end + 1 < len(line):
        changed[n].insert(end + 1, item)
        del changed[n][k]
    else:
        changed[n].insert(k, Item("text", "。"))
    return text_of(changed), "PAIR002", n + 1, kind


def first_position(lines: list[list[Item]], n: int, k: int) -> tuple[int, int]:
    pair = lines[n][k].pair
    return next((m, j) for m, line in enumerate(lines) for j, it in enumerate(line)
                if it.kind == "a" and it.pair == pair and it.role == 0)


def first_of(lines: list[list[Item]], n: int, k: int) -> Item:
    m, j = first_position(lines, n, k)
    return lines[m][j]


@pytest.mark.slow
@given(faulty_documents())
@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_one_fault_gives_exactly_its_finding(case: tuple[str, str, int, str]) -> None:
    text, rule, line, kind = case
    event(kind)
    assert tag_pair_findings(text) == {(rule, line)}, (kind, text)


# ---- the no-cascade cases named in the issue, as plain examples -----------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # a deleted </cand> gives TAG001 only: not TAG005 for the next span of the line, no PAIR
    ("<cand>但时至今日，<cand>而</cand>且<a>不仅</a>便宜，<a>也</a>好用。", {("TAG001", 1)}),
    ("<a>不仅便宜，<a>也</a>好用。<a>因为</a>贵，<a>所以</a>少。", {("TAG001", 1)}),
    ("<a>不仅</a>便宜，<a>也好用。<a>因为</a>贵，<a>所以</a>少。", {("TAG001", 1)}),
    # a misspelt opening tag gives TAG004 only, not TAG002 for its closing tag
    ("<cnad>但</cand>时至今日，<a>不仅</a>便宜，<a>也</a>好用。", {("TAG004", 1)}),
    ("<cand>但<\\cand>时至今日，<a>不仅</a>便宜，<a>也</a>好用。", {("TAG004", 1)}),
    # a closing tag without its slash is another opener: both are unclosed, nothing is nested
    ("<cand>但<cand>时至今日，<a>不仅</a>便宜，<a>也</a>好用。", {("TAG001", 1)}),
    ("<a>不仅</a>便宜，<A>也</a>好用。", {("TAG004", 1)}),
    # a deleted opening tag of one pair part: TAG002, and no PAIR001 for its partner
    ("<a>不仅</a>便宜，也</a>好用。", {("TAG002", 1)}),
    # nesting is still nesting
    ("<cand>但<a>是</a></cand>时至今日。", {("TAG005", 1)}),
])
def test_no_cascade_examples(text: str, expected: set[tuple[str, int]]) -> None:
    assert tag_pair_findings(text) == expected
