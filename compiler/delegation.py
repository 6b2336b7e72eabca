"""Delegation edges found in prose, tables and bullets (the D1-D9 forms of the format notes).

Each recogniser looks at one block with its section context and yields edges with the text
that says *when* (the condition). Fenced code never reaches here: the markdown reader keeps
it as one opaque block.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Callable, NamedTuple

from agentc.compiler import lazyre, mentions, native
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.markdown import Block, ExampleTag, Heading, Label, ListItem, Paragraph, Section, Table, lead, plain
from agentc.compiler.mentions import role_like

NAME = r"[a-z0-9]+(?:[-_][a-z0-9]+)*"
_NAME_RE = lazyre.compile(rf"^{NAME}$")
# A written target: **name**, `name`, or a bare kebab-case word with at least one hyphen.
_TARGET = lazyre.compile(rf"\*\*`?({NAME})`?\*\*|`({NAME})`|(?<![\w/.@-])({NAME}-{NAME})(?![\w/@-]|\.\w)")
_NOT_AGENTS = frozenset(
    "fine-tuning end-to-end real-time state-of-the-art multi-agent step-by-step built-in "
    "third-party one-to-one high-level low-level long-term short-term up-to-date well-defined "
    "follow-up self-hosted open-source production-ready cost-effective rule-based".split()
)


# One edge a recogniser read, before structure makes its Delegation. A tuple: `_delegations`
# reads it once and drops it, and a frozen dataclass cost ~8 900 instructions to make (each field
# set through object.__setattr__), a named tuple ~3 400. Written with the types as objects, not
# as a class body: under `from __future__ import annotations` a body's annotations are strings,
# which typing.NamedTuple compiles one by one (ForwardRef), and a process's first compile()
# makes the whole `ast` type table: ~10M instructions of every process that lowers a file
# (~2.3% of a one-edit rebuild of 1000 agents), for nothing that reads them.
Found = NamedTuple("Found", [("target", str), ("condition", str), ("kind", str), ("pattern", str),
                             ("line", int), ("col", int)])


def targets_in(text: str, *, bare: bool = True) -> list[str]:
    """Agent names written in `text`, in order, without repeats."""
    out: list[str] = []
    for m in _TARGET.finditer(text):
        name = m.group(1) or m.group(2) or (m.group(3) if bare else None)
        if name and name not in _NOT_AGENTS and not name.isdigit() and name not in out:
            out.append(name)
    return out


_LEAD_NAME = lazy_compile(rf"\s*(?:the\s+)?(?:\*\*`?({NAME})`?\*\*|`({NAME})`|({NAME}-{NAME})(?![\w-]))(?:\s+(?:sub-?)?agent(s)?\b)?")
_JOIN = lazy_compile(r"\s*(?:,\s*(?:or|and)?|\bor\b|\band\b|/|\+)\s*")
_PAREN_AFTER_LEAD = lazy_compile(r"^[^()]{0,60}?\(([^)]*)\)")


def leading_targets(text: str) -> list[str]:
    """Names at the very start of `text`, joined by commas, 'or', 'and' or '/'.

    After "→ Use" the targets come first; later hyphenated words ("multi-region networking")
    are the condition, not agents. When the first phrase is not a name ("**domain experts**
    (a-expert, b-expert)"), the names in the parenthesis right after it are taken."""
    out = _leading(text, _NOT_AGENTS)
    if not out:
        m = _PAREN_AFTER_LEAD.match(text)
        if m:
            out = targets_in(m.group(1))
    return out


def _leading_py(text: str, not_agents: frozenset[str]) -> list[str]:
    """The names `_LEAD_NAME` reads at the start of `text`, joined by `_JOIN`, but those in
    `not_agents`, repeats and groups. The reference of compiler/_judge.c's `leading`, which reads
    the text once: the two patterns, tried in turn at each name and join, cost ~23 000
    instructions on "**ml-engineer** or **neural-architecture-engineer**" (~9 calls an agent)."""
    out: list[str] = []
    pos = 0
    while True:
        m = _LEAD_NAME.match(text, pos)
        if not m:
            break
        name = m.group(1) or m.group(2) or m.group(3)
        if pos == 0:
            marked = m.group(3) is None
        # "domain-specific agents" is a group, and a bare word after **marked** names is prose
        group = m.group(4) is not None or (marked and m.group(3) is not None)
        if name not in not_agents and name not in out and not group:
            out.append(name)
        pos = m.end()
        j = _JOIN.match(text, pos)
        if not j or j.end() == pos:
            break
        pos = j.end()
    return out


_leading_c = native.load("_judge", "leading")
_leading = _leading_c.leading if _leading_c is not None else _leading_py


_MARKS = lazyre.compile(r"^[\s\-*•❌✅⚠️🚫→]+")
_MARK_CHARS = frozenset("-*•❌✅⚠️🚫→")  # the class of `_MARKS` but `\s`
_NUMBER = lazyre.compile(r"^\d+[.)]\s*")
_DONT_USE = lazyre.compile(r"^(?:do not|don't|never)\s+use(?:\s+this agent|\s+[\w-]+)?\s+(?:for|when|if)\s*:?\s*", re.I)
_NOT_FOR = lazyre.compile(r"^(?:\d+[.)]\s*)?not\s+(?:for|when)\s+", re.I)


def _clean_py(text: str) -> str:
    """A condition as a reader would say it: no markup, list marks or 'do not use for'. Each
    pattern is anchored at the start and tried only when the first character can begin it (a
    substitution costs ~0.2 us even when nothing matches, and most conditions start with a
    capital letter). The reference of compiler/_judge.c's `clean` (`clean` when built: ~36 calls
    an agent, whose Python steps cost more than `plain`)."""
    text = plain(text)
    if text and (text[0] in _MARK_CHARS or text[0].isspace()):  # `\s` is str.isspace
        text = _MARKS.sub("", text)
    if text[:1].isdecimal():  # `\d` is str.isdecimal
        text = _NUMBER.sub("", text, count=1)
    if text[:1] in ("d", "D", "n", "N"):  # no other character is "d" or "n" to re.I
        text = _DONT_USE.sub("", text, count=1)
    if text[:1] in ("n", "N") or text[:1].isdecimal():
        text = _NOT_FOR.sub("", text, count=1)
    return text.strip(" \t:;,-—–").strip()


def _native_clean() -> Callable[[str], str] | None:
    """compiler/_judge.c's `clean` bound to `plain` and the patterns, or None: not built, or
    AGENTC_PURE_PYTHON set."""
    module = native.load("_judge", "clean")
    return partial(module.clean, (plain, _MARKS, _NUMBER, _DONT_USE, _NOT_FOR)) if module is not None else None


clean = _native_clean() or _clean_py


_ARROW_VERB = r"(?:→|->|=>|⇒)\s*(?P<verb>delegate to|use|consult|hand ?off to|escalate to|defer to|route to|see)"
_ARROW = lazyre.compile(rf"^(?P<cond>.*?)\s*{_ARROW_VERB}\s+(?P<rest>.+)$", re.I | re.S)
# What every `_ARROW` match holds: an arrow and a verb. Its lazy `cond` tries every place of the
# line before it gives up; most lines with an arrow have no verb after it ("BM25 → rerank → LLM").
_ARROW_THEN_VERB = lazyre.compile(_ARROW_VERB, re.I)


def _arrow_py(text: str) -> tuple[str, str, str] | None:
    """The condition, verb and rest of a D1 arrow line (`_ARROW`'s groups), or None. The reference
    of compiler/_judge.c's `arrow`, which reads the line once: the two patterns cost ~30 000
    instructions on a line with an arrow and a verb, ~11 000 on one without a verb."""
    m = _ARROW.match(text) if _ARROW_THEN_VERB.search(text) else None
    return (m.group("cond"), m.group("verb"), m.group("rest")) if m else None


_arrow_c = native.load("_judge", "arrow")
_arrow = _arrow_c.arrow if _arrow_c is not None else _arrow_py
_PAREN = lazy_compile(r"^(?P<cond>.*?)\s*\((?:delegate to|hand off to|→|(?P<soft>use|see))\s+(?P<rest>[^)]+)\)", re.I | re.S)
_DELEGATE_PHRASE = lazy_compile(r"\bdelegat(?:e|es|ing)\b(?P<what>[^.;:]{0,80}?)\bto\s+(?P<rest>.+)", re.I | re.S)
_BLOCK_HEAD = lazyre.compile(r"^(?:delegate|hand ?off|escalate|defer|route)\s+to\s+(?P<rest>.+?)(?:\s+(?:when|for|if)\b.*)?$", re.I)
_COLLAB = lazyre.compile(
    r"^(?:collaborate|coordinate|work|partner|sync|team up|liaise|align|interface|pair)\s+with\s+(?P<rest>.+)$", re.I | re.S
)
_USE = lazy_compile(r"^(?:use|prefer|try|see|ask|consult)\s+(?P<rest>.+)$", re.I | re.S)
_SUPPORT = lazy_compile(
    r"^(?P<verb>support|assist|help|guide|consult|advise|inform|notify|escalate to|hand off to|report to|share [\w\s]{1,30}? with|provide [\w\s]{1,30}? to|receive [\w\s]{1,30}? from)\s+(?P<rest>.+)$",
    re.I | re.S,
)
_USE_AGENT = lazy_compile(
    rf"\b(?:use|using|prefer|launch|invoke|call|engage|spawn|dispatch|ask|bring in|hand (?:it |this )?off to|delegate to)\s+(?:the\s+)?(?:\*\*|`)?(?P<name>{NAME}-{NAME})(?:\*\*|`)?\s+(?:sub-?)?agent\b(?:\s+(?:to|for)\s+(?P<cond>[^.!\n]*))?",
    re.I,
)
# What every `_USE_AGENT` match holds: the name's last hyphen and what follows it up to "agent"
# (the last part of a NAME-NAME is letters, digits and "_"). The full pattern tries its verbs at
# every word (~9 us a block); most blocks saying " agent" name no kebab agent right before it.
_NAME_AGENT = lazyre.compile(r"-[a-z0-9_]+(?:\*\*|`)?\s+(?:sub-?)?agent\b", re.I)
_POSITION = {
    "before": "before", "upstream": "before", "after": "after", "downstream": "after",
    "complements": "complements", "complement": "complements", "works with": "collaborate",
    "alternatives": "consult", "alternative": "consult", "see also": "consult", "related": "collaborate",
    "hands off to": "delegate", "delegates to": "delegate", "escalates to": "delegate",
}
_WITH_LEAD = lazyre.compile(r"^with\s+(.+)$")
_VS_LEAD = lazyre.compile(rf"^(?:vs\.?|versus)\s+`?({NAME})`?(?:\s+(?:sub-?)?agent)?$")
_HANDS_OVER = lazy_compile(r"\b(?:defer|delegat|hand|route|escalat|pass)\w*\b", re.I)
_UP_TO_WHEN = lazy_compile(r"^.*?(?:\s+(?:sub-?)?agents?)?\s+(?:for|to|when|if)\s+")
_REASON = lazy_compile(r"\s+(?:for|when|if|because|since|as)\s+")
_WHO_ON = lazy_compile(r"^(?P<who>.*?)\s+(?:on|for|to|in|regarding|about|during|when|with)\s+(?P<cond>.+)$", re.S)
_SPLIT = lazy_compile(r"\s*(?:,|;|\bor\b|\band\b|/|\+)\s*")


# A "." not after a word or another ".", at a blank or the end; or ";" or ":" before a blank. Each
# choice starts with its character (the lookbehind checks the one before the "."): a lookbehind
# first made the engine test it at every position (~2 us on a 50-character clause, ~0.6 so).
_CLAUSE_END = lazyre.compile(r"\.(?<![.\w]\.)(?:\s|$)|[;:]\s")


def _upto_sentence(text: str) -> tuple[str, str]:
    """The clause holding the target(s), and what follows it. Most hold none of ".;:" (the
    targets right after "→ Delegate to"): then the search is not made."""
    if "." not in text and ";" not in text and ":" not in text:
        return text, ""
    m = _CLAUSE_END.search(text)
    return (text[: m.start()], text[m.end():]) if m else (text, "")


def find(block: Block, role: str, self_name: str) -> list[Found]:
    """Every delegation written in one block; `role` is the section's effective role. (Lists, not
    generators, here and below: ~30 blocks an agent get here, most yielding nothing.)"""
    kind = type(block)  # blocks are never subclassed: a type test each, not isinstance
    if kind is Table:
        return _table(block)
    if kind is ListItem or kind is Paragraph:
        return _text(block.text, block.line, block.col, role, self_name)
    if kind is ExampleTag:
        return _use_agent(block.text, block.line, block.col, self_name)
    return []


def find_blocks(blocks: list[Block], indices: list[int], owner: list[int | None], roles: list[str],
                self_name: str) -> dict[int, list[Found]]:
    """`find` in each of `blocks[indices]`, in the role of its section (`owner`, `roles`; "other"
    outside any): the edges of each block yielding any, by its index, in the order of `indices`."""
    return _find_blocks(blocks, indices, owner, roles, self_name)


def _find_blocks_py(blocks: list[Block], indices: list[int], owner: list[int | None], roles: list[str],
                    self_name: str) -> dict[int, list[Found]]:
    """`find_blocks`. The reference of compiler/_judge.c's `find_blocks`, which reads a list item's or
    paragraph's text as `find_text` does and asks `find` of any other block: most of the ~32
    blocks of a generated agent that `_delegations` visits yield nothing, and the Python loop over
    them and each `find` call cost more than reading them."""
    out = {}
    for index in indices:
        k = owner[index]
        if found := find(blocks[index], roles[k] if k is not None else "other", self_name):
            out[index] = found
    return out


def _native_blocks() -> Callable[..., dict[int, list[Found]]] | None:
    """compiler/_judge.c's `find_blocks` bound to `find_text`'s env, the two kinds of block it reads,
    and `find` for the others, or None: not built, or AGENTC_PURE_PYTHON set."""
    module, text = native.load("_judge", "find_blocks"), _native_text()
    if module is None or text is None:
        return None
    return partial(module.find_blocks, (text.args[0], ListItem, Paragraph, find, "other"))


# A title that is "Delegate to " and one bare kebab name (most D2 titles): `_BLOCK_HEAD` would
# take the name whole as `rest` and `targets_in` would give it back, ~20K Ir of regex a title.
# `{NAME}-{NAME}` as one reading: names joined by "_" up to the first "-" (the same strings; the
# two greedy NAMEs tried every "-" as the one between them: `block_targets` ~9 900 -> ~7 000
# instructions a title).
_BARE_TARGET = lazyre.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*-[a-z0-9]+(?:[-_][a-z0-9]+)*")


def _block_targets_py(title: str) -> list[str]:
    """Targets named by a `**Delegate to x**:` label or heading (D2), from its plain title. Each
    form starts with d, h, e or r: other titles (most) are not matched. The reference of
    compiler/_judge.c's `block_targets`, which reads "Delegate to " and one bare name itself
    (~8 titles an agent, ~1.3 -> ~0.1 us each) and hands any other title here."""
    if title.startswith("Delegate to ") and _BARE_TARGET.fullmatch(title, 12):
        return [title[12:]] if title[12:] not in _NOT_AGENTS else []
    m = _BLOCK_HEAD.match(title) if title[:1] in "dherDHER" else None
    return targets_in(m.group("rest"), bare=True) if m else []


_block_targets_c = native.load("_judge", "block_targets")
block_targets: Callable[[str], list[str]] = (partial(_block_targets_c.block_targets, (_NOT_AGENTS, _block_targets_py))
                                             if _block_targets_c is not None else _block_targets_py)


def heads(titles: list[str], sections: list[Section], blocks: list[Block]) -> dict[int, tuple[int, list[str], str, list[int]]]:
    """The D2 blocks ("**Delegate to x**:" then bullets that say when), by the index of the block
    that opens each: (its section, the targets its title names, the condition, the indices of the
    bullets that say it). `titles`: the sections' plain titles."""
    return _heads(titles, sections, blocks, ListItem, block_targets, clean)


def _heads_py(titles: list[str], sections: list[Section], blocks: list[Block], list_item: type,
              targets_of: Callable[[str], list[str]], clean: Callable[[str], str]) -> dict[int, tuple[int, list[str], str, list[int]]]:
    """`heads`: for each section whose title `_head_starts` keeps and `targets_of` (`block_targets`)
    reads targets in, the top-level items (`list_item`: ListItem; the shallowest indent among them)
    among its blocks before its first subsection, their `clean` texts joined by "; " the condition.
    The reference of compiler/_judge.c's `heads`, one call an agent: per head, the slice, the two
    list comprehensions and the join cost ~30 000 instructions (~8 heads a generated agent)."""
    out = {}
    for k in _head_starts(titles):
        if not (targets := targets_of(titles[k])):
            continue
        start, end = sections[k].start, sections[k].end
        if k + 1 < len(sections) and sections[k + 1].parent == k:
            end = sections[k + 1].start
        items = [i for i in range(start + 1, min(end, len(blocks))) if type(blocks[i]) is list_item]
        if items:
            top = min(blocks[i].indent for i in items)
            items = [i for i in items if blocks[i].indent == top]
        out[start] = (k, targets, "; ".join(clean(blocks[i].text) for i in items), items)
    return out


_heads_c = native.load("_judge", "heads")
_heads = _heads_c.heads if _heads_c is not None else _heads_py


# What every title `block_targets` reads targets from starts with: a verb of `_BLOCK_HEAD` and a
# blank ("Delegate to " too).
_HEAD_START = lazy_compile(r"(?:delegate|hand ?off|escalate|defer|route)\s", re.I)  # built: only the tests use it


def _head_starts_py(titles: list[str]) -> list[int]:
    """The indices of the titles `_HEAD_START` matches. The reference of compiler/_judge.c's
    `head_starts`, which reads each title's first characters in one call: finding the heads of a
    generated agent's 56 titles went ~178 000 -> ~63 000 instructions (the Python loop tested
    each, and called `block_targets` for the ~20 starting with d, h, e or r; 8 are heads)."""
    return [k for k, title in enumerate(titles) if _HEAD_START.match(title)]


_head_starts_c = native.load("_judge", "head_starts")
_head_starts = _head_starts_c.head_starts if _head_starts_c is not None else _head_starts_py


def is_delegate_head(head: Label | Heading) -> bool:
    return bool(_BLOCK_HEAD.match(plain(head.title)))


# Pieces of text without which `find` yields nothing in a block outside delegation and avoid
# sections and tables: a piece of each trigger below, and "agent" (D7). None holds a blank, so
# none can be split across the lines of a block; lines holding none are never read one by one.
CUES = ("→", "->", "=>", "⇒", "delegat", "collaborat", "coordinat", "with", "partner", "team", "liaise", "**vs",
        "**versus", "(use", "(see", "(hand", "agent")
ALWAYS_READ = ("delegation", "avoid_when")  # roles whose every block is read

# Words without which no line-level pattern can match; most lines of a body have none of them.
_TRIGGERS = ("→", "->", "=>", "⇒", "delegat", "collaborat", "coordinat", "work with", "works with", "partner",
             "sync with", "team up", "liaise", "align with", "interface with", "pair with", "**with", "**vs", "**versus", "(use", "(see",
             "(hand", "(→")

# What a one-line list item or paragraph must hold for `find` to yield anything outside
# delegation and avoid sections: a trigger (`_line`) or "agent" (`_use_agent`). A longer
# block joins its lines with a blank, so a trigger may span two of them: it is tested whole.
LINE_TRIGGERS = (*_TRIGGERS, "agent")


# The words `_line` and `find` test a block's lowercased text for, by group: `_holding(text, _WORDS)`
# sets bit g when the text holds a word of group g. A line must hold a word of `_TRIGGERS`, and one
# of the pieces before them (which most triggers hold; "**versus" alone is not read), to yield
# outside delegation and avoid sections.
_WORDS = (
    ("→", "-", "=", "⇒", "with", "(", "**vs", "delegat", "collaborat", "coordinat", "partner", "team up", "liaise"),
    _TRIGGERS,
    ("agent",),
    ("(delegate to", "(hand off to", "(→"),
    ("delegat",),
    ("→", "->", "=>", "⇒"),
)
_PIECE, _TRIGGER, _AGENT, _PAREN_CUE, _DELEGAT, _ARROWS = (1 << g for g in range(len(_WORDS)))


def _holding_py(text: str, groups: tuple[tuple[str, ...], ...]) -> int:
    """Bit g set when `text.lower()` holds a word of `groups[g]`. The reference of
    compiler/_judge.c's `holding`, which reads the text once for every word (~30 tests of
    `in` on the lowered text of each block `find` reads, and its lowering, cost ~20 000
    instructions a block, most yielding nothing)."""
    low = text.lower()
    mask = 0
    for g, words in enumerate(groups):
        for word in words:
            if word in low:
                mask |= 1 << g
                break
    return mask


_holding_c = native.load("_judge", "holding")
_holding = _holding_c.holding if _holding_c is not None else _holding_py


def _text_py(text: str, line: int, col: int, role: str, self_name: str) -> list[Found]:
    """`find` in a list item or paragraph at (`line`, `col`). The reference of compiler/_judge.c's
    `find_text`, which reads the forms most texts take in one call and hands the others back here."""
    holds = _holding(text, _WORDS)
    # outside delegation and avoid sections `_line` yields nothing without a piece and a
    # trigger: most texts here hold neither ("agent" alone brought them) and skip the call
    always = role in ALWAYS_READ
    found = _line(text, line, col, role, holds, always) if always or holds & _PIECE and holds & _TRIGGER else []
    # every `_USE_AGENT` match says "agent" (re.I folds no other character to its letters)
    if holds & _AGENT and (used := _use_agent(text, line, col, self_name)):
        named = {f.target for f in found}
        found += [f for f in used if f.target not in named]
    return found


def _native_text() -> Callable[[str, int, int, str, str], list[Found]] | None:
    """compiler/_judge.c's `find_text` bound to what it reads with (the words, `lead`, the names
    that are no agents, `clean`'s patterns) and the reference it hands rare texts to, or None: not
    built, or AGENTC_PURE_PYTHON set."""
    module = native.load("_judge", "find_text")
    if module is None:
        return None
    return partial(module.find_text, (_WORDS, ALWAYS_READ, lead, _NOT_AGENTS, (plain, _MARKS, _NUMBER, _DONT_USE, _NOT_FOR), _text_py))


def _line(text: str, line: int, col: int, role: str, holds: int, always: bool) -> list[Found]:
    """Each form below is tried only when the text holds the words its pattern cannot match
    without (most lines that get here hold one trigger, not every form's); `holds`: the text's
    `_holding(text, _WORDS)`, `always`: `role in ALWAYS_READ`. Outside delegation and avoid
    sections, only a text holding a piece and a trigger gets here (`find`)."""
    out: list[Found] = []
    title, rest = lead(text)
    if title is not None:
        # a lead's forms, each tried only where it can match: `_WITH_LEAD` and `_VS_LEAD` (no re.I)
        # start with "with" and "v", and an agent bullet is read only in delegation and avoid sections
        low = title.lower()
        with_m = _WITH_LEAD.match(low) if low.startswith("with") else None
        if with_m and (names := targets_in(with_m.group(1)) or ([with_m.group(1)] if _NAME_RE.match(with_m.group(1)) else [])):
            for name in names:
                out.append(Found(name, clean(rest), "collaborate", "D4 with-bullet", line, col))
            return out
        vs = _VS_LEAD.match(low) if low.startswith("v") else None
        if vs and ("-" in vs.group(1) or role == "delegation"):
            # a named boundary; a delegation only when the line hands work over ("defers ops to x")
            hands = _HANDS_OVER.search(rest)
            out.append(Found(vs.group(1), clean(rest), "delegate" if hands else "compare", "D6 distinction", line, col))
            return out
        if low in _POSITION and role == "delegation":
            for chunk in re.split(r",\s*(?![^()]*\))", rest):
                why = re.search(r"\(([^)]*)\)", chunk)
                for name in targets_in(re.sub(r"\([^)]*\)", "", chunk)):
                    out.append(Found(name, clean(why.group(1)) if why else "", _POSITION[low], "D6 workflow position", line, col))
            return out
        if always and _NAME_RE.match(title) and (role == "delegation" or "-" in title):
            out.append(Found(title, clean(rest), "delegate", "D4 agent bullet", line, col))
            return out
    arrow = _arrow(text) if holds & _ARROWS else None
    if arrow:
        before, verb, rest = arrow
        clause, after = _upto_sentence(rest)
        names = leading_targets(clause)
        if verb.lower() in ("use", "see"):  # "→ use `flowchart`": a thing, not an agent
            names = [n for n in names if "-" in n or role_like(n)]
        cond = clean(before) or clean(after) or clean(re.sub(_TARGET, "", clause))
        kind = "consult" if verb.lower() == "consult" else "delegate"
        for name in names:
            out.append(Found(name, cond, kind, "D1 arrow", line, col))
        if names:
            return out
    # outside delegation and avoid sections only "(delegate to", "(hand off to" and "(→" count
    paren = _PAREN.match(text) if ("(" in text if always else holds & _PAREN_CUE) else None
    if paren and (not paren.group("soft") or always) and (names := leading_targets(paren.group("rest"))):
        for name in names:
            out.append(Found(name, clean(paren.group("cond")), "delegate", "D1 parenthesis", line, col))
        return out
    body = clean(text)
    use = _USE.match(body) if always else None
    if use and (names := leading_targets(use.group("rest"))):
        tail = _UP_TO_WHEN.sub("", use.group("rest"), count=1)
        for name in names:
            out.append(Found(name, clean(tail) if tail != use.group("rest") else "", "delegate", "D1 use-instead", line, col))
        return out
    collab = _COLLAB.match(body)
    if collab:
        return _verb_phrase(collab.group("rest"), "collaborate", "D5 collaborate-with", line, col)
    support = _SUPPORT.match(body) if role == "delegation" else None
    if support:
        kind = "consult" if support.group("verb").lower() in ("consult", "advise") else "collaborate"
        return _verb_phrase(support.group("rest"), kind, "D5 verb phrase", line, col)
    phrase = _DELEGATE_PHRASE.search(text) if holds & _DELEGAT else None
    if phrase:
        clause, _ = _upto_sentence(phrase.group("rest"))
        what = clean(phrase.group("what"))
        before = clean(text[: phrase.start()])
        for name in targets_in(_REASON.split(clause, maxsplit=1)[0]):
            out.append(Found(name, what or title or before or clean(clause), "delegate", "D1 delegate-to phrase", line, col))
    return out


_text = _native_text() or _text_py
_find_blocks = _native_blocks() or _find_blocks_py


def _verb_phrase(rest: str, kind: str, pattern: str, line: int, col: int) -> list[Found]:
    """`x [and y] on/for/to <condition>` after a collaboration verb."""
    m = _WHO_ON.match(rest)
    who, cond = (m.group("who"), m.group("cond")) if m else (rest, "")
    return [Found(name, clean(cond), kind, pattern, line, col) for name in leading_targets(who)]


def _use_agent(text: str, line: int, col: int, self_name: str) -> list[Found]:
    # the pattern needs a kebab name, a blank and "agent" (`_NAME_AGENT`): most lines that say
    # "agent" say "multi-agent", "agentic" or "the agent", and the full pattern tries its verbs at every word
    out: list[Found] = []
    if "-" not in text or not _NAME_AGENT.search(text):
        return out
    for m in _USE_AGENT.finditer(text):
        name = m.group("name").lower()
        if name == self_name or name in ("task", "general-purpose", "this", "that", "an", "a", "another", "other"):
            continue  # an agent's own examples say when *it* is used, not a delegation
        row = text.count("\n", 0, m.start())
        out.append(Found(name, clean(m.group("cond") or ""), "delegate", "D7 use-the-agent", line + row, col))
    return out


_DELEGATE_COL = lazy_compile(r"delegate", re.I)
_TARGET_COL = lazy_compile(r"delegate|agent|specialist|hand ?off|route|escalat|use instead|owner", re.I)
_COND_COL = lazy_compile(r"when|scenario|task|situation|use case|trigger|condition|need|request|if\b", re.I)


# Its header tells whether a table names targets, and where: worked out once per distinct header,
# as tables repeat theirs across a project's agents (a generated agent's one table, "Failure Mode |
# Prevention | Recovery", cost ~4 us of pattern searches, every cell of it tried with each).
@mentions.memo(1024)
def _columns(header: tuple[str, ...]) -> tuple[int | None, int | None, int | None]:
    """The columns of a table with this header (its cells as written) holding the targets, the
    condition and the "parallel" mark (None: none; no target column, no others)."""
    header = tuple(plain(h) for h in header)
    tcol = next((k for k, h in enumerate(header) if _DELEGATE_COL.search(h)), None)
    if tcol is None:
        tcol = next((k for k, h in enumerate(header) if _TARGET_COL.search(h)), None)
    if tcol is None:
        return None, None, None
    ccol = next((k for k, h in enumerate(header) if k != tcol and _COND_COL.search(h)), None)
    if ccol is None:
        ccol = next((k for k in range(len(header)) if k != tcol), None)
    pcol = next((k for k, h in enumerate(header) if "parallel" in h.lower()), None)
    return tcol, ccol, pcol


_QUALIFIER = lazy_compile(r"(?<=[\w*`])\s*\(\s*`?[\w-]+`?\s*\)")  # "rho-agent (mobile-suite)": a plugin, not an agent


def _table(table: Table) -> list[Found]:
    out: list[Found] = []
    tcol, ccol, pcol = _columns(tuple(table.header))
    if tcol is None:
        return out
    for line, cells in table.rows:
        cell = cells[tcol] if tcol < len(cells) else ""
        cond = clean(cells[ccol]) if ccol is not None and ccol < len(cells) else ""
        par = pcol is not None and pcol < len(cells) and re.search(r"✅|✓|✔|\byes\b|\btrue\b", cells[pcol], re.I)
        for name in targets_in(_QUALIFIER.sub("", cell)):
            out.append(Found(name, cond, "parallel" if par else "delegate", "D3 table" if pcol is None else "D9 parallel table", line, 1))
    return out
