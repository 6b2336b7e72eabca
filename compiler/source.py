"""The source model: one agent file read into frontmatter entries, blocks and sections.

Nothing here interprets the body beyond giving each section a role from its title; lowering
and structure extraction read this model and never the raw text again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agentc.compiler import lazyre, markdown, mentions, native
from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.frontmatter import Entry, read_frontmatter
from agentc.compiler.frozen import lean
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.markdown import Block, outline, parse_blocks, plain
from agentc.compiler.span import Span

# Section roles by title, first match wins. Titles are normalised first (no numbering, emoji,
# parentheses or markup), so "### 2. Code Completeness Check (5 items)" reads "code completeness check".
_ROLES = (
        ("avoid_when", r"\b(do not use|don'?t use|not use|avoid|when not|not for|out of scope|anti-?patterns?|limitations?|not the right)\b"),
        ("use_when", r"\b(use when|when to (use|invoke|call)|use (this agent|it)? ?for|use cases?|invoke when|ideal for|triggers?|activation|when to engage)\b"),
        ("checklist", r"checklist|validation|verif|quality gates?|self-checks?|pre-flight|\bchecks?$"),
        ("changelog", r"change ?log|version history|release notes"),
        ("failure_modes", r"failure|pitfalls?|common mistakes|troubleshoot|error recovery|recovery (?:playbook|procedures?|steps)"),
        ("examples", r"\bexamples?\b|few-shot|interactions?|sample (requests|dialog)"),
        ("delegation", r"delegat|integration with|collaborat|hand-?offs?|related agents|works? with|coordinat|workflow position|other agents|agent (roster|network|team)"),
        ("output_format", r"response (structure|format|template)|output (format|structure)|deliverables?|\bformat\b|report structure"),
        ("mission", r"mission|purpose|objective|your role|\bgoals?\b"),
        ("principles", r"principles?|behavioral traits|\btraits\b|guidelines|\bvalues\b|philosophy|\brules\b|best practices|constitution"),
        ("standards", r"standards|quality"),
        ("decision", r"decision|framework|chain-of-thought|reasoning|methodology|process|approach|workflow"),
        ("capabilities", r"capabilit|expertise|skills|knowledge|competenc|speciali[sz]|responsibilit|focus areas|\bcore\b"),
        ("metadata", r"metadata|agent info|\bversion\b"),
)
ROLES: tuple[tuple[str, re.Pattern], ...] = tuple((role, lazy_compile(rx, re.I)) for role, rx in _ROLES)
# The same patterns without re.I, for a title that is all ASCII: lowered, it holds no capital, and the
# patterns none, so the two match alike; under re.I the engine folds the case of every character it
# compares (a title missing the cache, such as "Delegate to agent-0042": ~16 -> ~7 us). ROLES,
# lazy, is compiled only when a title is not ASCII.
_ASCII_ROLES: tuple[tuple[str, re.Pattern], ...] = tuple((role, lazyre.compile(rx)) for role, rx in _ROLES)


# What a title's role is read without: anything in parentheses, leading punctuation, a step number.
# From lazyre's kept code: as re.sub's own patterns, each process compiled them (~1M instructions).
_PARENTHESES = lazyre.compile(r"\([^)]*\)")
_LEAD = lazyre.compile(r"^[^\w]+")
_STEP = lazyre.compile(r"^(?:step\s+)?\d+(?:\.\d+)*[.):]?\s*", re.I)


_DIGITS = lazyre.compile(r"\d+")


def _plain_title(title: str) -> str:
    """What a title's role is read from: its plain text without parentheses, leading punctuation
    and numbering, lowered."""
    t = plain(title)
    # each substitution only where it can match (a call of one that does not cost ~4K instructions):
    # \w is a str's isalnum() or "_", \d its isdecimal(), and re.I matches "s" with "S" and "\u017f"
    if "(" in t:
        t = _PARENTHESES.sub(" ", t)
    if t and not (t[0].isalnum() or t[0] == "_"):
        t = _LEAD.sub("", t)
    if t[:1].isdecimal() or t[:1] in "sS\u017f":
        t = _STEP.sub("", t)
    return t.strip(" :").lower()


@mentions.memo(4096)  # called from _markdown.c's roles per section: a hit costs ~30 instructions, not lru_cache's ~1K
def role_of(title: str) -> str:
    # No pattern of ROLES holds a digit, and each reads one only as a word character: a run of
    # digits read as "0" gives the same role, and titles that differ only in their numbers
    # ("Delegate to agent-0042", one of its own per agent) share one search of the patterns
    # (~30K instructions; tests/test_source_roles.py checks both).
    return _role_of_text(_DIGITS.sub("0", _plain_title(title)))


@mentions.memo(4096)
def _role_of_text(t: str) -> str:
    """The role of a plain title (`_plain_title`): the first of ROLES whose pattern it holds."""
    for role, rx in _ASCII_ROLES if t.isascii() else ROLES:
        if rx.search(t):
            return role
    return "other"


@lean()
class Source:
    """What the reader found in one file, before lowering."""

    file: str
    scope: str | None
    body: str | bytes  # the text as read (`text_of`) from line body_start + 1 on (`body_of`): the prompt,
    # as an agent holds it (`ir.AgentIR.body`): its UTF-8 bytes where they are well-formed, without a CR
    lines: list[str]
    entries: dict[str, Entry]
    body_start: int
    blocks: list[Block]
    sections: list[Any]
    roles: list[str]  # effective role per section (own, else the parent's)
    diagnostics: list[Diagnostic]
    owner: list[int | None]  # innermost section of each block
    broken: set[str]  # frontmatter keys present but unreadable (already reported)


# Agent files are prompts of a few kilobytes; past this a file is refused, not parsed, so no file
# in a repository can make a CI run of agentc slow or large.
MAX_FILE_BYTES = 4 * 1024 * 1024


BOM = b"\xef\xbb\xbf"


def text_of(data: bytes) -> str:
    """A file's bytes as the reader reads them: no BOM, UTF-8 with a bad byte as U+FFFD, CR LF and
    a lone CR as LF. The build cache rebuilds an agent's body from this (`body_of`)."""
    text = data.removeprefix(BOM).decode("utf-8", errors="replace")
    if "\r" in text:  # a cheap test first: looking for the pair "\r\n" costs a whole pass (~25 us per 32 KB)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# `text_of(data).split("\n")` done on the bytes (see _markdown.c), or None when they hold a CR.
_utf8_lines = getattr(native.load("_markdown", "utf8_lines"), "utf8_lines", None)


def body_of(text: str, body_line: int) -> str:
    """The text from line `body_line` (1-based) on: an agent's body, as lowering takes it from
    the text it read and the build cache from the file's bytes (`codec.source_body`); "" when
    the text has fewer lines. Sliced, not joined again from ~800 lines."""
    at = 0
    for _ in range(body_line - 1):
        at = text.find("\n", at) + 1
        if not at:
            return ""
    return text[at:]


def _held_body_py(data: bytes, body_start: int) -> bytes | str:
    """`body_of(text_of(data), body_start + 1)` for bytes without a CR, as an agent holds it
    (`ir.AgentIR.body`): the body's own bytes when they are well-formed UTF-8 and hold no U+FFFD
    (b"" when the file has fewer lines), else decoded, with each bad byte as U+FFFD (a str with
    one asks read_source for AGC002). A "\n" byte is never inside a UTF-8 sequence, so a bad byte
    reads as the same U+FFFD here as in the whole. _markdown.c's utf8_held is this, checking the
    bytes without decoding them."""
    at = 3 if data.startswith(BOM) else 0
    for _ in range(body_start):
        at = data.find(b"\n", at) + 1
        if not at:
            return b""
    body = data[at:]
    text = str(body, "utf-8", "replace")
    return text if "\ufffd" in text else body


_held_body = getattr(native.load("_markdown", "utf8_held"), "utf8_held", _held_body_py)


def _undecodable(file: str, data: bytes) -> list[Diagnostic]:
    """AGC002 at the first byte of `data` (the file without its BOM) that is not UTF-8, if any."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        excerpt = data.decode("utf-8", errors="replace").split("\n")[line - 1]
        return [diag("AGC002", Span(file=file, line=line, col=col), f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                     hint="save the file as UTF-8", excerpt=excerpt)]
    return []


def _owners_py(sections: list[Any], blocks: int) -> list[int | None]:
    """The innermost of `sections` (markdown.outline's, parents first) holding each of `blocks`
    blocks. _markdown.c's owners is this loop in C."""
    owner: list[int | None] = [None] * blocks
    for k, s in enumerate(sections):  # parents come first, so nested sections overwrite them
        owner[s.start : s.end] = [k] * (s.end - s.start)
    return owner


_owners = markdown._c.owners if markdown._c is not None else _owners_py


def _roles_py(sections: list[Any], role_of: Callable[[str], str]) -> list[str]:
    """The effective role of each of `sections` (markdown.outline's, parents first): its title's
    (`role_of`), else its parent's. _markdown.c's roles is this loop in C."""
    roles: list[str] = []
    for s in sections:
        own = role_of(s.title)
        roles.append(own if own != "other" or s.parent is None else roles[s.parent])
    return roles


_roles = markdown._c.roles if markdown._c is not None else _roles_py


def read_source(file: str, data: bytes, scope: str | None = None) -> Source:
    diags: list[Diagnostic] = []
    if len(data) > MAX_FILE_BYTES:
        diags.append(diag("AGC108", Span(file=file, line=1), f"file is {len(data)} bytes; agentc reads agent files of at most {MAX_FILE_BYTES}",
                          hint="an agent file is a prompt; move reference material out of it"))
        return Source(file, scope, "", [""], {}, 1, [], [], [], diags, [], {"name", "description"})  # reported above
    lines = _utf8_lines(data) if _utf8_lines is not None else None
    text = None if lines is not None else text_of(data)  # only when the lines came from it
    if lines is None:
        lines = text.split("\n")
    for line in lines:  # `not text.strip()`; stops at the first line mostly (a loop: a generator left open was closed when freed)
        if line and not line.isspace():
            break
    else:
        diags.append(diag("AGC003", Span(file=file, line=1), "file is empty; it defines no agent",
                          hint="add frontmatter with 'name:' and 'description:', or remove the file"))
        return Source(file, scope, "", lines, {}, len(lines), [], [], [], diags, [], set())
    fm = read_frontmatter(file, lines)
    body = _held_body(data, fm.body_start) if text is None or b"\r" not in data else body_of(text, fm.body_start + 1)
    if type(body) is str and "\ufffd" in body or any("\ufffd" in line for line in lines[: fm.body_start]):  # a bad byte, or U+FFFD itself
        diags += _undecodable(file, data.removeprefix(BOM))
    diags += fm.diagnostics
    blocks, more = parse_blocks(lines, 1, file, fm.body_start)
    diags += more
    sections = outline(blocks, len(lines))
    roles = _roles(sections, role_of)
    owner = _owners(sections, len(blocks))
    return Source(file, scope, body, lines, fm.entries, fm.body_start, blocks, sections, roles, diags, owner, fm.broken)
