"""Suppressions written in an agent file, as ruff's `# noqa` and `# ruff: noqa` are.

    <!-- agentc: ignore[AGC301] -->            the next block (the lines up to a blank line),
                                                or its own line when it ends a line of text
    <!-- agentc: ignore-file[AGC121, AGC133] --> the whole file

A comment that suppresses nothing is reported (AGC010), so stale ones do not pile up. They are
read from the agent's body as the IR keeps it (byte for byte), so nothing is read twice.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import field

from agentc.compiler import lazyre, native
from agentc.compiler.diagnostics import CODES, Diagnostic, diag
from agentc.compiler.frozen import lean
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.span import Span

_OPENS = lazyre.compile("<!--")
_HOPS = 32  # "<"s `_opens` looks at itself before the regex takes over
_COMMENT = lazy_compile(r"<!--\s*agentc:\s*(ignore|ignore-file)\s*\[([^\]]*)\]\s*-->", re.I)
# Codes a build of only some targets may never produce: a suppression of them is not "unused"
# just because this run did not emit for that target.
_FRONT_END = ("AGC0", "AGC1", "AGC2", "AGC3")


@lean()
class Suppression:
    file: str
    line: int
    col: int
    codes: tuple[str, ...]
    first: int  # lines covered, inclusive; the whole file is (0, huge)
    last: int
    used: set[str] = field(default_factory=set)

    def covers(self, d: Diagnostic) -> bool:
        return d.file == self.file and self.first <= d.line <= self.last and any(d.code.startswith(c) for c in self.codes)


def find(file: str, body: str | bytes, body_line: int) -> list[Suppression]:
    """Every suppression comment in a body whose first line is line `body_line` of `file`; the
    body as an agent holds it (`ir.held_body`), decoded only when it holds a comment."""
    if not _opens(body):
        return []
    if type(body) is bytes:
        body = str(body, "utf-8")
    lines = body.split("\n")
    out = []
    for i, text in enumerate(lines):
        for m in _COMMENT.finditer(text):
            codes = tuple(c.strip().upper() for c in m.group(2).split(",") if c.strip())
            here = body_line + i
            if m.group(1).lower() == "ignore-file":
                first, last = 0, 1 << 30
            elif _COMMENT.sub("", text).strip():  # a comment at the end of a line of text: that line
                first = last = here
            else:
                j = i + 1
                while j < len(lines) and (not lines[j].strip() or not _COMMENT.sub("", lines[j]).strip()):
                    j += 1  # blank lines and other comments before the block
                k = j
                while k + 1 < len(lines) and lines[k + 1].strip():
                    k += 1
                first, last = body_line + j, body_line + k
            out.append(Suppression(file, here, m.start() + 1, codes, first, last))
    return out


def _opens_py(body: str | bytes) -> bool:
    """Whether `body` holds "<!--" (not "agentc": a comment's words are read in any case, as ruff's are).
    In UTF-8 bytes, which most bodies are held as, a search for the four bytes runs at memchr's speed.

    Each body is looked at once per build (`find_all`) and most hold no comment. A
    search for one character runs at memchr speed, so hopping from "<" to "<" takes ~9 us over
    a 32 KB body of the generated agents (~14 of them), where the regex takes ~28 us and
    `"<!--" in body` ~29 (UCS-2 text, as any body with an arrow or a dash is). A body full of
    "<" (markup, code) is left to the regex after a few hops: a few us more than the regex alone."""
    held = type(body) is bytes  # bytes: "in" looks at every byte (~5 instructions each); b"<" is found by memchr
    lt, rest = (b"<", b"!--") if held else ("<", "!--")
    at = body.find(lt)
    for _ in range(_HOPS):
        if at < 0:
            return False
        if body.startswith(rest, at + 1):
            return True
        at = body.find(lt, at + 1)
    return at >= 0 and (b"<!--" in body[at:] if held else _OPENS.search(body, at) is not None)


# compiler/_graph.c's `opens` where built (memchr from "<" to "<": ~1 us a seed agent), else `_opens_py`,
# its reference (tests/test_suppress.py compares both with `"<!--" in body`).
_opens = getattr(native.load("_graph", "opens"), "opens", None) or _opens_py


def find_all(bodies: Iterable[tuple[str, str | bytes, int]]) -> list[Suppression]:
    """Every suppression comment in `bodies`, (file, body, first body line) each, each body as
    `find` takes it. An empty body is not asked about: an incremental rebuild judges 1000 agents
    of which 999 are views with no comment, so no body, and the two calls (`find`, `_opens`)
    cost ~3.7k instructions a body."""
    return [s for file, body, line in bodies if body for s in find(file, body, line)]


def lines_needed(body: str | bytes, body_line: int) -> set[int]:
    """The line numbers `find` reads in a body: `lines_of` its comments."""
    return lines_of(find("", body, body_line))


def lines_of(found: Iterable[Suppression]) -> set[int]:
    """The line numbers `find` read to make `found` (one file's): each comment's line and the
    block it covers. An incremental rebuild keeps just these lines of an unchanged agent and
    finds the same comments there."""
    out: set[int] = set()
    for s in found:
        out.add(s.line)
        if s.last < (1 << 30):
            out.update(range(s.first, s.last + 1))
    return out


def apply(diags: Sequence[Diagnostic], found: Sequence[Suppression],
          *, report_unused: bool | Collection[str] = True) -> list[Diagnostic]:
    """`diags` without the suppressed ones, plus AGC010 for each comment that suppressed nothing
    and AGC011 for a code that does not exist. `found`: the comments (`find_all`), each marked
    with the codes it was used for. `report_unused` may name the files whose comments are
    judged (the others' were judged by the build that saw all their diagnostics)."""
    if not found:
        return list(diags)
    by_file: dict[str, list[Suppression]] = {}
    for s in found:
        by_file.setdefault(s.file, []).append(s)
    kept = []
    for d in diags:
        hit = [s for s in by_file.get(d.file, ()) if s.covers(d)]
        for s in hit:
            s.used.update(c for c in s.codes if d.code.startswith(c))
        if not hit:
            kept.append(d)
    for s in found:
        if report_unused is not True and (not report_unused or s.file not in report_unused):
            continue
        where = Span(file=s.file, line=s.line, col=s.col)
        for c in s.codes:
            if not any(code.startswith(c) for code in CODES):
                kept.append(diag("AGC011", where, f"suppression names '{c}', which is no agentc code",
                                 hint="`agentc rule CODE` explains a code; the README lists them all"))
            elif c not in s.used and c.startswith(_FRONT_END):
                kept.append(diag("AGC010", where, f"suppression of {c} suppresses nothing",
                                 hint="remove it (the problem it hid is gone), or move it above the line it is for"))
    return kept
