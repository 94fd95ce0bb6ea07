"""A finding as the JSON report writes it: ``json.dumps(payload, ensure_ascii=False, indent=2)``'s
text of one element of ``payload["findings"]``, made by the C encoder.

With ``indent`` set, the json module falls back to its pure-Python encoder (``JSONEncoder.iterencode``
only uses the C one for a one-shot, unindented encoding), which made writing the findings slower
than finding them. The C encoder writes a finding's keys with an item separator that carries the
newline and the indentation of their depth (a raw newline appears in JSON text only between
items: inside strings it is escaped), so only the braces are placed here.

Below both the packed findings (a worker encodes a document's findings once, and the text travels
and is cached with them: :mod:`validators.finding_blocks`) and the JSON reporter, which joins the
texts.
"""

from __future__ import annotations

import json
from typing import Any, AnyStr

INDENT = 2
FINDING = " " * 2 * INDENT            # a finding is at depth 2: {"findings": [ {...} ]}
FINDING_KEY = " " * 3 * INDENT
RELATED = " " * 4 * INDENT            # {"related": [ {...} ]} inside a finding
RELATED_KEY = " " * 5 * INDENT
SEPARATOR = ",\n" + FINDING           # between two findings' texts
SEPARATOR_UTF8 = SEPARATOR.encode()

_FINDING_KEYS = json.JSONEncoder(ensure_ascii=False, separators=(",\n" + FINDING_KEY, ": "))


def encode_batch(dicts: list[dict[str, Any]]) -> list[str]:
    """Each finding's dict (``Finding.as_dict``) as ``indent=2`` writes it at depth 2 (without
    the indentation of its first line); the dicts lose their ``related`` key. The findings
    without their related locations are one list for the C encoder, the related lists another;
    a raw newline is only ever a separator (inside a string it is escaped), so the texts are cut
    where a separator follows ``}`` and precedes ``{`` (between findings, or related locations)
    or follows ``]`` and precedes ``[`` (between related lists), and each level gets its own
    indentation."""
    if not dicts:
        return []
    related = [d.pop("related", None) for d in dicts]
    item = ",\n" + FINDING_KEY
    texts = _FINDING_KEYS.encode(dicts)[2:-2].split("}" + item + "{")  # without "[{" and "}]"
    nested = [r for r in related if r]
    lists = iter(_FINDING_KEYS.encode(nested)[2:-2].split("]" + item + "[") if nested else ())
    out = []
    for text, locations in zip(texts, related, strict=True):
        if locations:
            inner = next(lists)[1:-1].replace(item, ",\n" + RELATED_KEY)  # without "{" and "}"
            inner = inner.replace("}" + ",\n" + RELATED_KEY + "{",
                                  "\n" + RELATED + "},\n" + RELATED + "{\n" + RELATED_KEY)
            text += (item + '"related": [\n' + RELATED + "{\n" + RELATED_KEY + inner + "\n" + RELATED
                     + "}\n" + FINDING_KEY + "]")
        elif locations is not None:
            text += item + '"related": []'
        out.append("{\n" + FINDING_KEY + text + "\n" + FINDING + "}")
    return out


def split_texts(text: AnyStr) -> list[AnyStr]:
    """The findings' texts that ``SEPARATOR`` joined (a str, or its UTF-8 bytes): it is followed
    by ``{`` only between two findings (their keys follow a deeper indentation, related
    locations a deeper one still)."""
    opening: Any = "{" if isinstance(text, str) else b"{"
    closing: Any = "}" if isinstance(text, str) else b"}"
    separator: Any = SEPARATOR if isinstance(text, str) else SEPARATOR_UTF8
    parts: list[Any] = text.split(closing + separator + opening)
    if len(parts) == 1:
        return parts
    return [parts[0] + closing, *(opening + part + closing for part in parts[1:-1]),
            opening + parts[-1]]
