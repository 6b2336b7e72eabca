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
