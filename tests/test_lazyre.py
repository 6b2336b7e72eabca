"""compiler/lazyre.py: a pattern compiled on first use behaves as the compiled pattern."""

from __future__ import annotations

import marshal
import re
import sys

import pytest

from agentc.compiler import lazyre, mentions, pycache
from agentc.compiler.lazyre import LazyPattern, lazy_compile
from agentc.compiler.pycache import Kept

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


# The cache of compiled code (lazyre.compile)

PATTERNS = ((r"(?P<who>`[\w-]+`)|\bhand(?:s|ed)?\s+off\b", re.I), (r"^\s*[-*+]\s+(?:\[[ xX]\]\s+)?", re.M),
            (r"[^\t\n\r -~\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", 0), (r"(?x) a  b # c", 0))


@pytest.fixture
def cache_file(tmp_path, monkeypatch):
    """lazyre's cache in a temporary file, empty at the start."""
    path = tmp_path / "patterns.marshal"
    monkeypatch.setattr(lazyre, "_PATTERNS", Kept(str(path), most=2048))
    return path


def test_cached_code_makes_the_same_pattern(cache_file):
    # Pattern equality in CPython compares the pattern, the flags and the compiled code.
    first = [lazyre.compile(p, f) for p, f in PATTERNS]
    assert first == [re.compile(p, f) for p, f in PATTERNS] and len(lazyre._PATTERNS.new) == len(PATTERNS)
    lazyre._PATTERNS.write()
    lazyre._PATTERNS.known, lazyre._PATTERNS.new = None, {}
    again = [lazyre.compile(p, f) for p, f in PATTERNS]
    assert again == first and not lazyre._PATTERNS.new and len(lazyre._PATTERNS.known) == len(PATTERNS)  # all from the file
    assert [x.groupindex for x in again] == [x.groupindex for x in first] and again[3].flags == re.X | re.U


@pytest.mark.parametrize("content", [b"", b"not marshal", marshal.dumps(("other python", {})), marshal.dumps([1, 2])])
def test_a_stale_or_damaged_file_is_ignored(cache_file, content):
    cache_file.write_bytes(content)
    assert lazyre.compile(*PATTERNS[0]) == re.compile(*PATTERNS[0])
    assert len(lazyre._PATTERNS.new) == 1  # compiled anew, to be written again


def test_damaged_code_falls_back_to_re(cache_file):
    pattern, flags = PATTERNS[1]
    entry = lazyre._compiled(pattern, flags)
    bad = (entry[0], (9999).to_bytes(4, sys.byteorder) * (len(entry[1]) // 4), *entry[2:])  # no such opcode: _sre refuses it
    odd = (entry[0], entry[1][:-1], *entry[2:])  # not a whole number of words
    listed = (entry[0], list(memoryview(entry[1]).cast("I")), *entry[2:])  # the code as the file held it before
    for damaged in (bad, odd, listed):
        cache_file.write_bytes(marshal.dumps((pycache.VERSION, {(pattern, int(flags)): damaged})))
        lazyre._PATTERNS.known = None
        assert lazyre.compile(pattern, flags) == re.compile(pattern, flags)


def test_the_code_is_kept_as_its_words_bytes():
    """What marshal reads back as one bytes object, not an int per word (lazyre._Entry)."""
    from re import _compiler, _parser

    for pattern, flags in PATTERNS:
        words = lazyre._compiled(pattern, flags)[1]
        assert type(words) is bytes
        assert memoryview(words).cast("I").tolist() == list(_compiler._code(_parser.parse(pattern, flags), flags))


def test_a_bad_pattern_raises_as_re_does(cache_file):
    with pytest.raises(re.error):
        lazyre.compile(r"(unclosed")
