"""``script_policy`` (corpus-wide): documents written in the other script than the corpus.

Each document is classified simplified / traditional / mixed / none from OpenCC's character
tables (:mod:`validators.script_sets`; a Taiwan or Hong Kong form is Traditional, never
Simplified). The expected script is the ``script`` option: ``simplified``, ``traditional`` (any
Traditional standard), ``traditional-tw`` / ``traditional-hk`` (Traditional, written to the Taiwan
/ Hong Kong standard: the hint converts with s2tw / s2hk, and ``regional_forms`` reports the other
region's forms), or ``auto`` (the script of the majority of the corpus's classified documents; a
tie expects nothing). The ``script:`` key of ``corpus-validate.yaml`` sets it for every rule. A
document in the other script, or mixing both, gets one finding at its first offending character,
naming the characters and suggesting (never applying) the conversion with the matching OpenCC
configuration (t2s; s2t, or s2tw / s2hk for a corpus that names its regional standard).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from validators.checks import CheckOptions, CorpusCheckType, option, register
from validators.corpus_ops import CorpusOps
from validators.document import Document
from validators.findings import Hit
from validators.script_sets import (
    POLICIES,
    base_script,
    document_profile,
    find_first,
    hint_suffix,
    name_chars,
)

LABEL = {"simplified": "Simplified", "traditional": "Traditional", "mixed": "mixed"}


@register
class ScriptPolicyCheck(CorpusCheckType):
    name: ClassVar[str] = "script_policy"
    summary: ClassVar[str] = "a document in the other script than the corpus (simplified/traditional)"

    @dataclass(frozen=True, kw_only=True)
    class Options(CheckOptions):
        script: str = option("choice", "auto", choices=POLICIES,
                             help="expected script (traditional-tw/-hk: Traditional to the "
                                  "Taiwan/Hong Kong standard); auto: the majority of the corpus")
        mixed_ratio: float = option("float", 0.1, minimum=0, maximum=0.5,
                                    help="a document is mixed when its minority script has more "
                                         "than this share of the script-specific characters")
        min_chars: int = option("int", 3, minimum=1,
                                help="script-specific characters a document needs to be "
                                     "classified")

    def collect(self, doc: Document, options: Options) -> dict[str, Any]:
        prof = document_profile(doc)
        script = prof.classify(options.mixed_ratio, options.min_chars)
        first: dict[str, tuple[int, int, str]] = {}
        text = doc.plain_text
        for name in ("simplified", "traditional"):
            if (prof.s_count if name == "simplified" else prof.t_count) == 0:
                continue
            offset = find_first(name, text)
            if offset < 0:  # pragma: no cover - the profile found one
                continue
            line, col = doc.position(offset)
            line_text = doc.markup.lines[line - 1].plain
            first[name] = (line, col, line_text[:40])
        return {"script": script, "simplified": dict(prof.simplified.most_common(20)),
                "traditional": dict(prof.traditional.most_common(20)),
                "counts": (prof.s_count, prof.t_count), "first": first}

    def plan(self, ops: CorpusOps, items: Any, options: Options,
             focus: set[str] | None = None) -> list[Hit]:
        """A vote (a reduction to two counts), then each document is judged where it lives."""
        policy = options.script
        expected = base_script(policy)
        if expected == "auto":
            votes = ops.frequencies(ops.flat_map(items, _vote))
            ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
            if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
                return []
            expected = policy = ranked[0][0]
        found = ops.gather(ops.flat_map(items, _policy_hit, expected, focus, policy))
        return [hit for _, hit in sorted(found, key=lambda ph: ph[0])]


def _vote(entry: tuple[str, Any]) -> list[str]:
    script = entry[1]["script"]
    return [script] if script in ("simplified", "traditional") else []


def _policy_hit(entry: tuple[str, Any], expected: str, focus: set[str] | None,
                policy: str | None = None) -> list[tuple[str, Hit]]:
    """The finding of one document in the other script than ``expected`` (simplified or
    traditional); ``policy`` (traditional-tw …) picks the OpenCC configuration of the hint."""
    path, info = entry
    if focus is not None and path not in focus:
        return []
    other = "traditional" if expected == "simplified" else "simplified"
    if info["script"] not in (other, "mixed") or other not in info["first"]:
        return []
    line, col, sample = info["first"][other]
    chars = "".join(c * n for c, n in info[other].items())
    s_count, t_count = info["counts"]
    return [(path, Hit(line, col, line, col + 1,
                       {"text": chars[:1], "chars": name_chars(chars),
                        "script": LABEL[info["script"]], "expected": LABEL[expected],
                        "count": t_count if other == "traditional" else s_count,
                        "detail": f"{s_count} Simplified-only, {t_count} Traditional-only characters",
                        "hint": hint_suffix(sample, policy or expected)},
                       evidence=info["script"], path=path))]
