"""``script_mixing`` (SCR002): lines holding characters of the document's minority script.

A line that mixes Simplified-only and Traditional-only characters (a partial conversion), or a
line in the other script than the rest of the document (a paragraph pasted from another source).
A title wholly in the other script than the body is ``title_body_script``'s finding (SCR003), not
this one's. One finding per line, at the raw column of its first minority character (tags are
masked: the plain text is classified), naming the minority characters and suggesting the OpenCC
conversion of the line (with the corpus's regional configuration, or the document's own), never
applying it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from validators.checks import CheckOptions, CheckType, register
from validators.checks._script import LABEL, opencc_hint, script_option
from validators.document import Document
from validators.findings import Hit
from validators.script_sets import (
    document_profile,
    find_first,
    lines_with,
    name_chars,
    profile,
    script_sets,
)


@register
class ScriptMixingCheck(CheckType):
    name: ClassVar[str] = "script_mixing"
    summary: ClassVar[str] = "characters of the document's minority script (Simplified/Traditional) in a line"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        script: str = script_option()

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        sets = script_sets()
        whole = document_profile(doc)
        if not (whole.s_count and whole.t_count):
            return
        minority = "simplified" if whole.s_count < whole.t_count else "traditional"
        majority = "traditional" if minority == "simplified" else "simplified"
        lines = doc.markup.lines
        title_index = next((i for i, line in enumerate(lines) if line.plain.strip()), -1)
        for index in lines_with(minority, doc):  # the others hold none of its characters
            line = lines[index]
            prof = profile(line.plain, sets)
            chars = prof.simplified if minority == "simplified" else prof.traditional
            if not chars:
                continue
            own = prof.traditional if minority == "simplified" else prof.simplified
            if index == title_index and not own:
                continue  # a title wholly in the other script: see title_body_script
            col = max(find_first(minority, line.plain), 0)
            raw_col = line.raw_column(col) + 1
            found = "".join(c * n for c, n in chars.items())
            yield Hit(index + 1, raw_col, index + 1, raw_col + 1,
                      {"text": line.plain[col], "chars": name_chars(found),
                       "script": LABEL[minority], "line_script": LABEL[majority],
                       "count": len(found),
                       "hint": opencc_hint(line.plain, majority, doc, options.script)},
                      evidence="".join(sorted(set(found))))
