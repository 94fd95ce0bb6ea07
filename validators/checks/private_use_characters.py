"""``private_use_characters`` (ENC009): private-use characters (U+E000–U+F8FF, planes 15–16).
No fix: which standard character a legacy font put there only the font can tell."""

from __future__ import annotations

from typing import ClassVar

from validators.checks import register
from validators.checks._char_runs import CharRunCheck


@register
class PrivateUseCharactersCheck(CharRunCheck):
    """Each run of private-use characters."""

    name: ClassVar[str] = "private_use_characters"
    kind: ClassVar[str] = "private_use"
    summary: ClassVar[str] = "private-use characters (no standard meaning)"
