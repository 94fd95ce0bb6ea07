"""``replacement_characters`` (ENC006): U+FFFD, the character a decoder puts where bytes it
could not decode were. The original characters are gone; no fix can bring them back."""

from __future__ import annotations

from typing import ClassVar

from validators.checks import register
from validators.checks._char_runs import CharRunCheck


@register
class ReplacementCharactersCheck(CharRunCheck):
    """Each run of U+FFFD replacement characters."""

    name: ClassVar[str] = "replacement_characters"
    kind: ClassVar[str] = "replacement"
    summary: ClassVar[str] = "U+FFFD replacement characters (text lost in an earlier decoding step)"
