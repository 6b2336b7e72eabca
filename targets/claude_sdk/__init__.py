"""Target `claude-sdk`: a Python package for the Claude Agent SDK (`claude-agent-sdk`).

`<package>/agents.py` (default `<entry>_team`) defines `AGENTS: dict[str, AgentDefinition]`, one
per agent of the build, and `options(**overrides)` returning `ClaudeAgentOptions(agents=AGENTS,
system_prompt=<entry prompt>, ...)`. Prompts are package data (`prompts/*.md`), so prompt text
never becomes code. `AgentDefinition` mirrors the frontmatter agentc types, so the mapping is
nearly 1:1; what it cannot hold (colour, hooks, isolation, unknown keys, values outside the
SDK's literal types) is named in a loss report (AGC420).

No formatter runs on a build: the templates and their literals are in black's style (a test
formats every emitted module with black and expects no change); black, 0.6 s per 100 agents,
runs only when a line is too long in a way black would change.
"""

from __future__ import annotations

from typing import Any

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR, ProjectIR
from agentc.compiler.nesting import nesting_report
from agentc.compiler.options import BuildOptions
from agentc.targets import Emitted, FileText, Target
from agentc.targets._shared.coding import loss_report, shown, unsupported
from agentc.targets._shared.naming import package_name, snake
from agentc.targets._shared.pyformat import format_python
from agentc.targets._shared.render import render
from agentc.targets._shared.team import pick_entry, prompt_utf8

NAME = "claude-sdk"
LINE_LIMIT = 100  # black's line length in agentc's pinned mode
MAX_DEPTH = 5  # Claude Code >= 2.1.172 lets subagents spawn subagents this deep
SHADOWED = frozenset({"claude_agent_sdk", "anthropic", "mcp"})
# The SDK's Literal types (claude_agent_sdk.types, 0.2.189).
MEMORY = ("user", "project", "local")
EFFORT = ("low", "medium", "high", "xhigh", "max")
PERMISSION = ("default", "acceptEdits", "plan", "bypassPermissions", "dontAsk", "auto")
EXPRESSED = {"tools", "disallowed_tools", "model", "skills", "memory", "mcp_servers", "initial_prompt", "max_turns",
             "background", "effort", "permission_mode"}


def definition_fields(a: AgentIR, options: BuildOptions) -> tuple[list[tuple[str, Any]], list[str]]:
    """(AgentDefinition keyword, value) pairs beyond description and prompt, and what is lost."""
    lost = unsupported(a, EXPRESSED)
    fields: list[tuple[str, Any]] = []

    def keep(field: str, value: Any, ok: bool = True, key: str = "") -> None:
        if value is None:
            return
        if ok:
            fields.append((field, value))
        else:
            lost.append(f"{key or field} '{shown(value)}' (not a value the SDK's type accepts)")

    model = a.model
    if model is not None:
        model = options.model_map.get(NAME, {}).get(model, model)
    keep("tools", list(a.tools) if a.tools is not None else None)
    keep("disallowedTools", list(a.disallowed_tools) if a.disallowed_tools is not None else None)
    keep("model", model)
    keep("skills", list(a.skills) if a.skills is not None else None)
    keep("memory", a.memory, a.memory in MEMORY)
    mcp = a.mcp_servers
    if isinstance(mcp, dict):
        mcp = [{k: mcp[k]} for k in sorted(mcp)]
    elif isinstance(mcp, (list, tuple)):
        mcp = list(mcp)
    keep("mcpServers", mcp, mcp is None or all(isinstance(m, (str, dict)) for m in mcp), "mcpServers")
    keep("initialPrompt", a.initial_prompt)
    keep("maxTurns", a.max_turns)
    keep("background", a.background)
    effort: Any = a.effort
    if isinstance(effort, str) and effort.isdigit():
        effort = int(effort)
    keep("effort", effort, isinstance(effort, int) or effort in EFFORT)
    keep("permissionMode", a.permission_mode, a.permission_mode in PERMISSION)
    return fields, lost


def emit(project: ProjectIR, options: BuildOptions) -> Emitted:
    roots, diags = pick_entry(project, options)
    if not roots:
        return Emitted(files={}, diagnostics=tuple(diags))
    entry = project.agent(roots[0])
    package, more = package_name(options, entry, SHADOWED)
    diags += more
    counts: dict[str, int] = {}
    for a in project.agents:
        counts[a.name] = counts.get(a.name, 0) + 1
    files_used: set[str] = set()
    views, prompts = [], {}
    for a in project.agents:
        fields, lost = definition_fields(a, options)
        diags += loss_report("AGC420", NAME, a, lost)
        prompt_file = _unique(f"{snake(a.name)}.md" if counts[a.name] == 1 else f"{snake(f'{a.scope}_{a.name}')}.md", files_used)
        key = a.name if counts[a.name] == 1 else a.id  # the Agent tool's subagent_type; plugin agents are plugin:name
        views.append({"key": key, "description": a.description, "prompt_file": prompt_file, "fields": fields})
        prompts[prompt_file] = prompt_utf8(a)  # 1000 prompts: 32 MB, 63 MB as str
    entry_key = entry.name if counts[entry.name] == 1 else entry.id
    diags += nesting_report(project, MAX_DEPTH, NAME)
    files: dict[str, FileText] = {
        f"{package}/__init__.py": render("claude_sdk", "init.py.j2"),
        f"{package}/agents.py": _black_if_long(render("claude_sdk", "agents.py.j2", agents=views, entry=entry_key,
                                                      entry_fields=_entry_fields(project, entry, options))),
    }
    files.update({f"{package}/prompts/{f}": text for f, text in sorted(prompts.items())})
    return Emitted(files=files, diagnostics=tuple(diags))


def _black_if_long(source: str) -> str:
    """`source` through black only if a line is over black's limit, other than an agent's
    `description="..."` argument: a lone string black cannot split and leaves as it is."""
    if any(len(line) > LINE_LIMIT and not line.startswith("        description=") for line in source.splitlines()):
        return format_python(source)
    return source


def _entry_fields(project: ProjectIR, entry: AgentIR, options: BuildOptions) -> list[tuple[str, Any]]:
    """ClaudeAgentOptions settings of the lead session. A lead that delegates needs the Agent tool."""
    fields, _ = definition_fields(entry, options)
    by = dict(fields)
    out: list[tuple[str, Any]] = []
    if "tools" in by:
        tools = list(by["tools"])
        if project.edges_from(entry.id) and not {"Agent", "Task"} & set(tools):
            tools.append("Agent")
        out.append(("tools", tools))
    for field, option in (("disallowedTools", "disallowed_tools"), ("model", "model"), ("maxTurns", "max_turns"),
                          ("permissionMode", "permission_mode"), ("effort", "effort")):
        if field in by and not (field == "model" and by[field] == "inherit"):
            out.append((option, by[field]))
    return out


def _unique(name: str, used: set[str]) -> str:
    stem, n = name[:-3], 2
    while name in used:
        name, n = f"{stem}_{n}.md", n + 1
    used.add(name)
    return name


def validate(files: dict[str, str]) -> list[Diagnostic]:
    """Every prompt file the module loads is emitted (the module itself is compiled by the driver)."""
    import re

    from agentc.compiler.span import Span

    out = []
    for path, text in sorted(files.items()):
        if path.endswith("/agents.py"):
            folder = path.rsplit("/", 1)[0]
            for file in re.findall(r'_prompt\("([^"]+)"\)', text):
                if f"{folder}/prompts/{file}" not in files:
                    out.append(diag("AGC902", Span(file=path, line=1), f"agents.py loads prompts/{file}, which is not emitted"))
    return out


TARGET = Target(
    name=NAME,
    summary="Claude Agent SDK package: <entry>_team/agents.py (AGENTS: dict[str, AgentDefinition], options()), prompts/*.md",
    emit=emit,
    validate=validate,
    capabilities=frozenset({"delegation:runtime", "model:claude", "prompts:files", "tools:claude",
                            "permissions", f"nesting:{MAX_DEPTH}"}),
)
