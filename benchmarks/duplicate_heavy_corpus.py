"""Generate a duplicate-heavy corpus: a few texts, each copied hundreds of times with its lines
shuffled, as a web crawl of syndicated articles looks (issue 14).

    python benchmarks/duplicate_heavy_corpus.py --size-mb 50 --out /tmp/dup-heavy

``--groups`` texts (default 5) of about ``--doc-kb`` KB each (default 13.3) are made from the
real sentences of the sample corpus as benchmarks/generate_corpus.py makes its documents (the same
``Generator``: paragraphs, PDF-extraction line breaks, the per-document cipher); every document of
the corpus is one of them with its lines in another random order, so the corpus holds
``size / (groups * doc size)`` near-identical documents per text (about 750 for 50 MB): every
pair of one group is a near duplicate (character 5-gram Jaccard around 0.9), no two documents are
identical, and the groups have nothing in common with each other. The same arguments always give
byte-identical files.

Files go into ``part-NNN/`` folders of 500 documents, ``doc-NNNNNN.txt`` in a random order of
the groups; ``manifest.json`` records the arguments and which group every document belongs to.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_corpus import FILES_PER_FOLDER, Generator, load_material  # noqa: E402

VERSION = 1  # bump when the output for given arguments changes (benchmarks reuse corpora)


def documents(size_mb: float, groups: int = 5, doc_kb: float = 13.3,
              seed: int = 14) -> tuple[list[str], list[int]]:
    """The documents (texts, in corpus order) and the group of each."""
    gen = Generator(seed, load_material())
    rng = random.Random(seed + 1)
    bases = []
    for _ in range(groups):
        kind = rng.choice(("simplified", "annotated", "traditional"))
        lines = gen.cipher(gen.document_lines(kind, int(doc_kb * 1000 / 2.8)), kind)
        bases.append([line for line in lines if line.strip()])
    per_group = max(2, round(size_mb * 1e6 / (groups * doc_kb * 1000)))
    order = [g for g in range(groups) for _ in range(per_group)]
    rng.shuffle(order)
    texts = []
    for group in order:
        lines = list(bases[group])
        rng.shuffle(lines)
        texts.append("\n".join(lines) + "\n")
    return texts, order


def path_of(index: int) -> str:
    return f"part-{index // FILES_PER_FOLDER:03d}/doc-{index:06d}.txt"


def generate(out: Path, size_mb: float, groups: int = 5, doc_kb: float = 13.3,
             seed: int = 14) -> dict[str, object]:
    """Write the corpus to ``out`` (replacing it) and return the manifest."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    texts, order = documents(size_mb, groups, doc_kb, seed)
    total = 0
    for index, text in enumerate(texts):
        target = out / path_of(index)
        target.parent.mkdir(exist_ok=True)
        data = text.encode("utf-8")
        target.write_bytes(data)
        total += len(data)
    manifest: dict[str, object] = {
        "generator": VERSION, "seed": seed, "size_mb": size_mb, "groups": groups, "doc_kb": doc_kb,
        "files": len(texts), "bytes": total, "group_of": order}
    (out / "manifest.json").write_text(json.dumps(manifest) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to (re)create")
    parser.add_argument("--size-mb", type=float, default=50.0, help="total size in MB (10^6 B)")
    parser.add_argument("--groups", type=int, default=5, help="distinct texts")
    parser.add_argument("--doc-kb", type=float, default=13.3, help="size of one document")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.size_mb, args.groups, args.doc_kb, args.seed)
    shown = {k: v for k, v in manifest.items() if k != "group_of"}
    sys.stdout.write(json.dumps(shown) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
