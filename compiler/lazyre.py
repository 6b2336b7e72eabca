"""Regular expressions compiled on first use instead of when their module is imported.

The front end defines ~130 patterns at module level. Compiling them all took ~17 ms of every
build that lowers a file (a tenth of a 1-agent build, most of a one-edit rebuild's own work),
yet one agent uses only some: on a real collection, a single agent leaves about 60% of the
compile time unused; on the generated benchmark agents, ~30%. The patterns that are rare per
agent (fewer than ~5 uses per agent on ../shared/corpus and on the benchmark's agents) are made
with `lazy_compile` and cost nothing until a text needs them; the ones every agent uses stay
`re.compile`d at import, as lazy would only move their cost.
"""

from __future__ import annotations

import re
from typing import cast

# The attributes of a compiled pattern that the front end reads (all its public ones).
_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner", "groups", "groupindex")


class LazyPattern:
    """Stands in for `re.compile(pattern, flags)` until first used. `pattern` and `flags` are
    there from the start (e.g. `X.pattern.split("|")` at import does not compile)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> object:
        # Python calls __getattr__ only for a name the object does not have: the first use of
        # a method. Compile, then keep the compiled pattern's bound methods on the object, so
        # every later `X.search(...)` finds them directly and pays no more than a real pattern.
        if name not in _METHODS:
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self.pattern!r}, {self.flags!r})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled when first used (typed as the pattern it becomes)."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))
