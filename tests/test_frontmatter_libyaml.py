"""libyaml, and the plain `key: value` reader before it, read frontmatter only where they agree
with the pure-Python loader, byte for byte.

The fast paths (compiler/frontmatter.py's `_plain_entries`, compiler/yamlread.py's `_libyaml_agrees`) must never change
an entry, a span or a diagnostic. Each test reads the same frontmatter twice, with the fast paths
and with both switched off (as on a PyYAML built without libyaml), and compares everything the
reader returns.
"""

from __future__ import annotations

import os
import random

import pytest
from conftest import ROOT, SHARED
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz import _mutate

from agentc.compiler import frontmatter, yamlread

pytestmark = pytest.mark.skipif(yamlread._CLoader is None, reason="PyYAML is built without libyaml")


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _both(lines: list[str], monkeypatch) -> tuple[str, str]:
    fast = repr(frontmatter.read_frontmatter("f.md", lines))
    with monkeypatch.context() as m:
        m.setattr(yamlread, "_CLoader", None)
        m.setattr(frontmatter, "_plain_entries", lambda *args: None)
        pure = repr(frontmatter.read_frontmatter("f.md", lines))
    return fast, pure


FILES = sorted({*(ROOT / "agents").rglob("*.md"), *(ROOT / "tests" / "fixtures").rglob("*.md"), *(SHARED / "corpus").rglob("*.md")})

CASES = [
    "a: 1\nb: 2\na: 3", "? a\n: 1", "a: {x: 1, y}", "a: [1, 2, {b: c}]", "a: |2-\n    x\n   y", "a: >+\n  x\n\n",
    "a: 'it''s\n  folded\n\n  para'", 'a: "\\x41\\u263A\\U0001F600\\N\\_\\L\\P\\e\\0 \\\n  cont"',
    "a: 1_000\nb: 0x1F\nc: 0o17\nd: 1e3\ne: .inf\nf: 2001-12-14t21:59:43.10-05:00\ng: 2002-12-14\nh: ~\ni: yes\nj: On\nl: 1:30",
    "a: b#c\nd: e # c", "k" * 1100 + ": v", "a: [" * 30 + "]" * 30, "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 30)),
    "a: - x", "a:\n  - x\n  -  - y", "- a\n- b", "just text", "a: 'unclosed", "a: @x", "a: !!str 1", "a: &x 1\nb: *x", "a: *x",
    "[a, b]: 1", "a: b: c", "a: \u00e9t\u00e9 \U0001F600", "a: x\ufeffy", "a: sonnet \ufeff", "a: x\u2028y", "a: x\x85y", "a: a\na: \u2028|", "a: \u2029>\n  x", "a:\n\tb: 1", "a: b\tc",
    "a: >#-\n  x", "a: |0\n  x", "a: |-+\n  x", "a: > #c\n  x", "a: 1\n...\n", "%YAML 1.1\n---\na: 1", "<<: {b: 1}\nc: 2", "a: 0000000000000000000000123", "a: 190:20:30",
]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_known_frontmatter_reads_the_same(path, monkeypatch):
    fast, pure = _both(_lines(path.read_bytes()), monkeypatch)
    assert fast == pure


@pytest.mark.parametrize("case", CASES)
def test_unusual_yaml_reads_the_same(case, monkeypatch):
    fast, pure = _both(["---", *case.split("\n"), "---", "body"], monkeypatch)
    assert fast == pure


def test_mutated_frontmatter_reads_the_same(monkeypatch):
    """The fuzzer's mutations (metacharacters, tabs, deep nesting, line breaks) on the frontmatter."""
    seeds = [p.read_bytes() for p in sorted((ROOT / "agents").rglob("*.md"))]
    rng = random.Random(12)
    for _ in range(3000):
        data = rng.choice(seeds)
        end = data.find(b"\n---", 4)
        head = data[: end + 5] if end > 0 else data[:400]
        ops = [(rng.choice([0, 2, 2, 2, 3, 5, 6]), rng.randrange(len(head) + 1), rng.randrange(10**6)) for _ in range(rng.randint(1, 4))]
        mutated = _mutate(head, ops)[:20_000]
        fast, pure = _both(_lines(mutated), monkeypatch)
        assert fast == pure, mutated


def test_the_fast_path_is_taken_for_ordinary_frontmatter():
    assert yamlread._libyaml_agrees("name: x\ndescription: Does things. Use when asked.\ntools: [Read, Write]\nmodel: sonnet")
    for unusual in ("a: &x 1\nb: *x", "a: !!str 1", "a: b\tc", "a: x\u2028y", "a: x\ufeff", "a: [" * 9 + "]" * 9, "a: 'unclosed"):
        assert not yamlread._libyaml_agrees(unusual)


def test_unusual_characters_are_exactly_those_outside_the_ordinary_ranges():
    ordinary = ((0x0A, 0x0A), (0x20, 0x7E), (0xA0, 0x2027), (0x202A, 0xD7FF), (0xE000, 0xFEFE), (0xFF00, 0xFFFD), (0x10000, 0x10FFFF))
    text = "".join(map(chr, range(0x110000)))
    found = {m.start() for m in frontmatter._UNUSUAL.finditer(text)}
    assert found == {c for c in range(0x110000) if not any(lo <= c <= hi for lo, hi in ordinary)}


def test_printable_lines_hold_no_unusual_character():
    """_plain_entries searches a block with _UNUSUAL only when a line is not printable: no character
    it lists is printable, and it lists YAML's extra line breaks. Characters that are neither (a
    no-break space, a zero-width one) still read plainly, as the pure loader reads them."""
    text = "".join(map(chr, range(0x110000)))
    assert not any(text[m.start()].isprintable() for m in frontmatter._UNUSUAL.finditer(text))
    assert all(frontmatter._UNUSUAL.search(c) for c in frontmatter._YAML_BREAKS)
    block = ["name: a\xa0b", "description: x\u200by", "model: z\u3000z"]
    assert frontmatter._plain_entries("f.md", block, 2, 0, []) is not None
    with pytest.MonkeyPatch.context() as mp:
        fast, pure = _both(["---", *block, "---", "body"], mp)
    assert fast == pure


@pytest.mark.parametrize("char", ["a", "\u00e9", "\u2192", "\U0001f600", "\ud800"])
def test_frontmatter_past_the_byte_limit_is_refused_with_its_size(char):
    """The byte size is counted only when 4 bytes a character could pass the limit; the limit and
    the size AGC108 gives are UTF-8's (surrogates as 3 bytes), whatever the characters."""
    for count in (1000, 15_000, 21_000, 32_000, 64_000):
        block = [f"description: {char * count}"]
        size = len(block[0].encode("utf-8", "surrogatepass")) + 1
        fm = frontmatter.read_frontmatter("f.md", ["---", *block, "---"])
        refused = [d.message for d in fm.diagnostics if d.code == "AGC108"]
        assert refused == ([f"frontmatter is {size} bytes; agentc reads at most {frontmatter.MAX_FRONTMATTER_BYTES}"]
                           if size > frontmatter.MAX_FRONTMATTER_BYTES else []), (char, count)


def test_block_scalar_headers_pyyaml_refuses_are_left_to_it():
    assert yamlread._libyaml_agrees("a: >-\n  x\nb: |2 # c\n   y")
    assert not yamlread._libyaml_agrees("a: >#-\n  x")


# Keys and values that YAML reads as strings or as something else, and the characters that end,
# change or break a plain value there; ordinary ones weigh more, so most blocks are read plainly.
KEYS = ["name", "description", "model", "tools", "a-b", "_x"] * 3 + ["yes", "On", "Null", "12", "k" * 120, "a b", "x:"]
ORDINARY = ["a", "b c", "Use when", "x.y", "C#", "(z)", "1", "a-b", "\u00e9", "\U0001f600", "x:y", "it's", "  "]
RISKY = ["yes", "No", "12", "1.5", "0x1f", "1:30", "null", "~", "2024-01-01", "=", "<<", ".inf", ":", ": ", " #", "#",
         "-", "- ", "?", "'", '"', "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "%", "@", "`", "\t", "\xa0",
         "\u2028", "\x85", "\ufeff", "...", "---"]
plain_line = st.one_of(
    st.tuples(st.sampled_from(KEYS), st.sampled_from([": "] * 6 + [":", ":  ", " : "]),
              st.lists(st.sampled_from(ORDINARY * 6 + RISKY), min_size=1, max_size=4).map("".join)).map("".join),
    st.sampled_from(["", "", "", " ", "# a comment", "  continued", "- item", "..."]),
)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(plain_line, min_size=1, max_size=6))
def test_generated_key_value_lines_read_the_same(block):
    with pytest.MonkeyPatch.context() as mp:  # not the fixture: hypothesis calls this many times per test
        fast, pure = _both(["---", *block, "---", "body"], mp)
    assert fast == pure, block


def test_the_plain_reader_takes_ordinary_frontmatter_only():
    ordinary = ["name: x", "description: Does things. Use when asked, C# or not.", "", "model: sonnet", "name: y"]
    found: list = []
    entries = frontmatter._plain_entries("f.md", ordinary, 2, 0, found)
    assert {k: (e.value, e.span.line) for k, e in entries.items()} == {"name": ("y", 6), "description": (ordinary[1][13:], 3),
                                                                      "model": ("sonnet", 5)}
    assert [d.code for d in found] == ["AGC122"]  # name given twice
    for unusual in ("a: 12", "yes: x", "a: b: c", "a: b #c", "a: b:", "a: [x]", "a: 'x'", "a:", "a: x\u2028y", "a: b\tc",
                    "  a: x", "# c", "a: |", "a: x\n  more"):
        assert frontmatter._plain_entries("f.md", unusual.split("\n"), 2, 0, []) is None, unusual


@pytest.mark.parametrize("value", ["0x_", "-0x_", "0b_", "2024-13-45", "2001-02-30 10:00:00", "2001-12-14t21:59:43.10-25:00"])
def test_a_value_python_cannot_build_is_read_as_its_text(value, monkeypatch):
    """YAML 1.1 resolves these as an int or a date that Python refuses to build ("0x_" has no
    digits, month 13, an offset of 25 hours): each loader keeps the text, as YAML 1.2 does,
    instead of raising ValueError out of the build."""
    lines = ["---", "name: zed", "description: x", f"model: {value}", f"seen: [{value}]", "---", "body"]
    fast, pure = _both(lines, monkeypatch)
    assert fast == pure
    fm = frontmatter.read_frontmatter("f.md", lines)
    assert fm.entries["model"].value == value and fm.entries["seen"].value == [value]
    assert not fm.diagnostics
