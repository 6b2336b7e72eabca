"""Where the line reader looks for agent names, and what each line's context tells it.

Every line outside fences and headings is read: list items, paragraphs, table rows, labels,
`<example>` blocks and the frontmatter `description` (at its key's line). A block's context is
evidence for `mentions.scan_line`: whether its headings or lead-in line speak of agents or
delegation, of comparison, or of skills (whose kebab names are not agents).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Callable, Container, NamedTuple

from agentc.compiler import lazyre, mentions, native
from agentc.compiler.delegation import CUES, LINE_TRIGGERS
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.markdown import Block, Code, ExampleTag, Heading, Label, ListItem, Paragraph, Table, plain
from agentc.compiler.source import Source

_HEADER_TARGET = lazy_compile(r"agent|delegat|owner|specialist|target|route|escalat|hand-?off|assign|working with|collaborat", re.I)
_SKILL_CTX = lazyre.compile(r"\bskills?\b|\bcommands?\b|\bplugins?\b|\btools?\b|\bmcp\b", re.I)
_AGENT_WORD = lazyre.compile(r"\bagents?\b|\bsub-?agents?\b|delegat", re.I)

Hit = tuple  # (line, col, mentions.Hit, section title, line text)


# One scan of a whole file (fences and headings blanked) before any line is judged, and one
# walk over its blocks: later passes visit only the few blocks that hold work. The types as
# objects, not a class body, for the reason delegation.Found gives (typing compiled each string).
Reading = NamedTuple("Reading", [
    ("lines", list[str]),  # as `mentions.prepare` reads them
    ("names", dict[int, list]),  # 0-based line -> the names written on it (lines with a cue word but no name too)
    ("cues", set[int]),  # 0-based lines holding a word some delegation form needs (`delegation.CUES`)
    ("triggers", set[int]),  # 0-based lines holding a word a one-line block needs to yield a delegation (`delegation.LINE_TRIGGERS`)
    ("hinted", set[int] | None),  # 0-based lines holding a weak-name hint word (None: ask each line)
    ("firsts", list[int]),  # each block's first line; the reader gives a line to one block at most, in order
    ("titles", list[str]),  # each section's title as plain text
    ("kinds", dict[type, list[int]]),  # each kind `read` was asked for -> its blocks, in order (structure's passes walk only theirs)
])


# The kinds of block whose indexes `Reading.kinds` holds by default: those structure's passes walk.
# Recording every kind made an int and a list entry for each of the ~90 headings, paragraphs and
# labels of a 32 KB agent that nothing read.
_KINDS = (ListItem, ExampleTag, Table)


def read(src: Source, name: str, kinds_of: tuple[type, ...] = _KINDS) -> Reading:
    """The reading of `src`, the blocks of each of `kinds_of` in `Reading.kinds`. A build that reads
    only the delegations asks for the tables alone: the indexes of a seed agent's ~330 list items
    were ~20K instructions that nothing read there."""
    kinds: dict[type, list[int]] = {kind: [] for kind in kinds_of}
    return Reading(*_reading(src.blocks, src.lines, kinds, mentions.normal(name)), [plain(s.title) for s in src.sections],
                   kinds)


_BLANK = (Code, Heading)  # fenced code and headings are never read: blanked before the one scan


def _reading_py(blocks: list[Block], lines: list[str], kinds: dict[type, list[int]], self_name: str) -> tuple:
    """The first six fields of `read`'s Reading (lines, names, cues, triggers, hinted, firsts): the
    lines laid out (`_layout`), then their names and word groups (`mentions.candidates_of`). The
    reference of compiler/_mentions.c's `reading`, which does both in one call."""
    firsts, text, readable = _layout(blocks, lines, _BLANK, kinds)
    return (*mentions.candidates_of(text, readable, self_name, CUES, LINE_TRIGGERS), firsts)


def _reading_native(blocks: list[Block], lines: list[str], kinds: dict[type, list[int]], self_name: str) -> tuple:
    """The C `reading`, or `_reading_py` where it declines (where `layout`, `line_groups` or
    `names_by_line` would: Python then takes those steps). Its parts, joined in C, keep no set of
    the lines saying "agent", count no line ends and look up no line in the names (~47K
    instructions a 32 KB agent, ~6% of `read`)."""
    words, masks, _ = mentions._words(CUES, LINE_TRIGGERS)
    return (_NATIVE.reading(mentions._READ_ENV, blocks, lines, Block, _BLANK, kinds, words, masks, self_name,
                            mentions._probe(self_name))
            or _reading_py(blocks, lines, kinds, self_name))


def _layout_py(blocks: list[Block], lines: list[str], blank: tuple[type, ...], kinds: dict[type, list[int]],
               ) -> tuple[list[int], list[str]]:
    """Each block's index appended to `kinds[its type]` when its type is a key of `kinds` (blocks
    are never subclassed: the type is the kind), each block's first line, and a copy of `lines`
    with the lines of the blocks whose type is in `blank` made "". The C twin is `layout`
    (compiler/_mentions.c)."""
    for index, b in enumerate(blocks):
        if type(b) in kinds:
            kinds[type(b)].append(index)
    readable = list(lines)
    for kind in blank:
        for b in blocks:
            if type(b) is kind:
                last = max(b.end, b.line)
                readable[b.line - 1 : last] = [""] * (last - b.line + 1)
    return [b.line for b in blocks], readable


def _layout_text_py(blocks: list[Block], lines: list[str], blank: tuple[type, ...], kinds: dict[type, list[int]],
                    ) -> tuple[list[int], str, list[str]]:
    """`_layout_py`, its lines joined and prepared (`mentions._prepare_join`): each block's first
    line, the text the one scan reads and its lines. The C twin is `layout`, which makes the text
    from `lines` with the blanked ones read as "", without a blanked copy of the list to join."""
    firsts, readable = _layout_py(blocks, lines, blank, kinds)
    return (firsts, *mentions._prepare_join(readable))


def _layout_native(blocks: list[Block], lines: list[str], blank: tuple[type, ...], kinds: dict[type, list[int]],
                   ) -> tuple[list[int], str, list[str]]:
    """The C `layout`, or `_layout_text_py` where it declines (a blanked block's lines outside the
    file: a slice assignment there grows the list, as Python does and C does not)."""
    return _NATIVE.layout(blocks, lines, Block, blank, kinds) or _layout_text_py(blocks, lines, blank, kinds)


_NATIVE = native.load("_mentions", "layout", "reading")
_layout = _layout_native if _NATIVE else _layout_text_py
_reading = _reading_native if _NATIVE else _reading_py


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
    chain = _contexts(src.sections, titles, _title_ctx)
    desc = src.entries.get("description")
    if desc is not None and isinstance(desc.value, str):  # not a block's line: its names are found here
        text = " ".join(desc.value.split())
        _keep(hits, weak, desc.span.line, None, text, *_judge_description(text, name))
    walk = _native_walk if _native_walk is not None and reading.hinted is not None else _walk_py
    walk(src, reading, chain, name, known, hits, weak)
    return hits, weak


def _contexts_py(sections: list, titles: list[str], title_ctx: Callable[[str], tuple]) -> list[tuple[bool, bool, bool]]:
    """Each section's (delegation, compare, skill) context, its parents' included (parents come
    first, as outline() makes them): what its title says (`title_ctx`) or'ed with its parent's, a
    skill context ended by a title naming agents. _judge.c's contexts is this in C."""
    chain: list[tuple[bool, bool, bool]] = []
    for s, title in zip(sections, titles, strict=True):
        parent = chain[s.parent] if s.parent is not None else (False, False, False)
        deleg, compare, skill, agent_word = title_ctx(title if s.level > 1 else "")  # an H1 names the agent itself
        chain.append((parent[0] or deleg, parent[1] or compare, (parent[2] or skill) and not agent_word))
    return chain


def _judge_description(text: str, name: str) -> tuple[list, list]:
    """`mentions.scan_line(text, ctx=False, compare=False, self_name=name, lead_ok=False)` by the
    judge every body line goes to (the C twin when built): the line prepared, its names and its
    hint found here as `_scan_line_py` finds them (the hint pattern is its words: a substring test
    each). The Python judge of one ~50-character description cost ~95k instructions, most of them
    in `_word_agents`, which the C judge asks only where its pattern can match."""
    line = mentions.prepare(text)
    low = line.lower()
    hint = False
    for word in mentions._HINT_WORDS:
        if word in low:
            hint = True
            break
    return mentions.judge_line(line, mentions._candidates(line, name), False, False, name, False, (), None, False, hint)


def _keep(hits: list, weak: list, line_no: int, section: str | None, text: str, found: list, soft: list) -> None:
    """A judged line's names as `scan` gives them."""
    for h in found:
        hits.append((line_no, h.col, h, section, text))
    for col, words, kind in soft:
        weak.append((line_no, col, words, kind, section, text))


def _walk_py(src: Source, reading: Reading, chain: list[tuple[bool, bool, bool]], name: str,
             known: Container[tuple[str, int]], hits: list, weak: list) -> None:
    """Every block line with names judged, in order, the results added to `hits` and `weak`
    (`chain`: each section's context, its parents' included). The reference of compiler/_judge.c's
    `walk`, which `scan` calls when built; this runs when it is not or a line's hint words are
    not known (`reading.hinted` None)."""
    lines, by_line, hinted, titles = reading.lines, reading.names, reading.hinted, reading.titles

    def run(i: int, k: int | None, ctx: bool, compare: bool, skill: bool, lead_ok: bool = True,
            target_cols: tuple = (), first_cell: tuple[int, int] | None = None) -> None:
        cands = by_line[i]
        text = lines[i]
        weak_hint = None
        if hinted is not None:
            weak_hint = i in hinted
            if not (ctx or weak_hint) and mentions.inert_line(text, cands):
                return
        if known and cands and _all_known(cands, i + 1, known):
            cands = []
        if weak_hint is None:  # lowering moved offsets: scan_line finds the hint
            found, soft = mentions.scan_line(text, ctx=ctx, compare=compare, self_name=name, lead_ok=lead_ok,
                                             target_cols=target_cols, first_cell=first_cell, skill_ctx=skill, cands=cands)
        else:
            found, soft = mentions.judge_line(text, cands, ctx, compare, name, lead_ok, target_cols, first_cell, skill,
                                              weak_hint)
        _keep(hits, weak, i + 1, titles[k] if k is not None else None, text, found, soft)

    # One walk over the lines with names, in order: each block holding one is met once, and the
    # blocks that set a lead-in's context are read as the walk passes them (`_lead`).
    blocks, owner = src.blocks, src.owner
    block, read_lines = -1, False
    lead_ctx = lead_skill = ctx = compare = skill = False
    k: int | None = None
    for i in sorted(by_line):
        j = block_of(src, reading, i)
        if j < 0:
            continue  # the frontmatter, or past a block's last line
        if j != block:
            lead_ctx, lead_skill = _lead(blocks, block + 1, j, lead_ctx, lead_skill)
            b = blocks[j]
            block = j
            kind = type(b)
            read_lines = kind is not Table and kind is not Heading and kind is not Code
            if kind is Heading or kind is Code:
                continue  # never read
            k = owner[j]
            ctx, compare, skill = chain[k] if k is not None else (False, False, False)
            ctx = ctx or lead_ctx
            skill = (skill or lead_skill) and not lead_ctx
            if kind is Table:  # every row at once
                for line_no, targets, first in _rows(src, b, ctx or compare, by_line):
                    run(line_no - 1, k, ctx, compare, skill, False, targets, first)
                continue
        elif not read_lines:
            continue
        run(i, k, ctx, compare, skill)


def _lead(blocks: list[Block], start: int, end: int, lead_ctx: bool, lead_skill: bool) -> tuple[bool, bool]:
    """The lead-in context (delegation, skill) once the walk has passed blocks[start:end + 1]: a
    heading resets it, a label or a lead-in paragraph ("**Work with:**") sets it. Only the blocks
    after the last heading are read (the heading undoes the rest). The reference of
    compiler/_judge.c's `lead`."""
    for q in range(end, start - 1, -1):
        if type(blocks[q]) is Heading:
            start, lead_ctx, lead_skill = q + 1, False, False
            break
    for mark in blocks[start : end + 1]:
        kind = type(mark)
        if kind is Label or (kind is Paragraph and _lead_in(mark.text)):
            says = _lead_says(mark.text if kind is Paragraph else mark.title)
            if says is not None:
                deleg, skill_word, agent_word = says
                lead_ctx = deleg or (lead_ctx and not skill_word)
                lead_skill = skill_word and not agent_word
    return lead_ctx, lead_skill


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


@mentions.memo(4096)
def _lead_says(text: str) -> tuple[bool, bool, bool] | None:
    """What a lead-in line says: about agents or delegation, of skills, does it name agents;
    None past 14 words (a sentence, not a lead-in). `_title_ctx`'s answer, which a label's text
    already has as its section's title (a new "**Delegate to x**:" asked the three patterns
    again, ~1.1 us); cached like it: the same lead-ins ("**Tools:**") come back in file after file."""
    text = plain(text)
    if len(text.split()) > 14:
        return None
    deleg, _compare, skill, agent = _title_ctx(text)
    return deleg, skill, agent


@mentions.memo(4096)
def _title_ctx(title: str) -> tuple[bool, bool, bool, bool]:
    """What a section title says: about agents, a comparison, skills, and does it name agents."""
    low = title.lower() if title.isascii() else None
    return (_holds(mentions.DELEG_CTX, _DELEG_WORDS, title, low), _holds(mentions._COMPARE_CTX, _COMPARE_WORDS, title, low),
            _holds(_SKILL_CTX, _SKILL_WORDS, title, low), _holds(_AGENT_WORD, _AGENT_WORDS, title, low))


# A word every match of each pattern holds, lowercase: `mentions.DELEG_CTX` (a title that fails its
# search cost ~11 us, trying ~30 words at each character: ~0.6 ms of the titles of an agent whose
# titles are new to the build), `_COMPARE_CTX`, `_SKILL_CTX`, `_AGENT_WORD`.
_DELEG_WORDS = ("agent", "delegat", "collaborat", "hand", "integration", "work", "pair", "coordinat", "escalat", "rout",
                "bring", "specialist", "related", "defer", "differs", "vs", "versus", "comparison", "stream", "teammates",
                "roster", "peer", "partner", "who", "experts", "execution", "assignment", "orchestrat")
_COMPARE_WORDS = ("differ", "vs", "versus", "compar", "distinction")
_SKILL_WORDS = ("skill", "command", "plugin", "tool", "mcp")
_AGENT_WORDS = ("agent", "delegat")


def _holds(rx: re.Pattern, words: tuple[str, ...], text: str, low: str | None) -> bool:
    """Whether `rx` (re.I) finds a match in `text`; `low`: the text lowered when it is ASCII, else
    None. An ASCII text holding none of `words` (its matches' words) is not searched: on ASCII text
    re.I is ASCII case, so a match is one of those words in `low`. The titles and lead-ins asked
    (each once a build) are mostly new ones ("Delegate to agent-0042"), and a search that finds
    nothing tries the pattern at every character: ~8-10K instructions a pattern a title."""
    if low is not None:
        for word in words:
            if word in low:
                break
        else:
            return False
    return rx.search(text) is not None


def _rows(src: Source, b: Table, agent_table: bool, by_line: dict) -> list[tuple]:
    """(line, target columns, first cell) of each row of table `b` with names: the cell ranges
    of its columns about agents, and of its first cell when the table is about agents
    (`agent_table`: its block speaks of agents or compares) or has such a column."""
    header = [plain(h) for h in b.header]
    tcols = {i for i, h in enumerate(header) if _HEADER_TARGET.search(h)}
    agent_table = agent_table or bool(tcols)
    out = []
    for line_no, _cells in b.rows:
        if line_no - 1 not in by_line:
            continue  # no name, no "agent", no verb that can introduce a spaced name
        ranges = _cell_ranges(src.lines[line_no - 1])
        targets = tuple(r for i, r in enumerate(ranges) if i in tcols)
        out.append((line_no, targets, ranges[0] if ranges and agent_table else None))
    return out


_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _label_starts(words: tuple[str, ...]) -> tuple[str, ...]:
    """The letters each relation label (`mentions._RELATION_WORDS`, regexes) begins with: its
    leading lowercase letters, less one a quantifier makes optional ("feeds?" gives "feed")."""
    starts = []
    for word in words:
        start = word[: len(word) - len(word.lstrip(_LOWER))]  # as re.match("[a-z]*", word), no pattern to compile
        if word[len(start) : len(start) + 1] in ("?", "*", "{"):
            start = start[:-1]
        starts.append(start)
    # "hand" covers "handoff": a start goes when a shorter one begins it, i.e. when one begins all
    # of it but its last letter (one C call a start, not one a pair: ~2.5M instructions an import).
    prefixes = tuple(dict.fromkeys(starts))
    return tuple(s for s in prefixes if not (s and s[:-1].startswith(prefixes)))


_LABEL_STARTS = _label_starts(mentions._RELATION_WORDS)


def _label_may(line: str, at: int, starts: tuple[str, ...]) -> bool:
    """Whether `mentions._RELATION_LABEL.match(line[at:])` may match: past an optional "**" or
    "__" and blanks, the text starts with one of `starts`, an ASCII letter in either case and any
    other character taken as a letter it may match under re.I ("ſ" is "s"). The reference of
    compiler/_judge.c's `label_may`, which the C walk asks before that regex (~1.5k instructions
    a line with a colon, where most such lines start with no label)."""
    text = line[at:]
    if text.startswith(("**", "__")):
        text = text[2:]
    text = text.lstrip()
    return any(len(text) >= len(s) and all(c.lower() == w or c >= "\x80" for c, w in zip(text, s, strict=False))
               for s in starts)


def _native() -> Callable[..., None] | None:
    """compiler/_judge.c's `walk` as `_walk_py` is called, or None: not built, or AGENTC_PURE_PYTHON
    set. Its Python callables: the block types it tells apart, `_lead_says`, `_rows`, the letters a
    relation label starts with (`_LABEL_STARTS`) and the line judge's own (`mentions.JUDGE_ENV`)."""
    module = native.load("_judge", "walk")
    if module is None:
        return None
    env = (Heading, Code, Table, Paragraph, Label, _lead_says, _rows, _LABEL_STARTS, mentions.JUDGE_ENV)

    def walk(src: Source, reading: Reading, chain: list, name: str, known: Container, hits: list, weak: list) -> None:
        module.walk(env, src, reading.names, reading.hinted, reading.lines, src.blocks, reading.firsts, src.owner,
                    chain, reading.titles, name, known, hits, weak)
    return walk


_native_walk = _native()
_contexts = getattr(native.load("_judge", "contexts"), "contexts", None) or _contexts_py


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
