"""crew.py compiled to check it, without its repeats.

crew.py holds one method per worker and one block of delegation tools per delegating worker,
each as templates/crew.py.j2 and files.delegation_tools write them: at 1000 agents 1.1 MB,
which compile() took ~100 ms to parse. Those blocks differ only in names and in a string of
safe characters, so each is valid exactly where the first of its run is: `repeats_dropped`
keeps the first block of each run of adjacent ones and drops the rest (1.1 MB -> 5 KB), and
compiling that says whether the file compiles. Only a failure compiles the whole file, for the
message the file's own line numbers give.

Why dropping is sound: a dropped block is a statement (or two) of the same shape as the block
before it, and starts where that one ended (after a newline, so not in a one-quoted string, and
no block holds three quotes in a row, so none ends a three-quoted one). Its names are checked
(ASCII, not a keyword, not __debug__), its strings hold no quote, backslash or newline. Only a
`global` or `nonlocal` could make a name's earlier binding matter: a file with either word is
compiled whole.
"""

from __future__ import annotations

import keyword
import re

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# A worker's method (crew.py.j2's {% for w in plan.workers %}); group 1: its key.
_WORKER = re.compile(
    r"\n\n    @agent\n"
    rf"    def ({_IDENT})\(self\) -> TeamAgent:\n"
    r"        return TeamAgent\(\n"
    r'            config=self\.agents_config\["\1"\],\n'
    r'            llm=self\.model_for\("\1"\),\n'
    r'            agent_key="[A-Za-z0-9_:.@+ -]*",\n'
    r"            verbose=False,\n"
    r"        \)")
# A delegating worker's tools in crew() (crew.py.j2's {% for w in delegating %}), in any of
# delegation_tools' three layouts (spaces and newlines inside brackets are all alike to Python);
# group 1: its key, group 2: its delegates' calls.
_TOOLS = re.compile(
    rf"\n        ({_IDENT}) = self\.\1\(\)\n"
    r"        \1\.tools = \[\n"
    r"            \*\(\1\.tools or \[\]\),\n"
    rf"            \*\1\.get_delegation_tools\([ \n]*\[[ \n]*((?:self\.{_IDENT}\(\),[ \n]*)*self\.{_IDENT}\(\),?)"
    r"[ \n]*\][ \n]*\),\n"
    r"        \]")
_NAME = re.compile(_IDENT)
_RESERVED = frozenset([*keyword.kwlist, "__debug__"])  # soft keywords (match, case, _) are names


def repeats_dropped(text: str) -> str:
    """`text` less every worker block that directly follows one of the same shape: it
    compiles exactly when `text` does."""
    if "global" in text or "nonlocal" in text:  # a substring test: a regex's \b took 23 ms of 1.1 MB
        return text
    for pattern in (_WORKER, _TOOLS):
        kept, at, end = [], 0, -1
        for m in pattern.finditer(text):
            if m.start() == end and _plain_names(m):
                kept.append(text[at:m.start()])
                at = m.end()
            end = m.end()
        if at:
            kept.append(text[at:])
            text = "".join(kept)
    return text


def _plain_names(m: re.Match) -> bool:
    """Every name the block binds or calls may be one: not a keyword (`def class`), not __debug__."""
    return _RESERVED.isdisjoint(_NAME.findall(" ".join(m.groups())))
