"""targets/_shared/chars.py: `literal_unsafe` agrees with the plain search and regex it stands in for (speed, issue 12)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.targets._shared.chars import literal_unsafe

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TRIPLE = "'" * 3


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=())) | st.text(alphabet="a'\t\n\r\x00\x1f\x7f\x80\x85é\u2028\ud800😀"))
def test_literal_unsafe_is_the_search_and_the_regex(text):
    assert literal_unsafe(text) == (TRIPLE in text or CONTROL.search(text) is not None)


def test_edges():
    assert not literal_unsafe("") and not literal_unsafe("tab\tnew\nline é\u2028😀\ud800\x80\x9f '' ''")
    assert all(literal_unsafe(f"x{chr(c)}y") for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
    assert literal_unsafe(TRIPLE) and literal_unsafe(f"→{TRIPLE}") and literal_unsafe(f"😀{TRIPLE}x")
    assert not literal_unsafe("''") and not literal_unsafe("'→''") and not literal_unsafe("'' '")
