"""compiler.names.unwritable: its shortcut for a printable ASCII name without a separator (no loop
over the characters) rests on no such character being one the loop refuses."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler.names import MAX_NAME_BYTES, unwritable

PRINTABLE_ASCII = [chr(c) for c in range(128) if chr(c).isprintable()]


def test_no_printable_ascii_character_is_refused_by_the_loop():
    for ch in PRINTABLE_ASCII:
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"), repr(ch)
        assert not 0xD800 <= ord(ch) <= 0xDFFF


def test_what_is_refused():
    assert unwritable("code-reviewer") is None
    assert unwritable("a b~!@#$%^&*()") is None
    assert "path separator '/'" in unwritable("a/b")
    assert "path separator '\\\\'" in unwritable("a\\b")
    assert "U+0009" in unwritable("a\tb")
    assert "U+007F" in unwritable("a\x7fb")
    assert "U+200B" in unwritable("a\u200bb")
    assert "lone surrogate (U+DC80)" in unwritable("a\udc80")
    assert unwritable("x" * MAX_NAME_BYTES) is None
    assert f"is {MAX_NAME_BYTES + 1} bytes" in unwritable("x" * (MAX_NAME_BYTES + 1))
    assert f"is {MAX_NAME_BYTES + 1} bytes" in unwritable("é" * 100 + "x")


def _loop(name: str) -> str | None:
    """`unwritable` through its loop (a name with a non-ASCII character takes it)."""
    got = unwritable(name + "\u00e9")
    return None if got is None or "bytes long" in got else got


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from([*PRINTABLE_ASCII, "\t", "\n", "\x00", "\x7f", "\u200b", "\u2028"]), max_size=40))
def test_the_shortcut_agrees_with_the_loop(name):
    got = unwritable(name)
    if got is None or "bytes long" not in got:
        assert got == _loop(name)
