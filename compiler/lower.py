"""Lowering: one agent file's source model to an `AgentIR`, with every problem as a diagnostic."""

from __future__ import annotations

from typing import Any

from agentc.compiler import fields
from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR
from agentc.compiler.source import Source
from agentc.compiler.span import Span
from agentc.compiler.structure import extract


def lower(src: Source, *, whole: bool = True) -> tuple[AgentIR | None, list[Diagnostic]]:
    """The agent's IR, or None when the file defines no usable agent (the reasons are errors).

    `whole=False` (a build of `api.UNSTRUCTURED` targets only): the body's structure (`codec.STRUCTURE`:
    sections, mission, checklists, examples...) is not extracted; those fields keep their defaults.
    No diagnostic depends on them. Such a build threw the structure away, or cached it for builds of
    other targets (1000 seed agents to claude: ~6.7% of a cold build's instructions)."""
    diags = list(src.diagnostics)
    if any(d.code in ("AGC003", "AGC100") for d in diags):
        return None, diags
    typed, more = _typed(src)
    diags += more
    if any(d.severity == "error" for d in diags):
        return None, diags
    body = src.body
    span = Span(file=src.file, line=1)
    if _blank(body):
        diags.append(diag("AGC200", Span(file=src.file, line=max(src.body_start, 1)),
                          "the body is empty: the agent has no system prompt",
                          hint="write the agent's instructions below the frontmatter"))
    agent = AgentIR(
        id=f"{src.scope}:{typed['name']}" if src.scope else typed["name"],
        scope=src.scope,
        file=src.file,
        span=span,
        body=body,
        body_line=src.body_start + 1,
        key_spans={key: e.span for key, e in src.entries.items()},
        **typed,
        **extract(src, typed["name"], whole=whole),
    )
    return agent, diags


def _blank(body: str | bytes) -> bool:
    """`not text.strip()` of the body (`Source.body`: a str, or its well-formed UTF-8 bytes),
    without copying a str or decoding the bytes (bytes.lstrip copies them, at memcpy's speed)."""
    if type(body) is str:
        return not body or body.isspace()
    head = body[:64]  # bytes.lstrip copies what it keeps: the whole body is stripped only when it begins blank
    if head.isspace():
        head = body
    at = len(head) - len(head.lstrip())
    # ASCII's spaces are str's too, but str.isspace is true of more (\x1c-\x1f, U+00A0...): when the
    # first other character is one of those, the text is read
    return at == len(body) or body[at:at + 4].decode("utf-8", "ignore")[:1].isspace() and str(body, "utf-8").isspace()


def _typed(src: Source) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Frontmatter entries to typed AgentIR fields; unknown keys to metadata."""
    out: dict[str, Any] = {"metadata": {}}
    diags: list[Diagnostic] = []
    ex = lambda e: fields.excerpt_of(src.lines, e)  # noqa: E731
    wrong = lambda e, want: diags.append(  # noqa: E731
        diag("AGC130", e.span, f"'{e.key}' must be {want}, not {_show(e.value)}", excerpt=ex(e)))
    for key, e in src.entries.items():
        v = e.value
        if key not in fields.KNOWN_KEYS:
            guess = fields.near_miss(key)
            if guess:
                also = " (the real key is also present)" if guess in src.entries else ""
                diags.append(diag("AGC120", e.span, f"unknown key '{key}'; did you mean '{guess}'?{also}",
                                  hint=f"rename it to '{guess}'; until then it is kept as metadata", excerpt=ex(e)))
            else:
                diags.append(diag("AGC121", e.span, f"unknown key '{key}' kept as metadata", excerpt=ex(e),
                                  hint="Claude Code ignores it; the claude target leaves it out unless keep_unknown_keys = true"))
            out["metadata"][key] = _jsonable(v)
            continue
        field = fields.KNOWN_KEYS[key]
        if key in ("name", "description", "model", "initialPrompt") + tuple(fields.CHOICES):
            if isinstance(v, (int, float)) and not isinstance(v, bool) and key == "model":
                v = str(v)
            if not isinstance(v, str):
                if v is None and key not in ("name", "description"):
                    continue
                wrong(e, "a string")
                continue
            v = v.strip()
            if key in fields.CHOICES and v not in fields.CHOICES[key]:
                diags.append(diag("AGC131", e.span, f"{key} '{v}' is not one of {', '.join(fields.CHOICES[key])}",
                                  hint="targets map or drop it", excerpt=ex(e)))
            out[field] = v
        elif key in ("tools", "disallowedTools", "skills"):
            items = fields.as_str_list(v) if v is not None else None
            if v is not None and items is None:
                wrong(e, "a comma-separated string or a list of names")
                continue
            if items is not None and key != "skills":
                diags += fields.check_tools(items, e, src.lines)
            out[field] = tuple(items) if items is not None else None
        elif key == "maxTurns":
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                wrong(e, "a positive integer")
                continue
            out[field] = v
        elif key == "background":
            if not isinstance(v, bool):
                wrong(e, "true or false")
                continue
            out[field] = v
        else:
            out[field] = _jsonable(v)
    head = src.entries.get("name")
    top = Span(file=src.file, line=src.body_start if src.body_start else 1)
    if "name" not in out:
        typo = next((k for k in src.entries if fields.near_miss(k) == "name"), None)
        if head is None and "name" not in src.broken:
            diags.append(diag("AGC110", Span(file=src.file, line=1), "no 'name': Claude Code treats the file as documentation",
                              hint=f"rename '{typo}' to 'name'" if typo else "add 'name: my-agent' to the frontmatter",
                              excerpt=src.lines[0]))
    elif isinstance(out["name"], str):
        diags += fields.check_name(out["name"], head, src.lines)
    if "description" not in out:
        typo = next((k for k in src.entries if fields.near_miss(k) == "description"), None)
        if "description" not in src.entries and "description" not in src.broken:
            diags.append(diag("AGC111", top if head is None else head.span,
                              "no 'description': Claude Code skips an agent without one",
                              hint=f"rename '{typo}' to 'description'" if typo else "add 'description: when to use this agent'",
                              excerpt=src.lines[top.line - 1] if head is None else ex(head)))
    elif not out["description"]:
        diags.append(diag("AGC114", src.entries["description"].span, "description is empty",
                          hint="say when this agent should be used", excerpt=ex(src.entries["description"])))
    return out, diags


def _show(v: Any) -> str:
    return f"{type(v).__name__} {v!r}"[:60]


def _jsonable(v: Any) -> Any:
    """Frontmatter values as JSON data (YAML dates and other scalars become strings)."""
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return str(v)
