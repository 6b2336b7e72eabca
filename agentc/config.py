"""Configuration: `agentc.toml` or `[tool.agentc]` in pyproject.toml, checked, turned into BuildOptions.

The nearest folder (from the current one upwards) holding either file wins; in one folder
`agentc.toml` wins over pyproject.toml. `agentc.toml` has the same keys at its top level.
Paths in the file are relative to the file; they are returned relative to the current folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from agentc.compiler.diagnostics import Diagnostic, diag, did_you_mean
from agentc.compiler.options import FIELDS, BuildOptions
from agentc.compiler.span import Span

PATH_KEYS = ("sources", "out", "cache_dir")
PATH_TABLES = ("out_dirs",)  # tables whose values are paths
STANDALONE = "agentc.toml"


def find_config(start: Path) -> Path | None:
    """The nearest `agentc.toml`, or pyproject.toml with a `[tool.agentc]` table."""
    for folder in [start, *start.parents]:
        own = folder / STANDALONE
        if own.is_file():
            return own
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            import tomllib  # here and in load(): a build with no config file never needs it (~1.5 ms)

            try:
                if "agentc" in tomllib.loads(candidate.read_text(encoding="utf-8")).get("tool", {}):
                    return candidate
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return candidate  # broken: load() reports it
    return None


find_pyproject = find_config  # the name this had before agentc.toml was supported


def load(path: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The configuration table as option values. Problems are AGC801/AGC802 diagnostics."""
    shown = relative(path)
    standalone = path.name == STANDALONE
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line, col = _toml_error_at(exc)
        lines = text.splitlines() if isinstance(exc, tomllib.TOMLDecodeError) else []
        return {}, [diag("AGC802", Span(file=shown, line=line, col=col), f"cannot read {path.name}: {exc}",
                         hint="fix the TOML syntax", excerpt=lines[line - 1] if 0 < line <= len(lines) else None)]
    table = doc if standalone else doc.get("tool", {}).get("agentc", {})
    prefix = "" if standalone else "tool.agentc"
    where = path.name if standalone else "[tool.agentc]"
    lines = text.splitlines()
    diags: list[Diagnostic] = []
    values: dict[str, Any] = {}
    if not isinstance(table, dict):
        return {}, [diag("AGC802", Span(file=shown, line=1), f"{where} must be a table")]
    for key, value in table.items():
        line = _line_of(lines, prefix, key)
        if key not in FIELDS and key.replace("-", "_") in FIELDS:
            key = key.replace("-", "_")  # ruff spells them per-file-ignores, extend-ignore
        if key not in FIELDS:
            close = did_you_mean(key, FIELDS, cutoff=0.6)
            diags.append(diag("AGC801", Span(file=shown, line=line), f"unknown {where} key '{key}'"
                              + (f"; did you mean '{close}'?" if close else ""),
                              hint="keys: " + ", ".join(FIELDS),
                              excerpt=lines[line - 1] if 0 < line <= len(lines) else None))
            continue
        if key in PATH_KEYS:
            if isinstance(value, list):
                value = [relative(path.parent / str(v)) for v in value]
            elif isinstance(value, str):
                value = relative(path.parent / value)
        elif key in PATH_TABLES and isinstance(value, dict):
            value = {k: relative(path.parent / str(v)) for k, v in value.items()}
        values[key] = value
    try:
        BuildOptions(**values)
    except ValueError as exc:  # pydantic's ValidationError (see compiler/options.py)
        for err, (name, message) in zip(exc.errors(), explain(exc), strict=True):
            key = str(err["loc"][0]) if err["loc"] else "?"
            line = _line_of(lines, prefix, key, *[str(p) for p in err["loc"][1:2]])
            if line == 1 and "-" in key or key.replace("_", "-") != key:
                line = max(line, _line_of(lines, prefix, key.replace("_", "-"), *[str(p) for p in err["loc"][1:2]]))
            text = lines[line - 1] if 0 < line <= len(lines) else ""
            at = re.match(r"^\s*[\w\"'.-]+\s*=\s*", text)  # the caret goes under the value, not the key
            diags.append(diag("AGC802", Span(file=shown, line=line, col=at.end() + 1 if at and at.end() < len(text) else 1),
                              f"{where} {name}: {message}",
                              hint=FIELDS[key].metadata.get("description") if key in FIELDS else None,
                              excerpt=lines[line - 1] if 0 < line <= len(lines) else None))
        values = {}
    return values, diags


def _line_of(lines: list[str], prefix: str, key: str, sub: str | None = None) -> int:
    """Line of `key = ...` in the agentc table, of its `[prefix.key...]` header, or of `sub = ...`
    inside that header's table (a bad value deep in `model_map`); 1 if unsure."""
    header = re.compile(r"^\s*\[+\s*(.+?)\s*\]+")
    table = f"{prefix}.{key}" if prefix else key
    current = ""
    found = 1
    for i, raw in enumerate(lines, 1):
        m = header.match(raw)
        if m:
            current = m.group(1).replace('"', "").replace(" ", "")
            if current == table or current.startswith(table + "."):
                if found == 1:
                    found = i
                if sub is not None and current == f"{table}.{sub}":
                    return i
            continue
        if current == prefix and re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", raw):
            return i
        if sub is not None and current == table and re.match(rf"^\s*\"?{re.escape(sub)}\"?\s*=", raw):
            return i
    return found


def _toml_error_at(exc: Exception) -> tuple[int, int]:
    """(line, column) of a TOML syntax error: tomllib says "(at line 10, column 8)"."""
    m = re.search(r"line (\d+)(?:, column (\d+))?", str(exc))
    return (int(m.group(1)), int(m.group(2) or 1)) if m else (1, 1)


def explain(exc) -> list[tuple[str, str]]:
    """Pydantic's errors as (dotted key, human message with the allowed values): no pydantic URL,
    no class names. Shared by the config file, the command line and the Python API."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = loc[0] if loc else "?"
        given = _show(err.get("input"))
        field = FIELDS.get(key)
        allowed = _choices(field.type) if field is not None else ()
        kind = err["type"]
        if kind == "literal_error" and allowed:
            msg = f"{given} is not one of {', '.join(allowed)}"
        elif kind in ("strict_bool", "bool_type", "bool_parsing"):
            msg = f"must be true or false, not {given}"
        elif kind == "extra_forbidden":
            msg = "unknown option; options: " + ", ".join(FIELDS)
        else:
            text = re.sub(r"^Value error, ", "", err["msg"]).replace("Input should be", "must be")
            msg = f"{text[:1].lower()}{text[1:]}, not {given}" if "input" in err else text
        out.append((".".join(loc) or key, msg))
    return out


def _choices(annotation) -> tuple[str, ...]:
    from typing import Literal, get_args, get_origin

    if get_origin(annotation) is Literal:
        return tuple(str(a) for a in get_args(annotation))
    for arg in get_args(annotation):  # Optional[Literal[...]]
        if get_origin(arg) is Literal:
            return tuple(str(a) for a in get_args(arg))
    return ()


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def relative(p: Path) -> str:
    try:
        return Path(os.path.relpath(p)).as_posix()
    except ValueError:  # another drive on Windows
        return p.as_posix()
