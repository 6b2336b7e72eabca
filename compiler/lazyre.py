"""The front end's regular expressions: compiled on first use, and from a cache of compiled code.

The front end defines ~130 patterns at module level. Compiling them all took ~17 ms of every
build that lowers a file (a tenth of a 1-agent build, most of a one-edit rebuild's own work),
yet one agent uses only some: on a real collection, a single agent leaves about 60% of the
compile time unused; on the generated benchmark agents, ~30%. The patterns that are rare per
agent (fewer than ~5 uses per agent on ../shared/corpus and on the benchmark's agents) are made
with `lazy_compile` and cost nothing until a text needs them; the ones every agent uses are
made at import, as lazy would only move their cost.

Both kinds are made by `compile` below, since compiling the ones a build uses still cost every
process ~4-5% of a 1-agent build's instructions (callgrind), for patterns that never change.
`compile` keeps what `re` compiles them to (the code list `_sre.compile` takes) in
`__pycache__` (`pycache.Kept`): the next process builds each pattern straight from it, with no
parsing or compiling. Anything unexpected (a missing, stale or damaged file, an `re` whose
internals moved) falls back to `re.compile`. Only the patterns written in the front end's
modules go through it, so it holds a fixed set.
"""

from __future__ import annotations

import os
import re
import sys
from types import ModuleType
from typing import cast

from agentc.compiler.pycache import FOLDER, Kept

try:  # CPython's regex engine and its compiler (Python 3.11+); elsewhere, plain re.compile
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - not CPython
    _sre = None  # type: ignore[assignment]

if _sre is not None and (_sre.CODESIZE != 4 or memoryview(b"").cast("I").itemsize != 4):  # pragma: no cover
    _sre = None  # code words that are not a C unsigned int: plain re.compile

# (pattern, flags) -> the arguments of `_sre.compile` after the pattern: what re._compiler.compile
# passes it (flags with the inline ones, code, groups - 1, groupindex, indexgroup), the code as its
# words' bytes: marshal read the ~35 000 code words of the ~160 patterns kept as as many ints, ~5M
# instructions of every process that lowers an agent (~1% of a one-edit rebuild of 1000 agents),
# where a process uses about a third of the patterns; as bytes, a use turns its own into a list.
_Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]
_PATTERNS = Kept(os.path.join(FOLDER, f"patterns.{sys.implementation.cache_tag}.words.marshal"), most=2048)


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - re.compile's twin
    """`re.compile(pattern, flags)`, made from the cached code when this Python compiled the
    same pattern before. For patterns written in the source, not ones built from input (the
    file would grow with every input)."""
    if _sre is None:
        return re.compile(pattern, flags)
    key = (pattern, int(flags))
    entry = _PATTERNS.get(key)
    if entry is None:
        try:
            entry = _compiled(pattern, int(flags))
        except Exception:  # re's internals are not what this expects: let re do it (and raise)
            return re.compile(pattern, flags)
        _PATTERNS.put(key, entry)
    try:
        inline, words, groups, groupindex, indexgroup = entry
        return _sre.compile(pattern, inline, memoryview(words).cast("I").tolist(), groups, groupindex, indexgroup)
    except Exception:  # damaged code (_sre checks it) or another format
        return re.compile(pattern, flags)


def _compiled(pattern: str, flags: int) -> _Entry:
    """What re._compiler.compile gives _sre.compile, as plain values marshal can store."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    words = memoryview(bytearray(4 * len(code))).cast("I")
    for i, op in enumerate(code):
        words[i] = op  # a ValueError past 32 bits, as _sre's own check would be
    state = parsed.state
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    return int(flags | state.flags), words.tobytes(), state.groups - 1, dict(state.groupdict), tuple(indexgroup)


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
        compiled = compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self.pattern!r}, {self.flags!r})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled when first used (typed as the pattern it becomes)."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))


# The pattern PyYAML's reader compiles when yaml is imported (yaml/reader.py, Reader.NON_PRINTABLE),
# as written there: every printable range of Unicode.
YAML_NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"

# The patterns of PyYAML's implicit resolvers (yaml/resolver.py), their text as written there (line
# breaks and indentation too) with the flags it passes, in its order: (tag, pattern, flags, the first
# characters of a plain scalar it is filed under, "" for the empty one). compiler/plainscalar.py
# answers from them without importing yaml (tests/test_plainscalar.py compares them with yaml's).
YAML_RESOLVERS = (
    ('tag:yaml.org,2002:bool', '^(?:yes|Yes|YES|no|No|NO\n                    |true|True|TRUE|false|False|FALSE\n                    |on|On|ON|off|Off|OFF)$', re.X, tuple('yYnNtTfFoO')),
    ('tag:yaml.org,2002:float', '^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?\n                    |\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?\n                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*\n                    |[-+]?\\.(?:inf|Inf|INF)\n                    |\\.(?:nan|NaN|NAN))$', re.X, tuple('-+0123456789.')),
    ('tag:yaml.org,2002:int', '^(?:[-+]?0b[0-1_]+\n                    |[-+]?0[0-7_]+\n                    |[-+]?(?:0|[1-9][0-9_]*)\n                    |[-+]?0x[0-9a-fA-F_]+\n                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$', re.X, tuple('-+0123456789')),
    ('tag:yaml.org,2002:merge', '^(?:<<)$', 0, tuple('<')),
    ('tag:yaml.org,2002:null', '^(?: ~\n                    |null|Null|NULL\n                    | )$', re.X, ('~', 'n', 'N', '')),
    ('tag:yaml.org,2002:timestamp', '^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\n                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?\n                     (?:[Tt]|[ \\t]+)[0-9][0-9]?\n                     :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?\n                     (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$', re.X, tuple('0123456789')),
    ('tag:yaml.org,2002:value', '^(?:=)$', 0, tuple('=')),
    ('tag:yaml.org,2002:yaml', '^(?:!|&|\\*)$', 0, tuple('!&*')),
)

# The other patterns PyYAML compiles when it is imported, as written there with the flags it
# passes: SafeConstructor.timestamp_regexp (yaml/constructor.py) and the implicit resolvers'.
# Compiling them was ~11M instructions of every build that reads YAML (a one-edit rebuild of
# 1000 agents: ~1.8%).
YAML_PATTERNS = (
    ('^(?P<year>[0-9][0-9][0-9][0-9])\n'
     '                -(?P<month>[0-9][0-9]?)\n'
     '                -(?P<day>[0-9][0-9]?)\n'
     '                (?:(?:[Tt]|[ \\t]+)\n'
     '                (?P<hour>[0-9][0-9]?)\n'
     '                :(?P<minute>[0-9][0-9])\n'
     '                :(?P<second>[0-9][0-9])\n'
     '                (?:\\.(?P<fraction>[0-9]*))?\n'
     '                (?:[ \\t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)\n'
     '                (?::(?P<tz_minute>[0-9][0-9]))?))?)?$', re.X),
    *((pattern, flags) for _, pattern, flags, _ in YAML_RESOLVERS),
)

# The patterns the standard library compiles when modules every command imports are imported, as
# written there (Python 3.11) with their flags. Compiling them was ~2M instructions of every command.
STDLIB_PATTERNS = (
    (r'(.*?)(["\\\x00-\x1f])', re.VERBOSE | re.MULTILINE | re.DOTALL),  # json.decoder.STRINGCHUNK
    (r'[ \t\n\r]*', re.VERBOSE | re.MULTILINE | re.DOTALL),  # json.decoder.WHITESPACE
    (r'(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?', re.VERBOSE | re.MULTILINE | re.DOTALL),  # json.scanner.NUMBER_RE
    (r'[\x00-\x1f\\"\b\f\n\r\t]', 0),  # json.encoder.ESCAPE
    (r'([\\"]|[^\ -~])', 0),  # json.encoder.ESCAPE_ASCII
    (r'^(?:\s*(\w+)\s*\.)?\s*(\w+)', 0),  # dataclasses._MODULE_IDENTIFIER_RE
    (r"\s*(?:#\s*)?$", 0),  # difflib.IS_LINE_JUNK's default
)


def prime_stdlib() -> None:
    """`prime_yaml` for the standard library's modules in STDLIB_PATTERNS: called by agentc.entry
    before any of them is imported."""
    _prime(STDLIB_PATTERNS)


_primed = False


def prime_yaml() -> None:
    """Put yaml's patterns (its reader's and YAML_PATTERNS) in `re`'s cache of compiled patterns,
    made from the code kept in __pycache__: compiling the reader's Unicode ranges alone cost
    every command that reads or writes YAML (build, check, ir) 3-7 ms, a tenth of its imports.
    re.compile looks in that cache (keyed by type, pattern and flags, in Python 3.11-3.13)
    before it compiles; where there is no such cache, or a pattern of yaml's ever differs, yaml
    compiles its own as before. Once a process. Called by the commands that may read YAML
    (agentc.entry; agentc.runner before a full build) and by `load_yaml`: importing this module
    reads the kept patterns, ~1 ms."""
    global _primed
    if _primed:
        return
    _primed = True
    _prime(((YAML_NON_PRINTABLE, 0), *YAML_PATTERNS))


def _prime(patterns: tuple[tuple[str, int], ...]) -> None:
    """Each (pattern, flags) in `re`'s cache of compiled patterns, made from the kept code."""
    cache = getattr(re, "_cache", None)
    if isinstance(cache, dict):
        for pattern, flags in patterns:
            cache[(str, pattern, int(flags))] = compile(pattern, flags)


def load_yaml() -> ModuleType:
    """PyYAML, imported after `prime_yaml`: for the modules that read or write YAML only for some
    inputs, and import it then (a build of plain frontmatter never does)."""
    prime_yaml()
    import yaml

    return yaml
