"""Rule documentation generated from the rule files and the check types: `rules list`,
`rules explain` (one page per rule, as ruff's: what it does, why it matters, examples, options,
requirements, fix) and the README's catalogue."""

from __future__ import annotations

import inspect
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from validators.checks import REQUIRED, CheckType, Option
from validators.findings import CATEGORIES, Hit
from validators.reporters.text import display_width
from validators.resources import default_rules_dir
from validators.rules import Rule, RuleSet, options_dict

WIDTH = 88             # the terminal `rules explain` is written for
INDENT = "  "          # a section's body
GUTTER_WIDTH = 8       # "   12 | " before an example's line
MAX_HITS_SHOWN = 5     # findings listed per fail example
SCOPES = {"document": "per document", "corpus": "corpus-wide: compares the documents",
          "table": "extracted tables (check-table, extract)"}
FIX_HELP = {"safe": "`check --fix` applies it (it never changes what the text says)",
            "unsafe": "only `check --fix --unsafe-fixes` applies it (it may change what the "
                      "text says; review `--diff --unsafe-fixes` first)"}


# ---------------------------------------------------------------------------------------------
# text that fits the terminal: Han characters are two columns wide


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _tokens(text: str, break_wide: bool = True) -> list[tuple[str, bool]]:
    """Unbreakable pieces of ``text`` and whether a space precedes each. A line breaks at a
    space or (``break_wide``) between two wide (Han) characters, never before wide closing
    punctuation (，。）) nor after wide opening punctuation (（“)."""
    tokens: list[tuple[str, bool]] = []
    space = False
    glue_next = False
    for piece in re.findall(r"\s+|[^\s]", text):
        if piece.isspace():
            space, glue_next = True, False
            continue
        category = unicodedata.category(piece)
        joins_previous = tokens and not space and (
            glue_next or not (break_wide and _is_wide(piece) and _is_wide(tokens[-1][0][-1]))
            or category in ("Po", "Pe", "Pf"))
        if joins_previous:
            tokens[-1] = (tokens[-1][0] + piece, tokens[-1][1])
        else:
            tokens.append((piece, space))
        glue_next = _is_wide(piece) and category in ("Ps", "Pi")
        space = False
    return tokens


def wrap(text: str, width: int = WIDTH, indent: str = INDENT, rest: str | None = None,
         break_wide: bool = True) -> list[str]:
    """``text`` broken into lines of at most ``width`` display columns, the first after
    ``indent``, the others after ``rest`` (default: ``indent``); a piece wider than a line
    (a URL, a CSV row) is cut where the line ends."""
    lines: list[str] = []
    line = ""

    def prefix() -> str:
        return indent if not lines or rest is None else rest

    for token, space in _tokens(text, break_wide):
        joined = line + (" " if space and line else "") + token
        if line and display_width(prefix() + joined) > width:
            lines.append(prefix() + line)
            line = token
        else:
            line = joined
        while display_width(prefix() + line) > width:
            cut = _fitting(line, width - display_width(prefix()))
            lines.append(prefix() + line[:cut])
            line = line[cut:]
    if line:
        lines.append(prefix() + line)
    return lines


def _fitting(text: str, room: int) -> int:
    """How many leading characters of ``text`` fit in ``room`` display columns (at least one)."""
    used = 0
    for i, ch in enumerate(text):
        used += display_width(ch)
        if used > room:
            return max(i, 1)
    return len(text)


def _docstring_lines(doc: str, indent: str = INDENT) -> list[str]:
    """A docstring for the terminal: paragraphs and ``*`` bullets re-wrapped, ``code`` in
    single backticks."""
    out: list[str] = []
    for paragraph in inspect.cleandoc(doc).split("\n\n"):
        paragraph = paragraph.replace("``", "`")
        items = re.split(r"\n(?=\* )", paragraph.strip())
        for item in items:
            text = " ".join(item.split())
            if text.startswith("* "):
                out += wrap(text[2:], indent=indent + "* ", rest=indent + "  ")
            else:
                out += wrap(text, indent=indent)
        out.append("")
    return out[:-1]


def shown_path(path: str | Path) -> str:
    """A rule or lexicon file as a reader can find it: bundled ones relative to the package's
    rules folder (``rules/tags.yaml``), others relative to the working directory when inside it."""
    resolved = Path(path).resolve()
    bundled = default_rules_dir()
    for base, prefix in ((bundled, "rules/"), (Path.cwd(), "")):
        if resolved.is_relative_to(base):
            return prefix + resolved.relative_to(base).as_posix()
    return str(path)


# ---------------------------------------------------------------------------------------------
# options


def _plain(value: Any) -> Any:
    """An option value as the rule file spells it: a lexicon's file, a regex's pattern."""
    if hasattr(value, "pattern"):
        return value.pattern
    source = getattr(value, "source", None)
    if isinstance(source, str):
        return shown_path(source) if source.endswith((".yaml", ".yml")) else source
    if isinstance(value, (tuple, frozenset, set)):
        return list(value)
    return value


def _spelled(value: Any) -> str:
    """A value in YAML flow syntax (which JSON is)."""
    try:
        return json.dumps(_plain(value), ensure_ascii=False)
    except TypeError:
        return str(_plain(value))


def options_shown(rule: Rule) -> dict[str, Any]:
    """The options that apply to ``rule``: each one set in its rule file or configuration, or
    with a value; an optional lexicon the rule does not have is no option of it."""
    return {name: _plain(value) for name, value in options_dict(rule.options).items()
            if value is not None or name in rule.raw_options}


def _option_kind(spec: Option) -> str:
    kind = spec.type
    if spec.choices:
        kind += ": " + " | ".join(str(choice) for choice in spec.choices if choice is not None)
    if spec.minimum is not None:
        kind += f", at least {spec.minimum:g}"
    if spec.maximum is not None:
        kind += f", at most {spec.maximum:g}"
    return kind


def _default_note(spec: Option, value: Any) -> str:
    if spec.default is REQUIRED:
        return "required"
    if spec.default is None:
        return "default: none"
    default = _spelled(spec.default)
    if spec.type == "lexicon" and isinstance(spec.default, str) and isinstance(value, str):
        same = value.endswith(spec.default)  # the default is relative to the rule file
    else:
        same = _spelled(value) == default
    return "the default" if same else f"default: {default}"


def _options_lines(rule: Rule) -> list[str]:
    specs = rule.check.option_specs()
    lines: list[str] = []
    for name, value in options_shown(rule).items():
        spec = specs[name]
        shown = _spelled(value)
        note = f"({_option_kind(spec)}; {_default_note(spec, value)})"
        head = f"{INDENT}{name}: {shown}"
        if display_width(f"{head}  {note}") <= WIDTH:
            lines.append(f"{head}  {note}")
        else:
            lines += wrap(f"{name}: {shown}") + wrap(note, indent=INDENT * 3)
        if spec.help:
            lines += wrap(spec.help, indent=INDENT * 3)
    for name, value in options_dict(rule.options).items():  # a lexicon lists its frames …
        describe = getattr(value, "describe", None)
        if callable(describe):
            lines.append(f"{INDENT}the lexicon of {name}:")
            for line in describe():
                lead = line[:len(line) - len(line.lstrip())]
                lines += wrap(line, indent=INDENT * 3 + lead, rest=INDENT * 4 + lead,
                              break_wide=False)  # a list of words: break between them
    return lines


# ---------------------------------------------------------------------------------------------
# examples, rendered like findings


def _example_documents(example: Any) -> list[tuple[str, str | None, str]]:
    """``(path, text, label)`` of each document of an example, named as
    :func:`validators.engine.check_example` names them; ``text`` None for bytes that are not
    text (the label then says what they are)."""
    items = example["documents"] if isinstance(example, dict) and "documents" in example else [example]
    documents = []
    for i, item in enumerate(items):
        path = f"example-{i}.txt"
        text: str | None = None
        label = ""
        if isinstance(item, str):
            text = item
        elif isinstance(item, dict) and "text" in item:
            text = str(item["text"])
            path = str(item.get("path", path))
        elif isinstance(item, dict) and "hex" in item:
            data = bytes.fromhex(str(item["hex"]))
            try:
                text = None if b"\x00" in data else data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            label = f"bytes {item['hex']}"
        elif isinstance(item, dict) and "too_large" in item:
            label = f"a file of {int(item['too_large']):,} bytes"
        elif isinstance(item, dict) and "unreadable" in item:
            label = "a file that cannot be read"
        documents.append((path, text, label))
    return documents


def _visible(text: str) -> str:
    """Invisible and control characters as ⟨U+XXXX⟩ (a BOM, a CR, a zero-width space)."""
    return "".join(f"⟨U+{ord(ch):04X}⟩" if unicodedata.category(ch) in ("Cc", "Cf", "Co")
                   and ch != "\t" else ch for ch in text)


def _clipped(line: str, start: int, room: int) -> tuple[str, int]:
    """``line`` shown from code point ``start`` (with a leading ``…`` when not 0), cut to
    ``room`` display columns; also how many display columns precede code point ``start``."""
    shown = "…" if start else ""
    offset = display_width(shown) - display_width(_visible(line[:start]))
    for ch in line[start:]:
        piece = _visible(ch)
        if display_width(shown + piece) > room - 1:
            return shown + "…", offset
        shown += piece
    return shown, offset


def _rows(text: str) -> list[str]:
    """The lines of a document (a final line break ends the last line, it starts none)."""
    rows = text.split("\n")
    return rows[:-1] if len(rows) > 1 and rows[-1] == "" else rows


def _document_lines(text: str, hits: list[tuple[Hit, str]]) -> list[str]:
    """The document's lines in a gutter, each hit's columns marked under its line."""
    room = WIDTH - GUTTER_WIDTH - len(INDENT)
    lines: list[str] = []
    for number, line in enumerate(_rows(text), 1):
        on_line = [(hit, message) for hit, message in hits if hit.line == number]
        first = min((hit.column - 1 for hit, _ in on_line), default=0)
        start = 0 if display_width(_visible(line[:first])) < room - 12 else max(first - 10, 0)
        shown, offset = _clipped(line, start, room)
        lines.append(f"{INDENT}{number:>5} | {shown}".rstrip())
        for hit, message in on_line:
            end = hit.end_column if hit.end_line == hit.line else len(line) + 1
            before = display_width(_visible(line[:hit.column - 1])) + offset
            carets = "^" * max(display_width(_visible(line[hit.column - 1:end - 1])), 1)
            marked = f"{INDENT}{'':>5} | {' ' * before}{carets}"[:WIDTH]
            if display_width(f"{marked} {message}") <= WIDTH:
                lines.append(f"{marked} {message}")
            else:  # the finding on lines of its own, under the marked line
                lines += [marked, *wrap(message, indent=f"{INDENT}{'':>5} = ",
                                        rest=f"{INDENT}{'':>5}   ")]
    return lines


def _options_of(example: Any) -> str:
    if not (isinstance(example, dict) and isinstance(example.get("options"), dict)):
        return ""
    return "with options " + ", ".join(f"{k}: {_spelled(v)}" for k, v in example["options"].items())


def _pass_lines(example: Any) -> list[str]:
    """A passing example as a bullet: each document on one line (⏎ for its line breaks)."""
    lines: list[str] = []
    documents = _example_documents(example)
    for path, text, label in documents:
        bullet = INDENT + ("- " if not lines else "  ")
        if text is not None and len(_rows(text)) > 1:  # lines of their own
            what = path if len(documents) > 1 else f"a text of {len(_rows(text))} lines:"
            lines += wrap(what, indent=bullet)
            lines += _document_lines(text, [])
            continue
        shown = _visible(text.replace("\n", "⏎")) if text is not None else f"({label})"
        if len(documents) > 1:
            shown = f"{path}: {shown}"
        lines += wrap(shown, indent=bullet, rest=INDENT * 2)
    given = _options_of(example)
    return lines + (wrap(given, indent=INDENT * 2) if given else [])


def _fail_lines(rule: Rule, example: Any) -> list[str]:
    """A failing example with the findings it gives, marked under their lines."""
    from validators.engine import check_example

    hits = check_example(rule, example)
    documents = _example_documents(example)
    given = _options_of(example)
    lines: list[str] = wrap(given + ":") if given else []
    shown = [(hit, f"{rule.id} {rule.format_message(hit)} ({hit.line}:{hit.column})")
             for hit in hits[:MAX_HITS_SHOWN]]
    placed: set[int] = set()
    for path, text, label in documents:
        mine = [(hit, message) for hit, message in shown
                if hit.path == path or (hit.path is None and len(documents) == 1)]
        if len(documents) > 1 or text is None:
            lines.append(f"{INDENT}{path}" + (f" ({label})" if label else ""))
        if text is not None:
            lines += _document_lines(text, mine)
            placed.update(id(hit) for hit, _ in mine if hit.line <= len(_rows(text)))
    for hit, message in shown:  # findings on a file shown as bytes, or on no listed line
        if id(hit) not in placed:
            lines += wrap(f"{(hit.path + ':') if hit.path else ''}{message}",
                          indent=f"{INDENT}→ ", rest=INDENT * 2)
    if not hits:  # `rules test` and every load of the rule refuse this; say so here too
        lines.append(f"{INDENT}→ gives no finding (`corpus-validate rules test` reports it)")
    if len(hits) > MAX_HITS_SHOWN:
        lines.append(f"{INDENT}… and {len(hits) - MAX_HITS_SHOWN} more finding(s)")
    return lines


# ---------------------------------------------------------------------------------------------
# the page


def check_type_doc(check: CheckType) -> str:
    """The check type's documentation: its class docstring, else its module's (one check type
    per module, whose docstring documents it, as in yamllint)."""
    cls = type(check)
    return cls.__dict__.get("__doc__") or getattr(sys.modules.get(cls.__module__), "__doc__", "") or ""


def fix_line(rule: Rule) -> str:
    """Whether a fix exists, whether it is safe, and whether this rule has it on."""
    safety = rule.fix_safety
    if safety is None:
        return "No automatic fix: the finding says what to change."
    state = ("On for this rule (`fix: true`)" if rule.fix
             else "Off for this rule: its rule file does not say `fix: true`")
    return f"{safety.capitalize()} fix: {FIX_HELP.get(safety, safety)}. {state}."


def _fix_lines(rule: Rule) -> list[str]:
    lines = wrap(fix_line(rule))
    fix = type(rule.check).__dict__.get("fix")
    if rule.fix_safety and fix is not None and fix.__doc__:
        lines += wrap("What it does: " + " ".join(fix.__doc__.split()))
    return lines


def requirement_lines(check: CheckType) -> list[str]:
    if not check.requires:
        return wrap("Runs on every file, even one that could not be read or decoded.")
    return [line for requirement in check.requires
            for line in wrap(f"Runs only on {requirement.explanation}.")]


def explain_rule(rule: Rule) -> str:
    """The page of one rule (`rules explain ID`), for an 88-column terminal."""
    check = rule.check
    severity = rule.severity + (f" (default {rule.default_severity})"
                                if rule.severity != rule.default_severity else "")
    lines = [f"{rule.id} ({rule.name})",
             f"Severity: {severity}; category {rule.category} "
             f"({CATEGORIES.get(rule.category, '?')})",
             *wrap(f"Check type: {check.name} ({SCOPES.get(check.scope, check.scope)})",
                   indent=""),
             *wrap(f"Message: {rule.message}", indent=""),
             f"Defined: {shown_path(rule.source)}:{rule.line}", "",
             "What it does", *wrap(rule.description), ""]
    if rule.why:
        lines += ["Why it matters", *wrap(rule.why), ""]
    for example in rule.tests["fail"]:
        lines += ["Fails:", *_fail_lines(rule, example)]
    if rule.tests["pass"]:
        lines.append("Passes:")
        for example in rule.tests["pass"]:
            lines += _pass_lines(example)
    if rule.tests["fail"] or rule.tests["pass"]:
        lines.append("")
    options = _options_lines(rule)
    if options:
        lines += ["Options", *options, ""]
    lines += ["Requires", *requirement_lines(check), ""]
    lines += ["Fix", *_fix_lines(rule), ""]
    lines.append(f"Check type {check.name}")
    doc = check_type_doc(check)
    lines += _docstring_lines(doc) if doc else wrap(check.summary)
    return "\n".join(lines).rstrip("\n") + "\n"


def explain_rules(rules: Iterable[Rule]) -> str:
    """Several pages, one after the other, separated by a rule line."""
    return ("\n" + "-" * WIDTH + "\n\n").join(explain_rule(rule) for rule in rules)


# ---------------------------------------------------------------------------------------------
# the catalogue


def fix_label(rule: Rule) -> str:
    """`safe`, `unsafe`, either with `(off)` when the rule does not turn it on, or `-`."""
    safety = rule.fix_safety
    if safety is None:
        return "-"
    return safety if rule.fix else f"{safety} (off)"


def rules_table(ruleset: RuleSet) -> str:
    name = max([len(r.name) for r in ruleset] + [4])
    check = max([len(r.check.name) for r in ruleset] + [10])
    rows = [f"{'ID':<8} {'SEVERITY':<8} {'NAME':<{name}} {'CHECK TYPE':<{check}} FIX"]
    rows += [f"{r.id:<8} {r.severity:<8} {r.name:<{name}} {r.check.name:<{check}} {fix_label(r)}"
             for r in ruleset]
    return "\n".join(row.rstrip() for row in rows) + "\n"


def rules_json(ruleset: RuleSet) -> str:
    return json.dumps([{"id": r.id, "name": r.name, "category": r.category,
                        "severity": r.severity, "check": r.check.name, "scope": r.check.scope,
                        "description": r.description, "why": r.why, "message": r.message,
                        "options": options_shown(r),
                        "requires": [q.name for q in r.check.requires],
                        "fix_safety": r.fix_safety, "fix": r.fix} for r in ruleset],
                      ensure_ascii=False, indent=2) + "\n"


def rules_markdown(ruleset: RuleSet) -> str:
    out = ["| id | name | severity | check type | fix | what it reports |",
           "|---|---|---|---|---|---|"]
    for r in ruleset:
        first = r.description.split(". ")[0].rstrip(".") + "."
        first = first.replace("|", "\\|").replace("<", "&lt;")
        out.append(f"| `{r.id}` | {r.name} | {r.severity} | `{r.check.name}` | {fix_label(r)} "
                   f"| {first} |")
    return "\n".join(out) + "\n"
