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


def get_reporter(name: str) -> Reporter:
    module = importlib.import_module(FORMATS[name])
    return module.report
