"""Regenerate the table schema documentation: python tools/update_table_docs.py

- schemas/<table>.yaml: each pandera schema serialized with ``to_yaml``;
- README.md between <!-- tables:start --> and <!-- tables:end -->: a column table per schema.

tests/test_tables.py fails when either is stale.
"""

from __future__ import annotations

import re
from pathlib import Path

from validators.tables import TABLES
from validators.tables.schemas import markdown_tables, schema_yaml

ROOT = Path(__file__).resolve().parent.parent

folder = ROOT / "schemas"
folder.mkdir(exist_ok=True)
for table in TABLES:
    (folder / f"{table}.yaml").write_text(schema_yaml(table), encoding="utf-8")

readme = ROOT / "README.md"
text = readme.read_text(encoding="utf-8")
text, count = re.subn(r"(<!-- tables:start -->\n).*?(<!-- tables:end -->)",
                      lambda m: m.group(1) + markdown_tables() + m.group(2), text, flags=re.S)
if not count:
    raise SystemExit("README.md lacks the <!-- tables:start --> / <!-- tables:end --> markers")
readme.write_text(text, encoding="utf-8")
