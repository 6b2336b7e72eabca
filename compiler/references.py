"""Where the line reader looks for agent names, and what each line's context tells it.

Every line outside fences and headings is read: list items, paragraphs, table rows, labels,
`<example>` blocks and the frontmatter `description` (at its key's line). A block's context is
evidence for `mentions.scan_line`: whether its headings or lead-in line speak of agents or
delegation, of comparison, or of skills (whose kebab names are not agents).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from functools import lru_cache
from typing import Container, NamedTuple

from agentc.compiler import lazyre, mentions, native
from agentc.compiler.delegation import CUES, LINE_TRIGGERS
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.markdown import Block, Code, Heading, Label, Paragraph, Table, plain
from agentc.compiler.source import Source

_HEADER_TARGET = lazy_compile(r"agent|delegat|owner|specialist|target|route|escalat|hand-?off|assign|working with|collaborat", re.I)
_SKILL_CTX = lazyre.compile(r"\bskills?\b|\bcommands?\b|\bplugins?\b|\btools?\b|\bmcp\b", re.I)
_AGENT_WORD = lazyre.compile(r"\bagents?\b|\bsub-?agents?\b|delegat", re.I)

Hit = tuple  # (line, col, mentions.Hit, section title, line text)


class Reading(NamedTuple):
    """One scan of a whole file (fences and headings blanked) before any line is judged, and
    one walk over its blocks: later passes visit only the few blocks that hold work."""

    lines: list[str]  # as `mentions.prepare` reads them
    names: dict[int, list]  # 0-based line -> the names written on it (lines with a cue word but no name too)
    cues: set[int]  # 0-based lines holding a word some delegation form needs (`delegation.CUES`)
    triggers: set[int]  # 0-based lines holding a word a one-line block needs to yield a delegation (`delegation.LINE_TRIGGERS`)
    hinted: set[int] | None  # 0-based lines holding a weak-name hint word (None: ask each line)
    firsts: list[int]  # each block's first line; the reader gives a line to one block at most, in order
    marks: set[int]  # blocks that set or reset a lead-in's context: headings, labels, "...:" paragraphs
    titles: list[str]  # each section's title as plain text
    kinds: dict[type, list[int]]  # block type -> its blocks, in order (structure's passes walk only theirs)


def read(src: Source, name: str) -> Reading:
    blocks = src.blocks
    kinds: dict[type, list[int]] = defaultdict(list)
    firsts, readable = _layout(blocks, src.lines, _BLANK, kinds)
    marks = {*kinds[Heading], *kinds[Label], *(i for i in kinds[Paragraph] if _lead_in(blocks[i].text))}
    return Reading(*mentions.candidates_by_line(readable, mentions.normal(name), CUES, LINE_TRIGGERS),
                   firsts, marks, [plain(s.title) for s in src.sections], kinds)


_BLANK = (Code, Heading)  # fenced code and headings are never read: blanked before the one scan


def _layout_py(blocks: list[Block], lines: list[str], blank: tuple[type, ...], kinds: dict[type, list[int]],
               ) -> tuple[list[int], list[str]]:
    """Each block's index appended to `kinds[its type]` (blocks are never subclassed: the type is
    the kind), each block's first line, and a copy of `lines` with the lines of the blocks whose
    type is in `blank` made "". The C twin is `layout` (compiler/_mentions.c)."""
    for index, b in enumerate(blocks):
        kinds[type(b)].append(index)
    readable = list(lines)
    for kind in blank:
        for index in kinds.get(kind, ()):
            b = blocks[index]
            last = max(b.end, b.line)
            readable[b.line - 1 : last] = [""] * (last - b.line + 1)
    return [b.line for b in blocks], readable


def _layout_native(blocks: list[Block], lines: list[str], blank: tuple[type, ...], kinds: dict[type, list[int]],
                   ) -> tuple[list[int], list[str]]:
    """The C `layout`, or `_layout_py` where it declines (a blanked block's lines outside the file:
    a slice assignment there grows the list, as Python does and C does not)."""
    return _NATIVE.layout(blocks, lines, Block, blank, kinds) or _layout_py(blocks, lines, blank, kinds)


_NATIVE = native.load("_mentions", "layout")
_layout = _layout_native if _NATIVE else _layout_py


def _lead_in(text: str) -> bool:
    """A one-line paragraph ending in a colon ("**Work with:**") introduces what follows."""
    return text.rstrip("*_ ").endswith(":") and "\n" not in text


def block_of(src: Source, reading: Reading, i: int) -> int:
    """The index of the block holding 0-based line `i`, or -1: the reader gives a line to one
    block at most, and the line before the next block's first may be blank or a fence's (the
    block must reach it)."""
    j = bisect_right(reading.firsts, i + 1) - 1
    if j >= 0:
        b = src.blocks[j]
        if i < b.end or i < b.line:  # i < max(end, line) without the call: ~40% faster here
            return j
    return -1


def scan(src: Source, name: str, reading: Reading, known: Container[tuple[str, int]] = frozenset(),
         ) -> tuple[list[tuple], list[tuple]]:
    """(line, col, hit, section, text) for each name found, and the weak names
    (line, col, words, kind, section, text) the linker may resolve. `text` is the line as read:
    its cleaned form is the condition, made by the caller for the few names it keeps.

    `known`: (name, line) pairs the caller already holds (the block recognisers' edges). A line
    whose every written name is known is not judged: whatever its names gave, the caller drops
    (most lines that name agents repeat such an edge). Only "x agent" and weak phrases are still
    looked for there."""
    hits: list[tuple] = []
    weak: list[tuple] = []
    name = mentions.normal(name)
    titles = reading.titles
    chain_ctx: dict[int | None, tuple[bool, bool, bool]] = {None: (False, False, False)}
    for k, s in enumerate(src.sections):
        parent = chain_ctx[s.parent]
        deleg, compare, skill, agent_word = _title_ctx(titles[k] if s.level > 1 else "")  # an H1 names the agent itself
        chain_ctx[k] = (parent[0] or deleg, parent[1] or compare, (parent[2] or skill) and not agent_word)
    lead_ctx = lead_skill = False
    lines, by_line, hinted = reading.lines, reading.names, reading.hinted

    def run(line_no: int, text: str | None, k: int | None, ctx: bool, compare: bool, skill: bool, *, lead_ok: bool = True,
            target_cols: tuple = (), first_cell: tuple[int, int] | None = None) -> None:
        cands = weak_hint = None
        if text is None:
            cands = by_line.get(line_no - 1)
            if cands is None:
                return  # no name, no "agent", no verb that can introduce a spaced name
            text = lines[line_no - 1]
            if hinted is not None:
                weak_hint = line_no - 1 in hinted
                if not (ctx or weak_hint) and mentions.inert_line(text, cands):
                    return
            if known and cands and _all_known(cands, line_no, known):
                cands = []
        if weak_hint is None:  # the description, or a text whose lowering moved offsets: scan_line finds out
            found, soft = mentions.scan_line(text, ctx=ctx, compare=compare, self_name=name, lead_ok=lead_ok,
                                             target_cols=target_cols, first_cell=first_cell, skill_ctx=skill, cands=cands)
        else:
            found, soft = mentions.judge_line(text, cands, ctx, compare, name, lead_ok, target_cols, first_cell, skill, weak_hint)
        section = titles[k] if k is not None else None
        for h in found:
            hits.append((line_no, h.col, h, section, text))
        for col, words, kind in soft:
            weak.append((line_no, col, words, kind, section, text))

    desc = src.entries.get("description")
    if desc is not None and isinstance(desc.value, str):
        run(desc.span.line, " ".join(desc.value.split()), None, False, False, False, lead_ok=False)
    # One walk over the lines with names, in order: each block holding one is met once, and the
    # blocks that set a lead-in's context (`marks`) are applied as the walk passes them.
    blocks, owner = src.blocks, src.owner
    marks = sorted(reading.marks)
    m, block, read_lines = 0, -1, False
    ctx = compare = skill = False
    k: int | None = None
    for i in sorted(by_line):
        j = block_of(src, reading, i)
        if j < 0:
            continue  # the frontmatter, or past a block's last line
        if j != block:
            b = blocks[j]
            block = j
            while m < len(marks) and marks[m] <= j:
                mark = blocks[marks[m]]
                m += 1
                if type(mark) is Heading:
                    lead_ctx = lead_skill = False
                    continue
                says = _lead_says(mark.text if type(mark) is Paragraph else mark.title)  # a label or a lead-in paragraph
                if says is not None:
                    deleg, skill_word, agent_word = says
                    lead_ctx = deleg or (lead_ctx and not skill_word)
                    lead_skill = skill_word and not agent_word
            kind = type(b)
            read_lines = kind is not Table and kind is not Heading and kind is not Code
            if kind is Heading or kind is Code:
                continue  # never read
            k = owner[j]
            ctx, compare, skill = chain_ctx[k]
            ctx = ctx or lead_ctx
            skill = (skill or lead_skill) and not lead_ctx
            if kind is Table:
                _table(src, b, k, ctx, compare, skill, run, by_line)  # every row at once
                continue
        elif not read_lines:
            continue
        run(i + 1, None, k, ctx, compare, skill)
    return hits, weak


def _all_known(cands: list, line_no: int, known: Container[tuple[str, int]]) -> bool:
    """Whether every name on a line is in `known`, keyed as the caller keys what `scan` gives.
    Candidate names are already normal. A Title-Case role may come back as "<name>-agent" or
    as words: it is always judged. Any other form gives a hit or a weak name of its own name
    only, at its own column, where no "x agent" or weak phrase starts (theirs is a word after a
    verb and a blank, followed by a blank: a kebab name's first word is followed by a hyphen or
    a colon, and "@x" or `subagent_type="x"` follows no verb)."""
    for c in cands:
        if c.form == "title" or (c.target, line_no) not in known:
            return False
    return True


@lru_cache(maxsize=4096)
def _lead_says(text: str) -> tuple[bool, bool, bool] | None:
    """What a lead-in line says: about agents or delegation, of skills, does it name agents;
    None past 14 words (a sentence, not a lead-in). Cached like `_title_ctx`: the same lead-ins
    ("**Tools:**") come back in file after file, and DELEG_CTX tries ~40 words at each character."""
    text = plain(text)
    if len(text.split()) > 14:
        return None
    return bool(mentions.DELEG_CTX.search(text)), bool(_SKILL_CTX.search(text)), bool(_AGENT_WORD.search(text))


@lru_cache(maxsize=4096)
def _title_ctx(title: str) -> tuple[bool, bool, bool, bool]:
    """What a section title says: about agents, a comparison, skills, and does it name agents."""
    return (bool(mentions.DELEG_CTX.search(title)), bool(mentions._COMPARE_CTX.search(title)),
            bool(_SKILL_CTX.search(title)), bool(_AGENT_WORD.search(title)))


def _table(src: Source, b: Table, k: int | None, ctx: bool, compare: bool, skill: bool, run, by_line: dict) -> None:
    header = [plain(h) for h in b.header]
    tcols = {i for i, h in enumerate(header) if _HEADER_TARGET.search(h)}
    agent_table = ctx or compare or bool(tcols)
    for line_no, _cells in b.rows:
        if line_no - 1 not in by_line:
            continue  # `run` would read nothing there: no cell ranges needed
        ranges = _cell_ranges(src.lines[line_no - 1])
        targets = tuple(r for i, r in enumerate(ranges) if i in tcols)
        first = ranges[0] if ranges and agent_table else None
        run(line_no, None, k, ctx, compare, skill, target_cols=targets, first_cell=first, lead_ok=False)


def _cell_ranges(row: str) -> list[tuple[int, int]]:
    """Character ranges of a table row's cells (pipes in backticks or escaped stay in a cell)."""
    cuts, tick = [], False
    for i, ch in enumerate(row):
        if ch == "`":
            tick = not tick
        elif ch == "|" and not tick and (i == 0 or row[i - 1] != "\\"):
            cuts.append(i)
    if not cuts:
        return [(0, len(row))]
    stripped = row.lstrip()
    bounds = cuts if stripped.startswith("|") else [-1, *cuts]
    if not row.rstrip().endswith("|"):
        bounds = [*bounds, len(row)]
    return [(bounds[i] + 1, bounds[i + 1]) for i in range(len(bounds) - 1)]
