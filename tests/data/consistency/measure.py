"""Measure the CON and PAIR rules on real annotated text (the numbers README and issue 15 quote).

    python tests/data/consistency/measure.py [--every N]

For each corpus of real annotated documents (the TED talks converted here, the Lu Xun texts of
tests/data/luxun-essays, the sample corpus's annotated document, and all of them together):

- recall of CON001: for every tagged span of a steadily tagged form (one CON001 treats as a
  connective: at least min_tagged tags, at least min_ratio of its occurrences), a copy of its
  document with that one span untagged replaces the original; CON001 must report the untagged
  occurrence at its line and column. ``--every N`` tries every N-th such span only;
- findings of CON001/CON002/CON003 on the unmodified documents, per 1000 spans;
- PAIR003: the pairs of the annotation that are not in the paired-connective lexicon.

Only the library is used (no subprocess): the rules are those of the bundled rule set.

    python tests/data/consistency/measure.py --clean [--tree DIR]

counts instead the DUP, SCR, ENC and TAG findings of ``corpus-validate check`` (the default rule
set) on clean real documents, one corpus per genre and script (CLEAN below), run in the source
tree DIR (default: this one; give a checkout of an older commit for the "before" numbers).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SPAN = re.compile(r"<(cand|a)>([^<>]+)</\1>")

# The TED talks (SOURCE.md) are not shipped: the talk text is TED's, CC BY-NC-ND 4.0, which is not
# a licence anyone may ship under. Convert them with ted_to_inline.py into a folder of your own
# and name it in CORPUS_VALIDATORS_TED to measure on them too.
TED = Path(os.environ.get("CORPUS_VALIDATORS_TED", HERE / "ted"))
CORPORA = {
    # talks 1, 5 and 7 were read while the pair lexicon's frames and the CON001 defaults were
    # chosen; talk 12 was converted afterwards and is the held-out check of both
    "ted": [p for p in (TED / "talk1.txt", TED / "talk5.txt", TED / "talk7.txt") if p.exists()],
    "ted-heldout": [p for p in (TED / "talk12.txt",) if p.exists()],
    "luxun": sorted((REPO / "tests" / "data" / "luxun-essays" / "annotated").glob("*.txt")),
    "sample": [REPO / "sample-corpus" / "000_c48a539151d484c8.txt"],
}
CORPORA["all"] = [p for paths in CORPORA.values() for p in paths]


def name(path: Path) -> str:
    """A document's name: its path from the repository (a TED folder may lie outside it)."""
    return os.path.relpath(path, REPO)


REAL = REPO / "tests" / "data" / "real"
CLEAN_DIR = HERE / "clean"
# clean real text, one corpus per genre and script (see SOURCE.md beside this script and
# tests/data/real/SOURCE.md); "ted" and "luxun" are the annotated documents without their tags
CLEAN: dict[str, list[Path]] = {
    "news": sorted((REAL / "news").glob("*.txt")),
    "talks": [*sorted((REAL / "talks").glob("*.txt")),
              *sorted((REPO / "tests" / "data" / "luxun-essays" / "raw").glob("*.txt"))],
    # record _a is split into the ly_speech documents: with both, each speech is a copy (DUP002)
    "talks-traditional": [*sorted((REAL / "traditional-tw").glob("*_b.txt")),
                          *sorted(CLEAN_DIR.glob("ly_speech_*.txt"))],
    "encyclopedia": [*sorted((REAL / "encyclopedia").glob("*.txt")),
                     *sorted(CLEAN_DIR.glob("wiki_*.txt"))],
}
TAGS = re.compile(r"</?(?:cand|a)>")


def clean_counts(tree: Path) -> dict[str, dict[str, int]]:
    """Per clean corpus: documents and DUP/SCR/ENC/TAG findings of ``check`` run in ``tree``."""
    import json
    import os
    import subprocess
    import tempfile

    out = {}
    with tempfile.TemporaryDirectory(prefix="cv-clean-") as tmp:
        for label, paths in CLEAN.items():
            folder = Path(tmp) / label
            folder.mkdir()
            extra = [*CORPORA["ted"], *CORPORA["ted-heldout"]] if label == "talks" else []
            for path in [*paths, *extra]:
                text = TAGS.sub("", path.read_text(encoding="utf-8"))
                (folder / f"{path.parent.name}_{path.name}").write_text(text, encoding="utf-8")
            proc = subprocess.run([sys.executable, "-m", "validators", "check", str(folder),
                                   "--format", "json", "--no-cache"], cwd=tree,
                                  capture_output=True, text=True,
                                  env={**os.environ, "PYTHONPATH": str(tree)})
            if proc.returncode not in (0, 1):
                raise SystemExit(f"check failed in {tree}: {proc.stderr.strip()}")
            summary = json.loads(proc.stdout)["summary"]
            by_category = summary["by_category"]
            out[label] = {"documents": summary["documents"],
                          **{c: by_category.get(c, 0) for c in ("DUP", "SCR", "ENC", "TAG")},
                          **{r: n for r, n in summary["by_rule"].items()
                             if r[:3] in ("DUP", "SCR", "ENC", "TAG")}}
    return out


def ruleset() -> Any:
    from validators.config import build_ruleset
    from validators.settings import load_project_config

    return build_ruleset(load_project_config(None))


def corpus_hits(rule: Any, texts: dict[str, str]) -> list[Any]:
    """The hits of one corpus-wide rule over ``{name: text}`` (in this process)."""
    from validators.load import decode

    check = rule.check
    collected = {name: check.collect(decode(name, text.encode("utf-8")), rule.options)
                 for name, text in texts.items()}
    return list(check.finish(collected, rule.options))


STEADY_TAGGED, STEADY_SHARE = 5, 0.8  # "steadily tagged": at least 5 tags and 80% of occurrences


def steady_forms(rule: Any, texts: dict[str, str]) -> set[str]:
    """The steadily tagged forms of ``texts``: tagged at least STEADY_TAGGED times and in at least
    STEADY_SHARE of their occurrences (counted as CON001 counts occurrences)."""
    from validators.checks.untagged_connective import connective_rows
    from validators.corpus_ops import LocalOps
    from validators.load import decode

    check, options = rule.check, rule.options
    ops = LocalOps.of({name: check.collect(decode(name, text.encode("utf-8")), options)
                       for name, text in texts.items()})
    return {row["form"] for row in connective_rows(ops, ops.items(""), options)
            if row["tagged"] >= STEADY_TAGGED
            and row["tagged"] >= STEADY_SHARE * (row["tagged"] + row["untagged"])}


def untag(text: str, match: re.Match[str]) -> tuple[str, int, int]:
    """``text`` with one span's tags removed, and the 1-based line and raw column of its text."""
    start = match.start()
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return text[:start] + match.group(2) + text[match.end():], line, column


def recall(rule: Any, texts: dict[str, str], every: int = 1) -> tuple[int, list[str]]:
    """(trials, misses): one tagged span of a steady form untagged per copy."""
    steady = steady_forms(rule, texts)
    trials, misses = 0, []
    candidates = [(name, m) for name, text in sorted(texts.items())
                  for m in SPAN.finditer(text) if m.group(2) in steady]
    for name, match in candidates[::every]:
        trials += 1
        changed, line, column = untag(texts[name], match)
        hits = corpus_hits(rule, {**texts, name: changed})
        if not any(h.path == name and h.line == line and h.column == column for h in hits):
            misses.append(f"{Path(name).name}:{line}:{column} {match.group(2)}")
    return trials, misses


def unknown_pairs(rule: Any, texts: dict[str, str]) -> tuple[int, list[str]]:
    """(pairs, unknown pairs) of the annotation, as PAIR003 sees them."""
    from validators.load import decode
    from validators.pairing import pair_markers

    pairs, unknown = 0, []
    lexicon = rule.options.lexicon
    for name, text in sorted(texts.items()):
        for pair in pair_markers(decode(name, text.encode("utf-8")), "。！？!?").pairs:
            pairs += 1
            if not lexicon.knows_pair(pair.first.text, pair.second.text):
                unknown.append(f"{pair.first.text}…{pair.second.text}")
    return pairs, unknown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=1, help="try every N-th steady span only")
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="override a CON001 option (e.g. min_ratio=0.75), to tune it")
    parser.add_argument("--clean", action="store_true",
                        help="count DUP/SCR/ENC/TAG findings on the clean real documents instead")
    parser.add_argument("--tree", type=Path, default=REPO,
                        help="with --clean: the source tree to run corpus-validate from")
    args = parser.parse_args(argv)
    if args.clean:
        for label, counts in clean_counts(args.tree.resolve()).items():
            print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    rules = ruleset()
    for item in args.option:
        option, _, value = item.partition("=")
        rule = rules.rules["CON001"]
        rule.options = dataclasses.replace(
            rule.options, **{option: type(getattr(rule.options, option))(value)})
    for label, paths in CORPORA.items():
        if not paths:
            print(f"{label}: not here (set CORPUS_VALIDATORS_TED, see SOURCE.md)")
            continue
        texts = {name(p): p.read_text(encoding="utf-8") for p in paths}
        spans = sum(len(SPAN.findall(t)) for t in texts.values())
        trials, misses = recall(rules.rules["CON001"], texts, args.every)
        found = {rid: len(corpus_hits(rules.rules[rid], texts)) for rid in ("CON001", "CON002", "CON003")}
        pairs, unknown = unknown_pairs(rules.rules["PAIR003"], texts)
        print(f"{label}: {len(texts)} documents, {spans} spans")
        print(f"  CON001 recall: {trials - len(misses)}/{trials}"
              + (f" ({100 * (trials - len(misses)) / trials:.1f}%)" if trials else "")
              + (f"; missed: {', '.join(misses)}" if misses else ""))
        print("  findings on the originals: " + ", ".join(
            f"{rid} {n} ({1000 * n / spans:.1f} per 1000 spans)" for rid, n in found.items()))
        print(f"  PAIR003: {len(unknown)}/{pairs} pairs unknown"
              + (f" ({100 * len(unknown) / pairs:.1f}%): {', '.join(unknown)}" if pairs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
