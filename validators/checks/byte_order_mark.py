"""``byte_order_mark`` (ENC005): a UTF-8 byte-order mark at the start of a file. Its fix removes
it: the mark says nothing about the text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Fix, FixTarget, register
from validators.checks._chars import describe
from validators.document import Document
from validators.facts import BOM
from validators.findings import Hit


@register
class ByteOrderMarkCheck(CheckType):
    """The file's first bytes are EF BB BF (a mark elsewhere is ``invisible_characters``')."""

    name: ClassVar[str] = "byte_order_mark"
    summary: ClassVar[str] = "a UTF-8 byte-order mark at the start of the file"
    fix_safety: ClassVar[str | None] = "safe"

    def check(self, doc: Document, options: Any) -> Iterator[Hit]:
        if doc.data.startswith(BOM):
            yield Hit(1, 1, 1, 2, {"text": "⟨U+FEFF⟩", "name": describe("\ufeff"), "count": 1,
                                   "codepoints": "U+FEFF"}, evidence="BOM")

    def fix(self, target: FixTarget, options: Any) -> Fix | None:
        """The byte-order mark removed."""
        if target.text is not None and target.text.startswith("\ufeff"):
            return Fix(target.text[1:], "removed the byte-order mark")
        return None
