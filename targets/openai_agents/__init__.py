"""Target `openai-agents`: an installable project for the OpenAI Agents SDK (`openai-agents`).

`OUT/openai-agents/<package>/` holds `pyproject.toml`, a README and `src/<package>/`. The
package's Python modules are the same for every team (they live in `package/` beside this
file, written and linted as real code, in black's style); what a team changes is data:
`team.json` (agents, delegation edges, settings) and `prompts/<agent>.md`. So no formatter runs
while building, and prompt text never becomes code. See `project.py` for the data and files.
"""

from __future__ import annotations

from agentc.compiler.diagnostics import diag
from agentc.compiler.ir import ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.targets import Emitted, FileText, Target
from agentc.targets._shared.naming import package_name, snake
from agentc.targets._shared.openai import (
    CODES,
    DEFAULT_MODELS,
    claude_only_settings,
    openai_model,
    stub_prompt,
    tool_name,
)
from agentc.targets._shared.team import agent_keys, apply_dangling, pick_entry, prompt_utf8, reachable
from agentc.targets.openai_agents import project

NAME = "openai-agents"
SHADOWED = frozenset({"agents", "openai", "fastapi", "pydantic", "teampkg"})  # would hide a dependency


def _describe(conditions: list[str], fallback: str) -> str | None:
    text = "; ".join(dict.fromkeys(c for c in conditions if c))
    return text or " ".join(fallback.split()) or None


def _files_for(members, stubs) -> dict[str, str]:
    """A unique prompt file stem per agent key: snake name, then numbered."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key, name in members + stubs:
        stem, n = snake(name), 2
        while stem in used:
            stem, n = f"{snake(name)}_{n}", n + 1
        used.add(stem)
        out[key] = f"{stem}.md"
    return out


def emit(project_ir: ProjectIR, options: BuildOptions) -> Emitted:
    roots, diags = pick_entry(project_ir, options)
    if not roots:
        return Emitted(files={}, diagnostics=tuple(diags))
    members = reachable(project_ir, roots)
    kept, announced = {}, set()
    for a in members:
        kept[a.id], more = apply_dangling(project_ir, a.id, options, NAME, CODES, announced)
        diags += more
    stubs = list(dict.fromkeys(h.target for hs in kept.values() for h in hs if h.dangling))
    key = agent_keys(members, stubs)  # the same agent keys in every target
    prompt_file = _files_for([(a.id, key[a.id].replace(":", "_")) for a in members], [(s, s) for s in stubs])
    incoming: dict[str, list[str]] = {}
    for hs in kept.values():
        for h in hs:
            incoming.setdefault(h.target, []).append(h.description)
    agents: list[dict] = []
    prompts: dict[str, FileText] = {}
    for a in members:
        model, more = openai_model(a, NAME, options, DEFAULT_MODELS, None)
        diags += more
        taken: set[str] = set()
        delegates = []
        for h in kept[a.id]:
            tool, why = tool_name("transfer_to_", h.name, taken)
            if why:
                diags.append(diag("AGC704", h.span, f"delegation from '{a.name}' to '{h.name}' is named '{tool}': {why}"))
            delegates.append({"key": key[h.target], "tool": tool[len("transfer_to_"):], "description": h.description})
        agents.append({"key": key[a.id], "name": key[a.id], "prompt": prompt_file[a.id],
                       "description": _describe(incoming.get(a.id, []), a.description), "model": model,
                       "delegates": delegates})
        prompts[prompt_file[a.id]] = prompt_utf8(a)  # 1000 prompts: 32 MB, 63 MB as str
    for s in stubs:
        agents.append({"key": key[s], "name": key[s], "prompt": prompt_file[s],
                       "description": _describe(incoming.get(s, []), ""), "model": None, "delegates": []})
        prompts[prompt_file[s]] = stub_prompt(s)
    diags += claude_only_settings(members, NAME)
    entry = project_ir.agent(roots[0])
    package, more = package_name(options, entry, SHADOWED)
    diags += more
    spec = project.team_spec(entry, key[entry.id], agents, options)
    files = project.files(package, spec, prompts, options)
    return Emitted(files=files, diagnostics=tuple(diags))


TARGET = Target(
    name=NAME,
    summary="OpenAI Agents SDK project: <package>/ (pyproject, README, src/<package>: team.json, prompts/*.md, "
            "CLI, FastAPI app)",
    emit=emit,
    capabilities=frozenset({"delegation:tools", "delegation:handoffs", "model:openai", "prompts:files",
                            "checklists:guardrail"}),
)
