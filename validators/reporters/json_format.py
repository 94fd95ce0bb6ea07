"""``--format json``: ``{"version": 1, "summary": {...}, "findings": [...]}``.

The text is exactly ``json.dumps(payload, ensure_ascii=False, indent=2)``, but the findings are
encoded one at a time by the C encoder: with ``indent`` set, the json module falls back to its
pure-Python encoder (``JSONEncoder.iterencode`` only uses the C one for a one-shot, unindented
encoding), which made writing the findings slower than finding them. The C encoder writes a
finding's keys with an item separator that carries the newline and the indentation of their
depth (a raw newline appears in JSON text only between items: inside strings it is escaped), so
only the braces are placed here. The summary is small and encoded as before.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, TextIO

from validators.finding_blocks import Findings

WRITE_CHUNK = 1 << 16
INDENT = 2
FINDING = " " * 2 * INDENT            # a finding is at depth 2: {"findings": [ {...} ]}
FINDING_KEY = " " * 3 * INDENT
RELATED = " " * 4 * INDENT            # {"related": [ {...} ]} inside a finding
RELATED_KEY = " " * 5 * INDENT

_FINDING_KEYS = json.JSONEncoder(ensure_ascii=False, separators=(",\n" + FINDING_KEY, ": "))


BATCH = 512  # findings encoded by one call of the C encoder (and their related lists by another)


def report(result: Any, stream: TextIO) -> None:
    head = json.dumps({"version": 1, "summary": result.summary()}, ensure_ascii=False,
                      indent=INDENT)
    # json.dump makes dozens of small writes per finding; one huge write, on the other hand,
    # can end silently with exit 0 when the reader closes the pipe: write 64 KiB pieces, encoded
    # as they go (the whole text of 300 000 findings would be another gigabyte in memory)
    pieces = [head[:-2], ',\n  "findings": [']  # head ends with "\n}"
    size = sum(map(len, pieces))
    separator = "\n" + FINDING
    # each finding as its dict, in report order; packed ones decoded a document at a time
    found = Findings.of(result.findings).dicts()
    any_finding = False
    while batch := list(itertools.islice(found, BATCH)):
        any_finding = True
        for piece in encode_batch(batch):
            pieces.append(separator)
            pieces.append(piece)
            separator = ",\n" + FINDING
            size += len(piece)
        if size >= WRITE_CHUNK:
            stream.write("".join(pieces))
            pieces.clear()
            size = 0
    pieces.append("\n  ]\n}\n" if any_finding else "]\n}\n")
    stream.write("".join(pieces))


def encode_batch(dicts: list[dict[str, Any]]) -> list[str]:
    """Each finding's dict (``Finding.as_dict``) as ``indent=2`` writes it at depth 2 (without
    the indentation of its first line). The findings without their related locations are one list for the C encoder, the
    related lists another; a raw newline is only ever a separator (inside a string it is
    escaped), so the texts are cut where a separator follows ``}`` and precedes ``{`` (between
    findings, or related locations) or follows ``]`` and precedes ``[`` (between related
    lists), and each level gets its own indentation."""
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
