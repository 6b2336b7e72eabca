"""Diagnostics for people and for machines: text (coloured on a terminal), JSON, GitHub, SARIF.

Every renderer takes the same sorted diagnostics and returns text; choosing the stream is the
CLI's job. The machine formats are built as data and dumped, never templated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import PurePosixPath

from agentc.compiler.diagnostics import CODES, Diagnostic, format_text, summary

FORMATS = ("text", "json", "github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_SGR = {"error": "1;31", "warning": "1;33", "info": "1;36", "bold": "1", "dim": "2", "hint": "32"}


def use_color(stream, choice: str = "auto") -> bool:
    """Colour only on a terminal and only without NO_COLOR (https://no-color.org), unless forced."""
    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("NO_COLOR", ""):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _paint(text: str, style: str, on: bool) -> str:
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if on else text


def text(diags: Sequence[Diagnostic], color: bool = False) -> str:
    """The human format: one block per diagnostic and a summary line ('' when there is nothing)."""
    if not diags:
        return ""
    blocks = []
    for d in diags:
        plain = format_text(d)
        if color:
            head, _, rest = plain.partition("\n")
            loc, _, msg = head.partition(f": {d.severity}[{d.code}]: ")
            head = f"{_paint(loc, 'bold', True)}: {_paint(f'{d.severity}[{d.code}]', d.severity, True)}: {msg}"
            rest = "\n".join(_paint(ln, "hint", True) if ln.startswith("  = hint:") else
                             _paint(ln, "dim", True) if ln.strip() == "^" else ln for ln in rest.splitlines())
            plain = head + ("\n" + rest if rest else "")
        blocks.append(plain)
    return "\n".join(blocks) + "\n" + summary(diags) + "\n"


def as_json(diags: Sequence[Diagnostic]) -> str:
    return json.dumps([d.model_dump(exclude={"excerpt"}) for d in diags], indent=2, ensure_ascii=False) + "\n"


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github(diags: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…,col=…::…` per diagnostic."""
    out = []
    for d in diags:
        level = {"error": "error", "warning": "warning", "info": "notice"}[d.severity]
        props = []
        if _is_file(d.file):
            props += [f"file={_gh_prop(d.file)}", f"line={d.line}", f"col={d.col}"]
        props.append(f"title={_gh_prop(f'{d.code} {CODES.get(d.code, (None, d.code))[1]}')}")
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append(f"::{level} {','.join(props)}::{_gh_data(message)}")
    return "".join(line + "\n" for line in out)


def sarif(diags: Sequence[Diagnostic], version: str) -> str:
    """SARIF 2.1.0, as GitHub code scanning reads it: one run, every agentc code as a rule."""
    codes = sorted(CODES)
    index = {c: i for i, c in enumerate(codes)}
    rules = [{
        "id": c,
        "name": _rule_name(CODES[c][1]),
        "shortDescription": {"text": CODES[c][1]},
        "defaultConfiguration": {"level": _level(CODES[c][0])},
    } for c in codes]
    results = []
    for d in diags:
        result: dict = {
            "ruleId": d.code,
            "level": _level(d.severity),
            "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if _is_file(d.file):
            location = {"artifactLocation": {"uri": _uri(d.file)},
                        "region": {"startLine": max(d.line, 1), "startColumn": max(d.col, 1)}}
            if not PurePosixPath(d.file).is_absolute():
                location["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "agentc", "version": version, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(diags: Sequence[Diagnostic], fmt: str, *, version: str = "", color: bool = False) -> str:
    if fmt == "json":
        return as_json(diags)
    if fmt == "github":
        return github(diags)
    if fmt == "sarif":
        return sarif(diags, version)
    return text(diags, color)


def _level(severity: str) -> str:
    return {"error": "error", "warning": "warning", "info": "note"}[severity]


def _rule_name(title: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in title).split()
    return "".join(w[:1].upper() + w[1:] for w in words)


def _is_file(name: str) -> bool:
    return bool(name) and not name.startswith("<")


def _uri(name: str) -> str:
    from urllib.parse import quote

    p = PurePosixPath(name)
    return ("file://" if p.is_absolute() else "") + quote(p.as_posix(), safe="/")

