"""Regenerate the README's rule catalogue from the rule files: python tools/update_readme.py"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"

generated = subprocess.run([sys.executable, "-m", "validators", "rules", "list", "--format",
                            "markdown"], capture_output=True, text=True, check=True).stdout
text = README.read_text(encoding="utf-8")
text = re.sub(r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)",
              lambda m: m.group(1) + generated + m.group(2), text, flags=re.S)
README.write_text(text, encoding="utf-8")
