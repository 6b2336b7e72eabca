"""suppress._opens, the quick "does this body hold a comment at all" test that find() and so
lines_needed() and apply() start with, against the plain `"<!--" in body` it stands in for,
on bodies with few and with many "<" (past _HOPS the regex finishes the search)."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import suppress

# The pieces that decide the answer: "<" alone, near misses, the opener itself, and filler.
_piece = st.sampled_from(["<", "<!", "<!-", "<!--", "!--", "-->", "-", "!", "a", "→", "😀", "\n", "\r\n", " "])


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(_piece, max_size=120))
def test_opens_is_the_substring_test(pieces):
    body = "".join(pieces)
    assert suppress._opens(body) is ("<!--" in body)


def test_opens_past_the_hops():
    many = "a < b " * (suppress._HOPS * 3)
    assert not suppress._opens(many)
    assert suppress._opens(many + "<!-- agentc: ignore[AGC301] -->")
    assert suppress._opens("<" * suppress._HOPS + "<!--")
    assert suppress._opens("<" * (suppress._HOPS - 1) + "<!--")
    assert not suppress._opens("")
    assert not suppress._opens("<!-" + "<" * 100 + " !--")


def test_find_reads_a_comment_after_many_tags():
    body = "<b>x</b> " * 40 + "\n<!-- agentc: ignore[AGC301] -->\nDelegate to **x**.\n"
    [s] = suppress.find("f.md", body, 10)
    assert (s.line, s.codes, s.first, s.last) == (11, ("AGC301",), 12, 12)
