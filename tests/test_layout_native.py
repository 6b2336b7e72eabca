"""The C `layout` (agentc.compiler._mentions) against references._layout_py, the block walk
`references.read` does before its one scan, and mentions._prepare_join_py of its lines: the blocks of each kind it
records, each block's first line and the prepared text and lines with fenced code and headings blanked (a blanked
line read as "" and never copied into a list of its own). Compared on every markdown file of the repository,
the shared corpus and hypothesis-made block lists (blocks reaching past the file's end or before
its start, where C declines and Python runs). Also: it is used when built (and must be, where CI
says so with AGENTC_REQUIRE_NATIVE=1), bad arguments are TypeErrors, and it leaks no memory."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import mentions, references
from agentc.compiler.delegation import CUES, LINE_TRIGGERS
from agentc.compiler import native as native_loader
from agentc.compiler.markdown import Block, Code, Heading, Label, ListItem, Paragraph, Table
from agentc.compiler.source import read_source


@pytest.fixture(scope="module")
def layout():
    """The C `layout`, even when this run is pure Python."""
    return native_or_skip(lambda: native_loader.load("_mentions", "layout"), "_mentions").layout


def test_read_uses_the_native_layout_when_built():
    module = native_in_use("agentc.compiler._mentions")
    assert references._layout is (references._layout_text_py if module is None else references._layout_native)


def _expected(blocks: list, lines: list[str], kinds: dict) -> tuple[list[int], str, list[str]]:
    """What the C `layout` gives, from the Python references alone."""
    firsts, readable = references._layout_py(blocks, lines, references._BLANK, kinds)
    return (firsts, *mentions._prepare_join_py(readable))


def _same(layout, blocks: list, lines: list[str], recorded: tuple[type, ...] = references._KINDS) -> None:
    """The C walk (when it takes the blocks), `_layout_native` and `_layout_text_py` give what
    Python gives, the indexes of the `recorded` kinds of block only. The text's kind is compared
    too: a str of a wider kind than its characters need is not equal to the same characters."""
    kinds_py: dict = {kind: [] for kind in recorded}
    expected = _expected(blocks, lines, kinds_py)
    assert references._layout_text_py(blocks, lines, references._BLANK, {kind: [] for kind in recorded}) == expected
    original = list(lines)
    kinds_c: dict = {kind: [] for kind in recorded}
    got = layout(blocks, lines, Block, references._BLANK, kinds_c)
    if got is None:  # a blanked block outside the lines: C leaves it to Python, kinds untouched
        assert kinds_c == {kind: [] for kind in recorded}
        assert any(type(b) in references._BLANK and not 1 <= b.line <= max(b.end, b.line) <= len(lines) for b in blocks)
    else:
        assert (got, list(kinds_c.items())) == (expected, list(kinds_py.items()))
        assert got[2] is not lines and lines == original  # a new list: the caller's lines stay as they were
    kinds_c = {kind: [] for kind in recorded}
    with pytest.MonkeyPatch.context() as mp:  # the C module even in a pure-Python run
        mp.setattr(references, "_NATIVE", SimpleNamespace(layout=layout))
        assert references._layout_native(blocks, lines, references._BLANK, kinds_c) == expected
    assert list(kinds_c.items()) == list(kinds_py.items())
    assert list(kinds_py) == list(recorded)
    for kind, indexes in kinds_py.items():
        assert indexes == [i for i, b in enumerate(blocks) if type(b) is kind]


def test_markdown_files_lay_out_the_same(layout):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    assert len(files) > 20
    for path in files:
        src = read_source(str(path), path.read_bytes())
        _same(layout, src.blocks, src.lines)


KINDS = (Code, Heading, Label, ListItem, Paragraph, Table)
block = st.builds(lambda kind, line, end: kind(line=line, end=end), st.sampled_from(KINDS), st.integers(-2, 12),
                  st.integers(-1, 14))
lines = st.lists(st.sampled_from(["", "x", "é → y", "😀", "a\r", "İ", "a-x/b-y", "c\u2010d", "\u2212", "ı ſ \u212a",
                                  "abcdefghijklmnopq", "abcdefghij", "/e-f", "x" * 300]), max_size=12)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(block, max_size=20), lines, st.lists(st.sampled_from(KINDS), unique=True).map(tuple))
def test_generated_blocks_lay_out_the_same(layout, blocks, lines, recorded):
    _same(layout, blocks, lines, recorded)


def test_odd_lines_lay_out_the_same(layout):
    """ASCII lines of every length around the C copy's blocks of 8 and 16 characters, widened into a
    text that a non-ASCII line (kept or blanked) makes two or four bytes a character; huge lines,
    CRLF, the letters lowering treats oddly, and hyphens and "/" that preparing changes."""
    short = ["x" * k + "-y" for k in range(40)]
    for wide in ("→", "😀", "é", "İ", "\u212a", "ı", "ſ", "\u2010"):
        lines = [*short, wide, "a-x/b-y\r", "h" * 100_000 + "/a-b", "", wide + "c-d/e-f"]
        for blocks in ([], [Code(line=41, end=41)], [Heading(line=1), Code(line=len(lines), end=len(lines))],
                       [Paragraph(line=1, end=40), Code(line=2, end=39)]):
            _same(layout, blocks, lines)


def test_empty_and_bad_arguments(layout):
    assert layout([], [], Block, references._BLANK, {}) == ([], "", [])
    assert layout([], ["a"], Block, (), {}) == ([], "a", ["a"])
    assert layout([Code(line=1, end=2)], ["a→", "b", "c"], Block, (Code,), {}) == ([1], "\n\nc", ["", "", "c"])
    for args in ([(), [], Block, (), {}], [[], [], Block, [], {}], [[], [], Block, (), []], [[object()], [], Block, (), {}],
                 [[Code(line=1)], [""], Code, (), {}], [[], [], int, (), {}]):
        with pytest.raises(TypeError):
            layout(*args)
    with pytest.raises(TypeError):
        layout([Code(line="1")], [""], Block, (Code,), {})
    with pytest.raises(TypeError):  # a type is checked when it comes after another
        layout([Code(line=1), Code(line=1), object()], [""], Block, (), {})
    with pytest.raises(TypeError):
        layout([], [])
    with pytest.raises(TypeError):  # the lines are read as str
        layout([], ["a", 1], Block, (), {})
    with pytest.raises(TypeError):
        layout([Code(line=1)], [b"a"], Block, (), {})


def test_layout_does_not_leak(layout):
    src = read_source("a.md", b"---\nname: a\n---\n# A\n\n```\ncode\n```\n\n- one\n- two\n\ntext\n")
    assert_no_leak(lambda: layout(src.blocks, src.lines, Block, references._BLANK, {kind: [] for kind in references._KINDS}))
    assert_no_leak(lambda: layout(src.blocks, src.lines, Block, references._BLANK, {}))
    assert_no_leak(lambda: layout([Code(line=9)], [""], Block, (Code,), {}))  # declined
    assert_no_leak(lambda: layout([Code(line=1)], ["a-x/b-y", "c\u2010d é"], Block, (Code,), {Code: []}))

    def raising():
        with pytest.raises(TypeError):
            layout([Code(line=1)], ["a", 1], Block, (Code,), {Code: []})

    assert_no_leak(raising)


# ---------------------------------------------------------------------------------------------
# The C `reading`: `layout` and `mentions.candidates_of` of what it lays out, in one call, against
# references._reading_py with every step in Python.


@pytest.fixture(scope="module")
def reading():
    """The C module's `reading` (and its `layout`, which `_reading_py` uses where `reading`
    declines), even when this run is pure Python."""
    return native_or_skip(lambda: native_loader.load("_mentions", "reading", "layout"), "_mentions")


def test_read_uses_the_native_reading_when_built():
    module = native_in_use("agentc.compiler._mentions")
    assert references._reading is (references._reading_py if module is None else references._reading_native)


def _read_same(reading, blocks: list, lines: list[str], self_name: str = "x-agent",
               recorded: tuple[type, ...] = references._KINDS) -> None:
    """The C `reading` gives what `_reading_py` gives with each step's Python twin, kinds included,
    or None with kinds untouched where a step declines; `_reading_native` gives it either way."""
    kinds_py: dict = {kind: [] for kind in recorded}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(references, "_layout", references._layout_text_py)
        mp.setattr(mentions, "_line_groups", mentions._line_groups_py)
        mp.setattr(mentions, "_names_by_line", mentions._names_by_line_py)
        mp.setattr(mentions, "_weak_lines", mentions._weak_lines_py)
        expected = references._reading_py(blocks, lines, kinds_py, self_name)
    words, masks, _ = mentions._words(CUES, LINE_TRIGGERS)
    original = list(lines)
    kinds_c: dict = {kind: [] for kind in recorded}
    got = reading.reading(mentions._READ_ENV, blocks, lines, Block, references._BLANK, kinds_c, words, masks, self_name,
                          mentions._probe(self_name))
    assert lines == original
    if got is None:  # a blanked block outside the lines, or "İ" or the Kelvin sign in the text
        assert kinds_c == {kind: [] for kind in recorded}
        assert any("\u0130" in line or "\u212a" in line for line in lines) or any(
            type(b) in references._BLANK and not 1 <= b.line <= max(b.end, b.line) <= len(lines) for b in blocks)
    else:
        assert (got, list(kinds_c.items())) == (expected, list(kinds_py.items()))
    kinds_c = {kind: [] for kind in recorded}
    with pytest.MonkeyPatch.context() as mp:  # the C module even in a pure-Python run
        mp.setattr(references, "_NATIVE", reading)
        assert references._reading_native(blocks, lines, kinds_c, self_name) == expected
    assert list(kinds_c.items()) == list(kinds_py.items())


def test_markdown_files_read_the_same(reading):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    assert len(files) > 20
    for path in files:
        src = read_source(str(path), path.read_bytes())
        _read_same(reading, src.blocks, src.lines, mentions.normal(path.stem))
        _read_same(reading, src.blocks, src.lines, mentions.normal(path.stem), (Table,))


said = st.lists(st.sampled_from([
    "", "x", "é → y", "😀", "İ", "\u212a", "a-x/b-y", "c\u2010d", "- **code-reviewer**: reviews code", "Use the data agent",
    "ask the context manager for scope", "hand off to ml-engineer → x", "@agent-z-agent", 'subagent_type="qa-lead"',
    "Route to Reality Checker.", "handling errors with care", "work with the research agent", "consult x-agent (self)",
    "| Agent | When |", "| ml-engineer | training |", "notify the release manager", "query database architect now"]), max_size=12)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(block, max_size=20), said, st.lists(st.sampled_from(KINDS), unique=True).map(tuple))
def test_generated_blocks_read_the_same(reading, blocks, lines, recorded):
    _read_same(reading, blocks, lines, "x-agent", recorded)


def test_reading_bad_arguments(reading):
    reading = reading.reading
    words, masks, _ = mentions._words(CUES, LINE_TRIGGERS)
    good = [mentions._READ_ENV, [], ["a"], Block, references._BLANK, {}, words, masks, "x", "x"]
    assert reading(*good) == (["a"], {}, set(), set(), set(), [])
    for at, bad in ((0, ()), (0, (1, 2, 3, 4, 5)), (1, ()), (2, ()), (3, 1), (4, []), (5, []), (6, []), (7, words[:1]),
                    (8, None), (9, b"x")):
        with pytest.raises(TypeError):
            reading(*good[:at], bad, *good[at + 1:])
    with pytest.raises(TypeError):
        reading(*good[:-1])
    with pytest.raises(TypeError):  # the lines are read as str
        reading(*good[:2], ["a", 1], *good[3:])
    env = list(mentions._READ_ENV)
    env[4] = lambda text, sub: ()
    with pytest.raises(TypeError):  # the extra places come as a list
        reading(tuple(env), *good[1:])


def test_reading_does_not_leak(reading):
    reading = reading.reading
    words, masks, _ = mentions._words(CUES, LINE_TRIGGERS)
    src = read_source("a.md", b"---\nname: a\n---\n# A\n\n```\ncode\n```\n\n- use the code-reviewer agent\n- ask the qa lead\n\n"
                              b"Route to ml-engineer \xe2\x86\x92 a-x/b-y\n")

    def call(blocks, lines, kinds):
        return reading(mentions._READ_ENV, blocks, lines, Block, references._BLANK, kinds, words, masks, "a", "a")

    assert_no_leak(lambda: call(src.blocks, src.lines, {kind: [] for kind in references._KINDS}))
    assert_no_leak(lambda: call([Code(line=9)], [""], {}))  # declined by the layout
    assert_no_leak(lambda: call([], ["İ agent"], {}))  # declined by the word search

    def raising():
        env = list(mentions._READ_ENV)
        env[1] = _raise
        with pytest.raises(ZeroDivisionError):
            reading(tuple(env), [], ["ask the context manager"], Block, references._BLANK, {}, words, masks, "a", "a")

    assert_no_leak(raising)


def _raise(*args):
    raise ZeroDivisionError
