"""Target `gemini`: Gemini CLI subagents, `.gemini/agents/<name>.md` per agent.

Frontmatter with only the keys Gemini CLI's loader accepts (its schema is strict: one unknown
key, `color` included, and the file is refused): `kind: local`, `name` (a slug), `description`,
`tools` as a YAML list of Gemini tool names, `model`, `max_turns`, `mcp_servers`. Everything else
is named in a loss report (AGC440). The body is the prompt, as written. Each subagent becomes a
tool of the main agent; a delegating agent that lists its tools gets `invoke_agent`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR, ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Chunks, Emitted, FileText, Target, joined
from agentc.targets._shared.coding import (
    frontmatter_data,
    frontmatter_utf8,
    loss_report,
    schema_problems,
    unique_names,
    unsupported,
)
from agentc.targets._shared.openai import openai_model

NAME = "gemini"
# Claude tiers -> Gemini models (stable ids; @google/gemini-cli 0.61 defaults to gemini-2.5-pro).
DEFAULT_MODELS = {"opus": "gemini-2.5-pro", "sonnet": "gemini-2.5-flash", "haiku": "gemini-2.5-flash-lite"}
# Claude Code tool -> Gemini CLI built-in tool (packages/core tool names, gemini-cli 0.61).
TOOLS = {
    "Read": "read_file", "NotebookRead": "read_file", "Write": "write_file", "Edit": "replace", "MultiEdit": "replace",
    "Glob": "glob", "Grep": "grep_search", "LS": "list_directory", "Bash": "run_shell_command", "WebFetch": "web_fetch",
    "WebSearch": "google_web_search", "TodoWrite": "write_todos", "Task": "invoke_agent", "Agent": "invoke_agent",
    "Skill": "activate_skill", "AskUserQuestion": "ask_user", "ExitPlanMode": "exit_plan_mode",
}
# Keys of an MCP server entry Gemini CLI takes (its mcpServerSchema), with their JSON types.
MCP_KEYS = {"command": str, "args": list, "env": dict, "cwd": str, "url": str, "http_url": str, "headers": dict,
            "tcp": str, "timeout": (int, float), "trust": bool, "description": str, "include_tools": list, "exclude_tools": list}
EXPRESSED = {"tools", "model", "max_turns", "mcp_servers"}
SLUG = re.compile(r"^[a-z0-9-_]+$")
SCHEMA: dict[str, Any] = {  # Gemini CLI's localAgentSchema (zod, .strict()), as JSON Schema
    "type": "object",
    "required": ["name", "description"],
    "additionalProperties": False,
    "properties": {
        "kind": {"type": "string", "enum": ["local"]},
        "name": {"type": "string", "pattern": SLUG.pattern},
        "description": {"type": "string", "minLength": 1},
        "display_name": {"type": "string"},
        "tools": {"type": "array", "items": {"type": "string", "enum": sorted(set(TOOLS.values()))}},
        "mcp_servers": {"type": "object"},
        "model": {"type": "string"},
        "temperature": {"type": "number"},
        "max_turns": {"type": "integer"},
        "timeout_mins": {"type": "integer"},
    },
}


def slug(name: str) -> str:
    """Gemini names are `^[a-z0-9-_]+$`: lower-cased, anything else becomes `-`."""
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "agent"


def agent_file(project: ProjectIR, a: AgentIR, name: str, options: BuildOptions) -> tuple[Chunks, list[str], list[Diagnostic]]:
    lost = unsupported(a, EXPRESSED)
    if name != a.name:
        lost.append(f"name '{a.name}' (written '{name}': Gemini names are lower-case slugs)")
    data: dict[str, Any] = {"kind": "local", "name": name, "description": a.description or a.name}
    if not a.description:
        lost.append("an empty description (Gemini requires one; the name stands in)")
    if a.tools is not None:
        mapped, unmapped = [], []
        for tool in a.tools:
            if tool in TOOLS:
                mapped.append(TOOLS[tool])
            else:
                unmapped.append(tool)
        if any(e.target_id for e in project.edges_from(a.id)) and "invoke_agent" not in mapped:
            mapped.append("invoke_agent")  # it delegates: its subagents are reached through this tool
        data["tools"] = list(dict.fromkeys(mapped))
        if unmapped:
            lost.append(f"tools {', '.join(unmapped)} (no Gemini CLI counterpart)")
    model, diags = openai_model(a, NAME, options, DEFAULT_MODELS, None)  # a full claude-… id takes its family's (AGC706)
    if model:
        data["model"] = model
    if a.max_turns is not None:
        if a.max_turns > 0:
            data["max_turns"] = a.max_turns
        else:
            lost.append(f"maxTurns '{a.max_turns}' (Gemini needs a positive number)")
    if a.mcp_servers is not None:
        if isinstance(a.mcp_servers, dict) and all(
            isinstance(cfg, dict) and all(k in MCP_KEYS and isinstance(v, MCP_KEYS[k]) for k, v in cfg.items())
            for cfg in a.mcp_servers.values()
        ):
            data["mcp_servers"] = {k: a.mcp_servers[k] for k in sorted(a.mcp_servers)}
        else:
            lost.append("mcpServers (not inline server configs Gemini CLI can read)")
    return frontmatter_utf8(data, a), lost, diags


def parts(project: ProjectIR, options: BuildOptions) -> Iterator[Emitted]:
    """One agent's file at a time."""
    used: set[str] = set()
    flat = unique_names(project)
    for a in project.agents:
        name = _unique(slug(flat[a.id]), used)
        text, lost, diags = agent_file(project, a, name, options)
        diags += loss_report("AGC440", NAME, a, lost)
        yield Emitted(files={f".gemini/agents/{name}.md": text}, diagnostics=tuple(diags))


emit = joined(parts)


def _unique(name: str, used: set[str]) -> str:
    out, n = name, 2
    while out in used:
        out, n = f"{name}-{n}", n + 1
    used.add(out)
    return out


def validate(files: dict[str, FileText]) -> list[Diagnostic]:
    """Each file split and read as Gemini CLI reads it (frontmatter, YAML) and checked against SCHEMA."""
    out = []
    for path, text in sorted(files.items()):
        where = Span(file=path, line=1)
        try:
            data = frontmatter_data(text)
        except Exception as exc:  # any parser failure is a defect in this target
            out.append(diag("AGC902", where, f"emitted Gemini agent does not re-parse: {exc}"))
            continue
        problems = schema_problems(data, SCHEMA)
        if not problems and f"{data['name']}.md" != path.rsplit("/", 1)[-1]:
            problems.append(f"name '{data['name']}' differs from the file name")
        out += [diag("AGC902", where, f"emitted Gemini agent breaks Gemini CLI's schema: {p}") for p in problems]
    return out


TARGET = Target(
    name=NAME,
    summary="Gemini CLI subagents: .gemini/agents/<name>.md (kind: local, Gemini tool names, no colour)",
    emit=emit,
    emit_parts=parts,
    validate=validate,
    capabilities=frozenset({"delegation:runtime", "model:gemini", "tools:gemini"}),
)
