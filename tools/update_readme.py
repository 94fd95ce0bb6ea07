"""Regenerate the README's generated blocks: python tools/update_readme.py

Each block stands between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` and is the output of
one ``corpus-validate`` command (:data:`BLOCKS`), run from the repository root so that it sees
the bundled rules only; tests/test_readme.py keeps the README equal to them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"

# block name -> (the command's arguments, the code fence its output is shown in: "" for none)
BLOCKS: dict[str, tuple[tuple[str, ...], str]] = {
    "rules": (("rules", "list", "--format", "markdown"), ""),
    # a tag rule, a rule with a safe fix, a corpus-wide rule: the three kinds of rule page
    "explain": (("rules", "explain", "TAG001", "ENC005", "DUP001"), "text"),
}


def block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", re.S)


def block_text(name: str, output: str) -> str:
    """What stands between the markers of block ``name`` for the command's ``output``."""
    fence = BLOCKS[name][1]
    return f"```{fence}\n{output}```\n" if fence else output


def command_output(args: tuple[str, ...]) -> str:
    return subprocess.run([sys.executable, "-m", "validators", *args], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout


def main() -> int:
    text = README.read_text(encoding="utf-8")
    for name, (args, _) in BLOCKS.items():
        pattern = block_pattern(name)
        if not pattern.search(text):
            sys.stderr.write(f"update_readme: README.md has no <!-- {name}:start --> block\n")
            return 2
        generated = block_text(name, command_output(args))
        text = pattern.sub(lambda m, new=generated: m.group(1) + new + m.group(3), text)
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
