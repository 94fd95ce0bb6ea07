"""``regional_forms`` (SCR004): another region's Traditional forms in a corpus that names its
regional standard (``script: traditional-tw`` / ``traditional-hk``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from validators.checks import CheckOptions, CheckType, Fix, FixTarget, register
from validators.checks._script import script_option
from validators.document import Document
from validators.findings import Hit
from validators.script_sets import (
    REGION_OF_POLICY,
    REGIONS,
    document_profile,
    find_foreign,
    foreign_forms,
    profile,
    script_sets,
)


@register
class RegionalFormsCheck(CheckType):
    """SCR004: a Traditional document of a corpus that names its regional standard
    (``script: traditional-tw`` / ``traditional-hk``) writing forms only the other region writes:
    Hong Kong 户, 温, 説, 衞 … in a Taiwan corpus, Taiwan 裡, 汙, 洩 … in a Hong Kong one. One finding
    per document, at the first such form, naming each with the corpus's own form. Silent for
    ``simplified``, ``traditional`` (every standard accepted) and ``auto``, and on documents that
    are not Traditional (SCR001's)."""

    name: ClassVar[str] = "regional_forms"
    summary: ClassVar[str] = "another region's Traditional forms in a Taiwan- or Hong Kong-standard corpus"
    fix_safety: ClassVar[str | None] = "safe"  # one code point for one, by OpenCC's variant tables

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        script: str = script_option()

    def check(self, doc: Document, options: Options) -> Iterator[Hit]:
        region = REGION_OF_POLICY.get(options.script)
        if region is None or document_profile(doc).classify() != "traditional":
            return
        text = doc.plain_text
        found = foreign_forms(text, region)
        if not found:
            return
        own = script_sets().foreign[region]
        offset = find_foreign(text, region)
        line_no, col = doc.position(offset)
        other = next(name for code, name in REGIONS.items() if code != region)
        yield Hit(line_no, col, line_no, col + 1,
                  {"text": text[offset], "forms": name_forms(found, own), "count": sum(found.values()),
                   "other": other, "standard": REGIONS[region],
                   "config": "hk2t, t2tw" if region == "tw" else "tw2t, t2hk"},
                  evidence="".join(sorted(found)))

    def fix(self, target: FixTarget, options: Options) -> Fix | None:
        """In a Traditional document, the other region's forms replaced with the corpus's own,
        one code point for one code point, by OpenCC's variant tables (hk2t then t2tw: 户 → 戶;
        tw2t then t2hk: 裡 → 裏); a form with more than one counterpart is never in the table."""
        from validators.load import decode

        region = REGION_OF_POLICY.get(options.script)
        if region is None or target.text is None:
            return None
        text = target.text
        doc = decode("fix.txt", text.encode("utf-8"))
        if doc.text is None or profile(doc.plain_text).classify() != "traditional":
            return None
        found = foreign_forms(text, region)
        if not found:
            return None
        own = script_sets().foreign[region]
        other = next(name for code, name in REGIONS.items() if code != region)
        return Fix(text.translate({ord(c): own[c] for c in found}),
                   f"replaced {sum(found.values())} {other} form(s) with the {REGIONS[region]} "
                   f"standard's ({', '.join(f'{c}→{own[c]}' for c, _ in found.most_common(5))})")


def name_forms(found: Counter[str], own: dict[str, str], limit: int = 8) -> str:
    """``户→戶 (×12), 温→溫``: each foreign form with the corpus's own, most frequent first."""
    parts = [f"{c}→{own[c]}" + (f" (×{n})" if n > 1 else "") for c, n in found.most_common(limit)]
    more = len(found) - limit
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")
