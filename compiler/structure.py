"""Structure found in an agent body: mission, use/avoid lists, checklists, delegations,
examples, failure modes, principles, output format, changelog and the section outline."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from functools import partial
from typing import Any

from agentc.compiler import delegation, lazyre, markdown, mentions, native, references
from agentc.compiler.ir import (
    ChangelogEntry,
    Checklist,
    ChecklistItem,
    CodeBlock,
    Delegation,
    Example,
    FailureMode,
    Item,
    Mention,
    Mission,
    OutputFormat,
    Section,
    Turn,
)
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.markdown import Block, Code, ExampleTag, Heading, Label, ListItem, Paragraph, Table, lead, plain
from agentc.compiler.source import Source, role_of
from agentc.compiler.span import Span


def _span(src: Source, b: Block) -> Span:
    return Span(file=src.file, line=b.line, col=b.col)


def _blocks_of(src: Source, k: int, *, deep: bool = True) -> list[Block]:
    """Blocks of section k; without `deep`, only those before its first subsection."""
    start, end = _block_range(src, k, deep=deep)
    return src.blocks[start:end]


def _block_range(src: Source, k: int, *, deep: bool = True) -> tuple[int, int]:
    """Where `_blocks_of` finds section k's blocks: their indices' range. Sections are in document
    order, so a first subsection is the very next section (a later section that is not k's child
    has closed k)."""
    secs = src.sections
    end = secs[k].end
    if not deep and k + 1 < len(secs) and secs[k + 1].parent == k:
        end = secs[k + 1].start
    return secs[k].start + 1, end


def _items(blocks: list[Block]) -> list[ListItem]:
    """Top-level list items: the shallowest indent among them."""
    items = [b for b in blocks if isinstance(b, ListItem)]
    if not items:
        return []
    top = min(i.indent for i in items)
    return [i for i in items if i.indent == top]


def _top_items(src: Source, k: int) -> list[Item]:
    """An Item for each top-level list item of section k before its first subsection."""
    start, end = _block_range(src, k, deep=False)
    return _top_items_of(src.blocks, start, end, src.file, Item, Span)


def _top_items_py(blocks: list[Block], start: int, end: int, file: str, item: type, span: type) -> list[Item]:
    """For each of `_items(blocks[start:end])`, an `item` (ir.Item) of its text split by `lead` (plain
    text when it has no title) with a `span` at the item. The classes are arguments so that
    _markdown.c's top_items, this in C, need not import the IR."""
    return [item(text=plain(b.text) if title is None else rest, title=title, span=span(file=file, line=b.line, col=b.col))
            for b in _items(blocks[start:end]) for title, rest in (lead(b.text),)]


def _ir_sections_py(sections: list[markdown.Section], roles: list[str], file: str, section: type, span: type) -> tuple[Section, ...]:
    """The IR's outline: a `section` (ir.Section) for each of outline()'s sections, with its role.
    _markdown.c's ir_sections is this in C."""
    return tuple(
        section(title=s.title, level=s.level, kind=s.kind, role=role, span=span(file=file, line=s.line), end_line=s.end_line)
        for s, role in zip(sections, roles, strict=True)
    )


_top_items_of = markdown._c.top_items if markdown._c is not None else _top_items_py
_ir_sections = markdown._c.ir_sections if markdown._c is not None else _ir_sections_py


def extract(src: Source, name: str, *, whole: bool = True) -> dict[str, Any]:
    """The AgentIR fields that come from the body. `whole=False`: only the delegations and mentions,
    the agent's STRUCTURE left at its defaults, for a build whose targets never read it (`lower`)."""
    if not whole:
        reading = references.read(src, name, (Table,))  # _delegations walks the tables only
        delegations, weak = _delegations(src, name, reading)
        return {"delegations": delegations, "mentions": weak}
    secs, roles = src.sections, src.roles
    keys: dict[str, list[int]] = {}  # role -> its sections, in order
    for k, r in enumerate(roles):
        keys.setdefault(r, []).append(k)
    by_role = lambda role: keys.get(role, [])  # noqa: E731
    own = lambda k: role_of(secs[k].title)  # noqa: E731
    out: dict[str, Any] = {"sections": _ir_sections(secs, roles, src.file, Section, Span)}
    out["mission"] = _mission(src, next((k for k in by_role("mission") if own(k) == "mission"), None))
    for role in ("use_when", "avoid_when"):
        found: list[Item] = []
        for k in by_role(role):
            found += _top_items(src, k)
            for t in (b for b in _blocks_of(src, k, deep=False) if isinstance(b, Table)):
                found += [Item(text=plain(cells[0]), span=Span(file=src.file, line=ln)) for ln, cells in t.rows if cells and cells[0]]
        out[role] = tuple(found)
    out["principles"] = tuple(item for k in by_role("principles") for item in _top_items(src, k))
    reading = references.read(src, name)  # also each kind's blocks: the passes below walk only theirs
    out["checklists"] = _checklists(src, reading.kinds[ListItem])
    out["delegations"], out["mentions"] = _delegations(src, name, reading)
    out["examples"] = _examples(src, by_role("examples"), reading.kinds[ExampleTag])
    out["failure_modes"] = _failure_modes(src, by_role("failure_modes"), reading.kinds[Table])
    out["output_format"] = _output_format(src, next((k for k in by_role("output_format") if own(k) == "output_format"), None))
    out["changelog"] = _changelog(src, [k for k in by_role("changelog") if own(k) == "changelog"])
    return out


def _mission(src: Source, k: int | None) -> Mission | None:
    if k is None:
        # The lead paragraph, also under the document's H1 ("# Title" then "You are ..."); a
        # paragraph after any H2 or deeper heading belongs to that section, not the lead.
        for b in src.blocks:
            if isinstance(b, Heading) and b.level > 1:
                return None
            if isinstance(b, Paragraph):
                return Mission(text=plain(b.text), span=_span(src, b))
        return None
    blocks = _blocks_of(src, k, deep=False)
    text = "\n\n".join(plain(b.text) for b in blocks if isinstance(b, Paragraph))
    goals = tuple(_top_items(src, k))
    return Mission(text=text, goals=goals, span=Span(file=src.file, line=src.sections[k].line))


_CHECK_TITLE = lazyre.compile(r"checklist|validation|verif|quality gates?", re.I)
# Titles that make plain bullets checks by themselves; "Validation" or "Verification" alone
# also heads lists of tools and methods, so there the items must read as checks.
_STRONG_CHECK_TITLE = lazyre.compile(r"checklist|self-checks?|pre-flight|quality gates?|\bchecks?\b|acceptance criteria", re.I)
_READS_AS_CHECK = lazy_compile(r"\?\s*$|^(?:verify|check|ensure|confirm|validate|make sure|test|no\s|all\s|every\s|each\s|is\s|are\s|does\s|do\s|has\s|have\s)", re.I)
# Lists of things to avoid under a checklist are not checks ("Red Flags", "Anti-patterns").
_NOT_CHECKS = lazyre.compile(r"red flags?|anti-?patterns?|warning signs|smells?|pitfalls?|avoid|don'?t|never|mistakes", re.I)


# What a section title says about checks, cached as role_of is: titles repeat, within a project
# and across its agents, and a hit is one dict lookup where the search tries every alternative
# at every position of the title.
@mentions.memo(4096)
def _check_title(title: str) -> bool:
    return _CHECK_TITLE.search(title) is not None


@mentions.memo(4096)
def _strong_check_title(title: str) -> bool:
    return _STRONG_CHECK_TITLE.search(title) is not None


@mentions.memo(4096)
def _not_checks(title: str) -> bool:
    return _NOT_CHECKS.search(title) is not None


def _checklists(src: Source, list_items: list[int]) -> tuple[Checklist, ...]:
    """Boxed items anywhere, plus plain bullets under checklist-titled sections, grouped by section
    (`list_items`: the indices of the list items).

    What a section's title says is worked out once per section, not once per bullet, and only
    the boxed items and those of sections that take plain checks are read (most items are in
    neither)."""
    secs = src.sections
    # Each section's group: a heading is its own; a label too when its title says checks, else a
    # sentence-like label ("I verify:") goes to its parent's group (parents come first).
    group_of: list[int | None] = []
    plain_ok: dict[int, tuple[int | None, bool]] = {}  # section -> (group, strong title), for sections taking plain checks
    roles = src.roles
    for k, s in enumerate(secs):
        if s.kind != "label" or _check_title(s.title):
            g: int | None = k
        else:
            g = group_of[s.parent] if s.parent is not None else None
        group_of.append(g)
        if g is not None and roles[g] == "checklist" and not _not_checks(s.title):
            plain_ok[k] = (g, _strong_check_title(secs[g].title))
    groups = _check_items(src.blocks, list_items, src.owner, plain_ok, group_of, _reads_as_check, src.file, ChecklistItem, Span)
    return tuple(
        Checklist(
            title=plain(secs[k].title) if k is not None else "Checklist",
            items=tuple(items),
            span=Span(file=src.file, line=secs[k].line if k is not None else items[0].span.line),
        )
        for k, items in groups.items()
    )


def _reads_as_check(text: str) -> bool:
    return _READS_AS_CHECK.search(text) is not None


def _check_items_py(blocks: list[Block], list_items: list[int], owner: list[int | None], plain_ok: dict[int, Any],
                    group_of: list[int | None], reads_as_check: Any, file: str, check: type,
                    span: type) -> dict[int | None, list[ChecklistItem]]:
    """The checks among `list_items` (indices into `blocks`) under their groups: boxed items under
    their section's group (`group_of`), and top-level bullets of sections taking plain checks
    (`plain_ok`: section -> (group, strong title)) under a strong title or reading as checks. Each is
    a `check` (ChecklistItem) with a `span` (Span; the classes are arguments as for _top_items_py).
    _markdown.c's check_items is this in C."""
    groups: dict[int | None, list[ChecklistItem]] = {}
    for index in list_items:
        b = blocks[index]
        k = owner[index]
        if b.checked is None:
            if k not in plain_ok or b.indent != 0:
                continue
            g, strong = plain_ok[k]
            if not strong and not reads_as_check(plain(b.text)):
                continue  # "## Validation Tools": a list of tools, not checks
        else:
            g = group_of[k] if k is not None else None
        groups.setdefault(g, []).append(check(text=plain(b.text), checked=b.checked, span=span(file=file, line=b.line, col=b.col)))
    return groups


_check_items = markdown._c.check_items if markdown._c is not None else _check_items_py


def _delegations(src: Source, name: str, reading: references.Reading) -> tuple[tuple[Delegation, ...], tuple[Mention, ...]]:
    """Edges from the block recognisers (which also say when), then every other name a line
    gives evidence for; one edge per (target, line). Weak names become mentions."""
    found: list[Delegation] = []
    seen: set[tuple[str, int]] = set()
    weak: list[Mention] = []
    cues, titles = reading.cues, reading.titles
    secs, owner, roles = src.sections, src.owner, src.roles
    # D2 heads: labels and headings that name targets ("**Delegate to x**:"); no other section
    # start yields an edge (`find` reads no heading or label: the few among the blocks visited
    # are passed to it, not every section's start taken out of them first)
    heads = delegation.heads(titles, secs, src.blocks)
    blocks, lines = src.blocks, src.lines
    visit = _visit(blocks, reading.firsts, cues, reading.triggers, reading.kinds[Table], owner, roles, delegation.ALWAYS_READ,
                   heads)
    finds = delegation.find_blocks(blocks, visit, owner, roles, name)
    _edges(blocks, owner, secs, titles, lines, finds, heads, src.file, found, seen, weak)
    hits, weak_names = references.scan(src, name, reading, seen)  # lines naming only edges found above are not judged
    conds: dict[int, str] = {}  # line -> its condition, cleaned only for a line whose name is kept

    def cond(line: int, text: str) -> str:
        if line not in conds:
            conds[line] = delegation.clean(text)[:200]
        return conds[line]

    for line, col, hit, section, text in hits:
        if (mentions.normal(hit.target), line) not in seen:  # most repeat an edge found above
            _add(found, seen, src.file, hit.target, cond(line, text), hit.kind, hit.pattern, section, line, col)
    for line, col, words, kind, section, text in weak_names:
        if ("-".join(words), line) not in seen:
            weak.append(Mention(words=words, kind=kind, pattern="M weak name", condition=cond(line, text), section=section,
                                span=Span(file=src.file, line=line, col=col)))
    return tuple(found), tuple(weak)


def _add(found: list[Delegation], seen: set[tuple[str, int]], file: str, target: str, condition: str, kind: str,
         pattern: str, section: str | None, line: int, col: int) -> None:
    """A Delegation appended to `found` unless `seen` holds its key, (normal target, line), which it
    then holds. An explicit delegation to itself stays: the linker reports it (AGC304)."""
    key = (mentions.normal(target), line)
    if key not in seen:
        seen.add(key)
        found.append(Delegation(target=target, condition=condition, kind=kind, pattern=pattern,
                                section=section, span=Span(file=file, line=line, col=col)))


def _edges_py(blocks: list[Block], owner: list[int | None], sections: list[markdown.Section], titles: list[str],
              lines: list[str], finds: dict[int, list], heads: dict[int, tuple], file: str, found: list[Delegation],
              seen: set[tuple[str, int]], weak: list[Mention]) -> None:
    """The edges of the blocks `finds` (`delegation.find_blocks`) and `heads` (`delegation.heads`)
    hold, in block order, each name placed where it is written in its block (`_place_in`): added to
    `found` and `seen` (`_add`), or to `weak` as a Mention for one plain word. The reference of
    compiler/_judge.c's `edges`, one call an agent: this loop over ~12 blocks and ~17 edges an agent,
    with a call of `_add` and of `_place_in` for each edge, cost ~200k instructions, the C pass ~106k."""
    for index in sorted(finds.keys() | heads.keys()):
        b = blocks[index]
        k = owner[index]
        last = max(b.end, b.line)  # where each name of the block is looked for (from the line of its edge)
        if index in heads:  # D2: "**Delegate to x**:" then bullets that say when
            head, targets, cond, _ = heads[index]
            parent = sections[head].parent
            section = titles[parent] if parent is not None else titles[k] if k is not None else None
            for t in targets:
                if (at := _place_in(t, lines, b.line, last, b.line, b.col)) is None:
                    continue
                line, col = at
                _add(found, seen, file, t, cond, "delegate", "D2 delegate block", section, line, col)
            continue
        title = titles[k] if k is not None else None
        # a Found, or a plain tuple of its fields from compiler/_judge.c's `find_text`
        for target, condition, kind, pattern, at_line, _ in finds[index]:
            if (at := _place_in(target, lines, at_line, last, at_line, b.col)) is None:
                continue
            line, col = at
            if "-" not in target and ":" not in target and not mentions.role_like(target):
                # "(use `bigint`)": one plain word is a name only when the build has that agent
                weak.append(Mention(words=(target,), kind=kind, pattern=pattern, condition=condition,
                                    section=title, span=Span(file=file, line=line, col=col)))
                continue
            _add(found, seen, file, target, condition, kind, pattern, title, line, col)


def _visit_py(blocks: list[Block], firsts: list[int], cues: set[int], triggers: set[int], tables: list[int],
              owner: list[int | None], roles: list[str], wanted: tuple[str, ...], heads: dict[int, tuple]) -> list[int]:
    """The indices of the blocks `find_blocks` reads, in order: the `tables`; each block holding a
    line of `cues` (0-based; lines holding a word some delegation form needs), a one-line block only
    when that line is also in `triggers` (a longer block joins its lines with a blank, so a trigger
    may span two of them: any cue will do); and every block whose section (`owner`) has a role in
    `wanted` (delegation and avoid sections). No other block can yield an edge. Less the D2 `heads`
    (read as one by `_edges`) and their items (the bullets that say when a head delegates: read
    with it). `references.block_of` inlined (the cue loop meets ~every line of a long agent); the
    reference of compiler/_judge.c's `visit`, which marks a byte a block where this made, filled and
    sorted a set."""
    visit = set(tables)
    for i in cues:
        j = bisect_right(firsts, i + 1) - 1
        if j >= 0:
            b = blocks[j]
            if i < b.end if b.end > b.line else i < b.line and i in triggers:
                visit.add(j)
    visit.update(i for i, k in enumerate(owner) if k is not None and roles[k] in wanted)
    for *_, items in heads.values():
        visit.difference_update(items)
    return sorted(visit.difference(heads))


_visit_c = native.load("_judge", "visit")
_visit = _visit_c.visit if _visit_c is not None else _visit_py


# The look-ahead holds the words' first letters (re.I folds the same characters to them as to the
# words): without it the engine tried all eight words after each character the star gives back
# ("** or" after "**x**"), ~0.45 -> ~0.2 us a call, ~17 calls an agent.
_THING_AFTER = lazyre.compile(
    r"[*`'\"\s]*(?=[spctml])(?:skills?|plugins?|commands?|tools?|mcp|servers?|packages?|librar(?:y|ies))\b", re.I
)


# U+2010-2012 and U+2212 written as "-" (one character for one: columns stay right).
_DASHES = str.maketrans(dict.fromkeys(mentions.HYPHENS, "-"))


@mentions.memo(4096)
def _name_rx(target: str) -> re.Pattern:
    """The name in any case, with any hyphen or space between its words. For an ASCII name the
    pattern expects the line's Unicode hyphens as "-" (`_DASHES`): a class holding both `\\s`
    and non-Latin-1 hyphens costs ~7x more to compile, once per distinct name in a build."""
    sep = r"[-\s_]+" if target.isascii() else r"[-\s_\u2010\u2011\u2012\u2212]+"
    return re.compile(sep.join(map(re.escape, _words(target))), re.I)


def _words(target: str) -> list[str]:
    """The words of a name as `_name_rx` looks for them (a plugin's prefix goes)."""
    return re.split(r"[-_]", target.split(":")[-1])


@mentions.memo(4096)
def _as_written(target: str) -> tuple[str, str]:
    """An ASCII name's first word and the name as most lines write it, both lowercase: its words
    joined by "-" (what `_name_at` tries before `_name_rx`)."""
    words = [w.lower() for w in _words(target)]
    return words[0], "-".join(words)


def _name_at_py(target: str, text: str) -> int:
    """Where `_name_rx(target)` first matches in `text` (its Unicode hyphens read as "-" for an
    ASCII name: `_DASHES`), or -1.

    Most names are written as they are spelled ("agent-0002"), and compiling a pattern per
    distinct name cost ~20-60 us each (a build compiled one per target). On an ASCII line an
    ASCII name matches case-insensitively just as in the lowercased line, and every match
    starts with the name's first word: when the first place of that word holds the whole name
    with hyphens, that place is the pattern's first match, and when the word is nowhere there
    is none. Anything else (other separators, non-ASCII text) asks the pattern. The reference
    of compiler/_judge.c's `name_at`."""
    if target.isascii():
        if not text.isascii() and any(h in text for h in mentions.HYPHENS):  # most hold none ("→")
            text = text.translate(_DASHES)
        if text.isascii():
            first, written = _as_written(target)
            low = text.lower()
            at = low.find(first)
            if at < 0:
                return -1
            if low.startswith(written, at):
                return at
    m = _name_rx(target).search(text)
    return m.start() if m else -1


@mentions.memo(4096)
def _word_tuple(target: str) -> tuple[str, ...]:
    """`_words(target)` as `name_at` takes them."""
    return tuple(_words(target))


def _name_at_native(target: str, text: str) -> int:
    """`_name_at_py` by compiler/_judge.c's `name_at` for an ASCII name, which walks the line
    as the pattern would: most lines that name an edge hold an arrow (not ASCII) or say the
    name's first word earlier ("neural networks → ... neural-architecture-engineer"), where the
    pattern's search cost ~20 000 instructions and translating the line's hyphens ~60 000 more.
    The pattern still answers what `name_at` leaves to it (-2: rare folds and odd names)."""
    at = _names.name_at(_word_tuple(target), text) if target.isascii() else -2
    return at if at != -2 else _name_at_py(target, text)


_names = native.load("_judge", "name_at")
_name_at = _name_at_native if _names is not None else _name_at_py


def _place_py(target: str, lines: list[str], first: int, last: int, line: int, col: int) -> tuple[int, int] | None:
    """Line and column where `target` is written in lines `first`..`last` (1-based, as
    `_find_in_lines` reads them; any case, any hyphen or space between its words), (`line`, `col`)
    when it is not written there, or None when the word after it says it names no agent ("`x`
    skill", "the x plugin"). Made for each edge a block recogniser finds (~17 an agent). The
    reference of compiler/_judge.c's `place`."""
    found = _find_in_lines(target, lines, first, last)
    line, col = found if found is not None else (line, col)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return None if _THING_AFTER.match(text, col - 1 + len(target)) else (line, col)


def _place_native(target: str, lines: list[str], first: int, last: int, line: int, col: int) -> tuple[int, int] | None:
    """`_place_py` by compiler/_judge.c's `place`, which splits an ASCII name into its words and
    reads `_find_in_lines` and `_THING_AFTER` in one call (~17 calls an agent; the Python steps
    between them and the pattern's call cost ~6 000 instructions a call). From a line only the
    pattern can read (an int back, the first for a name not ASCII) the reference goes on."""
    got = _place_c.place(target, lines, first, last, line, col)
    return _place_py(target, lines, got, last, line, col) if type(got) is int else got


def _find_in_lines(target: str, lines: list[str], first: int, last: int) -> tuple[int, int] | None:
    """Line and column (1-based) of the first of lines `first`..`last` (1-based; those past the
    file's are passed) where `_name_at` finds `target`, or None. The reference of the search in
    compiler/_judge.c's `place`, which hands a line it cannot read to `_place_py`, and so here."""
    for ln in range(first, last + 1):
        if not 0 < ln <= len(lines):
            continue
        at = _name_at(target, lines[ln - 1])
        if at >= 0:
            return ln, at + 1
    return None


_place_c = native.load("_judge", "place")
_place_in = _place_native if _place_c is not None else _place_py


_edges_c = native.load("_judge", "edges", "place")
_edges = (partial(_edges_c.edges, (mentions.normal, mentions.role_like, Delegation, Mention, Span, _place_py))
          if _edges_c is not None else _edges_py)


_EXAMPLE_TITLE = lazyre.compile(r"^example\s*\d*\s*[:.\-–—]\s*(.+)$", re.I)
_TURN = lazy_compile(r"^(context|user|assistant|human|ai)\s*:\s*(.*)$", re.I)


def _examples(src: Source, keys: list[int], tags: list[int]) -> tuple[Example, ...]:
    """Worked examples and interactions under example sections, then every `<example>` block (`tags`)."""
    out: list[Example] = []
    for k in keys:
        s = src.sections[k]
        m = _EXAMPLE_TITLE.match(plain(s.title))
        if m:
            out.append(_worked(src, k, m.group(1).strip()))
        elif role_of(s.title) == "examples" and "interaction" in s.title.lower():
            out += [Example(kind="interaction", title=plain(i.text).strip('"“”'), request=plain(i.text).strip('"“”'),
                            span=_span(src, i)) for i in _items(_blocks_of(src, k, deep=False))]
    out += [_dialogue(src, src.blocks[i]) for i in tags]
    return tuple(out)


def _worked(src: Source, k: int, title: str) -> Example:
    """`### Example N: title` with **Request**, **My Reasoning Process**, code and **Result**."""
    start, end = _block_range(src, k)
    parts, code = _worked_parts(src.blocks, start, end, _part, src.file, CodeBlock, Span)
    pick = lambda key: "\n".join(parts[key]).strip().strip('"“”') if key in parts else None  # noqa: E731
    return Example(kind="worked", title=title, request=pick("request"), reasoning=pick("reasoning"),
                   result=pick("result"), code=tuple(code), span=Span(file=src.file, line=src.sections[k].line))


def _worked_parts_py(blocks: list[Block], start: int, end: int, part: Any, file: str, code_block: type,
                     span: type) -> tuple[dict[str, list[str]], list[CodeBlock]]:
    """The lines of each part of a worked example (blocks[start:end]) under the key `part` (`_part`)
    gives its label, and its code blocks (`code_block` and `span`: CodeBlock and Span, arguments as
    for `_top_items_py`). _markdown.c's worked_parts is this in C."""
    parts: dict[str, list[str]] = {}
    current = None
    code: list[CodeBlock] = []
    for b in blocks[start:end]:
        if type(b) is ListItem:  # most blocks, and never a part's label: a line of the current part
            if current:
                parts.setdefault(current, []).append("- " + b.text)
            continue
        kind = type(b)  # blocks are never subclassed: one type test each, not a chain of isinstance
        if kind is Code:
            code.append(code_block(language=b.lang, code=b.code, span=span(file=file, line=b.line, col=b.col)))
            current = None
            continue
        rest = ""
        if kind is Paragraph:
            text = b.text
            label, rest = lead(text)
        elif kind is Label:
            text = label = b.title
        else:  # a heading's title joins the current part as plain text; a table or <example> adds ""
            text = plain(b.title) if kind is Heading else ""
            label = None
        key = part(label) if label else None
        if key:
            current = key
            if rest:
                parts.setdefault(key, []).append(rest)
        elif current:
            parts.setdefault(current, []).append(text)
    return parts, code


_worked_parts = markdown._c.worked_parts if markdown._c is not None else _worked_parts_py


_PARTS = ((lazyre.compile(r"request|prompt|user asks|query|task"), "request"),
          (lazyre.compile(r"reasoning|thought|approach|analysis"), "reasoning"),
          (lazy_compile(r"result|outcome|expected|response|output"), "result"))


@mentions.memo(4096)  # the same few labels ("Request", "Result") in every example
def _part(label: str) -> str | None:
    low = label.lower()
    return next((part for rx, part in _PARTS if rx.search(low)), None)


def _dialogue(src: Source, b: ExampleTag) -> Example:
    """An `<example>` block: Context / user / assistant turns and <commentary>."""
    inner = re.sub(r"</?example>", "", b.text)
    turns: list[Turn] = []
    for chunk in re.split(r"(<commentary>.*?</commentary>)", inner, flags=re.S):
        if chunk.startswith("<commentary>"):
            turns.append(Turn(role="commentary", text=chunk[12:-13].strip()))
            continue
        for line in chunk.split("\n"):
            m = _TURN.match(line.strip())
            if m:
                role = {"human": "user", "ai": "assistant"}.get(m.group(1).lower(), m.group(1).lower())
                turns.append(Turn(role=role, text=m.group(2).strip().strip('"“”')))
            elif line.strip() and turns and turns[-1].role != "commentary":
                turns[-1] = replace(turns[-1], text=(turns[-1].text + "\n" + line.strip()).strip())
    user = next((t.text for t in turns if t.role == "user"), None)
    context = next((t.text for t in turns if t.role == "context"), None)
    return Example(kind="dialogue", title=context or user or "example", request=user, turns=tuple(turns),
                   span=_span(src, b))


_FAILURE_TABLE = lazy_compile(r"failure|pitfall|mistake|symptom|cause|prevent|recover|mitigat|fix|remed|impact|error|issue|problem",
                            re.I)
_FAILURE_COLUMN = lazy_compile(r"failure|pitfall|mistake", re.I)
_PREVENT_COLUMN = lazy_compile(r"prevent|avoid|mitigat", re.I)
_RECOVER_COLUMN = lazy_compile(r"recover|fix|remed|solution|response", re.I)


def _failure_modes(src: Source, keys: list[int], table_blocks: list[int]) -> tuple[FailureMode, ...]:
    """Rows of failure tables (`table_blocks`: every table's index), then the titled items of failure sections."""
    out: list[FailureMode] = []
    tables = {id(b) for k in keys for b in _blocks_of(src, k) if isinstance(b, Table)}
    for index in table_blocks:
        b = src.blocks[index]
        header = [plain(h) for h in b.header]
        if not _FAILURE_TABLE.search(" ".join(header)):
            continue  # a table under a "Recovery" heading that lists capabilities
        if id(b) not in tables and not _FAILURE_COLUMN.search(header[0] if header else ""):
            continue
        prev = next((i for i, h in enumerate(header) if _PREVENT_COLUMN.search(h)), None)
        rec = next((i for i, h in enumerate(header) if _RECOVER_COLUMN.search(h)), None)
        for line, cells in b.rows:
            cells = [plain(c) for c in cells] + [""] * (len(header) - len(cells))
            if not any(cells):
                continue
            out.append(FailureMode(
                mode=cells[0], prevention=cells[prev] if prev is not None else None,
                recovery=cells[rec] if rec is not None else None,
                columns={h: cells[i] for i, h in enumerate(header) if h}, span=Span(file=src.file, line=line)))
    for k in keys:
        for item in _items(_blocks_of(src, k, deep=False)):
            title, rest = lead(item.text)
            if title:
                out.append(FailureMode(mode=title, prevention=rest or None, span=_span(src, item)))
    return tuple(out)


def _output_format(src: Source, k: int | None) -> OutputFormat | None:
    if k is None:
        return None
    s = src.sections[k]
    first = src.blocks[s.start].line
    text = "\n".join(src.lines[first : s.end_line]).strip()
    subs = [plain(x.title) for x in src.sections if x.parent == k]
    steps = subs or [plain(i.text) for i in _items(_blocks_of(src, k, deep=False))]
    return OutputFormat(title=plain(s.title), text=text, steps=tuple(steps), span=Span(file=src.file, line=s.line))


_VERSION = lazy_compile(r"^v?(\d+(?:\.\d+)*[\w.-]*)\s*(?:[(\[\-–—]\s*(\d{4}-\d{2}-\d{2})[)\]]?)?")


def _changelog(src: Source, keys: list[int]) -> tuple[ChangelogEntry, ...]:
    out: list[ChangelogEntry] = []
    for k in keys:
        for j, s in enumerate(src.sections):
            if s.parent != k:
                continue
            m = _VERSION.match(plain(s.title))
            if m:
                items = tuple(plain(i.text) for i in _items(_blocks_of(src, j)))
                out.append(ChangelogEntry(version=plain(s.title).split()[0], date=m.group(2), items=items,
                                          span=Span(file=src.file, line=s.line)))
    return tuple(out)
