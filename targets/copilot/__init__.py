"""Target `copilot`: GitHub Copilot / VS Code custom agents, `.github/agents/<name>.agent.md`.

The one coding-tool format with static delegation, so the graph is written down, not just left in
the prose: `agents:` lists the agent's resolved delegates and `handoffs:` has one entry per
delegate (label, agent, the delegation's condition as the prompt, `send: false` so the user
reviews it first). Tools are mapped to Copilot's aliases (read, edit, search, execute, web,
agent, todo) and `agent` is added where the agent delegates. The YAML is dumped as data: a colon
in a description cannot make Copilot reject the file. What is lost is named per agent (AGC450).
"""

from __future__ import annotations

from typing import Any

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR, ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Chunks, Emitted, FileText, Target
from agentc.targets._shared.coding import (
    frontmatter_data,
    frontmatter_utf8,
    loss_report,
    schema_problems,
    unique_names,
    unsupported,
)
from agentc.targets._shared.openai import openai_model
from agentc.targets._shared.team import handoffs

NAME = "copilot"
# Claude tiers -> the model names Copilot's model picker shows; override in [tool.agentc.model_map.copilot].
DEFAULT_MODELS = {"opus": "Claude Opus 4.5", "sonnet": "Claude Sonnet 4.5", "haiku": "Claude Haiku 4.5"}
# Claude Code tool -> Copilot tool alias (GitHub's custom-agent docs list these Claude names as aliases).
TOOLS = {
    "Bash": "execute", "Read": "read", "NotebookRead": "read", "Edit": "edit", "MultiEdit": "edit", "Write": "edit",
    "NotebookEdit": "edit", "Grep": "search", "Glob": "search", "LS": "search", "Task": "agent", "Agent": "agent",
    "WebSearch": "web", "WebFetch": "web", "TodoWrite": "todo",
}
EXPRESSED = {"tools", "model"}
SCHEMA: dict[str, Any] = {  # the frontmatter GitHub and VS Code document for custom agents
    "type": "object",
    "required": ["name", "description"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "target": {"type": "string", "enum": ["vscode", "github-copilot"]},
        "tools": {"type": "array", "items": {"type": "string", "enum": sorted(set(TOOLS.values()))}},
        "model": {"type": "string", "minLength": 1},
        "agents": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "handoffs": {"type": "array", "items": {
            "type": "object", "required": ["label", "agent"], "additionalProperties": False,
            "properties": {"label": {"type": "string", "minLength": 1}, "agent": {"type": "string", "minLength": 1},
                           "prompt": {"type": "string"}, "send": {"type": "boolean"}, "model": {"type": "string"}},
        }},
        "argument-hint": {"type": "string"},
        "mcp-servers": {"type": "object"},
        "metadata": {"type": "object"},
    },
}


def agent_file(project: ProjectIR, a: AgentIR, names: dict[str, str], options: BuildOptions) -> tuple[Chunks, list[str], list[Diagnostic]]:
    lost = unsupported(a, EXPRESSED)
    data: dict[str, Any] = {"name": names[a.id], "description": a.description or a.name}
    if not a.description:
        lost.append("an empty description (Copilot requires one; the name stands in)")
    delegates = handoffs(project, a.id)
    linked = [h for h in delegates if not h.dangling]
    lost += [f"delegation to '{h.name}' (not in the build)" for h in delegates if h.dangling]
    if a.tools is not None:
        mapped = [TOOLS[t] for t in a.tools if t in TOOLS]
        unmapped = [t for t in a.tools if t not in TOOLS]
        if linked and "agent" not in mapped:
            mapped.append("agent")  # it delegates: Copilot calls subagents through the agent tool
        data["tools"] = list(dict.fromkeys(mapped))
        if unmapped:
            lost.append(f"tools {', '.join(unmapped)} (no Copilot counterpart)")
    model, diags = openai_model(a, NAME, options, DEFAULT_MODELS, None)  # a full claude-… id takes its family's (AGC706)
    if model:
        data["model"] = model
    if linked:
        data["agents"] = [names[h.target] for h in linked]
        data["handoffs"] = [{"label": f"Hand off to {names[h.target]}", "agent": names[h.target], "prompt": h.description,
                             "send": False} for h in linked]
    return frontmatter_utf8(data, a), lost, diags  # as UTF-8: 1000 agents, 32 MB (63 MB as str)


def emit(project: ProjectIR, options: BuildOptions) -> Emitted:
    names = unique_names(project)
    files, diags = {}, []
    for a in project.agents:
        text, lost, more = agent_file(project, a, names, options)
        diags += more
        diags += loss_report("AGC450", NAME, a, lost)
        files[f".github/agents/{names[a.id]}.agent.md"] = text
    return Emitted(files=files, diagnostics=tuple(diags))


def validate(files: dict[str, FileText]) -> list[Diagnostic]:
    """Each file re-read (frontmatter, YAML), checked against SCHEMA; every `agents:`/handoff
    target is an agent of this output, and `agent` is among the tools of an agent that delegates."""
    out = []
    emitted = {p.rsplit("/", 1)[-1][: -len(".agent.md")] for p in files}
    for path, text in sorted(files.items()):
        where = Span(file=path, line=1)
        try:
            data = frontmatter_data(text)
        except Exception as exc:  # any parser failure is a defect in this target
            out.append(diag("AGC902", where, f"emitted Copilot agent does not re-parse: {exc}"))
            continue
        problems = schema_problems(data, SCHEMA)
        if not problems:
            targets = list(data.get("agents", [])) + [h["agent"] for h in data.get("handoffs", [])]
            problems += [f"'{t}' is not an agent of this output" for t in targets if t not in emitted]
            if data.get("agents") and "tools" in data and "agent" not in data["tools"]:
                problems.append("delegates without the agent tool")
        out += [diag("AGC902", where, f"emitted Copilot agent breaks the documented format: {p}") for p in problems]
    return out


TARGET = Target(
    name=NAME,
    summary="GitHub Copilot / VS Code custom agents: .github/agents/<name>.agent.md (agents: and handoffs: from the graph)",
    emit=emit,
    validate=validate,
    capabilities=frozenset({"delegation:static", "model:copilot", "tools:copilot"}),
)
