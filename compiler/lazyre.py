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
`compile` keeps what `re` compiles them to (the code list `_sre.compile` takes) in a file
beside this module, as Python keeps a module's bytecode in `__pycache__`:
the next process builds each pattern straight from it, with no parsing or compiling. The file
is tied to this Python's exact version and to `_sre`'s code format; anything else (a missing,
stale or damaged file, an `re` whose internals moved) falls back to `re.compile`. Only the
patterns written in the front end's modules go through it, so it holds a fixed set.
"""

from __future__ import annotations

import atexit
import marshal
import os
import re
import sys
from typing import cast

try:  # CPython's regex engine and its compiler (Python 3.11+); elsewhere, plain re.compile
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - not CPython
    _sre = None  # type: ignore[assignment]

# (pattern, flags) -> the arguments of `_sre.compile` after the pattern: what re._compiler.compile
# passes it (flags with the inline ones, code, groups - 1, groupindex, indexgroup)
_Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
_VERSION = (sys.version, getattr(_sre, "MAGIC", None), getattr(_sre, "CODESIZE", None))
_FILE = os.path.join(os.path.dirname(__file__), "__pycache__", f"patterns.{sys.implementation.cache_tag}.marshal")
_MOST = 2048  # a file past this many patterns (source edited many times) starts again
_known: dict[tuple[str, int], _Entry] | None = None  # read on first use
_new: dict[tuple[str, int], _Entry] = {}


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - re.compile's twin
    """`re.compile(pattern, flags)`, made from the cached code when this Python compiled the
    same pattern before. For patterns written in the source, not ones built from input (the
    file would grow with every input)."""
    global _known
    if _sre is None:
        return re.compile(pattern, flags)
    if _known is None:
        _known = _read()
    key = (pattern, int(flags))
    entry = _known.get(key) or _new.get(key)
    if entry is None:
        try:
            entry = _compiled(pattern, int(flags))
        except Exception:  # re's internals are not what this expects: let re do it (and raise)
            return re.compile(pattern, flags)
        if not _new and not sys.dont_write_bytecode:
            atexit.register(_write)
        _new[key] = entry
    try:
        return _sre.compile(pattern, *entry)
    except Exception:  # damaged code (_sre checks it) or another format
        return re.compile(pattern, flags)


def _compiled(pattern: str, flags: int) -> _Entry:
    """What re._compiler.compile gives _sre.compile, as plain values marshal can store."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are an int subclass
    state = parsed.state
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    return int(flags | state.flags), code, state.groups - 1, dict(state.groupdict), tuple(indexgroup)


def _read() -> dict[tuple[str, int], _Entry]:
    return read_table(_FILE)


def _write() -> None:
    """At exit, when this process compiled patterns the file lacks (see `write_table`)."""
    write_table(_FILE, {**(_known if _known and len(_known) < _MOST else {}), **_new})


def read_table(path: str) -> dict:
    """The table a `write_table` of this same Python left in `path`; {} when there is none, or
    it is damaged or another Python's."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        # marshal.loads on the bytes, not marshal.load(f): reading from a file, marshal asks it
        # for every value separately, and the pattern file holds ~19 000 small ints (5 -> 0.2 ms).
        version, table = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return table if version == _VERSION and isinstance(table, dict) else {}


def write_table(path: str, table: dict) -> None:
    """`table` (values marshal can store) to `path`, tied to this Python: written whole and then
    renamed over the old file, so a reader never sees half of it. Skipped where the folder is
    not writable (an installed package)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            marshal.dump((_VERSION, table), f)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


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
