"""``invisible_characters`` (ENC008): zero-width and other invisible characters inside the text
(a byte-order mark at the very start is ``byte_order_mark``'s). The fix removes the clutter a
web page or an editor leaves (zero-width space and joiners, direction marks, the word joiner,
U+FEFF, soft hyphens) but keeps a joiner that carries meaning: inside an emoji sequence or
between letters of a script that uses it. The other invisible characters need a look."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from validators.checks import Fix, FixTarget, register
from validators.checks._char_runs import CharRunCheck, run_hit, run_pattern, runs
from validators.checks._chars import JOINERS, REMOVABLE_INVISIBLE, joiner_in_use
from validators.document import Document
from validators.facts import BOM
from validators.findings import Hit


@register
class InvisibleCharactersCheck(CharRunCheck):
    """Each run of invisible characters, not counting a byte-order mark at the file's start."""

    name: ClassVar[str] = "invisible_characters"
    kind: ClassVar[str] = "invisible"
    summary: ClassVar[str] = "zero-width and other invisible characters inside the text"
    fix_safety: ClassVar[str | None] = "safe"  # removes only characters that show nothing

    def check(self, doc: Document, options: CharRunCheck.Options) -> Iterator[Hit]:
        bom = doc.data.startswith(BOM)
        for line, start, run in runs(doc, self.kind, run_pattern(self.kind, "".join(sorted(set(options.allow))))):
            if bom and line == 1 and start == 0:
                run = run[1:]  # the BOM itself is the byte-order-mark rule's finding
                start = 1
                if not run:
                    continue
            yield run_hit(line, start, run)

    def fix(self, target: FixTarget, options: CharRunCheck.Options) -> Fix | None:
        """Zero-width space and joiners, direction marks, the word joiner, U+FEFF and soft
        hyphens removed (not those ``allow`` names); a joiner that binds an emoji sequence or a
        script stays, and so does a byte-order mark at the start (its own rule's fix)."""
        if target.text is None:
            return None
        return remove_invisible(target.text, set(options.allow))


def remove_invisible(text: str, allow: set[str]) -> Fix | None:
    """:meth:`InvisibleCharactersCheck.fix` of a text."""
    keep_first = text.startswith("\ufeff")  # a BOM whose own rule is not fixing it
    body = text[1:] if keep_first else text
    removable = REMOVABLE_INVISIBLE - allow
    if not removable:
        return None
    removed = 0

    def drop(m: re.Match[str]) -> str:
        """Nothing for clutter; a joiner that binds an emoji sequence or a script stays."""
        nonlocal removed
        if m.group() in JOINERS and joiner_in_use(body[m.start() - 1:m.start()], body[m.end():m.end() + 1]):
            return m.group()
        removed += 1
        return ""

    fixed = re.sub("[" + "".join(sorted(removable)) + "]", drop, body)
    if not removed:
        return None
    return Fix(("\ufeff" if keep_first else "") + fixed, f"removed {removed} invisible character(s)")
