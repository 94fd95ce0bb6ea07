"""``title_body_script`` (SCR003): the title (the first non-empty line) in one script and the body
in the other, as when a portal converts headlines but not the article.

The title counts as written in a script as soon as it has one script-specific character; the body
needs ``min_chars`` of them (and its minority script at most a tenth) before it does. One finding
per document, at the body's first character of its script, naming the body's and the title's
characters and suggesting the OpenCC conversion of that line to the title's script, never
applying it. Lines that mix both scripts are
``script_mixing``'s findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from validators.checks import CheckOptions, CheckType, option, register
from validators.checks._script import LABEL, opencc_hint, script_option
from validators.document import Document
from validators.findings import Hit
from validators.script_sets import (
    ASTRAL,
    ScriptProfile,
    document_profile,
    find_first,
    name_chars,
    profile,
    script_sets,
)


@register
class TitleBodyScriptCheck(CheckType):
    name: ClassVar[str] = "title_body_script"
    summary: ClassVar[str] = "a body in one script (Simplified/Traditional) under a title in the other"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        min_chars: int = option("int", 3, minimum=1,
                                help="script-specific characters the body needs before it counts "
                                     "as written in one script")
        script: str = script_option()

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        lines = doc.markup.lines
        title_index = next((i for i, line in enumerate(lines) if line.plain.strip()), None)
        if title_index is None or title_index + 1 >= len(lines):
            return
        sets = script_sets()
        title = profile(lines[title_index].plain, sets)
        # the body's counts: the document's (a profile every script rule shares) less the
        # title's (the lines before the title are blank)
        whole = document_profile(doc)
        counts = ScriptProfile(whole.simplified - title.simplified,
                               whole.traditional - title.traditional)
        title_script = title.classify(0.0)
        body_script = counts.classify(0.1, options.min_chars)
        if title_script not in LABEL or body_script not in LABEL or title_script == body_script:
            return
        body = body_profile(lines[title_index + 1:], sets)  # its characters in text order
        offset = find_first(body_script, doc.plain_text, lines[title_index + 1].offset)
        line_no, col = doc.position(offset)
        body_chars = body.simplified if body_script == "simplified" else body.traditional
        title_chars = title.simplified if title_script == "simplified" else title.traditional
        found = "".join(c * n for c, n in body_chars.items())
        yield Hit(line_no, col, line_no, col + 1,
                  {"text": doc.plain_text[offset], "chars": name_chars(found),
                   "title_chars": name_chars("".join(c * n for c, n in title_chars.items())),
                   "script": LABEL[body_script], "title_script": LABEL[title_script],
                   "title_line": title_index + 1, "count": len(found),
                   "hint": opencc_hint(lines[line_no - 1].plain, title_script, doc,
                                           options.script)},
                  evidence=f"{title_script}/{body_script}")


def body_profile(lines: Any, sets: Any) -> ScriptProfile:
    """The profile of the body's lines, its characters first seen first (the order the finding
    names ties in): one scan of the joined text, or line by line when it holds an astral
    character (a profile counts those after the others of its text)."""
    text = "\n".join(line.plain for line in lines)
    if ASTRAL.search(text) is None:
        return profile(text, sets)
    body = ScriptProfile()
    for line in lines:
        p = profile(line.plain, sets)
        body.simplified.update(p.simplified)
        body.traditional.update(p.traditional)
    return body
