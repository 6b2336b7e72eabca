"""The block reader reads most list items without a regex (markdown._plain_item); every line it
reads that way must come out exactly as the regex path (markdown._item) reads it. Checked on every
line of the repository's agents and the shared corpus, and on seeded random lines made of the
pieces that decide what a line is (indents of spaces, tabs and other blanks, markers, boxes, rules)."""

from __future__ import annotations

import random

from conftest import ROOT, SHARED

from agentc.compiler import markdown

PIECES = [" ", "  ", "\t", "\xa0", "\u3000", "-", "*", "+", "_", "1", "12", "\u0661", ".", ")", "[", "]", " ", "x", "X",
          "[ ]", "[x]", "#", "`", "|", "a", "b c", "**", ":", "- ", "1. "]


def _lines():
    for path in sorted([*(ROOT / "agents").rglob("*.md"), *(SHARED / "corpus").rglob("*.md")]):
        yield from path.read_text(encoding="utf-8", errors="replace").split("\n")
    rng = random.Random(12)
    for _ in range(30000):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))


def test_plain_items_read_as_the_regex_reads_them():
    read = 0
    for line in _lines():
        c = line.lstrip()[:1]
        if c in markdown._ITEM_CHARS and (item := markdown._plain_item(line, c)) is not None:
            assert item == markdown._item(line, c), repr(line)
            read += 1
    assert read > 5000  # the check saw the common shapes, not just corner cases
