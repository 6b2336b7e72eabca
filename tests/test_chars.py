"""targets/_shared/chars.py: `has_control` agrees with the plain regex it stands in for (speed, issue 12)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.targets._shared.chars import has_control

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=())) | st.text(alphabet="a\t\n\r\x00\x1f\x7f\x80\x85é\u2028\ud800😀"))
def test_has_control_is_the_regex(text):
    assert has_control(text) == (CONTROL.search(text) is not None)


def test_edges():
    assert not has_control("") and not has_control("tab\tnew\nline é\u2028😀\ud800\x80\x9f")
    assert all(has_control(f"x{chr(c)}y") for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
