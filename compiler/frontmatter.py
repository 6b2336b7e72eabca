"""Reading the leading `---` YAML block: a real YAML parse first, a lenient line reader second.

Real agent files break YAML in a handful of ways (an unquoted `: ` in a description, a value
starting with `**`, an indented block). Claude Code skips such files silently; agentc recovers
what the author meant, says where the YAML broke, and keeps a span for every key.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import lru_cache
from typing import Any

import yaml

from agentc.compiler import lazyre
from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.frozen import frozen, lean
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.span import Span


@frozen  # its C __init__: a frontmatter's ~3 entries cost ~1.1 us each through lean(frozen=True)'s, ~0.2 here
class Entry:
    key: str
    value: Any
    span: Span


@lean()
class Frontmatter:
    entries: dict[str, Entry] = field(default_factory=dict)
    present: bool = False
    span: Span | None = None
    body_start: int = 0  # 0-based index of the first body line
    broken: set[str] = field(default_factory=set)  # keys present but unreadable
    diagnostics: list[Diagnostic] = field(default_factory=list)


_KEY = lazy_compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*?)|[ \t]*)$")

# YAML 1.1 (PyYAML) also breaks lines at these; the file is split at "\n" only, so marks drift.
_YAML_BREAKS = ("\x85", "\u2028", "\u2029")
MAX_DEPTH = 20  # nesting of frontmatter values; real files use 2
MAX_FRONTMATTER_BYTES = 64 * 1024  # real frontmatter is under 2 KiB; past this it is not parsed


class Refused(yaml.YAMLError):
    """YAML agentc will not read, whatever the parser could do: an alias (nested aliases expand
    exponentially downstream, the "billion laughs"), or nesting past MAX_DEPTH (a deep enough flow
    collection exhausts Python's stack)."""

    def __init__(self, code: str, message: str, mark) -> None:
        super().__init__(message)
        self.code, self.message, self.problem_mark = code, message, mark


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with aliases refused and nesting bounded, so reading frontmatter
    takes time and memory linear in its size."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise Refused("AGC106", f"YAML alias '*{event.anchor}' in frontmatter", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise Refused("AGC107", f"frontmatter values nest deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _or_text(construct):  # noqa: ANN001, ANN202 - a PyYAML constructor
    """A constructor for YAML 1.1's implicit int, float and date that keeps the scalar's text
    when Python cannot build the value: "0x_" and "0b_" resolve as ints with no digits, and
    "2024-13-45" as a date past December. YAML 1.2 reads these as strings, and so does agentc;
    the typed fields then say what they wanted."""

    def lenient(loader, node):  # noqa: ANN001, ANN202
        try:
            return construct(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    return lenient


_Loader.add_constructor("tag:yaml.org,2002:int", _or_text(yaml.SafeLoader.construct_yaml_int))
_Loader.add_constructor("tag:yaml.org,2002:float", _or_text(yaml.SafeLoader.construct_yaml_float))
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _or_text(yaml.SafeLoader.construct_yaml_timestamp))


def safe_load(text: str) -> Any:
    """`yaml.safe_load` with aliases refused and nesting bounded (raises `Refused`)."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _rows(block: list[str]) -> list[int]:
    """The block row of each line PyYAML counts (it also breaks at U+0085, U+2028 and U+2029)."""
    rows: list[int] = []
    for i, line in enumerate(block):
        rows += [i] * (1 + sum(line.count(c) for c in _YAML_BREAKS))
    return rows or [0]


def read_frontmatter(file: str, lines: list[str]) -> Frontmatter:
    fm = Frontmatter()
    start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if start is None or lines[start].strip() != "---":
        line = (start or 0) + 1
        fm.diagnostics.append(
            diag(
                "AGC100",
                Span(file=file, line=line),
                "no YAML frontmatter: Claude Code treats this file as documentation, not an agent",
                hint="start the file with a '---' block holding at least 'name:' and 'description:'",
                excerpt=lines[line - 1] if lines else None,
            )
        )
        return fm
    fm.present = True
    opening = lines[start]
    indent = len(opening) - len(opening.lstrip())
    fm.span = Span(file=file, line=start + 1, col=indent + 1)
    end = next((j for j in range(start + 1, len(lines)) if lines[j].strip() == "---"), None)
    if end is None:
        fm.diagnostics.append(
            diag(
                "AGC105",
                fm.span,
                "frontmatter opened with '---' is never closed",
                hint="add a line with '---' after the last frontmatter key",
                excerpt=opening,
            )
        )
        fm.body_start = len(lines)
        # The keys are likely there, only the closing line is missing: no "no name" / "no
        # description" cascade after AGC105.
        fm.broken.update(m.group(1) for ln in lines[start + 1:] if (m := _KEY.match(ln)))
        return fm
    fm.body_start = end + 1
    block = lines[start + 1 : end]
    if indent:
        fm.diagnostics.append(
            diag(
                "AGC103",
                fm.span,
                "frontmatter is indented; Claude Code expects '---' at column 1",
                hint="remove the leading spaces of the frontmatter block",
                excerpt=opening,
            )
        )
        block = [ln[indent:] if ln[:indent].isspace() else ln.lstrip() for ln in block]
    first = start + 2  # 1-based line of block[0]
    size = sum(map(len, block)) * 4 + len(block)  # at most: UTF-8 takes 1 to 4 bytes a character (3 for a surrogate)
    if size > MAX_FRONTMATTER_BYTES:  # maybe too big: the real size decides, and the message gives it
        size = sum(len(ln.encode("utf-8", "surrogatepass")) + 1 for ln in block)
    if size > MAX_FRONTMATTER_BYTES:
        fm.diagnostics.append(
            diag(
                "AGC108",
                fm.span,
                f"frontmatter is {size} bytes; agentc reads at most {MAX_FRONTMATTER_BYTES}",
                hint="move long text into the body of the file",
                excerpt=opening,
            )
        )
        fm.broken.update(m.group(1) for ln in block if (m := _KEY.match(ln)))
        return fm
    try:
        fm.entries = _strict(file, block, first, indent, fm.diagnostics)
    except Refused as exc:
        rows = _rows(block)
        row = rows[min(exc.problem_mark.line, len(rows) - 1)]
        fm.diagnostics.append(
            diag(
                exc.code,
                Span(file=file, line=first + row, col=exc.problem_mark.column + 1 + indent),
                f"{exc.message}: agentc does not read it",
                hint="write the value out in full" if exc.code == "AGC106" else "flatten the value",
                excerpt=lines[start + 1 + row],
            )
        )
        fm.entries = _lenient(file, block, first, indent, [], fm.broken)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        rows = _rows(block)
        row = rows[min(mark.line, len(rows) - 1)] if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        lenient: list[Diagnostic] = []
        fm.entries = _lenient(file, block, first, indent, lenient, fm.broken)
        # An unclosed quote or bracket (AGC102) above where YAML gave up is the cause; YAML's
        # complaint on a later, valid line would only point at the wrong place.
        if not any(d.code == "AGC102" and d.line <= first + row for d in lenient):
            fm.diagnostics.append(
                diag(
                    "AGC101",
                    Span(file=file, line=first + row, col=(mark.column if mark else 0) + 1 + indent),
                    f"frontmatter is not valid YAML ({problem}); read line by line instead",
                    hint="quote the value (description: \"...\") or use a block scalar (description: |)",
                    excerpt=lines[start + 1 + row],
                )
            )
        fm.diagnostics += lenient
    return fm


# libyaml reads a frontmatter block ~10x faster than PyYAML's pure-Python parser. It is used only
# where both are known to agree: text of ordinary printable characters (no tab, control character or BOM,
# none of YAML 1.1's extra line breaks), and, as libyaml's own event stream shows, no alias, no
# anchor, no explicit tag and nesting well within MAX_DEPTH. Anything else, and any YAML error
# (whose position feeds AGC101), goes to the pure-Python `_Loader`, which says exactly what is wrong.
if hasattr(yaml, "CSafeLoader"):

    class _CLoader(yaml.CSafeLoader):
        """libyaml's safe loader, building values as `_Loader` does."""

        yaml_constructors = dict(_Loader.yaml_constructors)
else:
    _CLoader = None  # PyYAML built without libyaml
# Every character outside "\n", \x20-\x7e, \xa0-\u2027, \u202a-\ud7ff, \ue000-\ufefe, \uff00-\ufffd and the
# astral planes, listed: the negated class of those ranges is the same set and took ~5 ms to compile at every
# start. U+2028 and U+2029 (like \x85) end a line to libyaml, not to str.split("\n"): its marks' line numbers
# would not be the rows' ("name: \u2028|" indexed past them).
_UNUSUAL = lazy_compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_FAST_DEPTH = 8  # collections nested this deep (real files use 2) are left to the bounded loader
# A block scalar header as PyYAML reads it (libyaml also takes e.g. ">#-", which PyYAML refuses).
_HEADER = lazy_compile(r"[|>](?:[+-][1-9]?|[1-9][+-]?)?(?: +(?:#.*)?)?$")


def _libyaml_agrees(text: str) -> bool:
    """True if libyaml may read `text`: nothing in it where the two loaders could differ."""
    if _CLoader is None or _UNUSUAL.search(text):
        return False
    depth = 0
    rows: list[str] | None = None
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None or getattr(event, "tag", None) is not None:
                return False
            if isinstance(event, yaml.ScalarEvent) and event.style in ("|", ">"):
                rows = rows or text.split("\n")
                mark = event.start_mark
                if not _HEADER.match(rows[mark.line], mark.column):
                    return False
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > _FAST_DEPTH:
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return False
    return True


# A line most frontmatter is made of: a key, ": ", and a plain value on the one line, starting with
# no YAML indicator or blank. _plain_entries checks the rest of what makes YAML read it as a string.
_PLAIN_LINE = lazyre.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,99}): +([^\s\-?:,\[\]{}#&*!|>'\"%@`](?:.*[^ ])?) *")


def _plain_str(text: str) -> bool:
    """YAML reads the plain scalar `text` as a string: no implicit resolver (null, bool, int,
    float, timestamp, merge, value) takes it."""
    for rx in _resolvers(text[:1]):
        if rx.match(text):
            return False
    return True


@lru_cache(maxsize=1024)
def _resolvers(first: str) -> tuple[re.Pattern, ...]:
    """The patterns of the implicit resolvers PyYAML's Resolver.resolve tries on a plain scalar
    starting with `first`, gathered once per character: most keys and values start with a letter
    no resolver is listed under, and gathering them for each cost ~2 us a scalar."""
    resolvers = _Loader.yaml_implicit_resolvers
    return tuple(rx for _, rx in (*resolvers.get(first, ()), *resolvers.get(None, ())))


def _plain_entries(file: str, block: list[str], first: int, indent: int, out: list[Diagnostic]) -> dict | None:
    """The entries of a block made only of `key: value` lines (and empty ones) whose values YAML
    reads as one-line strings, as _entries would make them (a key given twice reported in `out`);
    None for any other block.

    Nearly all frontmatter is such a block, and YAML gives it no meaning beyond the text: this
    reads it in a few microseconds where libyaml's event check and load took ~30 per agent. A
    value is left to YAML if it holds what would end or change it there (": " or a final ":", a
    comment " #"), a character _UNUSUAL lists or a line break of YAML 1.1, or if it or its key
    reads as another type (yes, 12, null, 2024-01-01)."""
    # _UNUSUAL lists YAML's extra line breaks too, and str.isprintable() is False for every character
    # it lists (and for more, as a no-break space): printable lines need no search of their text
    # with it (a 3-line block: ~2.2 us -> ~0.2 us).
    if not all(map(str.isprintable, block)) and _UNUSUAL.search("\n".join(block)):
        return None
    entries: dict[str, Entry] = {}
    for row, line in enumerate(block):
        if not line:
            continue
        m = _PLAIN_LINE.fullmatch(line)
        if m is None:
            return None
        key, value = m.groups()
        if ": " in value or value.endswith(":") or " #" in value or not (_plain_str(key) and _plain_str(value)):
            return None
        _put(entries, Entry(key=key, value=value, span=Span(file=file, line=first + row, col=1 + indent)), line, out)
    return entries or None


def _strict(file: str, block: list[str], first: int, indent: int, out: list[Diagnostic]) -> dict:
    found: list[Diagnostic] = []  # a duplicate key's, kept only if the block is read here
    entries = _plain_entries(file, block, first, indent, found)
    if entries is not None:
        out += found
        return entries
    rows = _rows(block)  # only a YAML loader's marks need them (~1/7 of read_frontmatter when made for every block)
    text = "\n".join(block)
    if _libyaml_agrees(text):
        fast: list[Diagnostic] = []
        try:
            entries = _entries(file, block, first, indent, fast, rows, _CLoader(text))
        except yaml.YAMLError:
            pass  # the pure-Python loader below reports it with its own position
        else:
            out += fast
            return entries
    return _entries(file, block, first, indent, out, rows, _Loader(text))


def _entries(file: str, block: list[str], first: int, indent: int, out: list[Diagnostic], rows: list[int], loader) -> dict:  # noqa: ANN001 - a PyYAML loader
    """The keys of the one mapping `loader` reads, each with the span of its key."""
    try:
        root = loader.get_single_node()
        if root is None:
            return {}
        if not isinstance(root, yaml.MappingNode):
            out.append(
                diag(
                    "AGC104",
                    Span(file=file, line=first),
                    "frontmatter is not a mapping of keys to values",
                    hint="write it as 'key: value' lines",
                    excerpt=block[0] if block else None,
                )
            )
            return {}
        entries: dict[str, Entry] = {}
        for key_node, value_node in root.value:
            key = loader.construct_object(key_node, deep=True)
            value = loader.construct_object(value_node, deep=True)
            row = rows[min(key_node.start_mark.line, len(rows) - 1)]
            span = Span(file=file, line=first + row, col=key_node.start_mark.column + 1 + indent)
            _put(entries, Entry(key=str(key), value=value, span=span), block[row], out)
        return entries
    finally:
        loader.dispose()


def _put(entries: dict[str, Entry], entry: Entry, source_line: str, out: list[Diagnostic]) -> None:
    if entry.key in entries:
        out.append(
            diag(
                "AGC122",
                entry.span,
                f"key '{entry.key}' is given twice; the later value wins",
                hint=f"first given on line {entries[entry.key].span.line}",
                excerpt=source_line,
            )
        )
    entries[entry.key] = entry


def _lenient(file: str, block: list[str], first: int, indent: int, out: list[Diagnostic], broken: set[str]) -> dict:
    """`key: value` lines; anything indented or unkeyed continues the previous value."""
    groups: list[tuple[int, str, str, list[str]]] = []  # (row, key, inline value, continuation)
    for row, line in enumerate(block):
        m = _KEY.match(line)
        if m:
            groups.append((row, m.group(1), (m.group(2) or "").strip(), []))
        elif groups:
            groups[-1][3].append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            out.append(
                diag(
                    "AGC102",
                    Span(file=file, line=first + row, col=1 + indent),
                    "frontmatter line is neither 'key: value' nor part of a value",
                    excerpt=line,
                )
            )
    entries: dict[str, Entry] = {}
    for row, key, inline, rest in groups:
        span = Span(file=file, line=first + row, col=1 + indent)
        value = _lenient_value(inline, rest)
        if value is _BROKEN:
            out.append(
                diag(
                    "AGC102",
                    span,
                    f"value of '{key}' cannot be read: an opening quote or bracket is never closed",
                    hint="close the quote or bracket, or write the value as a block scalar",
                    excerpt=block[row],
                )
            )
            broken.add(key)
            continue
        _put(entries, Entry(key=key, value=value, span=span), block[row], out)
    return entries


_BROKEN = object()


def _lenient_value(inline: str, rest: list[str]) -> Any:
    tail = [ln for ln in rest if ln.strip() and not ln.lstrip().startswith("#")]
    if not inline and tail:
        text = "\n".join(rest)
        try:
            value = safe_load(_dedent(text))
            if isinstance(value, (list, dict)):
                return value
        except Refused:
            return _BROKEN
        except yaml.YAMLError:
            pass
        return " ".join(ln.strip() for ln in tail)
    text = " ".join([inline, *(ln.strip() for ln in tail)]).strip()
    if text[:1] in "\"'":
        if len(text) < 2 or text[-1] != text[0]:
            return _BROKEN
    if text[:1] in "[{" or text[:1] in "\"'":
        try:
            return safe_load(text)
        except yaml.YAMLError:
            return _BROKEN
    if text in ("", "~", "null"):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _dedent(text: str) -> str:
    rows = text.split("\n")
    pad = min((len(r) - len(r.lstrip()) for r in rows if r.strip()), default=0)
    return "\n".join(r[pad:] for r in rows)
