"""``--format json``: ``{"version": 1, "summary": {...}, "findings": [...]}``."""

from __future__ import annotations

import json
from typing import Any, TextIO


def report(result: Any, stream: TextIO) -> None:
    payload = {"version": 1, "summary": result.summary(),
               "findings": [f.as_dict() for f in result.findings]}
    json.dump(payload, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
