"""Target `openai-agents`: a Python package for the OpenAI Agents SDK (`openai-agents`).

`<package>/team.py` (default `<entry>_team`) defines one `Agent` per agent reachable from the entry: instructions
from `prompts/<agent>.md` (package resources, so prompt text never becomes code), a
`handoff_description` from the conditions under which others delegate to it, and one
`handoff(...)` per delegation edge with an explicit snake_case tool name. Models are mapped
from the agent's `model`, and `build_agents(model=..., models={...})` lets a caller (or a
test) inject any `agents.Model`. This is the live successor of the Assistants target `openai`.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentc.compiler.diagnostics import diag
from agentc.compiler.ir import ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.targets import Emitted, Target
from agentc.targets._shared.naming import package_name, snake
from agentc.targets._shared.openai import (
    CODES,
    DEFAULT_MODELS,
    claude_only_settings,
    openai_model,
    stub_prompt,
    tool_name,
)
from agentc.targets._shared.pyformat import format_python
from agentc.targets._shared.render import render
from agentc.targets._shared.team import apply_dangling, pick_entry, prompt_text, reachable

NAME = "openai-agents"
SHADOWED = frozenset({"agents", "openai"})  # a package with these names would hide the SDK
TEMPLATES = "openai_agents"
# Names the generated build_agents() uses itself; an agent variable must not shadow them.
RESERVED = frozenset({"model", "models", "chosen", "pick", "agent_id", "Agent", "Model", "handoff", "resources",
                      "Mapping", "ENTRY", "MODELS", "build_agents", "entry_agent", "annotations"})


@dataclass(frozen=True)
class HandoffView:
    var: str
    tool: str
    description: str


@dataclass(frozen=True)
class AgentView:
    id: str
    name: str
    var: str
    prompt_file: str
    handoff_description: str | None
    model: str | None
    handoffs: tuple[HandoffView, ...]


def _variables(keys: list[tuple[str, str, str | None]]) -> dict[str, str]:
    """A unique Python name per agent key: snake name, then plugin-scoped, then numbered."""
    out: dict[str, str] = {}
    used = set(RESERVED)
    for key, name, scope in keys:
        candidates = [snake(name)] + ([snake(f"{scope}_{name}")] if scope else [])
        var = next((c for c in candidates if c not in used), None)
        n = 2
        while var is None:
            var = f"{candidates[0]}_{n}" if f"{candidates[0]}_{n}" not in used else None
            n += 1
        used.add(var)
        out[key] = var
    return out


def _describe(conditions: list[str], fallback: str) -> str | None:
    text = "; ".join(dict.fromkeys(c for c in conditions if c))
    return text or " ".join(fallback.split()) or None


def emit(project: ProjectIR, options: BuildOptions) -> Emitted:
    roots, diags = pick_entry(project, options)
    if not roots:
        return Emitted(files={}, diagnostics=tuple(diags))
    members = reachable(project, roots)
    kept, announced = {}, set()
    for a in members:
        kept[a.id], more = apply_dangling(project, a.id, options, NAME, CODES, announced)
        diags += more
    stubs = list(dict.fromkeys(h.target for hs in kept.values() for h in hs if h.dangling))
    keys = [(a.id, a.name, a.scope) for a in members] + [(s, s, None) for s in stubs]
    var = _variables(keys)
    incoming: dict[str, list[str]] = {}
    for hs in kept.values():
        for h in hs:
            incoming.setdefault(h.target, []).append(h.description)
    names = [a.name for a in members]
    views: list[AgentView] = []
    prompts: dict[str, str] = {}
    for a in members:
        model, more = openai_model(a, NAME, options, DEFAULT_MODELS, None)
        diags += more
        taken: set[str] = set()
        hv = []
        for h in kept[a.id]:
            tool, why = tool_name("transfer_to_", h.name, taken)
            if why:
                diags.append(diag("AGC704", h.span, f"handoff from '{a.name}' to '{h.name}' is named '{tool}': {why}"))
            hv.append(HandoffView(var[h.target], tool, h.description))
        shown = a.name if names.count(a.name) == 1 else a.id  # the model sees names: keep them distinct
        views.append(AgentView(a.id, shown, var[a.id], f"{var[a.id]}.md", _describe(incoming.get(a.id, []), a.description),
                               model, tuple(hv)))
        prompts[f"{var[a.id]}.md"] = prompt_text(a)
    for s in stubs:
        views.append(AgentView(s, s, var[s], f"{var[s]}.md", _describe(incoming.get(s, []), ""), None, ()))
        prompts[f"{var[s]}.md"] = stub_prompt(s)
    diags += claude_only_settings(members, NAME)
    package, more = package_name(options, project.agent(roots[0]), SHADOWED)
    diags += more
    files = _files(package, views, roots[0], project.agent(roots[0]).max_turns or 10)
    files.update({f"{package}/prompts/{f}": text for f, text in prompts.items()})
    return Emitted(files=files, diagnostics=tuple(diags))


def _files(package: str, views: list[AgentView], entry: str, max_turns: int) -> dict[str, str]:
    wired = [v for v in views if v.handoffs]
    imports = "from agents import Agent, Model" + (", handoff" if wired else "")
    team = render(TEMPLATES, "team.py.j2", agents=views, wired=wired, entry=entry, imports=imports)
    return {
        f"{package}/__init__.py": format_python(render(TEMPLATES, "init.py.j2")),
        f"{package}/__main__.py": format_python(render(TEMPLATES, "main.py.j2", pkg=package, max_turns=max_turns)),
        f"{package}/team.py": format_python(team),
    }


TARGET = Target(
    name=NAME,
    summary="OpenAI Agents SDK package: <entry>_team/ (team.py with build_agents(), prompts/*.md, __main__)",
    emit=emit,
    capabilities=frozenset({"delegation:handoffs", "model:openai", "prompts:files"}),
)
