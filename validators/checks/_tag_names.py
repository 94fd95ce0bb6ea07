"""The ``tags`` option of the span check types (lexicon, span_boundary, pattern): a misspelt tag
name would match no span, silently, so it is refused at load."""

from __future__ import annotations

from collections.abc import Iterable

from validators.markup import TAG_NAMES


def unknown_tags(tags: Iterable[str]) -> str | None:
    """Why ``tags`` cannot work (a name that is not a tag, or none at all), or None."""
    tags = list(tags)
    unknown = [tag for tag in tags if tag not in TAG_NAMES]
    if unknown:
        return f"tags: {unknown[0]!r} is not a tag (the tags are {', '.join(TAG_NAMES)})"
    if not tags:
        return f"tags: give at least one of {', '.join(TAG_NAMES)}"
    return None
