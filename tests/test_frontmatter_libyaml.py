"""libyaml reads frontmatter only where it agrees with the pure-Python loader, byte for byte.

The fast path (compiler/frontmatter.py, `_libyaml_agrees`) must never change an entry, a span or
a diagnostic. Each test reads the same frontmatter twice, with libyaml and with it switched off
(as on a PyYAML built without it), and compares everything the reader returns.
"""

from __future__ import annotations

import random

import pytest
from conftest import ROOT, SHARED
from test_fuzz import _mutate

from agentc.compiler import frontmatter

pytestmark = pytest.mark.skipif(frontmatter._CLoader is None, reason="PyYAML is built without libyaml")


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _both(lines: list[str], monkeypatch) -> tuple[str, str]:
    fast = repr(frontmatter.read_frontmatter("f.md", lines))
    with monkeypatch.context() as m:
        m.setattr(frontmatter, "_CLoader", None)
        pure = repr(frontmatter.read_frontmatter("f.md", lines))
    return fast, pure


FILES = sorted({*(ROOT / "agents").rglob("*.md"), *(ROOT / "tests" / "fixtures").rglob("*.md"), *(SHARED / "corpus").rglob("*.md")})

CASES = [
    "a: 1\nb: 2\na: 3", "? a\n: 1", "a: {x: 1, y}", "a: [1, 2, {b: c}]", "a: |2-\n    x\n   y", "a: >+\n  x\n\n",
    "a: 'it''s\n  folded\n\n  para'", 'a: "\\x41\\u263A\\U0001F600\\N\\_\\L\\P\\e\\0 \\\n  cont"',
    "a: 1_000\nb: 0x1F\nc: 0o17\nd: 1e3\ne: .inf\nf: 2001-12-14t21:59:43.10-05:00\ng: 2002-12-14\nh: ~\ni: yes\nj: On\nl: 1:30",
    "a: b#c\nd: e # c", "k" * 1100 + ": v", "a: [" * 30 + "]" * 30, "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 30)),
    "a: - x", "a:\n  - x\n  -  - y", "- a\n- b", "just text", "a: 'unclosed", "a: @x", "a: !!str 1", "a: &x 1\nb: *x", "a: *x",
    "[a, b]: 1", "a: b: c", "a: \u00e9t\u00e9 \U0001F600", "a: x\ufeffy", "a: sonnet \ufeff", "a: x\u2028y", "a: x\x85y", "a:\n\tb: 1", "a: b\tc",
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
    assert frontmatter._libyaml_agrees("name: x\ndescription: Does things. Use when asked.\ntools: [Read, Write]\nmodel: sonnet")
    for unusual in ("a: &x 1\nb: *x", "a: !!str 1", "a: b\tc", "a: x\u2028y", "a: x\ufeff", "a: [" * 9 + "]" * 9, "a: 'unclosed"):
        assert not frontmatter._libyaml_agrees(unusual)


def test_unusual_characters_are_exactly_those_outside_the_ordinary_ranges():
    ordinary = ((0x0A, 0x0A), (0x20, 0x7E), (0xA0, 0xD7FF), (0xE000, 0xFEFE), (0xFF00, 0xFFFD), (0x10000, 0x10FFFF))
    text = "".join(map(chr, range(0x110000)))
    found = {m.start() for m in frontmatter._UNUSUAL.finditer(text)}
    assert found == {c for c in range(0x110000) if not any(lo <= c <= hi for lo, hi in ordinary)}


def test_block_scalar_headers_pyyaml_refuses_are_left_to_it():
    assert frontmatter._libyaml_agrees("a: >-\n  x\nb: |2 # c\n   y")
    assert not frontmatter._libyaml_agrees("a: >#-\n  x")
