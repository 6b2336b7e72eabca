"""compiler/lazyre.py: a pattern compiled on first use behaves as the compiled pattern."""

from __future__ import annotations

import re

import pytest

from agentc.compiler import mentions
from agentc.compiler.lazyre import LazyPattern, lazy_compile

TEXT = "Hand off to the Code Reviewer, then ask `qa-lead`; code-reviewer again."


def test_same_results_as_re_compile():
    for pattern, flags in ((r"code[- ]reviewer", re.I), (r"(?P<who>`[\w-]+`)", 0), (r"\b\w+(?=;)", 0)):
        lazy, real = lazy_compile(pattern, flags), re.compile(pattern, flags)
        assert [m.span() for m in lazy.finditer(TEXT)] == [m.span() for m in real.finditer(TEXT)]
        assert lazy.findall(TEXT) == real.findall(TEXT)
        assert lazy.sub("X", TEXT) == real.sub("X", TEXT) and lazy.split(TEXT) == real.split(TEXT)
        assert (lazy.search(TEXT) or re.match("", "")).span() == (real.search(TEXT) or re.match("", "")).span()
        assert bool(lazy.match(TEXT)) == bool(real.match(TEXT)) and lazy.groupindex == real.groupindex
        assert lazy.pattern == pattern


def test_compiled_on_first_use_only():
    lazy = LazyPattern(r"a|b", re.I)
    assert lazy.pattern == "a|b" and "search" not in vars(lazy)  # reading .pattern compiles nothing
    assert lazy.search("xB").group() == "B"
    assert "search" in vars(lazy) and "match" in vars(lazy)  # later uses find the compiled methods
    with pytest.raises(AttributeError):
        lazy.no_such_method  # noqa: B018


def test_a_rare_pattern_of_the_front_end_is_lazy_until_used():
    assert isinstance(mentions._SOFT_BEFORE, LazyPattern)
    assert isinstance(mentions._STRONG_BEFORE, re.Pattern)  # used by every agent: compiled at import
