"""``control_characters`` (ENC007): C0 controls other than tab, LF and CR, DEL and C1 controls.
No fix: a control character may stand for a lost character (a C1 control is often cp1252
punctuation read as Latin-1), and which one only the source can tell."""

from __future__ import annotations

from typing import ClassVar

from validators.checks import register
from validators.checks._char_runs import CharRunCheck


@register
class ControlCharactersCheck(CharRunCheck):
    """Each run of control characters (a carriage return is the line-ending rule's)."""

    name: ClassVar[str] = "control_characters"
    kind: ClassVar[str] = "control"
    summary: ClassVar[str] = "C0/C1 control characters other than tab and line breaks"
