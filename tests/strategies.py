"""hypothesis strategies: valid annotated documents and corpora, and valid tables.

- :func:`annotated_documents`: a document with ``<cand>`` spans and ``<a>`` pairs inside their
  sentences, and what its tables must hold (the spans in order, the pairs).
- :func:`corpora`: a few such documents with distinct ids.
- :func:`findings_tables`: a valid ``findings`` table; each column is drawn with pandera's own
  strategy for that column (its dtype, enum and pattern checks), then the cross-column rules the
  column strategies cannot know (the category is the rule's prefix, end_line >= line) are applied.
  (A whole-model ``Findings.strategy()`` only filters for those rules and practically never finishes.)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

HAN = st.text(alphabet=st.sampled_from(list("不仅也但而且因为所以虽然然后就是还却")), min_size=1,
              max_size=3)
FILLER = st.text(alphabet=st.sampled_from(list("我们的模型大小数据价格市场，、 AI2024“")), max_size=8)
SENTENCE_END = st.sampled_from(["。", "！", "？", "。”", "!", "?"])


def _known_pairs() -> list[tuple[str, str]]:
    from validators.lexicons import load_lexicon
    from validators.resources import default_rules_dir

    lexicon = load_lexicon(default_rules_dir() / "lexicons" / "paired-connectives.yaml")
    return sorted(tuple(p) for p in lexicon.pairs)  # type: ignore[misc]


# paired connectives from the bundled lexicon (不仅……也), so PAIR003/PAIR004 stay quiet too
PAIRS = st.sampled_from(_known_pairs())


@dataclass
class AnnotatedDocument:
    text: str
    spans: list[tuple[str, str]] = field(default_factory=list)   # (tag, text) in document order
    pairs: list[tuple[str, str]] = field(default_factory=list)   # (first text, second text)

    @property
    def cand(self) -> int:
        return sum(tag == "cand" for tag, _ in self.spans)


@st.composite
def sentences(draw: st.DrawFn, doc: AnnotatedDocument, last_in_line: bool) -> str:
    """One sentence: filler, <cand> spans and whole <a> pairs, then sentence punctuation."""
    pieces: list[str] = [draw(FILLER)]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["cand", "cand", "pair"]))
        if kind == "cand":
            word = draw(HAN)
            pieces.append(f"<cand>{word}</cand>")
            doc.spans.append(("cand", word))
        elif sum(1 for p in pieces if p.startswith("<a>")) < 4:
            first, second = draw(PAIRS)
            middle = draw(FILLER)
            pieces.append(f"<a>{first}</a>{middle}<a>{second}</a>")
            doc.spans += [("a", first), ("a", second)]
            doc.pairs.append((first, second))
        pieces.append(draw(FILLER))
    body = "".join(pieces)
    if not body.strip():
        body = "我们" + body
    end = draw(SENTENCE_END) if not last_in_line or draw(st.booleans()) else ""
    return body + end


@st.composite
def annotated_documents(draw: st.DrawFn) -> AnnotatedDocument:
    """A valid annotated document: no tag fault, every <a> paired inside its sentence."""
    doc = AnnotatedDocument("")
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 4)) == 0:
            lines.append("")
            continue
        count = draw(st.integers(1, 3))
        lines.append("".join(draw(sentences(doc, i == count - 1)) for i in range(count)))
    doc.text = "\n".join(lines) + ("\n" if draw(st.booleans()) else "")
    return doc


@st.composite
def corpora(draw: st.DrawFn, max_documents: int = 3) -> dict[str, AnnotatedDocument]:
    count = draw(st.integers(1, max_documents))
    names = draw(st.lists(st.sampled_from(["a.txt", "b.txt", "sub/c.txt", "d 1.txt", "e,f.txt",
                                           "新闻.txt"]), min_size=count, max_size=count,
                          unique=True))
    return {name: draw(annotated_documents()) for name in names}


def _column_strategy(schema: Any, name: str, size: int) -> st.SearchStrategy[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return schema.columns[name].strategy(size=size)


def _clean(value: Any) -> Any:
    """Cells a CSV file can carry: no NUL (a CSV file with NUL bytes is binary to check-table)."""
    return value.replace("\x00", "") if isinstance(value, str) else value


@st.composite
def findings_tables(draw: st.DrawFn, max_size: int = 5) -> Any:
    """A valid findings table, its columns drawn with pandera's column strategies."""
    import pandas as pd

    from validators.findings import category_of
    from validators.tables.extract import frame
    from validators.tables.schemas import COLUMNS, schema_of

    schema = schema_of("findings")
    size = draw(st.integers(0, max_size))
    columns = {name: draw(_column_strategy(schema, name, size))[name].tolist()
               for name in COLUMNS["findings"]}
    rows = []
    for i in range(size):
        row = {name: _clean(None if _na(values[i]) else values[i])
               for name, values in columns.items()}
        row["category"] = category_of(row["rule"])
        row["end_line"] = max(row["end_line"], row["line"])
        for name in ("name", "path", "message"):
            if not row[name]:
                row[name] = "x"
        rows.append(row)
    result = frame("findings", rows)
    assert isinstance(result, pd.DataFrame)
    return result


def _na(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))
