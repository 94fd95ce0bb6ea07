"""Convert the PDTB-style explicit connectives of four Chinese TED talks to the inline format.

Run ``CORPUS_VALIDATORS_TED=<folder> python tests/data/consistency/ted_to_inline.py``; it writes
``<folder>/talk*.txt`` (not committed: the talk text is CC BY-NC-ND, see SOURCE.md). Input, in
``<folder>/source/``: ``talk<N>.tokens``, the talk's tokenized text exactly as
published (tokens separated by spaces, one sentence per line), and ``talk<N>.explicit``, the
character offsets of every ``Explicit`` relation's connective in it, copied from the talk's
annotation file (``a..b`` for a one-part connective, ``a..b;c..d`` for a two-part one). See
SOURCE.md for where both come from.

- a one-part connective becomes ``<cand>…</cand>``, a two-part one two ``<a>`` spans;
- the same offsets annotated twice (two senses of one connective) are tagged once; a connective
  that overlaps one already tagged (a one-part reading of a pair's first part) is left out;
- a pair whose parts are not in one sentence, or that would interleave with another pair of its
  sentence (the inline format pairs ``<a>`` spans in order), is left out: the script says which;
- then the tokenization is undone: a space is removed unless it separates two Latin letters or
  digits (``Ross Parkers``, ``cream cheese``), so ``的 时候`` becomes ``的时候``.

The script checks that removing the tags gives back the detokenized text, character for character.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = Path(os.environ.get("CORPUS_VALIDATORS_TED", HERE / "ted"))
SOURCE = OUT / "source"
SENTENCE_END = "。！？!?"
LATIN = re.compile(r"[A-Za-z0-9]")


def read_spans(path: Path) -> list[list[tuple[int, int]]]:
    spans = []
    for item in path.read_text(encoding="utf-8").split():
        spans.append([(int(a), int(b)) for a, b in (part.split("..") for part in item.split(";"))])
    return spans


def choose(text: str, spans: list[list[tuple[int, int]]], name: str) -> list[tuple[int, int, str]]:
    """The tags to insert: (start, end, tag), with duplicates, overlaps and bad pairs left out."""
    taken: set[int] = set()
    tags: list[tuple[int, int, str]] = []
    pairs: list[tuple[int, int, int]] = []  # (line, first start, second end)
    seen: set[tuple[tuple[int, int], ...]] = set()
    # pairs first: a pair's first part is often annotated alone as well (its other relation)
    for parts in sorted(spans, key=lambda p: (-len(p), p)):
        key = tuple(parts)
        if key in seen:
            continue
        seen.add(key)
        if len(parts) > 2:
            print(f"{name}: {parts}: more than two parts, left out", file=sys.stderr)
            continue
        cells = {i for a, b in parts for i in range(a, b)}
        if cells & taken:
            print(f"{name}: {parts} {'|'.join(text[a:b] for a, b in parts)}: overlaps a tagged "
                  "connective, left out", file=sys.stderr)
            continue
        if len(parts) == 2:
            (a, b), (c, d) = parts
            between = text[b:c]
            line = text.count("\n", 0, a)
            if "\n" in between or any(ch in between for ch in SENTENCE_END):
                print(f"{name}: {text[a:b]}…{text[c:d]}: parts in two sentences, left out",
                      file=sys.stderr)
                continue
            if any(pl == line and not (d <= ps or pe <= a) for pl, ps, pe in pairs):
                print(f"{name}: {text[a:b]}…{text[c:d]}: interleaves with another pair, left "
                      "out", file=sys.stderr)
                continue
            pairs.append((line, a, d))
            tags += [(a, b, "a"), (c, d, "a")]
        else:
            (a, b), = parts
            tags.append((a, b, "cand"))
        taken |= cells
    return sorted(tags)


def detokenize(marked: str) -> str:
    """Remove the token spaces, keeping a space between two Latin letters or digits."""
    plain_index = []  # positions of the characters that are not part of a tag
    tag = re.compile(r"</?(?:cand|a)>")
    i = 0
    while i < len(marked):
        m = tag.match(marked, i)
        if m:
            i = m.end()
            continue
        plain_index.append(i)
        i += 1
    drop = set()
    for k, pos in enumerate(plain_index):
        if marked[pos] != " ":
            continue
        before = next((marked[plain_index[j]] for j in range(k - 1, -1, -1)
                       if marked[plain_index[j]] != " "), "")
        after = next((marked[plain_index[j]] for j in range(k + 1, len(plain_index))
                      if marked[plain_index[j]] != " "), "")
        if not (LATIN.match(before) and LATIN.match(after)) or (
                k > 0 and marked[plain_index[k - 1]] == " "):
            drop.add(pos)
    return "".join(ch for i, ch in enumerate(marked) if i not in drop)


def convert(tokens: str, spans: list[list[tuple[int, int]]], name: str) -> str:
    out, pos = [], 0
    for a, b, tag in choose(tokens, spans, name):
        out += [tokens[pos:a], f"<{tag}>{tokens[a:b]}</{tag}>"]
        pos = b
    out.append(tokens[pos:])
    annotated = detokenize("".join(out))
    lines = [line.strip() for line in annotated.split("\n")]
    result = "\n".join(lines).rstrip("\n") + "\n"
    plain = re.sub(r"</?(?:cand|a)>", "", result)
    assert plain == "\n".join(line.strip() for line in detokenize(tokens).split("\n")).rstrip(
        "\n") + "\n", name
    return result


def main() -> int:
    for source in sorted(SOURCE.glob("talk*.tokens")):
        name = source.name.split(".")[0]
        tokens = source.read_text(encoding="utf-8")
        spans = read_spans(SOURCE / f"{name}.explicit")
        result = convert(tokens, spans, name)
        (OUT / f"{name}.txt").write_text(result, encoding="utf-8", newline="\n")
        print(f"{name}: {result.count('<cand>')} cand, {result.count('<a>')} a")
    return 0


if __name__ == "__main__":
    sys.exit(main())
