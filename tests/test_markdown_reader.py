"""The block reader reads most list items and every heading without a regex; what it reads must be
what the regexes say. Items: each line's kind (markdown._kinds) against the regex path
markdown._item, both ways; headings: against the regex the reader used before (HEADING below).
Checked on every line of the repository's agents and the shared corpus, and on seeded random lines
made of the pieces that decide what a line is (indents of spaces, tabs and other blanks, markers,
boxes, rules, hashes)."""

from __future__ import annotations

import random
import re

from conftest import ROOT, SHARED

from agentc.compiler import markdown

HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
PIECES = [" ", "  ", "\t", "\xa0", "\u3000", "-", "*", "+", "_", "1", "12", "\u0661", ".", ")", "[", "]", " ", "x", "X",
          "[ ]", "[x]", "#", "##", "###", "`", "|", "a", "b c", "**", ":", "- ", "1. ", "# "]


def _all_lines():
    for path in sorted([*(ROOT / "agents").rglob("*.md"), *(SHARED / "corpus").rglob("*.md")]):
        yield from path.read_text(encoding="utf-8", errors="replace").split("\n")
    rng = random.Random(12)
    for _ in range(30000):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))


LINES = list(_all_lines())


def test_items_read_as_the_regex_reads_them():
    read = 0
    for line in LINES:
        c = line.lstrip()[:1]
        if c in markdown._ITEM_CHARS:
            kind = markdown._kinds([line], 1)[0]
            item = kind if type(kind) is markdown.ListItem else None
            assert item == markdown._item(line, c, 1), repr(line)
            read += item is not None
    # the check saw the common shapes, not just corner cases: the random lines hold ~2400 items,
    # this repository's agents ~500 and the shared corpus (absent on a fresh clone) thousands more
    assert read > (5000 if (SHARED / "corpus").is_dir() else 2500)


def test_headings_read_as_the_regex_reads_them():
    seen = 0
    for line in LINES:
        c = line.lstrip()[:1]
        if c != "#":
            continue
        kind = markdown._classify(line, c, 1)  # a line starting with "#" is never a list item
        m = HEADING.match(line)
        assert (type(kind) is markdown.Heading) == (m is not None), repr(line)
        if m is not None:
            assert kind == markdown.Heading(1, 1, 1, len(m.group(1)), m.group(2).strip()), repr(line)
            seen += 1
    assert seen > 1000
