"""``script_mixing``: Simplified and Traditional characters mixed within one line, and a body in
one script under a title in the other; ``regional_forms``: another region's Traditional forms in a
corpus that names its regional standard (Hong Kong 户 in a Taiwan-standard corpus).

Characters are Simplified-only or Traditional-only by OpenCC's own tables
(:mod:`validators.script_sets`); characters valid in both scripts (里, 干, 著, 后 …) never count,
nor do the forms any Traditional standard writes (Taiwan 群, Hong Kong 户). Conversion is suggested
in the message with the OpenCC configuration that matches the corpus (the ``script`` option:
s2tw for ``traditional-tw``, s2hk for ``traditional-hk``) or the document (s2hk for a line of a
Hong Kong text), never applied. Positions are raw columns of the first offending character (tags are
masked: the plain text is classified).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Option, register
from validators.document import Document
from validators.findings import Hit
from validators.script_sets import (
    POLICIES,
    REGION_OF_POLICY,
    ScriptProfile,
    document_profile,
    document_region,
    find_first,
    hint_suffix,
    name_chars,
    profile,
    script_sets,
)

PROBLEMS = ("mixed_line", "title_body")
LABEL = {"simplified": "Simplified", "traditional": "Traditional"}
SCRIPT_OPTION = Option("choice", "auto", choices=POLICIES,
                       help="the corpus's script, as the configuration's `script:` key sets it "
                            "(traditional-tw/-hk: the regional standard)")


def first_of(doc: Document, script: str, start: int) -> int:
    """Plain-text offset of the first character of ``script`` at or after ``start``, or -1."""
    return find_first(script, doc.plain_text, start)


@register
class ScriptMixingCheck(CheckType):
    name: ClassVar[str] = "script_mixing"
    summary: ClassVar[str] = "Simplified and Traditional characters mixed in a line or title/body"
    options: ClassVar[dict[str, Option]] = {
        "problem": Option("choice", choices=PROBLEMS, help="mixed_line or title_body"),
        "min_chars": Option("int", 3, minimum=1,
                            help="title_body: script-specific characters the body needs before it "
                                 "counts as written in one script"),
        "script": SCRIPT_OPTION,
    }

    def check(self, doc: Document, options: dict[str, Any]) -> Iterator[Hit]:
        if options["problem"] == "mixed_line":
            yield from self._mixed_lines(doc, options["script"])
        else:
            yield from self._title_body(doc, options["min_chars"], options["script"])

    def _mixed_lines(self, doc: Document, policy: str) -> Iterator[Hit]:
        """Lines holding characters of the document's minority script: a line that mixes both
        scripts, or a line in the other script than the rest of the document. (A title in the
        other script than the body is ``title_body``'s finding, not this one's.)"""
        sets = script_sets()
        whole = document_profile(doc)
        if not (whole.s_count and whole.t_count):
            return
        minority = "simplified" if whole.s_count < whole.t_count else "traditional"
        majority = "traditional" if minority == "simplified" else "simplified"
        title_index = next((i for i, line in enumerate(doc.markup.lines) if line.plain.strip()), -1)
        for index, line in enumerate(doc.markup.lines):
            prof = profile(line.plain, sets)
            chars = prof.simplified if minority == "simplified" else prof.traditional
            if not chars:
                continue
            own = prof.traditional if minority == "simplified" else prof.simplified
            if index == title_index and not own:
                continue  # a title wholly in the other script: see title_body
            col = max(find_first(minority, line.plain), 0)
            raw_col = line.raw_column(col) + 1
            found = "".join(c * n for c, n in chars.items())
            yield Hit(index + 1, raw_col, index + 1, raw_col + 1,
                      {"text": line.plain[col], "chars": name_chars(found),
                       "script": LABEL[minority], "line_script": LABEL[majority],
                       "count": len(found), "hint": _hint(line.plain, majority, doc, policy)},
                      evidence="".join(sorted(set(found))))

    def _title_body(self, doc: Document, min_chars: int, policy: str) -> Iterator[Hit]:
        lines = doc.markup.lines
        title_index = next((i for i, line in enumerate(lines) if line.plain.strip()), None)
        if title_index is None or title_index + 1 >= len(lines):
            return
        sets = script_sets()
        title = profile(lines[title_index].plain, sets)
        body = ScriptProfile()
        for line in lines[title_index + 1:]:
            p = profile(line.plain, sets)
            body.simplified.update(p.simplified)
            body.traditional.update(p.traditional)
        title_script = title.classify(0.0)
        body_script = body.classify(0.1, min_chars)
        if title_script not in LABEL or body_script not in LABEL or title_script == body_script:
            return
        offset = first_of(doc, body_script, lines[title_index + 1].offset)
        line_no, col = doc.position(offset)
        body_chars = body.simplified if body_script == "simplified" else body.traditional
        title_chars = title.simplified if title_script == "simplified" else title.traditional
        found = "".join(c * n for c, n in body_chars.items())
        yield Hit(line_no, col, line_no, col + 1,
                  {"text": doc.plain_text[offset], "chars": name_chars(found),
                   "title_chars": name_chars("".join(c * n for c, n in title_chars.items())),
                   "script": LABEL[body_script], "title_script": LABEL[title_script],
                   "title_line": title_index + 1, "count": len(found),
                   "hint": _hint(doc.markup.lines[line_no - 1].plain, title_script, doc, policy)},
                  evidence=f"{title_script}/{body_script}")


def _hint(text: str, target: str, doc: Document, policy: str) -> str:
    """The OpenCC suggestion for a line converted to ``target``: to Traditional with the corpus's
    regional configuration (s2tw, s2hk) if it names one, else with the document's own (a line in
    a Hong Kong document: s2hk), else s2t; to Simplified with t2s."""
    if target == "traditional" and policy not in REGION_OF_POLICY:
        policy = {"tw": "traditional-tw", "hk": "traditional-hk"}.get(document_region(doc) or "",
                                                                      "traditional")
    return hint_suffix(text, policy if target == "traditional" else "simplified")
