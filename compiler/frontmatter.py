"""Reading the leading `---` YAML block: a real YAML parse first, a lenient line reader second.

Real agent files break YAML in a handful of ways (an unquoted `: ` in a description, a value
starting with `**`, an indented block). Claude Code skips such files silently; agentc recovers
what the author meant, says where the YAML broke, and keeps a span for every key.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Any

from agentc.compiler import lazyre, plainscalar
from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.frozen import frozen, lean
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.span import Span


class Entry(metaclass=frozen):  # its C __init__: a frontmatter's ~3 entries cost ~1.1 us each through lean(frozen=True)'s, ~0.2 here
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


def _rows(block: list[str]) -> list[int]:
    """The block row of each line PyYAML counts (it also breaks at U+0085, U+2028 and U+2029)."""
    rows: list[int] = []
    for i, line in enumerate(block):
        rows += [i] * (1 + sum(line.count(c) for c in _YAML_BREAKS))
    return rows or [0]


def read_frontmatter(file: str, lines: list[str]) -> Frontmatter:
    fm = Frontmatter()
    # Loops, not next() of a generator: the generator left open was closed when freed (~2K
    # instructions each, two an agent).
    start = None
    for i, ln in enumerate(lines):
        if ln.strip():
            start = i
            break
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
    end = None
    for j in range(start + 1, len(lines)):
        if lines[j].strip() == "---":
            end = j
            break
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
    found: list[Diagnostic] = []  # a duplicate key's, kept only if the block is read here
    entries = _plain_entries(file, block, first, indent, found)
    if entries is not None:
        fm.entries = entries
        fm.diagnostics += found
        return fm
    from agentc.compiler import yamlread  # here: a block of plain `key: value` lines needs no YAML loader

    try:
        fm.entries = yamlread.strict(file, block, first, indent, fm.diagnostics)
    except yamlread.Refused as exc:
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
    except yamlread.YAMLError as exc:
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


# Every character outside "\n", \x20-\x7e, \xa0-\u2027, \u202a-\ud7ff, \ue000-\ufefe, \uff00-\ufffd and the
# astral planes, listed: the negated class of those ranges is the same set and took ~5 ms to compile at every
# start. U+2028 and U+2029 (like \x85) end a line to libyaml, not to str.split("\n"): its marks' line numbers
# would not be the rows' ("name: \u2028|" indexed past them). Text with one is left to PyYAML's own
# loader (compiler/yamlread.py).
_UNUSUAL = lazy_compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")

# A line most frontmatter is made of: a key, ": ", and a plain value on the one line, starting with
# no YAML indicator or blank. _plain_entries checks the rest of what makes YAML read it as a string.
_PLAIN_LINE = lazyre.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,99}): +([^\s\-?:,\[\]{}#&*!|>'\"%@`](?:.*[^ ])?) *")


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
        if ": " in value or value.endswith(":") or " #" in value or not (plainscalar.is_str(key) and plainscalar.is_str(value)):
            return None
        entry = Entry(key=key, value=value, span=Span(file=file, line=first + row, col=1 + indent))
        if key in entries:
            _put(entries, entry, line, out)
        else:  # nearly every key: the dict's, without _put's call
            entries[key] = entry
    return entries or None


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
    from agentc.compiler.yamlread import Refused, YAMLError, safe_load  # here: only YAML that broke comes this way

    tail = [ln for ln in rest if ln.strip() and not ln.lstrip().startswith("#")]
    if not inline and tail:
        text = "\n".join(rest)
        try:
            value = safe_load(_dedent(text))
            if isinstance(value, (list, dict)):
                return value
        except Refused:
            return _BROKEN
        except YAMLError:
            pass
        return " ".join(ln.strip() for ln in tail)
    text = " ".join([inline, *(ln.strip() for ln in tail)]).strip()
    if text[:1] in "\"'":
        if len(text) < 2 or text[-1] != text[0]:
            return _BROKEN
    if text[:1] in "[{" or text[:1] in "\"'":
        try:
            return safe_load(text)
        except YAMLError:
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
