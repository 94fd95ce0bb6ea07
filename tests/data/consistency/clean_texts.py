"""Make the clean real documents of ``clean/`` from their sources (see SOURCE.md); run once:
``python tests/data/consistency/clean_texts.py``.

- ``clean/wiki_*.txt``: five zh.wikipedia articles (``clean/source/wiki_*.md``, as published in
  GitHub ``quqixun/ReadWiki-ZH``) as a corpus holds an encyclopaedia: one paragraph per line, the
  title and every section heading on a line of its own without its number (``## 9 参考文献`` →
  ``参考文献``), list items without their ``*``, no blank lines. Every other character is kept.
- ``clean/ly_speech_*.txt``: the speeches of a Legislative Yuan committee record
  (``tests/data/real/traditional-tw/ly_interior_committee_2012-06-06_a.txt``, one speech a line),
  one document per speech of at least two sentences, one sentence per line, as transcripts of
  talks are often kept (the TED-talk annotation of ``ted/`` is). Nothing else is changed.

Both keep what real text has and the duplicate rules must not take for page furniture: the same
one-word heading in several articles (参考文献), the same greeting opening several speeches
(主席、各位列席官員、各位同仁。), the same short line twice in one document.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLEAN = HERE / "clean"
REPO = HERE.parents[2]
LY = REPO / "tests" / "data" / "real" / "traditional-tw" / "ly_interior_committee_2012-06-06_a.txt"
HEADING = re.compile(r"^#+ (?:[0-9.]+ )?(.+)$")
SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)]*|[^。！？!?]+$")


def wiki_text(markdown: str) -> str:
    lines = []
    for line in markdown.split("\n"):
        if not line.strip():
            continue
        heading = HEADING.match(line)
        if heading:
            lines.append(heading.group(1))
        elif line.startswith("* "):
            lines.append(line[2:])
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def speeches(record: str) -> list[str]:
    out = []
    for paragraph in record.split("\n"):
        sentences = [s for s in SENTENCE.findall(paragraph) if s.strip()]
        if len(sentences) >= 2:
            out.append("\n".join(sentences) + "\n")
    return out


def main() -> int:
    for source in sorted((CLEAN / "source").glob("wiki_*.md")):
        (CLEAN / f"{source.stem}.txt").write_text(wiki_text(source.read_text(encoding="utf-8")),
                                                  encoding="utf-8", newline="\n")
    for number, text in enumerate(speeches(LY.read_text(encoding="utf-8")), 1):
        (CLEAN / f"ly_speech_{number:02d}.txt").write_text(text, encoding="utf-8", newline="\n")
    print("\n".join(sorted(p.name for p in CLEAN.glob("*.txt"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
