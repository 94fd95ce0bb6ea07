"""Output formats: one module per format, each a function ``(result, stream) -> None``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TextIO

Reporter = Callable[[Any, TextIO], None]

# format name -> module; the module defines ``report(result, stream)``
FORMATS: dict[str, str] = {
    "text": "validators.reporters.text",
    "json": "validators.reporters.json_format",
    "sarif": "validators.reporters.sarif",
    "github": "validators.reporters.github",
    "gitlab": "validators.reporters.gitlab",
    "junit": "validators.reporters.junit",
}


def one_line(text: str) -> str:
    """Text for a line-oriented record (a file name, a message): control characters and Unicode
    line separators become ``⟨U+XXXX⟩`` (tabs stay), so a newline in a file name cannot end a
    record early and forge another one. Every line-oriented format uses this one function."""
    if text.isprintable():  # the common case: nothing to replace
        return text
    import unicodedata

    return "".join(f"⟨U+{ord(ch):04X}⟩" if ch != "\t" and unicodedata.category(ch) in ("Cc", "Zl", "Zp")
                   else ch for ch in text)


def get_reporter(name: str) -> Reporter:
    module = importlib.import_module(FORMATS[name])
    return module.report
