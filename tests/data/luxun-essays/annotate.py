"""Annotate the raw texts of raw/ the way the sample corpus is annotated; writes annotated/.

Run once (``python tests/data/luxun-essays/annotate.py``); its output is committed and used by
tests/test_fault_injection.py. Deterministic and deliberately conservative: it tags only
connectives it can place with confidence, the way a careful annotator's first pass would.

- ``<cand>X</cand>``: a single connective from rules/lexicons/connectives.yaml that opens a clause
  (at the start of a sentence, or right after ， ； ： “ or ——), longest form first
  (但是 before 但, 而且 before 而).
- ``<a>X</a>……<a>Y</a>``: a paired connective from rules/lexicons/paired-connectives.yaml inside
  one sentence: the first part opens a clause, the second part opens a later clause of the same
  sentence (optionally after a one- or two-character pronoun subject: 他也, 我们就). At most one
  pair per sentence; its parts are not tagged again as <cand>.

Sentences end at 。！？!? (plus closing quotes), as in DESIGN.md §1. The script does not use the
validator's own tokenizer or sentence splitter, so the test does not grade the tool with itself.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
LEXICONS = REPO / "rules" / "lexicons"

# single connectives tagged at a clause start (each must be in connectives.yaml)
CANDS = ["总而言之", "但是", "然而", "所以", "因为", "因此", "因而", "于是", "而且", "并且",
         "否则", "不过", "可是", "总之", "例如", "譬如", "其实", "如果", "倘若", "即使", "虽然",
         "况且", "然后", "假如", "假使", "至于", "后来", "但", "而", "则"]
# paired connectives, preferred order (each must be in paired-connectives.yaml)
PAIRS = [("不是", "就是"), ("不是", "而是"), ("不是", "便是"), ("因为", "所以"),
         ("虽然", "但是"), ("虽然", "但"), ("虽然", "却"), ("不但", "而且"), ("不但", "也"),
         ("即使", "也"), ("如果", "就"), ("如果", "便"), ("如果", "那么"), ("假如", "就"),
         ("只要", "就"), ("只要", "便"), ("既然", "就"), ("无论", "都")]
PRONOUNS = ("我们", "你们", "他们", "她们", "它们", "我", "你", "他", "她", "它")
SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)]*|$)")
CLAUSE_OPENERS = "，；：“（"


def load_lexicons() -> tuple[set[str], set[tuple[str, str]]]:
    single = yaml.safe_load((LEXICONS / "connectives.yaml").read_text(encoding="utf-8"))
    paired = yaml.safe_load((LEXICONS / "paired-connectives.yaml").read_text(encoding="utf-8"))
    words = {e["text"] for e in single["entries"]}
    pairs = {(e["first"], e["second"]) for e in paired["entries"]}
    return words, pairs


def clause_starts(sentence: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(sentence):
        if ch in CLAUSE_OPENERS:
            starts.append(i + 1)
        elif sentence.startswith("——", i) and i + 2 <= len(sentence):
            starts.append(i + 2)
    return sorted({s for s in starts if s < len(sentence)})


def find_pair(sentence: str, starts: list[int]) -> tuple[int, str, int, str] | None:
    for first, second in PAIRS:
        for i, s in enumerate(starts):
            if not sentence.startswith(first, s):
                continue
            for t in starts[i + 1:]:
                for skip in ("", *PRONOUNS):
                    if sentence.startswith(skip + second, t):
                        return s, first, t + len(skip), second
    return None


def annotate_sentence(sentence: str, words: set[str]) -> str:
    starts = clause_starts(sentence)
    spans: list[tuple[int, int, str]] = []  # (start, end, tag)
    pair = find_pair(sentence, starts)
    if pair:
        s, first, t, second = pair
        spans += [(s, s + len(first), "a"), (t, t + len(second), "a")]
    taken = {i for a, b, _ in spans for i in range(a, b)}
    for s in starts:
        if s in taken:
            continue
        for word in CANDS:  # longest forms come first where they share a prefix
            end = s + len(word)
            if sentence.startswith(word, s) and word in words and not taken & set(range(s, end)):
                spans.append((s, end, "cand"))
                break
    out, pos = [], 0
    for a, b, tag in sorted(spans):
        out += [sentence[pos:a], f"<{tag}>{sentence[a:b]}</{tag}>"]
        pos = b
    out.append(sentence[pos:])
    return "".join(out)


def annotate(text: str, words: set[str]) -> str:
    lines = []
    for line in text.split("\n"):
        lines.append("".join(annotate_sentence(m.group(), words)
                             for m in SENTENCE.finditer(line) if m.group()))
    return "\n".join(lines)


def main() -> int:
    words, pairs = load_lexicons()
    missing = [w for w in CANDS if w not in words] + [p for p in PAIRS if p not in pairs]
    if missing:
        sys.stderr.write(f"not in the lexicons: {missing}\n")
        return 1
    out_dir = HERE / "annotated"
    out_dir.mkdir(exist_ok=True)
    for raw in sorted((HERE / "raw").glob("*.txt")):
        text = raw.read_text(encoding="utf-8")
        annotated = annotate(text, words)
        assert re.sub(r"</?(?:cand|a)>", "", annotated) == text, raw.name
        (out_dir / raw.name).write_text(annotated, encoding="utf-8", newline="\n")
        print(f"{raw.name}: {annotated.count('<cand>')} cand, {annotated.count('<a>')} a")
    return 0


if __name__ == "__main__":
    sys.exit(main())
