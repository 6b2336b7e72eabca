"""A small, line-based markdown reader for agent bodies.

It knows exactly what agent files use: headings, `Label:` lines that head a list, list items
(with `[ ]`/`[x]` boxes and nesting), GFM tables, code fences, `<example>` blocks and paragraphs.
Every block records its 1-based line. Fenced code is one opaque block, so nothing downstream
can mistake text in a fence for structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import field, fields
from functools import lru_cache
from typing import Any

from agentc.compiler import lazyre, native
from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.frozen import lean
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.span import Span


class Block(metaclass=lean(slots=True)):
    line: int
    col: int = 1
    end: int = 0  # last file line of the block (0 = same as `line`)


class Heading(Block, metaclass=lean(slots=True)):
    level: int = 1
    title: str = ""


class Label(Block, metaclass=lean(slots=True)):
    title: str = ""


class ListItem(Block, metaclass=lean(slots=True)):
    text: str = ""
    indent: int = 0
    ordered: bool = False
    checked: bool | None = None
    # The item's whole line while its text is unread, else None. _markdown.c's reader leaves an item's
    # text to be cut from its line when first read (its `text` descriptor, see _markdown.c's LazyText): a
    # claude build reads ~12 of a seed agent's ~330 item texts. Python's reader never sets it.
    raw_line: str | None = field(default=None, repr=False, compare=False)


class Table(Block, metaclass=lean(slots=True)):
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


class Code(Block, metaclass=lean(slots=True)):
    lang: str = ""
    code: str = ""
    # (the lines inside the fence, the fence's indent) while `code` is unread, else None: _markdown.c's
    # reader joins them when the code is first read (a claude build reads none). Python's never sets it.
    raw_lines: tuple[list[str], int] | None = field(default=None, repr=False, compare=False)


class Paragraph(Block, metaclass=lean(slots=True)):
    text: str = ""


class ExampleTag(Block, metaclass=lean(slots=True)):
    text: str = ""


class Section(metaclass=lean(slots=True)):
    """A heading or a label and the blocks it governs (`start` is its own block index)."""

    title: str
    level: int
    kind: str
    line: int
    start: int
    end: int  # exclusive block index
    end_line: int
    parent: int | None


# A list item's marker and box; its text is the rest of the line (matching it as `(.*)$` would
# scan every character of every item line once more in the regex engine).
_ITEM = lazy_compile(r"([ \t]*)([-*+]|\d{1,3}[.)])[ \t]+(?:\[([ xX])\][ \t]+)?")
_FENCE = lazyre.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*([^`\s]*)")
_RULE = lazy_compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$")
# A closing fence: only the fence character, at least as many as opened it, and blanks.
_CLOSE = {c: lazyre.compile(rf"^[ \t]*({re.escape(c)}{{3,}})[ \t]*$") for c in "`~"}
_TABLE_SEP = lazy_compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")


# What a line can be, by its first non-blank character and one regex at most. A line's kind is
# a pair (kind, None). A list item's or heading's kind is its ListItem or Heading, built as the
# line is classified: most block lines are items and headings of one line, so the main loop only
# appends them.
_BLANK, _RULE_LINE, _FENCE_LINE, _EXAMPLE, _PIPE, _TEXT = range(6)
Kind = tuple[int, None]
LineKind = Kind | ListItem | Heading  # what _kinds_py gives for a line
# The pairs that carry nothing are shared, so "does this line continue a paragraph" is `is _TEXT_KIND`,
# and the next fence line is found with `kinds.index(_FENCE_KIND)`, a scan in C over the code lines.
_BLANK_KIND, _TEXT_KIND, _PIPE_KIND, _FENCE_KIND = (_BLANK, None), (_TEXT, None), (_PIPE, None), (_FENCE_LINE, None)
_ITEM_CHARS = frozenset("-*+0123456789")


def _kinds_py(lines: list[str], first_line: int) -> list[LineKind]:
    """The kind of every line, and a blank one past the end (it stops every continuation).

    `first_line` is the file line of `lines[0]`, for the list items built here. Only lines
    starting with one of _CLASSIFY's characters can open a block other than a paragraph;
    checking the first character first keeps the regexes off the prose lines that make up most
    of a body, and a line that may be a list item goes straight to _plain_item."""
    kinds = [_CLASSIFY[c](line, c, ln) if (c := line.lstrip()[:1]) in _CLASSIFY else _TEXT_KIND if c else _BLANK_KIND
             for ln, line in enumerate(lines, first_line)]
    kinds.append(_BLANK_KIND)
    return kinds


def _classify(line: str, c: str, ln: int) -> LineKind:
    """The kind of line `ln` whose first non-blank character `c` is one of _CLASSIFY's keys.

    The first character leaves at most two candidates; list items (those _plain_item did not
    read) are tried first, and a rule ("- - -", "* * *") is told apart from an item only when
    the item's text starts with the marker again."""
    if c in _ITEM_CHARS:
        item = _item(line, c, ln)
        if item is not None:
            return item
    if c in "-*_":
        return (_RULE_LINE, None) if _RULE.match(line) else _TEXT_KIND
    if c in "`~" and _FENCE.match(line):
        return _FENCE_KIND
    if c == "<" and line.lstrip().startswith("<example>"):
        return _EXAMPLE, None
    if c == "#" and line[0] == "#":  # "#" to "######" at column 1, then a blank: a heading
        level = len(line) - len(line.lstrip("#"))
        if level <= 6 and line[level : level + 1] in (" ", "\t"):
            return Heading(ln, 1, ln, level, line[level:].rstrip(" \t#").strip())  # closing #s go too
    if c == "|":
        return _PIPE_KIND
    return _TEXT_KIND


def _item(line: str, c: str, ln: int) -> ListItem | None:
    """Line `ln` as a list item, or None if it is no item."""
    m = _ITEM.match(line)
    if m is None or (c in "-*" and line.startswith(c, m.end()) and _RULE.match(line)):
        return None
    pad, mark, box = m.groups()
    indent = len(pad.expandtabs(4))
    return ListItem(ln, indent + 1, ln, line[m.end():].strip(), indent, mark[0].isdigit(), None if box is None else box in "xX")


# Indents of spaces only, for _plain_item (tabs and other blanks are left to the regex).
_SPACES = {" " * k: k for k in range(17)}
_SEPS = {c: c + " " for c in "-*+"}
_BOXES = {"[ ] ": False, "[x] ": True, "[X] ": True}


def _plain_item(line: str, c: str, ln: int) -> LineKind:
    """The kind of a line starting with an item marker (`c` is in _ITEM_CHARS), reading the way
    nearly every item is written without the regex (a third of the reader's time went to it):
    spaces, then `-`, `*`, `+` or one digit and `.`, a space, maybe a box and a space, and text
    that does not start with the marker again (it could make a rule). Any other line goes to
    _classify; tests/test_markdown_reader.py checks that items read here are what _item reads."""
    if c in "-*+":
        pad, sep, rest = line.partition(_SEPS[c])
        ordered = False
    else:
        pad, sep, rest = line.partition(". ")
        if pad[-1:] != c:  # more than one digit, or no ". " at all
            return _classify(line, c, ln)
        pad, ordered = pad[:-1], True
    indent = _SPACES.get(pad)  # None unless the marker is the line's first non-blank character
    if indent is None or not sep:
        return _classify(line, c, ln)
    text = rest.strip()
    if text[:1] == "[":  # a box, if right after the marker's space and followed by a space
        checked = _BOXES.get(rest[:4])
        if checked is None:
            return _classify(line, c, ln)
        return ListItem(ln, indent + 1, ln, rest[4:].strip(), indent, ordered, checked)
    if text[:1] == c:
        return _classify(line, c, ln)
    return ListItem(ln, indent + 1, ln, text, indent, ordered, None)  # (line, col, end, text, indent, ordered, checked)


# A line's first non-blank character -> what reads it (every other line is prose or blank).
_CLASSIFY = {c: _plain_item for c in _ITEM_CHARS} | {c: _classify for c in "`~#|<_"}


def _parse_blocks_py(lines: list[str], first_line: int, file: str, start: int = 0) -> tuple[list[Block], list[Diagnostic]]:
    """Split body lines, lines[start:], into blocks; `first_line` is the file line of `lines[0]`
    (read_source hands a file's lines and where its body starts, not the body as a slice of them).

    Each line is classified once, up front: a paragraph or list item ends at the first line of
    another kind (blank or a block start), and that line starts the next block. The blocks every
    agent has many of (items, headings, paragraphs) are made here; fences, <example> blocks and
    pipe lines, a few per agent, by _rare_block. _markdown.c's parse_blocks is this loop in C: it
    calls the same _item_goes_on, reads the rare blocks _rare_block would read without a diagnostic
    or a split_row loop and hands it the others, and does what _label_before does."""
    if start < 0:
        raise ValueError("parse_blocks: start < 0")
    blocks: list[Block] = []
    diags: list[Diagnostic] = []
    n = len(lines)
    kinds = _kinds(lines, first_line)
    i = start
    while i < n:
        kind = kinds[i]
        if type(kind) is ListItem:  # most block lines are list items, already read
            i += 1
            if kinds[i] is _TEXT_KIND:  # rare: the item goes on over the next lines
                i = _item_goes_on(kind, lines, kinds, i, first_line)
            if blocks and type(blocks[-1]) is Paragraph:  # most items follow another item
                _label_before(blocks, kind)
            blocks.append(kind)
            continue
        if type(kind) is Heading:  # read as the line was classified too
            blocks.append(kind)
            i += 1
            continue
        what = kind[0]
        if what == _BLANK or what == _RULE_LINE:
            i += 1
        elif what == _TEXT:
            i = _paragraph(blocks, lines, kinds, i, first_line)
        else:
            i = _rare_block(blocks, diags, lines, kinds, i, first_line, file)
    return blocks, diags


def _item_goes_on(item: ListItem, lines: list[str], kinds: list[LineKind], i: int, first_line: int) -> int:
    """Lines `i`... continue `item` (kinds[i] is text): their text joins its text. The line after them."""
    j = _text_end(kinds, i)
    item.text = " ".join([item.text, *(x.strip() for x in lines[i:j])])
    item.end = first_line + j - 1
    return j


def _paragraph(blocks: list[Block], lines: list[str], kinds: list[LineKind], i: int, first_line: int) -> int:
    """The paragraph from line `i` to the next line of another kind, appended; that line's index."""
    line = lines[i]
    j = _text_end(kinds, i + 1)
    # Paragraph(line, col, end, text)
    blocks.append(Paragraph(first_line + i, len(line) - len(line.lstrip()) + 1, first_line + j - 1, "\n".join([x.strip() for x in lines[i:j]])))
    return j


def _rare_block(blocks: list[Block], diags: list[Diagnostic], lines: list[str], kinds: list[LineKind], i: int,
                first_line: int, file: str) -> int:
    """The block a fence, <example> or pipe line `i` opens, appended (a pipe line not followed by a
    table's separator opens a paragraph); the index of the line after it."""
    n = len(lines)
    what = kinds[i][0]  # type: ignore[index]  # never a ListItem or Heading here
    line = lines[i]
    ln = first_line + i
    if what == _FENCE_LINE:
        # Matched again: openers are few, and one shared kind for every fence line lets
        # _fence_end find the closer with list.index.
        fence = _FENCE.match(line)
        assert fence is not None  # _classify matched this very line
        blanks, marker, lang = fence.groups()
        j = _fence_end(lines, kinds, i + 1, n, marker)
        if j >= n:
            diags.append(diag("AGC201", Span(file=file, line=ln, col=len(blanks) + 1),
                              "code fence is never closed; the rest of the file is code",
                              hint=f"close it with a line holding {marker}", excerpt=line))
        pad = len(blanks)
        body = lines[i + 1 : j]
        if pad:  # as CommonMark: a fence indented N removes up to N blanks from each line, no more
            body = [ln_[min(pad, len(ln_) - len(ln_.lstrip())):] for ln_ in body]
        blocks.append(Code(line=ln, col=pad + 1, end=first_line + min(j, n - 1), lang=lang, code="\n".join(body)))
        return j + 1
    if what == _EXAMPLE:
        j = i
        while j < n and "</example>" not in lines[j]:
            j += 1
        if j >= n:
            diags.append(diag("AGC202", Span(file=file, line=ln), "<example> is never closed",
                              hint="add </example> after the example", excerpt=line))
            j = n - 1
        blocks.append(ExampleTag(line=ln, end=first_line + j, text="\n".join(lines[i : j + 1])))
        return j + 1
    if i + 1 < n and _TABLE_SEP.match(lines[i + 1]):  # what == _PIPE
        table = Table(line=ln, header=split_row(line))
        j = i + 2
        while kinds[j] is _PIPE_KIND:
            table.rows.append((first_line + j, split_row(lines[j])))
            j += 1
        table.end = first_line + j - 1
        _label_before(blocks, table)
        blocks.append(table)
        return j
    return _paragraph(blocks, lines, kinds, i, first_line)


def _text_end(kinds: list[LineKind], j: int) -> int:
    """The first line from `j` that does not continue a paragraph or list item."""
    while kinds[j] is _TEXT_KIND:
        j += 1
    return j


def _fence_end(lines: list[str], kinds: list[LineKind], j: int, n: int, marker: str) -> int:
    """The index of the line closing a fence opened by `marker`, searching from `j` (`n` if none).

    Only fence lines can close it, and only those with the fence character and nothing else."""
    close, size = _CLOSE[marker[0]], len(marker)
    while j < n:
        try:
            j = kinds.index(_FENCE_KIND, j, n)
        except ValueError:
            return n
        if (m := close.match(lines[j])) is not None and len(m.group(1)) >= size:
            return j
        j += 1
    return n


def _label_before(blocks: list[Block], nxt: ListItem | Table) -> None:
    """A short one-line paragraph ending in ':' that heads a list or table becomes a Label.

    Longer lines ("Before marking any task complete, I verify:") are sentences introducing a
    list, not section titles, and stay paragraphs of the section they are in. _markdown.c's
    label_before does the same for a list item (the native tests compare them)."""
    b = blocks[-1] if blocks else None
    if type(b) is Paragraph and "\n" not in b.text:
        title = plain(b.text)
        if title.endswith(":") and len(title.split()) <= 6 and (type(nxt) is not ListItem or nxt.indent <= b.col - 1):
            blocks[-1] = Label(line=b.line, col=b.col, end=b.line, title=title[:-1].strip())


def split_row(row: str) -> list[str]:
    """Cells of a GFM table row; `\\|` and pipes inside backticks stay in the cell."""
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    if "`" not in row and "\\" not in row:  # no escape, no code span: every pipe splits
        return [cell.strip() for cell in row.split("|")]
    cells, cur, tick = [], [], False
    k = 0
    while k < len(row):
        ch = row[k]
        if ch == "\\" and k + 1 < len(row) and row[k + 1] == "|":
            cur.append("|")
            k += 2
            continue
        if ch == "`":
            tick = not tick
        if ch == "|" and not tick:
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        k += 1
    cells.append("".join(cur).strip())
    return cells


def _outline_py(blocks: list[Block], last_line: int) -> list[Section]:
    """Sections from headings (H1-H4) and labels; a label sits one level below its heading.
    _markdown.c's outline is this function in C."""
    sections: list[Section] = []
    stack: list[int] = []
    heading_level = 0
    for k, b in enumerate(blocks):
        kind_of = type(b)  # blocks are never subclassed: a type test is cheaper than isinstance
        if kind_of is ListItem or kind_of is Paragraph:  # most blocks; neither opens a section
            continue
        if kind_of is Heading and b.level <= 4:
            level, kind, title = b.level, "heading", b.title
            heading_level = b.level
        elif kind_of is Label:
            level, kind, title = heading_level + 1, "label", b.title
        else:
            continue
        while stack and (sections[stack[-1]].level >= level or sections[stack[-1]].kind == "label"):
            _close(sections[stack.pop()], k, blocks)
        sections.append(Section(title, level, kind, b.line, k, len(blocks), last_line, stack[-1] if stack else None))
        stack.append(len(sections) - 1)
    for s in stack:
        sections[s].end = len(blocks)
        sections[s].end_line = last_line
    return sections


def _close(section: Section, k: int, blocks: list[Block]) -> None:
    section.end = k
    section.end_line = blocks[k].line - 1


_BOLD = lazyre.compile(r"(\*\*|__)(.+?)\1")
_LEAD = lazyre.compile(r"^(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:：]\s*(.*)$|^(?:\*\*|__)(.+?)[:：](?:\*\*|__)\s*(.*)$", re.S)


@lru_cache(maxsize=4096)
def _plain_py(text: str) -> str:
    """Text without bold/italic/backtick markers (`plain`, which is _markdown.c's plain when built).

    Cached: the readers ask again for texts they or another reader already cleaned (a block's
    text goes through structure, references and delegation; over the shared corpus half of the
    calls repeat a text), and a hit is one dict lookup instead of three string scans."""
    if "**" in text or "__" in text:  # most text has none; the regex substitution is the slow part
        text = _BOLD.sub(_inner, text)
    return text.replace("`", "").strip()


def _inner(m: re.Match) -> str:
    return m.group(2)


def _lead_py(text: str) -> tuple[str | None, str]:
    """Split `**Title**: rest` (or `**Title:** rest`) into its title and the rest (`lead`, which is
    _markdown.c's lead when built)."""
    text = text.strip()
    # Both of _LEAD's forms open with "**" or "__", and a third of the texts asked about do not:
    # the test is cheaper than the regex failing on them.
    m = _LEAD.match(text) if text.startswith(("**", "__")) else None
    if not m:
        return None, text
    title = m.group(1) if m.group(1) is not None else m.group(3)
    rest = m.group(2) if m.group(1) is not None else m.group(4)
    return plain(title), rest.strip()


def _native() -> Any:
    """The C reader (compiler/_markdown.c, built by `pip install` when a C compiler is there),
    configured, or None: not built, or AGENTC_PURE_PYTHON set (to anything but 0) to read in
    Python only.

    Its kinds() gives what _kinds_py gives in about a fifth of the time, and calls _CLASSIFY's
    readers for the rare lines it does not read itself; its parse_blocks() is _parse_blocks_py's
    loop: it reads closed fences, closed <example> blocks and tables of plain cells itself and calls
    the same helpers for the other rare blocks (tests/test_markdown_native.py compares both with
    Python). Its outline() is _outline_py, its lead() _lead_py, its plain() _plain_py (which its readers
    call too), its owners() and roles() source._owners_py and _roles_py, and its
    top_items(), ir_sections(), worked_parts() and check_items() structure's _top_items_py,
    _ir_sections_py, _worked_parts_py and _check_items_py.
    It fills the slots of the blocks and Sections it makes as their dataclass __init__ does, so they
    stay plain dataclasses."""
    _markdown = native.load("_markdown", "configure", "kinds", "parse_blocks", "outline", "lead", "plain", "owners",
                            "roles", "check_items", "top_items", "ir_sections", "worked_parts")
    if _markdown is None:
        return None
    classes = (ListItem, Heading, Paragraph, Label, Section, Code, Table, ExampleTag)
    assert not any(hasattr(cls, "__post_init__") for cls in classes)
    shared = (_BLANK_KIND, _TEXT_KIND, _PIPE_KIND, _FENCE_KIND, (_RULE_LINE, None), (_EXAMPLE, None))
    try:
        _markdown.configure(shared, _CLASSIFY, tuple((cls, tuple(f.name for f in fields(cls))) for cls in classes),
                            (_item_goes_on, _markdown.plain, _rare_block))
    except TypeError:  # built from C whose configure() took other arguments: read in Python, as native.load does
        return None    # for C that lacks a function (tests/test_markdown_native.py fails loudly on it)
    return _markdown


_c = _native()
_kinds = _c.kinds if _c is not None else _kinds_py
parse_blocks: Callable[..., tuple[list[Block], list[Diagnostic]]] = (
    _c.parse_blocks if _c is not None else _parse_blocks_py)
outline: Callable[[list[Block], int], list[Section]] = _c.outline if _c is not None else _outline_py
lead: Callable[[str], tuple[str | None, str]] = _c.lead if _c is not None else _lead_py
plain: Callable[[str], str] = _c.plain if _c is not None else _plain_py
