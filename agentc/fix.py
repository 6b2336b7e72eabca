"""`agentc check --fix` / `--diff`: the mechanical fixes the diagnostics already describe.

Every fix is a text edit of one frontmatter line, at the span its diagnostic reports; the body
(the prompt's prose) is never touched. Fixes of one file are checked before they are kept: the
edited frontmatter must parse as YAML and give the values agentc had recovered. Files are
written all-or-nothing: every new text goes to a temp file first, then each is renamed over.

    AGC101  a value that breaks YAML (an unquoted ': ', a leading '**') -> a quoted scalar
    AGC120  a key typo with one candidate (descriptoin -> description), the real key absent
    AGC133  legacy tool names (Task -> Agent, MultiEdit -> Edit, LS -> Glob), repeats removed
    AGC131  a colour Claude Code does not have -> the one the claude target maps it to
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from agentc.compiler import fields
from agentc.compiler.source import read_source
from agentc.compiler.yamlread import safe_load

FIXABLE = ("AGC101", "AGC120", "AGC131", "AGC133")


@dataclass(frozen=True)
class Change:
    file: str
    line: int
    code: str
    what: str


@dataclass
class FileFix:
    file: str
    old: str
    new: str
    changes: list[Change]

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
                                            f"a/{self.file}", f"b/{self.file}"))


def plan(files: list[tuple[str, bytes]]) -> list[FileFix]:
    """The fixes for each file that has any, in file order."""
    out = []
    for name, data in files:
        fixed = fix_text(name, data)
        if fixed is not None:
            out.append(fixed)
    return out


def fix_text(name: str, data: bytes) -> FileFix | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    src = read_source(name, data)
    codes = {d.code for d in src.diagnostics}
    if codes & {"AGC100", "AGC102", "AGC105", "AGC106", "AGC107", "AGC108"} or not src.entries:
        return None
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    raw = text[len(bom):].split("\n")
    ends = ["\r" if ln.endswith("\r") else "" for ln in raw]
    lines = [ln[:-1] if e else ln for ln, e in zip(raw, ends, strict=True)]
    if len(lines) != len(src.lines):  # a lone '\r' line break: not worth the risk
        return None
    fm_end = src.body_start - 1  # 0-based index of the closing '---'
    changes: list[Change] = []
    if "AGC101" in codes:
        changes += _quote_broken(name, src, lines, fm_end)
    changes += _key_typos(name, src, lines)
    changes += _tools(name, src, lines)
    changes += _colour(name, src, lines)
    if not changes:
        return None
    assert all(c.line <= fm_end for c in changes), "a fix reached the body"
    new = bom + "\n".join(ln + e for ln, e in zip(lines, ends, strict=True))
    return FileFix(name, text, new, changes)


def _block(src, lines: list[str], key: str) -> tuple[int, int]:
    """0-based [first, last] lines of a frontmatter entry: its key line and continuation lines."""
    first = src.entries[key].span.line - 1
    starts = sorted(e.span.line - 1 for e in src.entries.values())
    later = [s for s in starts if s > first]
    last = (later[0] if later else src.body_start - 1) - 1
    while last > first and not lines[last].strip():
        last -= 1
    return first, last


_KEY_LINE = re.compile(r"^(\s*)([A-Za-z_][\w-]*)(\s*:)([ \t]*)(.*?)(\s*)$")


def _quote_broken(name: str, src, lines: list[str], fm_end: int) -> list[Change]:
    """Single-line values that YAML cannot read, rewritten as double-quoted scalars (JSON's
    string syntax is YAML's), kept only when the whole frontmatter then parses to what was meant."""
    trial = list(lines)
    changes = []
    for key, e in src.entries.items():
        if not isinstance(e.value, str):
            continue
        first, last = _block(src, trial, key)
        m = _KEY_LINE.match(trial[first])
        if first != last or not m or m.group(2) != key or not m.group(5):
            continue
        try:
            ok = safe_load(f"k: {m.group(5)}") == {"k": e.value}
        except yaml.YAMLError:
            ok = False
        if ok:
            continue
        trial[first] = f"{m.group(1)}{key}{m.group(3)} {json.dumps(e.value, ensure_ascii=False)}"
        changes.append(Change(name, first + 1, "AGC101", f"{key}: value quoted so YAML reads it"))
    if not changes:
        return []
    start = next(i for i, ln in enumerate(trial) if ln.strip())
    try:
        parsed = safe_load("\n".join(trial[start + 1:fm_end]))
    except yaml.YAMLError:
        return []
    if not isinstance(parsed, dict) or any(parsed.get(k) != e.value for k, e in src.entries.items()):
        return []
    lines[:] = trial
    return changes


def _key_typos(name: str, src, lines: list[str]) -> list[Change]:
    changes = []
    for key, e in src.entries.items():
        if key in fields.KNOWN_KEYS:
            continue
        guess = fields.near_miss(key)
        if not guess or guess in src.entries:
            continue
        i = e.span.line - 1
        m = _KEY_LINE.match(lines[i])
        if not m or m.group(2) != key:
            continue
        lines[i] = m.group(1) + guess + lines[i][m.end(2):]
        changes.append(Change(name, i + 1, "AGC120", f"key '{key}' -> '{guess}'"))
    return changes


_TOOL = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, fields.LEGACY_TOOLS)) + r")(?![\w-])")


def _tools(name: str, src, lines: list[str]) -> list[Change]:
    """Legacy names renamed where they are written; a comma list on one line also loses repeats."""
    changes = []
    for key in ("tools", "disallowedTools"):
        if key not in src.entries:
            continue
        first, last = _block(src, lines, key)
        for i in range(first, last + 1):
            head = len(_KEY_LINE.match(lines[i]).group(1) + key) + 1 if i == first and _KEY_LINE.match(lines[i]) else 0
            value = lines[i][head:]
            renamed = _TOOL.sub(lambda m: fields.LEGACY_TOOLS[m.group(1)], value)
            if i == first and first == last and "," in renamed and not renamed.strip().startswith(("[", "'", '"')):
                items = [t.strip() for t in renamed.split(",") if t.strip()]
                renamed = re.match(r"^\s*", renamed).group(0) + ", ".join(dict.fromkeys(items))
            if renamed != value:
                old = sorted(set(_TOOL.findall(value)))
                lines[i] = lines[i][:head] + renamed
                changes.append(Change(name, i + 1, "AGC133", f"{key}: " + (", ".join(
                    f"{t} -> {fields.LEGACY_TOOLS[t]}" for t in old) or "repeated names removed")))
    return changes


def _colour(name: str, src, lines: list[str]) -> list[Change]:
    from agentc.targets.claude import COLORS

    e = src.entries.get("color")
    if e is None or not isinstance(e.value, str):
        return []
    value = e.value.strip()
    allowed = fields.CHOICES["color"]
    if value in allowed:
        return []
    mapped = value.lower() if value.lower() in allowed else COLORS.get(value.lower())
    if not mapped:
        return []
    i = e.span.line - 1
    m = _KEY_LINE.match(lines[i])
    if not m or m.group(2) != "color" or value not in m.group(5):
        return []
    lines[i] = m.group(1) + "color" + m.group(3) + m.group(4) + m.group(5).replace(value, mapped, 1)
    return [Change(name, i + 1, "AGC131", f"color '{value}' -> '{mapped}'")]


def write_all(fixes: list[FileFix]) -> None:
    """Every fixed file or none: temp files beside each target first, then the renames."""
    temps: list[tuple[str, str]] = []
    try:
        for f in fixes:
            folder = os.path.dirname(os.path.abspath(f.file))
            fd, tmp = tempfile.mkstemp(prefix=".agentc-fix-", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                out.write(f.new)
            try:
                os.chmod(tmp, os.stat(f.file).st_mode & 0o7777)
            except OSError:
                pass
            temps.append((tmp, f.file))
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in temps:
        os.replace(tmp, target)
