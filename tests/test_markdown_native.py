"""The C block reader (agentc.compiler._markdown) against the Python one it stands in for: kinds()
against markdown._kinds_py (the same kinds), parse_blocks() against markdown._parse_blocks_py
(the same blocks and diagnostics) and outline() against markdown._outline_py (the same
sections), on every markdown file of the repository, the shared corpus and hypothesis-made bodies built from the
line shapes that decide a kind. Also: it is used when built (and must be, where CI says so with
AGENTC_REQUIRE_NATIVE=1), errors from the Python readers it calls come through, and it leaks no
memory."""

from __future__ import annotations

import gc
import itertools
import os
import weakref

import pytest
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import ir, markdown, source, structure
from agentc.compiler.source import BOM, text_of


@pytest.fixture(scope="module")
def native():
    """The C module, configured as markdown.py configures it, even when this run reads in pure Python."""
    return native_or_skip(markdown._native, "_markdown")


def test_markdown_uses_the_native_reader_when_built():
    _markdown = native_in_use("agentc.compiler._markdown")
    pure = _markdown is None
    assert markdown._kinds is (markdown._kinds_py if pure else _markdown.kinds)
    assert markdown.parse_blocks is (markdown._parse_blocks_py if pure else _markdown.parse_blocks)
    assert markdown.outline is (markdown._outline_py if pure else _markdown.outline)
    assert markdown.lead is (markdown._lead_py if pure else _markdown.lead)
    assert markdown.plain is (markdown._plain_py if pure else _markdown.plain)
    assert source._owners is (source._owners_py if pure else _markdown.owners)
    assert source._roles is (source._roles_py if pure else _markdown.roles)
    assert structure._check_items is (structure._check_items_py if pure else _markdown.check_items)
    assert structure._top_items_of is (structure._top_items_py if pure else _markdown.top_items)
    assert structure._ir_sections is (structure._ir_sections_py if pure else _markdown.ir_sections)
    assert structure._worked_parts is (structure._worked_parts_py if pure else _markdown.worked_parts)


def _both(native, lines: list[str], first_line: int = 3) -> None:
    """Assert the native and the Python reader agree on `lines`: kinds, blocks and diagnostics, sections."""
    assert native.kinds(lines, first_line) == markdown._kinds_py(lines, first_line), lines
    with pytest.MonkeyPatch.context() as mp:  # not the fixture: hypothesis calls this many times per test
        mp.setattr(markdown, "_kinds", markdown._kinds_py)
        expected = markdown._parse_blocks_py(lines, first_line, "a.md")
    assert native.parse_blocks(lines, first_line, "a.md") == expected, lines
    start = len(lines) // 2  # read_source's call: the file's lines and where the body starts
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(markdown, "_kinds", markdown._kinds_py)
        body = markdown._parse_blocks_py(lines[start:], first_line + start, "a.md")
        assert markdown._parse_blocks_py(lines, first_line, "a.md", start) == body, lines
    assert native.parse_blocks(lines, first_line, "a.md", start) == body, lines
    blocks, last_line = expected[0], first_line + len(lines)
    sections = native.outline(blocks, last_line)
    assert sections == markdown._outline_py(blocks, last_line), lines
    owner = native.owners(sections, len(blocks))
    assert owner == source._owners_py(sections, len(blocks)), lines
    assert native.roles(sections, source.role_of) == source._roles_py(sections, source.role_of), lines
    items = [i for i, b in enumerate(blocks) if type(b) is markdown.ListItem]
    group_of = [k if k % 3 else None for k in range(len(sections))]
    for plain_ok in ({}, {k: (k - 1, k % 4 == 0) for k in range(0, len(sections), 2)}, {None: (None, False)}):
        for reads in (structure._reads_as_check, _odd):
            both = (blocks, items, owner, plain_ok, group_of, reads, "a.md", ir.ChecklistItem, ir.Span)
            assert native.check_items(*both) == structure._check_items_py(*both), lines
    _same_ir(native, blocks, sections, lines)


def _same_ir(native, blocks: list, sections: list, lines: list[str]) -> None:
    """top_items and ir_sections make the IR nodes their Python twins make: the items of every
    section's range as structure takes it, and of ranges that cut into, past or around the blocks."""
    roles = [source.role_of(s.title) for s in sections]
    both = (sections, roles, "a.md", ir.Section, ir.Span)
    assert native.ir_sections(*both) == structure._ir_sections_py(*both), lines
    ranges = [(s.start + 1, s.end) for s in sections] + [(s.start + 1, sections[k + 1].start) for k, s in enumerate(sections[:-1])]
    ranges += [(0, len(blocks)), (1, len(blocks) + 5), (len(blocks), len(blocks)), (3, 2)]
    for start, end in ranges:
        both = (blocks, start, end, "é.md", ir.Item, ir.Span)
        assert native.top_items(*both) == structure._top_items_py(*both), (start, end, lines)
        for part in (structure._part, _any_part):
            both = (blocks, start, end, part, "é.md", ir.CodeBlock, ir.Span)
            assert native.worked_parts(*both) == structure._worked_parts_py(*both), (start, end, lines)


def _odd(text: str) -> int:
    """A reads_as_check for check_items that takes about half the texts."""
    return len(text) % 2


def _any_part(label: str) -> str | None:
    """A part for any label but a few: the generated bodies seldom write "Request" or "Result"."""
    return None if label[:1] in "ab" else label[-2:] or ""



def test_repository_files_read_the_same(native):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures")
    assert len(files) > 20
    for path in files:
        _both(native, text_of(path.read_bytes()).split("\n"))


def test_shared_corpus_reads_the_same(native):
    files = md_files(SHARED / "corpus")
    if not files:
        pytest.skip("no ../shared/corpus beside the repository")
    for path in files:
        _both(native, text_of(path.read_bytes()).split("\n"))


# The pieces a line is made of: blanks Python strips and those it does not, every marker, boxes,
# rules, fences, headings with closing #s, table rows and separators, <example>, digits that are
# not ASCII, and words.
PIECES = [" ", "  ", "    ", " " * 17, "\t", "\xa0", "\u2003", "\u3000", "\x0b", "\x1c", "\x85",
          "-", "*", "+", "_", "1", "9", "12", "123", "1234", "\u0663", "\uff11", "\u00b2", ".", ")", ". ", ") ",
          "[", "]", "x", "X", "[ ]", "[x]", "[X]", "[y]", "[ ] ", "[x] ", "#", "##", "######", "#######",
          "`", "```", "~~~", "````", "~", "|", "|---|", "| a | b |", "|:--|--:|", "<", "<example>", "</example>",
          "a", "word", "b c", "**", "**Bold**", ":", "- ", "* ", "+ ", "1. ", "# ", "- - -", "***", "---", "___", "\U0001f600", "",
    "\r", "Steps:", "\uff1a", "__", "x" * 3000]

line = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(line, max_size=30), st.integers(1, 5000))
def test_generated_bodies_read_the_same(native, lines, first_line):
    _both(native, lines, first_line)


def test_every_piece_pair_reads_the_same(native):
    """Each piece after each other one, then with text: the shapes hypothesis may not hit."""
    lines = [a + b + t for a in PIECES for b in PIECES for t in ("", " text", "x")]
    for k in range(0, len(lines), 200):
        _both(native, lines[k : k + 200])


def test_an_error_in_a_python_reader_comes_through(native, monkeypatch):
    def boom(line, c, ln):
        raise ValueError("from the Python reader")

    monkeypatch.setitem(markdown._CLASSIFY, "1", boom)  # the native reader hands "12. x" to it
    with pytest.raises(ValueError, match="from the Python reader"):
        native.kinds(["text", "12. x"], 1)
    with pytest.raises(ValueError, match="from the Python reader"):
        native.parse_blocks(["text", "12. x"], 1, "a.md")


@pytest.fixture
def configure(native, monkeypatch):
    """markdown._native() as a function that configures the C module with markdown's helpers as they
    are now (a test swaps one in); markdown's own are configured again afterwards."""
    monkeypatch.delenv("AGENTC_PURE_PYTHON", raising=False)
    yield markdown._native
    monkeypatch.undo()  # markdown's own helpers back
    native_or_skip(markdown._native, "_markdown")


def test_an_error_in_a_helper_comes_through(native, configure):
    def boom(*args):
        raise ValueError("from the helper")

    # plain is the C module's own: markdown._native configures it with that one (so do the tests below)
    for home, helper, lines in ((markdown, "_item_goes_on", ["- item", "goes on"]), (native, "plain", ["Steps:", "- item"]),
                                (markdown, "_rare_block", ["```", "a fence never closed"])):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(home, helper, boom)
            configure()
            with pytest.raises(ValueError, match="from the helper"):
                native.parse_blocks(lines, 1, "a.md")


# Lines of the rare blocks: fences of both characters, indented, with a language, closers too short
# or followed by text; <example> closed on its own line or later; tables whose separators are right or
# nearly so and whose rows hold escapes, code spans, odd blanks and emoji; a "\n" where a regex's `$`
# still matches.
RARE_LINES = ["```", "```py", "  ```", "\t~~~ yaml", "````", "~~~", "~~~~", "``` x`y", "```\n", "``", "  - item",
              "code", "\u3000code", "  indented", "<example>", "<example> a </example>", "</example>", "x </example> y",
              "| a | b |", "|a|b", "a | b |", " | a | ", "|", "| `x|y` | z |", "| a \\| b |", "| a |\\|", "| é 😀 | \xa0b\xa0 |",
              "|---|---|", "|:--|--:|", "--|--", "| :---: |", "|--|", "|-|", "| -- | - |", "|---|\n", "|---|---| x",
              "Options:", "Some prose", "", "# Title"]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.sampled_from(RARE_LINES), max_size=25), st.integers(1, 5000))
def test_rare_blocks_read_the_same(native, lines, first_line):
    _both(native, lines, first_line)


def test_closed_fences_examples_and_plain_tables_are_read_in_c(native, configure, monkeypatch):
    """The rare blocks nearly every agent has are read without _rare_block; the others still go to it."""
    def boom(*args):
        raise ValueError("handed to _rare_block")

    lines = ["Options:", "| a | b |", "|---|:--:|", "| 1 | é 😀 |", "", "  ```py", "   x = 1", "  ```", "<example>", "user: hi",
             "</example>", "|x|", "not a separator"]
    expected = markdown._parse_blocks_py(lines, 1, "a.md")
    monkeypatch.setattr(markdown, "_rare_block", boom)
    configure()
    assert native.parse_blocks(lines, 1, "a.md") == expected
    assert [type(b).__name__ for b in expected[0]] == ["Label", "Table", "Code", "ExampleTag", "Paragraph"]
    for rare in (["```", "never closed"], ["<example>", "never closed"], ["| `a|b` |", "|---|"], ["| a |", "|---|", "| \\| |"]):
        with pytest.raises(ValueError, match="handed to _rare_block"):
            native.parse_blocks(rare, 1, "a.md")


def test_a_helper_that_does_not_move_on_is_an_error(native, configure, monkeypatch):
    monkeypatch.setattr(markdown, "_rare_block", lambda blocks, diags, lines, kinds, i, first, file: i)
    configure()
    with pytest.raises(RuntimeError, match="returned 0 for line 0"):
        native.parse_blocks(["```", "a fence never closed"], 1, "a.md")


def test_bad_arguments_are_type_errors(native):
    with pytest.raises(TypeError):
        native.outline((), 1)
    with pytest.raises(TypeError):
        native.outline([])
    for read, more in ((native.kinds, ()), (native.parse_blocks, ("a.md",))):
        with pytest.raises(TypeError):
            read(("a tuple",), 1, *more)
        with pytest.raises(TypeError):
            read(["a", 3], 1, *more)
        with pytest.raises(TypeError):
            read(["a"], "1", *more)
        with pytest.raises(TypeError):
            read(["a"])
    with pytest.raises(TypeError):
        native.parse_blocks(["a"], 1, "a.md", "1")
    for parse in (native.parse_blocks, markdown._parse_blocks_py):
        with pytest.raises(ValueError):
            parse(["a"], 1, "a.md", -1)
        assert parse(["a"], 1, "a.md", 5) == ([], [])


def test_texts_of_every_short_length_read_the_same(native):
    """The C reader copies a stripped ASCII text of 2 characters or more itself and leaves the whole
    line, shorter texts and non-ASCII lines to PyUnicode_Substring: item, heading, paragraph and cell
    texts of 0 to 3 characters (and a huge one), blanks around them, read as Python reads them."""
    words = ["", "a", "ab", "abc", "é", "aé", "\U0001f600b", "İı", "ſ\u212a", "x" * 5000]
    marks = ["- ", "1. ", "- [x] ", "# ", "| ", "| a | ", ""]
    lines = [m + pad + w + end for m in marks for pad in ("", " ", "\t") for w in words for end in ("", " ", "\r", " |")]
    _both(native, lines)
    assert_no_leak(lambda: native.parse_blocks(lines, 1, "a.md"))


def test_no_memory_is_leaked(native):
    """Every kind of line, native and handed to Python, read 20 000 times: no block stays allocated."""
    lines = ["# Title ##", "", "Some text", "- item", "  - [x] done", "1. first", "12. twelfth", "\t- tab",
             "* * *", "```py", "~~~", "| a |", "<example>", "**Bold**: x", "- - x", "\xa0- odd", "###### six",
             "Steps:", "- one", "  goes on", "| a | b |", "|---|---|", "| 1 | 2 |", "```", "<example>", "x", "</example>",
             "two", "lines", "<example>", "Rows:", "| a | b |", "|:--|--:|", "| é | `x|y` |", "  ~~~", "  code", "  ~~~~"]
    assert_no_leak(lambda: native.kinds(lines, 1))
    assert_no_leak(lambda: native.parse_blocks(lines, 1, "a.md"))
    blocks = native.parse_blocks([*lines, "# One", "Steps:", "- a", "## Two", "##### Five", "### Three", "# Four"], 1, "a.md")[0]
    assert_no_leak(lambda: native.outline(blocks, 40))
    sections = native.outline(blocks, 40)
    assert_no_leak(lambda: native.owners(sections, len(blocks)))
    owner = native.owners(sections, len(blocks))
    items = [i for i, b in enumerate(blocks) if type(b) is markdown.ListItem]
    checks = (blocks, items, owner, {0: (0, True), 2: (1, False)}, list(range(len(sections))), _odd, "a.md", ir.ChecklistItem, ir.Span)
    assert_no_leak(lambda: native.check_items(*checks))
    roles = [source.role_of(s.title) for s in sections]
    assert_no_leak(lambda: native.ir_sections(sections, roles, "a.md", ir.Section, ir.Span))
    assert_no_leak(lambda: native.top_items(blocks, 0, len(blocks), "a.md", ir.Item, ir.Span))
    assert_no_leak(lambda: native.worked_parts(blocks, 0, len(blocks), _any_part, "a.md", ir.CodeBlock, ir.Span))


BLOCK_CLASSES = (markdown.ListItem, markdown.Heading, markdown.Paragraph, markdown.Label, markdown.Section, markdown.Code,
                 markdown.Table, markdown.ExampleTag)


def test_blocks_and_sections_are_freed_by_the_c_dealloc(native, configure):
    """configure() gives the classes it makes their own dealloc, a configure() again too; the base
    class and other types keep CPython's (frees_here takes anything)."""
    assert all(native.frees_here(cls) for cls in BLOCK_CLASSES)
    configure()
    assert all(native.frees_here(cls) for cls in BLOCK_CLASSES)
    assert not any(native.frees_here(x) for x in (markdown.Block, str, "ListItem", None, markdown.ListItem(1)))


def test_blocks_made_in_c_python_and_subclasses_are_freed_without_a_leak(native):
    """Blocks read in C, made by their Python __init__ and instances of subclasses (with slots of
    their own, or a __dict__ and weak references, which subtype_dealloc clears before handing the
    instance to the C dealloc) leave nothing allocated, and a weak reference to one dies with it."""
    lines = ["# Title", "Steps:", "- [x] item", "1. first", "text", "| a |", "|---|", "| 1 |", "```", "x", "```",
             "<example>", "</example>"]

    class Slotted(markdown.ListItem):
        __slots__ = ("extra",)

    class Open(markdown.Paragraph):
        pass

    def made():
        blocks, _ = native.parse_blocks(lines, 1, "a.md")
        native.outline(blocks, 20)
        markdown.ListItem(1, 2, 3, "text é", 1, True, None)
        markdown.Section("t", 1, "heading", 1, 0, 1, 2, None)
        Slotted(1, text="x").extra = ["kept"]
        Open(2, text="y").more = {"a": [1]}

    assert_no_leak(made)
    item = Open(3, text="z")
    ref = weakref.ref(item)
    del item
    assert ref() is None


def test_blocks_made_again_from_freed_ones_are_whole(native):
    """The C dealloc keeps freed blocks for the reader to make again (alloc_block): one made from a
    kept block holds what a new one would, and neither is tracked by the collector (a block can be
    in no cycle)."""
    lines = ["# Title", "Steps:", "- [x] item", "1. first", "text", "| a |", "|---|", "| 1 |", "```", "x", "```"]
    first = native.parse_blocks(lines, 1, "a.md")[0]
    want = [repr(b) for b in first]
    assert not any(gc.is_tracked(b) for b in first)
    del first
    again = native.parse_blocks(lines, 1, "a.md")[0]
    assert [repr(b) for b in again] == want
    assert not any(gc.is_tracked(b) for b in again)


def test_a_class_of_another_layout_keeps_its_dealloc(native, configure, monkeypatch):
    """A block class with a __weakref__ slot is not one block_dealloc can free: configure() leaves
    its dealloc alone, gives the class it replaced its own back, and reading still works."""
    from dataclasses import dataclass

    @dataclass(slots=True, weakref_slot=True)
    class Heading(markdown.Block):
        level: int = 1
        title: str = ""

    monkeypatch.setattr(markdown, "Heading", Heading)
    old = BLOCK_CLASSES[1]
    configure()
    assert not native.frees_here(Heading) and not native.frees_here(old)
    assert native.frees_here(markdown.ListItem)
    blocks, _ = native.parse_blocks(["# Title", "- item"], 1, "a.md")
    assert type(blocks[0]) is Heading and weakref.ref(blocks[0])() is blocks[0]
    assert_no_leak(lambda: native.parse_blocks(["# Title", "- item"], 1, "a.md"))
    old(1, title="freed by CPython again")


def test_top_items_and_ir_sections_refuse_what_structure_never_passes(native, configure):
    blocks = native.parse_blocks(["# A", "- **T**: one", "  - deep", "- two", "## B", "- three"], 1, "a.md")[0]
    sections = native.outline(blocks, 7)
    items = ("a.md", ir.Item, ir.Span)
    assert native.top_items(blocks, 1, 4, *items) == structure._top_items_py(blocks, 1, 4, *items)
    assert [(i.title, i.text) for i in native.top_items(blocks, 1, 4, *items)] == [("T", "one"), (None, "two")]
    assert native.top_items([], 0, 0, *items) == []
    for bad in ((blocks, 0, 4, *items[:2]), (tuple(blocks), 0, 4, *items), (blocks, "0", 4, *items), (blocks, 0, 4, None, *items[1:]),
                (blocks, 0, 4, "a.md", "Item", ir.Span), ([*blocks[:1], markdown.ListItem(line=1, indent="0")], 0, 2, *items)):
        with pytest.raises(TypeError):
            native.top_items(*bad)
    with pytest.raises(ValueError):
        native.top_items(blocks, -1, 4, *items)
    roles = ["other"] * len(sections)
    for bad in ((sections, roles, "a.md", ir.Section), ((*sections,), roles, "a.md", ir.Section, ir.Span),
                ([*sections, blocks[0]], [*roles, "other"], "a.md", ir.Section, ir.Span)):
        with pytest.raises(TypeError):
            native.ir_sections(*bad)
    with pytest.raises(ValueError):
        native.ir_sections(sections, roles[1:], "a.md", ir.Section, ir.Span)
    with pytest.raises(ValueError), pytest.MonkeyPatch.context() as mp:  # plain() fails: its error comes through
        mp.setattr(native, "plain", lambda text: (_ for _ in ()).throw(ValueError("from plain")))
        configure()
        native.top_items(blocks, 1, 4, *items)


def test_worked_parts_reads_an_example_and_refuses_what_structure_never_passes(native, configure):
    lines = ["### Example 1: x", "**Request**: build it", "- with tests", "```py", "x = 1", "```", "- dropped", "", "Result:",
             "- done", "## Next", "**Thoughts:** hm", "| a |", "|---|", "<example>", "</example>"]
    blocks = native.parse_blocks(lines, 1, "a.md")[0]
    both = (blocks, 1, len(blocks), structure._part, "a.md", ir.CodeBlock, ir.Span)
    parts, code = native.worked_parts(*both)
    assert (parts, code) == structure._worked_parts_py(*both)
    assert parts == {"request": ["build it", "- with tests"], "result": ["- done", "Next"], "reasoning": ["hm", "", ""]}
    assert [(c.language, c.code, c.span.line) for c in code] == [("py", "x = 1", 4)]
    assert native.worked_parts([1, None, "x"], 0, 3, *both[3:]) == ({}, [])  # no block: as Python, nothing read
    for bad in (both[:-1], (tuple(blocks), *both[1:]), (blocks, "1", *both[2:]), (blocks, 1, 9, "part", *both[4:]),
                (blocks, 1, 9, structure._part, None, *both[5:]), (*both[:5], "CodeBlock", ir.Span),
                ([markdown.Label(line=1, title="x"), markdown.ListItem(line=2, text=3)], 0, 2, lambda label: "x", *both[4:]),
                ([markdown.Paragraph(line=1, text=3)], 0, 1, *both[3:])):
        with pytest.raises(TypeError):
            native.worked_parts(*bad)
    with pytest.raises(ValueError):
        native.worked_parts(blocks, -1, 3, *both[3:])
    for error in ("part", "plain"):  # a Python helper fails: its error comes through
        with pytest.raises(ValueError), pytest.MonkeyPatch.context() as mp:
            boom = lambda text, error=error: (_ for _ in ()).throw(ValueError(error))  # noqa: E731
            mp.setattr(native, "plain", boom if error == "plain" else native.plain)
            configure()
            native.worked_parts(blocks, 0, len(blocks), boom if error == "part" else structure._part, *both[4:])


def test_check_items_refuses_what_checklists_never_passes(native, configure):
    blocks = native.parse_blocks(["# A", "- [x] done", "", "text", "## B", "- item", "- verify it", "  - [ ] deep"], 1, "a.md")[0]
    owner = native.owners(native.outline(blocks, 9), len(blocks))
    rest = (structure._reads_as_check, "a.md", ir.ChecklistItem, ir.Span)
    both = (blocks, [1, 4, 5, 6], owner, {1: (0, False)}, [0, 1], *rest)
    got = native.check_items(*both)
    assert got == structure._check_items_py(*both)
    assert {g: [(c.text, c.checked, c.span.line) for c in items] for g, items in got.items()} == {
        0: [("done", True, 2), ("verify it", None, 7)], 1: [("deep", False, 8)]}
    assert native.check_items(blocks, [1, 4, 5, 6], owner, {}, [None, None], *rest) == {None: [got[0][0], got[1][0]]}
    for bad in (both[:-1], (tuple(blocks), *both[1:]), (blocks, ["1"], *both[2:]), (blocks, [2], *both[2:]),
                (blocks, [5], owner, {1: 0}, *both[4:]), (*both[:5], "reads", *rest[1:]), (*both[:6], None, *rest[2:]),
                (*both[:7], "ChecklistItem", ir.Span), (*both[:3], [], *both[4:])):
        with pytest.raises(TypeError):  # too few arguments, a tuple, a str index, a paragraph, a plain value not a pair, ...
            native.check_items(*bad)
    for bad in ([len(blocks)], [-1]):
        with pytest.raises(IndexError):
            native.check_items(blocks, bad, *both[2:])
    with pytest.raises(IndexError):  # a boxed item's section without a group
        native.check_items(blocks, [1], owner, {}, [], *rest)
    with pytest.raises(ValueError):  # reads_as_check fails: its error comes through
        native.check_items(*both[:5], lambda text: (_ for _ in ()).throw(ValueError("reads")), *rest[1:])
    with pytest.raises(ValueError), pytest.MonkeyPatch.context() as mp:  # and plain()'s
        mp.setattr(native, "plain", lambda text: (_ for _ in ()).throw(ValueError("from plain")))
        configure()
        native.check_items(*both)


def test_roles_are_the_python_roles_whatever_role_of_gives(native):
    """roles() against source._roles_py with role_of functions that give "other" (a section takes
    its parent's role, down a chain), something else, an equal str that is not "other" itself, or a
    non-str; with parents Python reads as list indexes (negative ones, bools); and errors that
    come through as Python's do."""
    lines = ["# A", "## B", "### C", "Steps:", "- x", "## D", "# E", "#### F"]
    blocks = native.parse_blocks(lines, 1, "a.md")[0]
    sections = native.outline(blocks, 9)
    made = [markdown.Section("t", 1, "heading", 1, 0, 1, 1, parent) for parent in (None, 0, -1, True, 1)]
    for role_of in (source.role_of, lambda t: "other", lambda t: "x" if t in "AD" else "other", lambda t: "othe" + "r",
                    lambda t: 3, lambda t: None, str.lower):
        for chosen in (sections, made, []):
            assert native.roles(chosen, role_of) == source._roles_py(chosen, role_of)
    assert native.roles(sections, lambda t: "other") == ["other"] * len(sections)
    odd = [markdown.Section("t", 1, "heading", 1, 0, 1, 1, parent) for parent in (5, -1, "0", 2**70, 1.0)]
    for section in odd:
        with pytest.raises(Exception) as got:
            source._roles_py([section], lambda t: "other")
        with pytest.raises(got.type):
            native.roles([section], lambda t: "other")
    with pytest.raises(ValueError, match="from role_of"):
        native.roles(sections, lambda t: (_ for _ in ()).throw(ValueError("from role_of")))


def test_roles_refuses_what_outline_does_not_make_and_leaks_nothing(native):
    sections = native.outline(native.parse_blocks(["# A", "## B", "- item", "# C"], 1, "a.md")[0], 5)
    for bad in ((sections,), (tuple(sections), source.role_of), ([*sections, "a section"], source.role_of),
                (sections, "role_of"), ([markdown.Heading(1)], source.role_of)):
        with pytest.raises(TypeError):
            native.roles(*bad)

    def shrinking(title):
        sections.pop()
        return "other"

    with pytest.raises(RuntimeError, match="changed"):
        native.roles(sections, shrinking)
    sections = native.outline(native.parse_blocks(["# A", "## B", "- item", "# C"], 1, "a.md")[0], 5)
    assert_no_leak(lambda: native.roles(sections, source.role_of))
    assert_no_leak(lambda: native.roles(sections, lambda t: "other"))
    assert_no_leak(lambda: pytest.raises(IndexError, native.roles, [markdown.Section("t", 1, "h", 1, 0, 1, 1, 9)], lambda t: "other"))


def test_owners_refuses_what_outline_does_not_make(native):
    sections = native.outline(native.parse_blocks(["# A", "text", "## B", "- item"], 1, "a.md")[0], 5)
    assert native.owners(sections, 4) == source._owners_py(sections, 4) == [0, 0, 1, 1]
    assert native.owners([], 3) == [None, None, None]
    for bad in ((sections,), (tuple(sections), 4), ([*sections, "a section"], 4), (sections, "4")):
        with pytest.raises(TypeError):
            native.owners(*bad)
    for bad in ((sections, 3), (sections, -1)):  # a section past the blocks, no blocks at all
        with pytest.raises(ValueError):
            native.owners(*bad)


# --- utf8_lines: read_source's lines, split on the bytes ---------------------------------------------

def _lines_expected(data: bytes) -> list[str] | None:
    """What utf8_lines must give: text_of(data).split("\\n"), or None for bytes holding a CR."""
    return None if b"\r" in data.removeprefix(BOM) else text_of(data).split("\n")


# Bytes that decide a split: newlines, CRs, a BOM anywhere, UTF-8 of 1 to 4 bytes, each cut short,
# stray continuation bytes, overlong and surrogate encodings, bytes never in UTF-8, and a long line.
BYTE_PIECES = [b"\n", b"\r", b"\r\n", BOM, b"a", b" ", b"- item", b"\t", "\u2192".encode(), "é".encode(),
               "\U0001f600".encode(), "\u2192".encode()[:2], "\U0001f600".encode()[:3], "é".encode()[:1], b"\x80",
               b"\xbf", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xff", b"\xfe", b"\x00", b"x" * 5000]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.one_of(st.binary(max_size=200), st.lists(st.sampled_from(BYTE_PIECES), max_size=40).map(b"".join)))
def test_utf8_lines_are_the_text_split(native, data):
    assert native.utf8_lines(data) == _lines_expected(data)


def test_utf8_lines_of_files_are_the_text_split(native):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    assert len(files) > 20
    for path in files:
        data = path.read_bytes()
        assert native.utf8_lines(data) == _lines_expected(data), path
    for data in (b"", b"\n", b"\n\n", BOM, BOM + b"\n", BOM + BOM, b"a" * 1_000_000 + b"\n" + "\u2192".encode() * 100_000):
        assert native.utf8_lines(data) == _lines_expected(data), data[:20]


def test_utf8_lines_of_many_short_lines_are_the_text_split(native):
    """utf8_lines gathers the lines in an array sized from the bytes (a line per 32) that grows by
    half: files of far more, shorter lines grow it many times, and leave nothing allocated."""
    for data in (b"\n" * 100_000, b"a\n" * 50_000, "\u00e9\n".encode() * 30_000, b"- x\n" * 9_000 + b"end", b"\n" * 16, b"\n" * 17):
        assert native.utf8_lines(data) == _lines_expected(data), data[:20]
    assert_no_leak(lambda: native.utf8_lines(b"ab\n" * 100))


def test_read_source_reads_the_same_lines_either_way(monkeypatch):
    data = "---\nname: a\n---\n# A → b\n\n- one 😀\n".encode()
    native_lines = source.read_source("a.md", data).lines
    monkeypatch.setattr(source, "_utf8_lines", None)
    assert source.read_source("a.md", data).lines == native_lines == text_of(data).split("\n")
    assert source.read_source("a.md", b"a\r\nb").lines == ["a", "b"]


def _read_both(monkeypatch, data: bytes) -> None:
    """read_source's body and diagnostics as with the text decoded whole (no utf8_lines), where the
    body is `body_of` the text, held as its bytes (`_held_body`) unless they hold a CR, a bad byte
    or U+FFFD."""
    fast = source.read_source("a.md", data)
    with monkeypatch.context() as m:
        m.setattr(source, "_utf8_lines", None)
        slow = source.read_source("a.md", data)
    text = lambda body: body if type(body) is str else str(body, "utf-8")  # noqa: E731
    assert (type(fast.body), text(fast.body), fast.lines, fast.body_start) == (
        type(slow.body), text(slow.body), slow.lines, slow.body_start), data[:40]
    assert fast.diagnostics == slow.diagnostics, data[:40]
    if slow.entries or slow.blocks:  # an empty file has no body
        assert text(slow.body) == source.body_of(text_of(data), slow.body_start + 1)
        assert (type(slow.body) is bytes) == (b"\r" not in data and "\ufffd" not in text(slow.body)), data[:40]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.sampled_from([b"", BOM, b"---\nname: a\n---\n", BOM + b"---\nname: \xff\xfe\n---\n", "---\nname: é😀\n".encode()]),
       st.one_of(st.binary(max_size=200), st.lists(st.sampled_from(BYTE_PIECES), max_size=40).map(b"".join)))
def test_read_source_body_from_the_bytes_is_the_texts(native, data, head):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _read_both(monkeypatch, head + data)


def test_read_source_body_from_the_bytes_of_files(native, monkeypatch):
    for path in md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus"):
        _read_both(monkeypatch, path.read_bytes())
    for data in (b"", b" \n\t\n", b"---\nname: a\n---", b"---\nname: a\n---\n", "---\nname: a\n---\n\ufffd\n".encode(),
                 b"---\nname: a\n---\n\xff body\n", b"---\nname: \xc3\n---\nbody", b"---\nname: a\n---\n" + "\u2192".encode() * 300_000):
        _read_both(monkeypatch, data)


def test_utf8_lines_leaks_nothing_and_takes_only_bytes(native):
    data = "# x\n- a → b\n\xff\n".encode("utf-8", "surrogateescape") + b"\xff\xfe\n" + "😀".encode() * 40
    assert_no_leak(lambda: native.utf8_lines(data))
    assert_no_leak(lambda: native.utf8_lines(b"a\r\nb"))
    for bad in ("text", bytearray(b"a"), None):
        with pytest.raises(TypeError):
            native.utf8_lines(bad)


# --- utf8_held, utf8_text: read_source's body as the agent holds it, and its text -------------------------

# What decides a body beyond BYTE_PIECES: characters whose case is odd, U+FFFD and the widest
# character of each width written out, and the shortest forms that are overlong.
BODY_PIECES = [*BYTE_PIECES, *(c.encode() for c in ("İ", "ı", "ſ", "\u212a", "\ufffd", "\x80", "\xff", "\u07ff",
                                                    "\uffff", "\U0010ffff")),
               b"\xc2", b"\xe0\x80\x80", b"\xf0\x80\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xed\xbf\xbf", b"\xf5\x80\x80\x80"]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.one_of(st.binary(max_size=200), st.lists(st.sampled_from(BODY_PIECES), max_size=40).map(b"".join)),
       st.integers(min_value=-2, max_value=6))
def test_utf8_held_and_utf8_text_are_the_python_ones(native, data, body_start):
    _held_and_text(native, data, body_start)


def _held_and_text(native, data: bytes, body_start: int) -> None:
    """utf8_held as _held_body_py (the same type: bytes, or the text when they are not well-formed or
    hold U+FFFD), and utf8_text as ir's _utf8_text_py, of the body and of the whole."""
    held = native.utf8_held(data, body_start)
    expected = source._held_body_py(data, body_start)
    assert (type(held), held) == (type(expected), expected), data[:20]
    for raw in (data, held if type(held) is bytes else b""):
        text = native.utf8_text(raw)
        assert (type(text), text) == (str, ir._utf8_text_py(raw)), raw[:20]


def test_utf8_held_of_files_is_the_python_one(native):
    for path in md_files(ROOT / "agents", ROOT / "golden", SHARED / "corpus"):
        data = path.read_bytes()
        for body_start in (0, 1, 4, 10_000):
            _held_and_text(native, data, body_start)
    for data in (b"", b"\n", BOM, BOM + b"\n\xff", b"a" * 1_000_000 + "\u2192".encode() * 100_000 + "\U0001f600".encode(),
                 "é".encode() * 100_000 + b"\n", b"\n".join([b"x" * 9, "ı".encode()] * 50_000), b"x\r\ny\rz",
                 "a\nİıſ\u212a\n".encode() * 5_000, b"\n" + "\ufffd".encode()):
        for body_start in (0, 1, 2, 50_000):
            _held_and_text(native, data, body_start)


def test_utf8_held_returns_the_file_itself_when_it_is_the_body(native):
    data = "no frontmatter → a body\n".encode()
    assert native.utf8_held(data, 0) is data


def test_a_non_ascii_byte_anywhere_in_a_run_is_found(native):
    """Both read ASCII runs thirty-two, sixteen and eight bytes at a time and a rest under eight as
    the last eight bytes, which overlap bytes already read (and, in a body, the multi-byte character
    before the run): one non-ASCII character or bad byte at each place of a line of each length around
    those bounds (every offset of two and three blocks of thirty-two), alone and after another one,
    with a line or a body before it."""
    for odd in ("é".encode(), "\u2192".encode(), "\U0001f600".encode(), b"\xff", "İ".encode(), "\u212a".encode()):
        for n in (*range(0, 41), 63, 64, 65, 95, 96, 97):
            for at in range(n + 1):
                line = b"x" * at + odd + b"y" * (n - at)
                for data in (line, odd + line, b"head\n" + line + b"\nz" * 3, "é".encode() + line[:at] + b"\n" + line):
                    assert native.utf8_lines(data) == _lines_expected(data), data
                    for body_start in (0, 1):
                        _held_and_text(native, data, body_start)


def test_utf8_held_and_utf8_text_leak_nothing_and_take_only_bytes(native):
    for data in ("---\n- a → b 😀\n".encode() + b"\xff\n", "---\n- a → b 😀\n".encode(), "é".encode() * 40, b"ascii\n" * 10,
                 b"", "x\n\ufffd".encode(), b"one line"):
        assert_no_leak(lambda data=data: native.utf8_held(data, 1))
        assert_no_leak(lambda data=data: native.utf8_text(data))
    for args in (("text", 0), (bytearray(b"a"), 0), (None, 0), (b"a", "0"), (b"a", None), (b"a",), (b"a", 0, 1)):
        with pytest.raises(TypeError):
            native.utf8_held(*args)
    with pytest.raises(OverflowError):
        native.utf8_held(b"a", 1 << 70)
    for bad in ("text", bytearray(b"a"), memoryview(b"a"), None):
        with pytest.raises(TypeError):
            native.utf8_text(bad)


def _type_error(call, *args) -> None:
    """`call(*args)`, which must raise TypeError."""
    try:
        call(*args)
    except TypeError:
        return
    raise AssertionError("no TypeError")


# --- lead: a text's bold lead-in title and the rest ------------------------------------------------

# What decides a lead-in: both openers and closers, both colons, blanks Python strips and those it
# does not, newlines (a title may span them), non-ASCII and emoji, and a long run of text.
LEAD_PIECES = ["**", "__", "*", "_", ":", "\uff1a", " ", "\t", "\n", "\r\n", "\xa0", "\u3000", "\x1c", "\u200b", "a",
               "Title", "é", "\U0001f600", "`", "x" * 3000]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(LEAD_PIECES), max_size=14).map("".join)))
def test_lead_is_the_python_lead(native, text):
    assert native.lead(text) == markdown._lead_py(text)


def test_lead_of_every_text_is_the_python_lead(native):
    """Every short string of the pieces that matter, and the list items and paragraphs of the agents."""
    pieces = ["**", "__", "*", ":", "\uff1a", " ", "\n", "a", "\U0001f600"]
    for size in range(5):
        for text in map("".join, itertools.product(pieces, repeat=size)):
            assert native.lead(text) == markdown._lead_py(text), text
    for path in md_files(ROOT / "agents", SHARED / "corpus"):
        for b in markdown._parse_blocks_py(text_of(path.read_bytes()).split("\n"), 1, "a.md")[0]:
            text = getattr(b, "text", None)
            if isinstance(text, str):
                assert native.lead(text) == markdown._lead_py(text), text


def test_lead_leaks_nothing_and_takes_only_str(native):
    for text in ("**Title**: rest", "**Title:** rest", "plain text", " **😀 é**\uff1a rest ", ""):
        assert_no_leak(lambda text=text: native.lead(text))
    for bad in (b"**a**: b", None, 3):
        with pytest.raises(TypeError):
            native.lead(bad)


# --- plain: a text without bold markers, backticks and surrounding blanks ----------------------------

# What decides a plain text: both bold pairs, lone and tripled markers, backticks, the newline an
# inner text may not hold, blanks str.strip() takes and those it does not, the letters whose case
# folds oddly, emoji, and a long run of text.
PLAIN_PIECES = ["**", "__", "*", "_", "***", "`", "```", " ", "\t", "\n", "\r\n", "\xa0", "\u3000", "\x1c", "\u200b",
                "\x85", "a", "B", "İ", "ı", "ſ", "\u212a", "é", "\U0001f600", "x" * 3000]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(PLAIN_PIECES), max_size=14).map("".join)))
def test_plain_is_the_python_plain(native, text):
    assert native.plain(text) == markdown._plain_py.__wrapped__(text)


def test_plain_of_every_text_is_the_python_plain(native):
    """Every short string of the pieces that matter, and the texts and titles of the agents' blocks."""
    pieces = ["**", "__", "*", "`", " ", "\n", "a", "\U0001f600"]
    for size in range(6):
        for text in map("".join, itertools.product(pieces, repeat=size)):
            assert native.plain(text) == markdown._plain_py.__wrapped__(text), text
    seen = 0
    for path in md_files(ROOT / "agents", SHARED / "corpus"):
        for b in markdown._parse_blocks_py(text_of(path.read_bytes()).split("\n"), 1, "a.md")[0]:
            for text in (getattr(b, "text", None), getattr(b, "title", None)):
                if isinstance(text, str):
                    assert native.plain(text) == markdown._plain_py.__wrapped__(text), text
                    seen += "**" in text
    assert seen > 10  # the repository's own agents hold bold text


def test_plain_returns_a_text_that_needs_nothing_itself(native):
    text = "".join(["no markers here", "!"])  # made at run time: not a constant shared with anything
    assert native.plain(text) is text
    assert type(native.plain(type("Sub", (str,), {})(" a "))) is str


def test_plain_leaks_nothing_and_takes_only_str(native):
    for text in ("**Title**: rest", "a `code` b", "plain text", " **😀 é** __ı__ ", "**a\nb**", "*" * 9, ""):
        assert_no_leak(lambda text=text: native.plain(text))
    for bad in (b"**a**", None, 3, ["a"]):
        with pytest.raises(TypeError):
            native.plain(bad)
    for bad in ((), ("a", "b")):
        with pytest.raises(TypeError):
            native.plain(*bad)


# --- a list item's text, cut from its line when first read -------------------------------------------

# Item lines the C reader reads itself (every marker, a box, blanks and characters of odd width or case
# around the text), and some it hands to Python (which sets the text when it makes the item).
ITEM_LINES = ["## Steps", "- a", "-   spaced out  ", "* b **bold**", "+ c", "1. one", "9. [x] nine", "- [ ] open",
              "- [X] done ", "   - [x] \U0001f600 emoji", "  3. İı ſ\u212a\u3000", "- \u3000x\u2028", "- " + "é" * 5000,
              "- a→b " * 300, "12. twelve", "\t- tab", "- \t[x] boxed?", "- [y] no box", "-  [x] late box", "- - x",
              "* - y", "1) paren", "## Checks", "- [x] **Done**: yes", "  - [ ] nested", "- **Lead**: rest"]


def _unread_and_python(native, lines: list[str]) -> tuple[list, list]:
    """The C reader's blocks, their texts unread, and the Python reader's."""
    blocks, _ = native.parse_blocks(lines, 1, "a.md")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(markdown, "_kinds", markdown._kinds_py)
        expected, _ = markdown._parse_blocks_py(lines, 1, "a.md")
    return blocks, expected


def test_an_item_keeps_its_line_until_its_text_is_read(native):
    blocks, expected = _unread_and_python(native, ITEM_LINES)
    assert [type(b) for b in blocks] == [type(b) for b in expected]
    lazy = 0
    for b, want in zip(blocks, expected, strict=True):
        if type(b) is not markdown.ListItem:
            continue
        line = ITEM_LINES[b.line - 1]
        assert b.raw_line is line or b.raw_line is None  # None: Python read the line
        lazy += b.raw_line is line
        assert want.raw_line is None
        assert b.text == want.text and b.raw_line is None, line  # the text is cut once, the line let go
        assert b.text is b.text
    assert lazy >= 15
    assert blocks == expected  # every field, read through the descriptor


def test_the_c_readers_read_unread_items_as_python_reads_its_own(native):
    """top_items, check_items and worked_parts cut an unread item's text themselves."""
    for lines in (ITEM_LINES, ["**Example**:", "- user: hi", "- [x] a", "1. b"]):
        unread = lambda lines=lines: native.parse_blocks(lines, 1, "a.md")[0]  # noqa: E731
        blocks, expected = _unread_and_python(native, lines)
        for start, end in ((0, len(blocks)), (1, len(blocks)), (2, 5)):
            both = (start, end, "a.md", ir.Item, ir.Span)
            assert native.top_items(unread(), *both) == structure._top_items_py(expected, *both)
            both = (start, end, _any_part, "a.md", ir.CodeBlock, ir.Span)
            assert native.worked_parts(unread(), *both) == structure._worked_parts_py(expected, *both)
        items = [i for i, b in enumerate(blocks) if type(b) is markdown.ListItem]
        both = (items, [0] * len(blocks), {0: (0, True)}, [0], _odd, "a.md", ir.ChecklistItem, ir.Span)
        assert native.check_items(unread(), *both) == structure._check_items_py(expected, *both)


def _set_then_delete(a, b, name: str, raw: str, value) -> None:
    """Setting field `name` of `a` (unread) to `value` and deleting `b`'s drop their `raw` field, as
    the slot's own descriptor sets and deletes: then a read or a second delete is an AttributeError."""
    assert type(vars(type(a))[name]) is type(type.__dict__["__name__"])  # a getset descriptor
    setattr(a, name, value)
    assert (getattr(a, name), getattr(a, raw)) == (value, None)
    delattr(b, name)
    assert getattr(b, raw) is None
    with pytest.raises(AttributeError):
        getattr(b, name)
    with pytest.raises(AttributeError):
        delattr(b, name)


def test_setting_or_deleting_an_unread_text_lets_its_line_go(native):
    a, b, c = native.parse_blocks(["- one", "- two", "- three"], 1, "a.md")[0]
    _set_then_delete(a, b, "text", "raw_line", 3)  # any object, as the slot takes
    b.text = "again"
    assert b.text == "again"
    assert c.raw_line == "- three" and "text='three'" in repr(c) and "raw_line" not in repr(c)
    made = markdown.ListItem(1, text="x")
    assert (made.text, made.raw_line) == ("x", None)
    del made.text
    with pytest.raises(AttributeError):
        made.text  # noqa: B018
    odd = markdown.ListItem(1, raw_line="12345")  # a line no reader made: cut as best it can, never past its end
    del odd.text
    odd.raw_line = "9"
    assert odd.text == ""


def test_an_item_going_on_over_lines_reads_its_text_first(native):
    lines = ["- a  ", "  goes on", "- [x] b", "more", "", "1. c"]
    blocks, expected = _unread_and_python(native, lines)
    assert (blocks[0].text, blocks[0].raw_line, blocks[0].end) == ("a goes on", None, 2)
    assert blocks == expected


def test_configure_again_keeps_items_lazy(native, configure):
    configure()
    configure()
    item = native.parse_blocks(["- x"], 1, "a.md")[0][0]
    assert item.raw_line == "- x" and item.text == "x"


def test_unread_items_leak_nothing_read_or_not(native):
    lines = ["## Mission", "- **Goal**: one", "- [x] two", "1. three é", "  - [ ] four"]
    read = lambda: [b.text for b in native.parse_blocks(lines, 1, "a.md")[0] if type(b) is markdown.ListItem]  # noqa: E731
    assert read() == ["**Goal**: one", "two", "three é", "four"]
    assert_no_leak(read)
    assert_no_leak(lambda: native.parse_blocks(lines, 1, "a.md"))  # freed unread

    def top_items():
        blocks = native.parse_blocks(lines, 1, "a.md")[0]
        return native.top_items(blocks, 0, len(blocks), "a.md", ir.Item, ir.Span)

    assert_no_leak(top_items)

    def set_and_delete():
        for b in native.parse_blocks(lines, 1, "a.md")[0]:
            if type(b) is markdown.ListItem:
                b.text = b.raw_line
                del b.text

    assert_no_leak(set_and_delete)


# --- a fence's code, joined from its lines when first read ---------------------------------------------

# Closed fences the C reader reads itself (unindented, indented with lines indented less, more and
# not at all, odd characters, a huge line) and an open one Python reads and reports.
FENCES = ["```py", "  a = 1", "", "\U0001f600 İ\tſ\u212a", "```", "  ~~~", "    indented", "   x", " y", "", "\u3000z",
          "  ~~~", "   ```` md", "ı" * 3000, "   ````", "```", "never closed"]


def test_a_fence_keeps_its_lines_until_its_code_is_read(native):
    blocks, expected = _unread_and_python(native, FENCES)
    codes = [b for b in blocks if type(b) is markdown.Code]
    assert [b.raw_lines for b in codes] == [(["  a = 1", "", "\U0001f600 İ\tſ\u212a"], 0),
                                            (["    indented", "   x", " y", "", "\u3000z"], 2), (["ı" * 3000], 3), None]
    assert blocks == expected  # every field, read through the descriptor
    assert [b.raw_lines for b in codes] == [None] * 4 and codes[1].code == "  indented\n x\ny\n\nz"


def test_setting_or_deleting_unread_code_lets_its_lines_go(native):
    a, b = native.parse_blocks(["```", "one", "```", "~~~", "two", "~~~"], 1, "a.md")[0]
    _set_then_delete(a, b, "code", "raw_lines", None)
    odd = markdown.Code(1, raw_lines=(["  x", 3], 1))  # lines no reader made: refused, never read past them
    del odd.code
    odd.raw_lines = (["  x", 3], 1)
    with pytest.raises(TypeError):
        odd.code  # noqa: B018
    odd.raw_lines = (["  x", "y"], 1)
    assert odd.code == " x\ny"
    c = native.parse_blocks(["```", "x", "```"], 1, "a.md")[0][0]
    assert "code='x'" in repr(c) and "raw_lines" not in repr(c)


def test_the_c_readers_read_unread_code_as_python_reads_its_own(native):
    lines = ["### Example 1: x", "**Request**: build it", "```py", "x = 1", "  y", "```", "Result:", "  ~~~", "  z", "  ~~~"]
    blocks, expected = _unread_and_python(native, lines)
    both = (1, len(blocks), structure._part, "a.md", ir.CodeBlock, ir.Span)
    parts, code = native.worked_parts(blocks, *both)
    assert (parts, code) == structure._worked_parts_py(expected, *both)
    assert [c.code for c in code] == ["x = 1\n  y", "z"]


def test_unread_code_leaks_nothing_read_or_not(native):
    lines = ["```", "a", "é", "```", "  ~~~ sh", "   b", "  ~~~"]
    read = lambda: [b.code for b in native.parse_blocks(lines, 1, "a.md")[0]]  # noqa: E731
    assert read() == ["a\né", " b"]
    assert_no_leak(read)
    assert_no_leak(lambda: native.parse_blocks(lines, 1, "a.md"))  # freed unread

    def set_and_delete():
        for b in native.parse_blocks(lines, 1, "a.md")[0]:
            b.code = b.raw_lines
            del b.code

    assert_no_leak(set_and_delete)
