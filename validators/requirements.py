"""What must hold before a check runs: a check type's declared dependencies.

A check type lists its requirements (``CheckType.requires``); the engine skips it where one
fails, and the rule that reports the failure says which checks it skipped (as Universal
Dependencies' validator does), so one broken tag gives one finding, not a cascade.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    """One precondition of a check type; ``explanation`` completes "Runs only on …" in
    ``rules explain``. ``broken_by``: the markup problems that make it fail in a sentence."""

    name: str
    explanation: str
    broken_by: frozenset[str] = frozenset()


DECODED_TEXT = Requirement(
    "decoded_text", "files that decoded as text (ENC001–ENC004 and ENC012 report the others)")
WELL_FORMED_TAGS = Requirement(
    "well_formed_tags", "sentences whose tags are well formed (a TAG finding names the checks "
    "that skipped its sentence)",
    # a stray bracket is reported but breaks no tag
    frozenset({"unclosed", "unopened", "mismatched", "malformed", "nested", "empty",
               "crosses_line"}))
SEVERAL_DOCUMENTS = Requirement(
    "several_documents", "runs of two documents or more (it compares documents with each other)")
