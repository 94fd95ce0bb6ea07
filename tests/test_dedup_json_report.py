"""``--format json`` writes its findings with the C encoder (issue 14): the pure-Python encoder that
``indent=2`` falls back to never sees a finding, and the text is still exactly what
``json.dumps(payload, ensure_ascii=False, indent=2)`` gives."""

from __future__ import annotations

import io
import json
import json.encoder
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validators.findings import Finding, Related
from validators.reporters import json_format

# text with everything JSON escapes or must not: quotes, backslashes, control characters, line and
# paragraph separators, non-ASCII, a lone surrogate (paths decoded with surrogateescape), brackets
TEXT = st.text(alphabet=st.sampled_from(list('ab"\\\n\r\t\x00\x1f\x7f\u2028\u2029é中\udcff {}[],:')),
               max_size=12)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    related = tuple(Related(draw(TEXT), draw(st.integers(1, 10**6)))
                    for _ in range(draw(st.integers(0, 3))))
    return Finding(draw(TEXT), draw(TEXT), draw(TEXT), draw(st.sampled_from(["error", "warning"])),
                   draw(TEXT), draw(st.integers(1, 10**6)), draw(st.integers(1, 999)),
                   draw(st.integers(1, 10**6)), draw(st.integers(1, 999)), draw(TEXT), draw(TEXT),
                   draw(TEXT), related)


class Result:
    def __init__(self, found: list[Finding], summary: dict[str, Any]) -> None:
        self.findings = found
        self._summary = summary

    def summary(self) -> dict[str, Any]:
        return self._summary


SUMMARIES = st.sampled_from([
    {"documents": 2, "by_rule": {}, "by_severity": {"error": 0}},
    {"documents": 0, "findings": 0, "nested": [], "empty": {}, "groups": [{"members": ["a", "b"]}]},
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(found=st.lists(findings(), max_size=6), summary=SUMMARIES)
def test_findings_are_encoded_by_the_c_encoder_into_the_indented_text(
        found: list[Finding], summary: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    seen_by_python: list[Any] = []
    pure_python = json.encoder._make_iterencode

    def watched(*args: Any, **kwargs: Any) -> Any:
        encode = pure_python(*args, **kwargs)

        def iterencode(o: Any, level: int) -> Any:
            seen_by_python.append(o)
            return encode(o, level)

        return iterencode

    monkeypatch.setattr(json.encoder, "_make_iterencode", watched)
    stream = io.StringIO()
    json_format.report(Result(found, summary), stream)
    monkeypatch.undo()
    assert not any("findings" in o for o in seen_by_python if isinstance(o, dict))
    expected = json.dumps({"version": 1, "summary": summary, "findings": [f.as_dict() for f in found]},
                          ensure_ascii=False, indent=2) + "\n"
    assert stream.getvalue() == expected
