"""``boilerplate``: a paragraph (line) that recurs across many documents, such as the web page's
``打开APP``, ``相关文章``, ``来源：…`` or a newsletter footer that a scraper kept (corpus-wide).

Per document (``collect``): the 64-bit hashes of its normalised lines with at least ``min_chars``
letters or digits, with their line numbers and a 30-character snippet for the message (never the
whole text). Over the corpus (``finish``): a line hash found in at least ``min_count`` distinct
documents (documents with identical normalised text count once) is boilerplate, and each document
containing it gets one finding.

A document most of whose lines are "boilerplate" is a copy of another, not a page with a
template: when more than ``max_share`` of its counted lines recur, it is left to the
``duplicate_documents`` / ``near_duplicates`` rules instead of getting one finding per line.

A short paragraph that recurs because people write it is language, not page furniture: a short
sentence (谢谢大家！, 为什么呢？, a speaker's greeting 主席、各位同仁。; at most ``sentence_max``
letters, ending like a sentence) or a heading (参考文献, 外部链接; at most ``heading_max`` Han
characters and nothing else). Such a line is boilerplate only when it names the page or the
medium (one of ``furniture_words``: 点击, 公众号, 转载, 来源 …), and lines with anything else
(Latin or digits, a ``：`` or ``|`` label: 打开APP, 来源：北京商报, 编辑 | 魏佳) are judged as before.
"""

from __future__ import annotations

import array
import sys
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.checks import (
    DECODED_TEXT,
    SEVERAL_DOCUMENTS,
    CheckOptions,
    CorpusCheckType,
    Requirement,
    option,
    register,
)
from validators.checks import _dedup as dedup
from validators.checks._consistency import is_han
from validators.corpus_ops import CorpusOps, keys_where
from validators.document import Document
from validators.findings import Hit, Related

MAX_RELATED = 10  # other occurrences named in a finding
SNIPPET = 30      # characters of the line kept for the message
SENTENCE_END = "。！？!?…"
CLOSERS = "”’」』）)》\"'"
# words that name the page or the medium: a short sentence or heading holding one is furniture
FURNITURE_WORDS = ["app", "客户端", "公众号", "扫码", "扫一扫", "二维码", "点击", "关注我们", "订阅",
                   "转载", "原创", "来源", "编辑", "责编", "版权", "侵权", "下载", "分享", "转发",
                   "阅读原文", "阅读全文", "相关文章", "相关阅读", "相关新闻", "推荐阅读", "热门",
                   "返回", "广告", "登录", "注册", "收藏", "评论", "网友", "本文", "本站"]


@register
class BoilerplateCheck(CorpusCheckType):
    name: ClassVar[str] = "boilerplate"
    summary: ClassVar[str] = "a paragraph repeated across many documents (boilerplate)"
    requires: ClassVar[tuple[Requirement, ...]] = (DECODED_TEXT, SEVERAL_DOCUMENTS)

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        min_chars: int = option("int", 4, minimum=1,
                                help="only lines with at least this many letters and digits count")
        min_count: int = option("int", 3, minimum=2,
                                help="distinct documents a line must occur in to be boilerplate")
        max_share: float = option("float", 0.5, minimum=0.0, maximum=1.0,
                                  help="a document with a larger share of recurring lines is a "
                                       "copy, not a template: no boilerplate finding for it")
        fold_script: bool = option("bool", True, help="fold Traditional to Simplified before "
                                                      "comparing")
        sentence_max: int = option("int", 20, minimum=0,
                                   help="a recurring short sentence (up to this many letters, "
                                        "ending with 。！？) is language, not furniture")
        heading_max: int = option("int", 8, minimum=0,
                                  help="a recurring line of up to this many Han characters and "
                                       "nothing else is a heading, not furniture")
        furniture_words: list[str] = option(
            "str_list", FURNITURE_WORDS,
            help="words that make a short sentence or heading furniture (compared case-folded, "
                 "in Simplified)")

    def collect(self, doc: Document, options: Options) -> Any:
        lines: dict[int, tuple[int, int, str]] = {}  # line hash -> (first line, end, snippet)
        language: set[int] = set()  # hashes of the lines that read as language
        folded_lines = dedup.folded_lines(doc, options.fold_script)
        furniture = [w.casefold() for w in options.furniture_words]
        for number, (raw, folded) in enumerate(zip(doc.lines, folded_lines, strict=True), 1):
            line = raw.rstrip("\r")
            if len(folded) >= options.min_chars:
                text = line.strip()
                snippet = text[:SNIPPET] + ("…" if len(text) > SNIPPET else "")
                h = dedup.line_hash(folded)
                if h not in lines and reads_as_language(dedup.strip_tags(text), folded, options,
                                                        furniture):
                    language.add(h)
                lines.setdefault(h, (number, len(line) + 1, snippet))
        if not lines:
            return None
        folded_doc = dedup.folded_document(doc, options.fold_script)
        ordered = sorted(lines)
        return {"doc": dedup.content_hash(folded_doc),
                "hashes": _packed("Q", ordered), "numbers": _packed("I", [lines[h][0] for h in ordered]),
                "ends": _packed("I", [lines[h][1] for h in ordered]),
                "snippets": "\n".join(lines[h][2] for h in ordered),  # (a line holds no "\n")
                "language": _packed("Q", sorted(language))}

    def plan(self, ops: CorpusOps, items: Any, options: Options,
             focus: set[str] | None = None) -> list[Hit]:
        """Group line occurrences by line hash; only the recurring lines (with their count and
        first occurrences) reach the client, and each document's hits are made where it lives."""
        # first the lines found in at least min_count documents (line hashes only, grouped where
        # the data is: a corpus's half a million lines never reach the client): of those a few
        # thousand recur, and only their occurrences are grouped with their places
        often = keys_where(ops, ops.flat_map(items, _line_marks), _in_at_least, options.min_count)
        if not often:
            return []
        recurring = dict(ops.gather(ops.flat_map(ops.group(ops.flat_map(
            items, _line_entries, ops.share(often))), _recurring, options.min_count)))
        if not recurring:
            return []
        found = ops.gather(ops.flat_map(items, _document_hits, ops.share(recurring),
                                        options.max_share, focus))
        return [hit for _, hits in sorted(found, key=lambda ph: ph[0]) for hit in hits]


def reads_as_language(text: str, folded: str, options: BoilerplateCheck.Options,
                      furniture: list[str]) -> bool:
    """A short sentence or a heading that names neither page nor medium: what people write, so
    its recurring across documents is no sign of a template (see the module docstring)."""
    if any(word in folded for word in furniture):
        return False
    body = text.rstrip(CLOSERS)
    if body and body[-1] in SENTENCE_END and len(folded) <= options.sentence_max:
        return True
    return 0 < len(text) <= options.heading_max and is_han(text)


def _packed(code: str, values: list[int]) -> bytes:
    """Integers as little-endian machine words (``Q``: 64 bits, ``I``: 32): a document's lines
    are a few byte strings, not a tuple per line."""
    out = array.array(code, values)
    if sys.byteorder == "big":  # pragma: no cover - the entries are written little-endian
        out.byteswap()
    return out.tobytes()


def _unpacked(code: str, data: bytes) -> list[int]:
    out = array.array(code)
    out.frombytes(data)
    if sys.byteorder == "big":  # pragma: no cover
        out.byteswap()
    return out.tolist()


def item_lines(item: Any) -> list[tuple[int, int, int, str]]:
    """``(line hash, line number, end column, snippet)`` of each counted line of a collected
    item, by line hash."""
    return list(zip(_unpacked("Q", item["hashes"]), _unpacked("I", item["numbers"]),
                    _unpacked("I", item["ends"]), item["snippets"].split("\n"), strict=True))


def _line_marks(entry: tuple[str, Any]) -> list[tuple[int, int]]:
    return [(h, 0) for h in _unpacked("Q", entry[1]["hashes"])]


def _in_at_least(group: tuple[int, list[int]], count: int) -> list[int]:
    return [group[0]] if len(group[1]) >= count else []


def _line_entries(entry: tuple[str, Any], often: frozenset[int]
                  ) -> list[tuple[int, tuple[str, int, str, bool]]]:
    path, item = entry
    language = set(_unpacked("Q", item["language"]))
    return [(h, (path, number, item["doc"], h in language))
            for h, number in zip(_unpacked("Q", item["hashes"]), _unpacked("I", item["numbers"]),
                                 strict=True) if h in often]


def _recurring(group: tuple[int, list[tuple[str, int, str, bool]]],
               min_count: int) -> list[tuple[int, tuple[int, int, list[tuple[str, int]]]]]:
    """A recurring line: (distinct documents, occurrences, the first occurrences in path order;
    a document has one entry per line hash, so one more than a finding names is enough). A line
    that reads as language wherever it occurs is not one."""
    h, where = group
    documents = len({doc for _, _, doc, _ in where})
    if documents < min_count or all(language for _, _, _, language in where):
        return []
    return [(h, (documents, len(where), [(p, n) for p, n, _, _ in where[:MAX_RELATED + 1]]))]


def _document_hits(entry: tuple[str, Any], recurring: dict[int, tuple[int, int, list[tuple[str, int]]]],
                   max_share: float, focus: set[str] | None) -> list[tuple[str, list[Hit]]]:
    path, item = entry
    if focus is not None and path not in focus:
        return []
    hashes = _unpacked("Q", item["hashes"])
    if not any(h in recurring for h in hashes):
        return []
    lines = item_lines(item)
    mine = [line for line in lines if line[0] in recurring]
    if len(mine) > max_share * len(lines):
        return []
    hits = []
    for h, number, end, snippet in sorted(mine, key=lambda x: x[1]):
        documents, occurrences, first = recurring[h]
        others = [(p, n) for p, n in first if p != path]
        hits.append(Hit(number, 1, number, end,
                        {"count": documents, "others":
                            dedup.describe_others_counted([p for p, _ in others], occurrences - 1),
                         "text": snippet},
                        related=tuple(Related(p, n) for p, n in others[:MAX_RELATED]),
                        evidence=f"{h:016x}", path=path))
    return [(path, hits)]
