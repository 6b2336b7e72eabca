"""apply_policy's de-duplicating sort (`_sorted_unique`) against the way it was written first:
`sorted(set(diags), key=Diagnostic.sort_key)`."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from agentc.compiler.diagnostics import Diagnostic, apply_policy

_TEXT = st.sampled_from(["", "a", "a.md", "İ", "ı", "ſ", "\u212a", "😀", "x\r\ny", "z" * 5000])
_DIAG = st.builds(
    Diagnostic, code=st.sampled_from(["AGC301", "AGC010", "AGC121"]), severity=st.sampled_from(["error", "warning", "info"]),
    file=_TEXT, line=st.integers(0, 3), col=st.integers(0, 2), message=_TEXT,
    hint=st.none() | _TEXT, excerpt=st.none() | _TEXT)


@given(st.lists(_DIAG, max_size=30), st.booleans())
def test_sorted_unique_matches_set_and_sort(diags, strict):
    got = apply_policy(diags, strict=strict)
    promoted = [replace(d, severity="error") if strict and d.severity == "warning" else d for d in diags]
    reference = sorted(set(promoted), key=Diagnostic.sort_key)
    assert apply_policy(diags, strict=strict, ignore=["NONE"]) == got  # the filtering loop, nothing filtered
    assert len(got) == len(set(got)) == len(reference)
    assert set(got) == set(reference)
    assert [d.sort_key() for d in got] == [d.sort_key() for d in reference]


def test_ties_keep_their_order_and_equal_ones_come_once():
    first = Diagnostic(code="AGC301", severity="warning", file="a.md", line=1, col=1, message="m", hint="one")
    second = Diagnostic(code="AGC301", severity="warning", file="a.md", line=1, col=1, message="m", hint="two")
    earlier = Diagnostic(code="AGC301", severity="warning", file="a.md", line=0, col=1, message="m")
    assert apply_policy([second, first, second, earlier]) == (earlier, second, first)
    assert apply_policy([first, second, earlier, first]) == (earlier, first, second)
    assert apply_policy(iter([first, first])) == (first,)
