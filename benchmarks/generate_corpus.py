"""Generate a benchmark corpus of any size from the real sentences of the bundled sample corpus.

The output looks like a real corpus in the middle of its life: annotated documents (``<cand>``
spans and ``<a>`` pairs, reusing the sample's annotated sentences and tagging connectives in the
others), raw documents (Simplified and Traditional, PDF-extraction line breaks, half-width
punctuation), injected faults (every TAG problem, unknown connectives, odd ``<a>`` markers,
invalid UTF-8, a BOM, CRLF, NUL bytes, empty files), exact duplicates and near duplicates. The
same ``--seed`` and ``--size-mb`` always give byte-identical files. A fifth of each document's
Han characters are substituted (``Generator.cipher``) so that unrelated generated documents are
as different in n-grams as unrelated real ones.

    python benchmarks/generate_corpus.py --size-mb 200 --out /tmp/bench-corpus

Files go into ``part-NNN/`` folders of 500 documents; ``manifest.json`` (not a ``.txt``, so the
validator ignores it) records the arguments, sizes and how many faults of each kind were injected.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample-corpus"
FILES_PER_FOLDER = 500
VERSION = 2  # bump when the output for a given seed and size changes (benchmarks reuse corpora)
SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)》]*|[^。！？!?]+$")
TAG = re.compile(r"</?(?:cand|a)>")
# connectives that are tagged as <cand> when a raw sentence becomes an annotated one
CANDIDATES = ("但是", "但", "而且", "而", "因此", "所以", "如果", "虽然", "然而", "同时", "并且",
              "此外", "因为", "于是", "不过", "甚至", "就", "也", "则", "还")
PAIRS = (("不仅", "也"), ("不仅", "而且"), ("虽然", "但"), ("如果", "就"), ("因为", "所以"),
         ("不是", "而是"), ("既", "又"))
UNKNOWN_SPANS = ("苹果", "模型", "公司", "今天")
HAN = re.compile(r"[\u4e00-\u9fff]")
SPAN = re.compile(r"(<(?:cand|a)>[^<>]*</(?:cand|a)>)")
# Share of a document's Han characters (outside spans) its cipher replaces; see Generator.cipher.
CIPHER_SHARE = 0.2


def _sentences(line: str) -> list[str]:
    return [s for s in SENTENCE.findall(line) if s.strip()]


def load_material(sample: Path = SAMPLE) -> dict[str, list[str]]:
    """The sample corpus cut into sentences: tagged ones, plain Simplified, plain Traditional."""
    tagged: list[str] = []
    simplified: list[str] = []
    traditional: list[str] = []
    titles: list[str] = []
    for path in sorted(sample.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        is_traditional = "這" in text or "個" in text or "們" in text
        for line in text.split("\n"):
            line = line.strip()
            if not line:
                continue
            if len(line) < 30 and not line.endswith(("。", "！", "？")):
                titles.append(TAG.sub("", line))
            for sentence in _sentences(line):
                if TAG.search(sentence):
                    # keep only sentences whose tags are balanced (a pair never leaves its sentence)
                    names = [m.group() for m in TAG.finditer(sentence)]
                    if names.count("<a>") % 2 == 0 and names.count("<a>") == names.count("</a>") \
                            and names.count("<cand>") == names.count("</cand>"):
                        tagged.append(sentence)
                    simplified.append(TAG.sub("", sentence))
                elif is_traditional:
                    traditional.append(sentence)
                else:
                    simplified.append(sentence)
    def han(sentences: list[str]) -> list[str]:
        return sorted({c for s in sentences for c in HAN.findall(TAG.sub("", s))})

    return {"tagged": tagged, "simplified": simplified, "traditional": traditional,
            "titles": titles or ["大模型创业"],
            "han_simplified": han(simplified + tagged), "han_traditional": han(traditional)}


class Generator:
    def __init__(self, seed: int, material: dict[str, list[str]]) -> None:
        self.rng = random.Random(seed)
        self.m = material
        self.faults: Counter[str] = Counter()
        self.recent: deque[list[str]] = deque(maxlen=64)  # candidates for (near) duplicates

    # -- sentences and paragraphs -------------------------------------------------------------
    def annotate(self, sentence: str) -> str:
        """Tag one connective of a plain sentence, or build a paired <a> sentence."""
        rng = self.rng
        if rng.random() < 0.12:
            first, second = rng.choice(PAIRS)
            a, b = rng.sample(self.m["simplified"], 2)
            return (f"<a>{first}</a>{a.rstrip('。！？!?')[:40]}，"
                    f"<a>{second}</a>{b.rstrip('。！？!?')[:40]}。")
        for word in rng.sample(CANDIDATES, len(CANDIDATES)):
            at = sentence.find(word)
            if at > 0:
                return f"{sentence[:at]}<cand>{word}</cand>{sentence[at + len(word):]}"
        return sentence

    def paragraph(self, kind: str) -> str:
        rng = self.rng
        count = rng.randint(1, 7)
        if kind == "annotated":
            out = []
            for _ in range(count):
                roll = rng.random()
                if roll < 0.35:
                    out.append(rng.choice(self.m["tagged"]))
                elif roll < 0.75:
                    out.append(self.annotate(rng.choice(self.m["simplified"])))
                else:
                    out.append(rng.choice(self.m["simplified"]))
            return "".join(out)
        pool = self.m["traditional"] if kind == "traditional" else self.m["simplified"]
        return "".join(rng.choice(pool) for _ in range(count))

    def document_lines(self, kind: str, target_chars: int) -> list[str]:
        rng = self.rng
        lines = [rng.choice(self.m["titles"]), ""]
        size = 0
        while size < target_chars:
            para = self.paragraph(kind)
            if kind != "annotated" and rng.random() < 0.15:
                # PDF extraction: a paragraph broken at a fixed width
                width = rng.randint(30, 45)
                pieces = [para[i:i + width] for i in range(0, len(para), width)]
                lines.extend(pieces)
            else:
                lines.append(para)
            if rng.random() < 0.3:
                lines.append("")
            size += len(para)
        return lines

    def cipher(self, lines: list[str], kind: str) -> list[str]:
        """Replace a random fifth of the Han characters (each document its own choice, outside
        the tagged spans, within the document's script) by other characters of the sample.

        Five documents of real text are a few hundred sentences: any two generated documents would
        share most of their character n-grams, and every small document would be "contained" in
        every large one, which no real corpus looks like (and which turns near-duplicate detection
        into all pairs). After the cipher two documents share about a tenth of their 5-grams, as
        unrelated texts do; exact and near duplicates are copied after it, so they stay
        duplicates."""
        pool = self.m["han_traditional" if kind == "traditional" else "han_simplified"]
        if not pool:
            return lines
        chosen = self.rng.sample(pool, int(len(pool) * CIPHER_SHARE))
        table = str.maketrans({c: self.rng.choice(pool) for c in chosen})
        out = []
        for line in lines:
            parts = SPAN.split(line)
            parts[::2] = [part.translate(table) for part in parts[::2]]
            out.append("".join(parts))
        return out

    # -- faults --------------------------------------------------------------------------------
    def inject_text_fault(self, lines: list[str]) -> list[str]:
        rng = self.rng
        tagged = [i for i, line in enumerate(lines) if "<cand>" in line]
        kind = rng.choice(("unclosed", "malformed", "missing_gt", "nested", "empty", "crosses_line",
                           "stray", "unknown_connective", "odd_a", "mismatched", "upper_case",
                           "halfwidth", "censored", "repeated_title"))
        if kind in ("unclosed", "malformed", "missing_gt", "nested", "crosses_line", "mismatched",
                    "upper_case") and not tagged:
            kind = "stray"
        i = rng.choice(tagged) if tagged else rng.randrange(2, len(lines)) if len(lines) > 2 else 0
        line = lines[i]
        if kind == "unclosed":
            line = line.replace("</cand>", "", 1)
        elif kind == "malformed":
            line = line.replace("<cand>", "<cnad>", 1)
        elif kind == "missing_gt":
            line = line.replace("</cand>", "</cand", 1)
        elif kind == "nested":
            line = re.sub(r"<cand>([^<]+)</cand>", r"<cand>\1<a>是</a></cand>", line, count=1)
        elif kind == "mismatched":
            line = re.sub(r"<cand>([^<]+)</cand>", r"<cand>\1</a>", line, count=1)
        elif kind == "upper_case":
            line = line.replace("<cand>", "<CAND>", 1).replace("</cand>", "</CAND>", 1)
        elif kind == "crosses_line":
            m = re.search(r"<cand>([^<]+)</cand>", line)
            if m:
                head = line[:m.start()] + "<cand>" + m.group(1)
                lines[i:i + 1] = [head, "</cand>" + line[m.end():]]
                self.faults[kind] += 1
                return lines
        elif kind == "empty":
            line = line[:5] + "<cand></cand>" + line[5:]
        elif kind == "stray":
            line = line[:8] + " < " + line[8:]
        elif kind == "unknown_connective":
            line = line + f"<cand>{rng.choice(UNKNOWN_SPANS)}</cand>的。"
        elif kind == "odd_a":
            line = line + "<a>不仅</a>如此。"
        elif kind == "halfwidth":
            line = line.replace("，", ",").replace("：", ":")
        elif kind == "censored":
            line = line[:6] + "*" + line[7:]
        elif kind == "repeated_title":
            lines.insert(2, lines[0])
            self.faults[kind] += 1
            return lines
        lines[i] = line
        self.faults[kind] += 1
        return lines

    def encode(self, lines: list[str]) -> bytes:
        """Bytes of a document, sometimes with a byte-level fault."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.004:
            self.faults["invalid_utf8"] += 1
            at = rng.randrange(len(lines))
            head = "\n".join(lines[:at]).encode("utf-8")
            tail = "\n".join(lines[at:]).encode("gb18030", "replace")
            return head + b"\n" + tail
        if roll < 0.006:
            self.faults["bom"] += 1
            return b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8")
        if roll < 0.010:
            self.faults["crlf"] += 1
            return "\r\n".join(lines).encode("utf-8")
        if roll < 0.011:
            self.faults["binary"] += 1
            return "\n".join(lines).encode("utf-16-le")
        if roll < 0.012:
            self.faults["empty_file"] += 1
            return b""
        return ("\n".join(lines) + "\n").encode("utf-8")

    # -- documents -----------------------------------------------------------------------------
    def document(self, target_chars: int) -> bytes:
        rng = self.rng
        roll = rng.random()
        if self.recent and roll < 0.02:
            self.faults["exact_duplicate"] += 1
            return ("\n".join(rng.choice(self.recent)) + "\n").encode("utf-8")
        if self.recent and roll < 0.04:
            self.faults["near_duplicate"] += 1
            lines = list(rng.choice(self.recent))
            for _ in range(max(1, len(lines) // 20)):
                j = rng.randrange(len(lines))
                lines[j] = rng.choice(self.m["simplified"])
            return ("\n".join(lines) + "\n").encode("utf-8")
        kind = rng.choices(("annotated", "simplified", "traditional"), (0.45, 0.4, 0.15))[0]
        lines = self.cipher(self.document_lines(kind, target_chars), kind)
        if rng.random() < 0.12:
            lines = self.inject_text_fault(lines)
        self.recent.append(lines)
        return self.encode(lines)

    def documents(self, total_bytes: int, mean_kb: float, large_every_mb: float
                  ) -> Iterator[bytes]:
        rng = self.rng
        written = 0
        next_large = large_every_mb * 1e6 if large_every_mb > 0 else float("inf")
        while written < total_bytes:
            if written >= next_large:
                chars = rng.randint(700_000, 1_700_000)  # 2-5 MB of Chinese text
                next_large += large_every_mb * 1e6
            else:
                chars = int(min(max(rng.lognormvariate(0, 0.8) * mean_kb * 1000 / 3.6, 300),
                                150_000))
            data = self.document(chars)
            written += len(data)
            yield data


def generate(out: Path, size_mb: float, seed: int = 8, mean_kb: float = 20.0,
             large_every_mb: float = 50.0) -> dict[str, object]:
    """Write the corpus to ``out`` (replacing it) and return the manifest."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gen = Generator(seed, load_material())
    count = 0
    total = 0
    largest = 0
    for count, data in enumerate(gen.documents(int(size_mb * 1e6), mean_kb, large_every_mb), 1):
        folder = out / f"part-{(count - 1) // FILES_PER_FOLDER:03d}"
        if (count - 1) % FILES_PER_FOLDER == 0:
            folder.mkdir()
        (folder / f"doc-{count - 1:06d}.txt").write_bytes(data)
        total += len(data)
        largest = max(largest, len(data))
    manifest: dict[str, object] = {
        "generator": VERSION, "seed": seed, "size_mb": size_mb, "mean_kb": mean_kb, "large_every_mb": large_every_mb,
        "files": count, "bytes": total, "largest_file_bytes": largest,
        "faults": dict(sorted(gen.faults.items())),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to (re)create")
    parser.add_argument("--size-mb", type=float, default=20.0, help="total size in MB (10^6 B)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--mean-kb", type=float, default=20.0, help="typical document size")
    parser.add_argument("--large-every-mb", type=float, default=50.0,
                        help="one 2-5 MB document per this many MB (0: none)")
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.size_mb, args.seed, args.mean_kb, args.large_every_mb)
    sys.stdout.write(json.dumps(manifest) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
