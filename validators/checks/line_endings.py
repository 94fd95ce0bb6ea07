"""``line_endings`` (ENC010): CRLF or CR line endings, or a mix, in a corpus that uses LF. One
finding per document: a file saved with Windows line endings is one problem, not one per line.
The fix converts CRLF to LF, and CR to LF only in a file that has no LF at all (classic Mac): in
a file with LF or CRLF endings a lone CR is inside a paragraph, and a line break there would
split the paragraph (and its sentences and tag pairs) in two."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from validators.checks import CheckType, Fix, FixTarget, register
from validators.document import Document
from validators.facts import line_endings
from validators.findings import Hit

NAMES = {"crlf": "CRLF (Windows)", "lf": "LF", "cr": "CR (old Mac)"}


@register
class LineEndingsCheck(CheckType):
    """The first line that ends other than LF (in a mixed file: other than the majority)."""

    name: ClassVar[str] = "line_endings"
    summary: ClassVar[str] = "CRLF/CR or mixed line endings"
    fix_safety: ClassVar[str | None] = "safe"  # a line break stays a line break

    def check(self, doc: Document, options: Any) -> Iterator[Hit]:
        counts = line_endings(doc.data)
        used = {k: v for k, v in counts.items() if v}
        if not used or set(used) == {"lf"}:
            return
        majority = max(used, key=lambda k: used[k])
        # where a line ends in a way other than LF (or, when mixed, other than the majority)
        expected = "lf" if len(used) == 1 else majority
        for line_no, raw in enumerate(doc.lines, 1):
            last = line_no == len(doc.lines)
            kinds = []
            if "\r" in raw.rstrip("\r") or (raw.endswith("\r") and last):
                kinds.append("cr")
            if raw.endswith("\r") and not last:
                kinds.append("crlf")
            elif not last and not raw.endswith("\r"):
                kinds.append("lf")
            found = next((k for k in kinds if k != expected), None)
            if found is None:
                continue
            col = (raw.index("\r") if "\r" in raw else len(raw)) + 1
            if len(used) == 1:
                detail = f"{NAMES[found]} line endings ({used[found]} line breaks)"
            else:
                detail = "mixed line endings: " + ", ".join(
                    f"{v} {NAMES[k]}" for k, v in sorted(used.items(), key=lambda kv: -kv[1]))
            yield Hit(line_no, col, line_no, col + 1,
                      {"text": detail, "detail": detail, "count": sum(used.values())},
                      evidence="line-endings")
            return

    def fix(self, target: FixTarget, options: Any) -> Fix | None:
        """CRLF to LF; CR to LF in a file whose only line endings are CR."""
        text = target.text
        if text is None or "\r" not in text:
            return None
        count = text.count("\r\n") if "\n" in text else text.count("\r")
        fixed = text.replace("\r\n", "\n") if "\n" in text else text.replace("\r", "\n")
        return Fix(fixed, f"converted {count} CRLF/CR line ending(s) to LF") if count else None
