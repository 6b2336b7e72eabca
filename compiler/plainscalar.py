"""Which plain YAML scalars PyYAML reads as strings, answered without importing PyYAML.

A plain (unquoted) scalar is a string unless one of YAML 1.1's implicit resolvers takes it (null,
bool, int, float, timestamp, merge, value): PyYAML's Resolver tries those filed under the
scalar's first character, each a pattern of lazyre.YAML_RESOLVERS. The front end asks this of
every `key: value` line it reads itself, the claude target of every value it writes unquoted and
reads back. Importing PyYAML for that answer was ~40M instructions of a one-edit rebuild of 1000
agents (~8%), which reads and writes no other YAML. tests/test_plainscalar.py checks the table
is PyYAML's own and compares the answers.
"""

from __future__ import annotations

import re

from agentc.compiler.lazyre import YAML_RESOLVERS, lazy_compile
from agentc.compiler.mentions import memo


def _by_first() -> dict[str, tuple[re.Pattern[str], ...]]:
    """First character ("" for the empty scalar) -> the patterns PyYAML tries, in its order;
    each compiled on first use (a seed agent's values start with one of a few letters)."""
    table: dict[str, list[re.Pattern[str]]] = {}
    for _, pattern, flags, firsts in YAML_RESOLVERS:
        rx = lazy_compile(pattern, flags)
        for first in firsts:
            table.setdefault(first, []).append(rx)
    return {first: tuple(rxs) for first, rxs in table.items()}


_BY_FIRST = _by_first()


# A memo: an agent's keys and most of its short values are every agent's ("name", "model", "sonnet"),
# and a word filed under a letter of YAML's booleans or null ("name", "tools", "opus") was tried
# against their patterns each time, ~1.2 us for "name" (a hit ~0.05 us).
@memo(4096)
def is_str(text: str) -> bool:
    """Whether YAML reads the plain scalar `text` as a str: PyYAML's
    `Resolver().resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"`."""
    for rx in _BY_FIRST.get(text[:1], ()):
        if rx.match(text):
            return False
    return True
