"""What the per-document script checks share (``script_mixing``, ``title_body_script``,
``regional_forms``): the ``script`` option that the configuration's ``script:`` key sets, the
labels of the two scripts and the OpenCC hint of a line.

Characters are Simplified-only or Traditional-only by OpenCC's own tables
(:mod:`validators.script_sets`); characters valid in both scripts (里, 干, 著, 后 …) never count,
nor do the forms any Traditional standard writes (Taiwan 群, Hong Kong 户). A conversion is
suggested with the OpenCC configuration that matches the corpus (s2tw for ``traditional-tw``,
s2hk for ``traditional-hk``) or the document (s2hk for a line of a Hong Kong text), never applied.
"""

from __future__ import annotations

from typing import Any

from validators.checks import option
from validators.document import Document
from validators.script_sets import POLICIES, REGION_OF_POLICY, document_region, hint_suffix

LABEL = {"simplified": "Simplified", "traditional": "Traditional"}


def script_option() -> Any:
    """The ``script`` field of a check type's options (a new field for each dataclass)."""
    return option("choice", "auto", choices=POLICIES,
                  help="the corpus's script, as the configuration's `script:` key sets it "
                       "(traditional-tw/-hk: the regional standard)")


def opencc_hint(text: str, target: str, doc: Document, policy: str) -> str:
    """The OpenCC suggestion for a line converted to ``target``: to Traditional with the corpus's
    regional configuration (s2tw, s2hk) if it names one, else with the document's own (a line in
    a Hong Kong document: s2hk), else s2t; to Simplified with t2s."""
    if target == "traditional" and policy not in REGION_OF_POLICY:
        policy = {"tw": "traditional-tw", "hk": "traditional-hk"}.get(document_region(doc) or "",
                                                                      "traditional")
    return hint_suffix(text, policy if target == "traditional" else "simplified")
