"""`[tool.agentc]` in the nearest pyproject.toml: read, checked, and turned into BuildOptions."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from agentc.compiler.diagnostics import Diagnostic, diag, did_you_mean
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from pydantic import ValidationError

PATH_KEYS = ("sources", "out")


def find_pyproject(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                if "agentc" in tomllib.loads(candidate.read_text(encoding="utf-8")).get("tool", {}):
                    return candidate
            except (OSError, tomllib.TOMLDecodeError):
                return candidate
    return None


def load(path: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The `[tool.agentc]` table as option values, paths made relative to the current folder."""
    shown = path.as_posix()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return {}, [diag("AGC802", Span(file=shown, line=1), f"cannot read {path.name}: {exc}")]
    table = doc.get("tool", {}).get("agentc", {})
    diags: list[Diagnostic] = []
    values: dict[str, Any] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, value in table.items():
        line = next((i + 1 for i, ln in enumerate(lines) if ln.strip().startswith(f"{key}") and "=" in ln), 1)
        if key not in BuildOptions.model_fields:
            close = did_you_mean(key, BuildOptions.model_fields, cutoff=0.6)
            diags.append(diag("AGC801", Span(file=shown, line=line), f"unknown [tool.agentc] key '{key}'"
                              + (f"; did you mean '{close}'?" if close else ""),
                              hint="keys: " + ", ".join(BuildOptions.model_fields), excerpt=lines[line - 1] if lines else None))
            continue
        if key in PATH_KEYS:
            value = [_rel(path.parent / v) for v in value] if isinstance(value, list) else _rel(path.parent / str(value))
        values[key] = value
    try:
        BuildOptions(**values)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else "?"
            diags.append(diag("AGC802", Span(file=shown, line=1), f"[tool.agentc] {key}: {err['msg']}"))
        values = {}
    return values, diags


def _rel(p: Path) -> str:
    import os

    return Path(os.path.relpath(p)).as_posix()
