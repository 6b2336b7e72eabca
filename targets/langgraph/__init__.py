"""Target `langgraph`: a Python package whose graph runs the team on LangGraph 1.x.

The package is `OUT/langgraph/<package>/`: `team.py` (the team as data: nodes, prompt files,
models, handoff tools), `graph.py` (the runtime that turns that table into a StateGraph; the
same for every team, so its imports are fixed and checked by ruff), `prompts/*.md` (system
prompts as plain files, loaded with importlib.resources, so no prompt text is ever placed in
code), `__main__.py` (a small chat CLI), `__init__.py` and a README.

Every agent is a node. Every delegation edge becomes a handoff tool `transfer_to_<snake>` whose
description is the edge's condition text. A delegate returns to whoever called it through a
call stack in the graph state, so any agent with delegates supervises them. Planning (names,
entry, dangling targets, models) happens here as data; templates only lay it out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR, ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Emitted, FileText, Target, pieces
from agentc.targets._shared import jsontext
from agentc.targets._shared.models import map_model
from agentc.targets._shared.naming import package_name, snake
from agentc.targets._shared.render import render, table_cell
from agentc.targets._shared.shipped import shipped
from agentc.targets._shared.team import agent_keys, apply_dangling, pick_entry, prompt_utf8, reachable

NAME = "langgraph"
RESERVED_NODES = frozenset({"__start__", "__end__"})
# Claude Code model aliases -> init_chat_model ids; `[tool.agentc.model_map.langgraph]` overrides,
# and its `default` key sets the model of agents that inherit one.
DEFAULT_MODELS = {
    "sonnet": "anthropic:claude-sonnet-4-5",
    "opus": "anthropic:claude-opus-4-1",
    "haiku": "anthropic:claude-haiku-4-5",
    "inherit": "",
}
# The generated project's requirements, bounded to the major versions the tests run.
DEPENDENCIES = ("langgraph>=1.2,<2", "langchain-core>=1.0,<2", "langchain>=1.0,<2")
EXTRAS = {
    "serve": ["fastapi>=0.115,<1", "uvicorn>=0.30,<1"],
    "sqlite": ["langgraph-checkpoint-sqlite>=3.0,<4"],
    "postgres": ["langgraph-checkpoint-postgres>=3.0,<4", "psycopg[binary,pool]>=3.2,<4"],
    "dev": ["langgraph-cli[inmem]>=0.4,<0.5", "httpx>=0.27,<1"],
}
PROVIDER_BOUNDS = {"langchain-anthropic": "langchain-anthropic>=1.0,<2", "langchain-openai": "langchain-openai>=1.0,<2"}
LANGGRAPH_MODULES = ("__init__.py", "__main__.py", "graph.py", "models.py", "runner.py", "team.py")
SHARED_MODULES = ("factory.py", "observe.py", "usage.py")
# Top-level names a generated package must not take: it would shadow the framework itself.
SHADOWED = frozenset({"langgraph", "langchain", "langchain_core", "langsmith"})
# init_chat_model provider prefix -> (package, API key variable), for the generated README.
PROVIDERS = {
    "anthropic": ("langchain-anthropic", "ANTHROPIC_API_KEY"),
    "openai": ("langchain-openai", "OPENAI_API_KEY"),
    "google_genai": ("langchain-google-genai", "GOOGLE_API_KEY"),
    "mistralai": ("langchain-mistralai", "MISTRAL_API_KEY"),
    "groq": ("langchain-groq", "GROQ_API_KEY"),
    "ollama": ("langchain-ollama", None),
}
TOOL_NAME_MAX = 64  # what OpenAI and Anthropic accept for a function name
CLI = Span(file="<command line>", line=1)


@dataclass(frozen=True)
class Tool:
    tool: str  # transfer_to_<snake node>
    target: str  # node name
    description: str


@dataclass(frozen=True)
class Node:
    node: str
    key: str  # what models=, the model factory and usage name it by: the same in every target
    title: str  # the agent's name as written (or the dangling target's)
    agent_id: str | None  # None for a placeholder
    prompt_file: str
    prompt: FileText  # an agent's as UTF-8 (prompt_utf8): 1000 prompts are 32 MB, 63 MB as str
    model: str | None
    handoffs: tuple[Tool, ...]
    placeholder: bool = False


@dataclass(frozen=True)
class Plan:
    package: str
    nodes: tuple[Node, ...]
    roots: tuple[str, ...]
    return_node: str
    default_model: str
    recursion_limit: int
    checkpointer: str


def _sanitize(text: str) -> str:
    """A node name LangGraph and mermaid both keep readable: letters, digits, `_` and `-`."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "agent"


def _unique(wanted: str, taken: set[str], sep: str = "-") -> str:
    """`wanted`, else numbered before its extension (`ml_engineer_2.md`)."""
    stem, dot, ext = wanted.rpartition(".") if wanted.endswith(".md") else (wanted, "", "")
    name, n = wanted, 2
    while name in taken:
        name, n = f"{stem}{sep}{n}{dot}{ext}", n + 1
    taken.add(name)
    return name


def _tool_name(node: str, taken: set[str]) -> str:
    name = f"transfer_to_{snake(node)}"
    if len(name) > TOOL_NAME_MAX:  # keep it deterministic and still recognisable
        name = name[: TOOL_NAME_MAX - 9] + "_" + hashlib.sha1(node.encode()).hexdigest()[:8]
    return _unique(name, taken, "_")


def _node_names(agents: list[AgentIR], diags: list[Diagnostic]) -> tuple[dict[str, str], set[str]]:
    """Node name per agent id: the agent's name, or `<plugin>__<name>` when plugins share it."""
    counts = Counter(a.name for a in agents)
    taken = set(RESERVED_NODES)
    names: dict[str, str] = {}
    for a in agents:
        wanted = a.name if counts[a.name] == 1 else (f"{a.scope}__{a.name}" if a.scope else a.id)
        names[a.id] = _unique(_sanitize(wanted), taken)
        if names[a.id] != a.name:
            diags.append(diag("AGC505", a.span, f"agent '{a.id}' is graph node '{names[a.id]}'"
                              + (" (several plugins define this name)" if counts[a.name] > 1 else "")))
    return names, taken


def _package(options: BuildOptions, entry: AgentIR, diags: list[Diagnostic]) -> str:
    package, more = package_name(options, entry, SHADOWED)
    diags += more
    return package


def plan(project: ProjectIR, options: BuildOptions) -> tuple[Plan | None, list[Diagnostic]]:
    roots, diags = pick_entry(project, options)
    if not roots:
        return None, diags
    agents = reachable(project, roots)
    left_out = len(project.agents) - len(agents)
    if left_out:
        diags.append(diag("AGC506", CLI, f"{left_out} agent(s) are not reachable from "
                          f"{', '.join(roots)} and are not in the langgraph package",
                          hint="pick another entry with --entry NAME, or build those agents on their own"))
    names, taken = _node_names(agents, diags)
    table = {**DEFAULT_MODELS, **options.model_map.get(NAME, {})}
    placeholders: dict[str, list[tuple[str, str]]] = {}  # written target -> [(caller, condition)]
    wiring: list[tuple[AgentIR, list]] = []
    announced: set[str] = set()
    for a in agents:
        kept, more = apply_dangling(project, a.id, options, NAME, ("AGC501", "AGC502", "AGC503"), announced)
        diags += more
        for h in kept:
            if h.dangling:
                placeholders.setdefault(h.name, []).append((names[a.id], h.description))
        wiring.append((a, kept))
    stub_nodes = {name: _unique(_sanitize(name), taken) for name in placeholders}
    keys = agent_keys(agents, list(placeholders))
    files: set[str] = set()
    nodes: list[Node] = []
    for a, kept in wiring:
        tools: set[str] = set()
        wired = tuple(Tool(_tool_name(t, tools), t, h.description)
                      for h in kept for t in [stub_nodes[h.name] if h.dangling else names[h.target]])
        model, more = map_model(a, NAME, options, DEFAULT_MODELS, full_id=lambda m: f"anthropic:{m}")
        diags += more
        nodes.append(Node(names[a.id], keys[a.id], a.name, a.id, _unique(f"{snake(names[a.id])}.md", files, "_"),
                          prompt_utf8(a), model, wired))
    for name, uses in placeholders.items():
        text = render(NAME, "placeholder.md.j2", name=name,
                      uses=[(caller, " ".join(cond.split())) for caller, cond in uses])
        nodes.append(Node(stub_nodes[name], keys.get(name, stub_nodes[name]), name, None, _unique(f"{snake(stub_nodes[name])}.md", files, "_"),
                          text, None, (), placeholder=True))
    entry = project.agent(roots[0])
    return Plan(
        package=_package(options, entry, diags),
        nodes=tuple(nodes),
        roots=tuple(names[r] for r in roots),
        return_node=_unique("return_to_caller", taken, "_"),
        default_model=table.get("default") or table.get("sonnet") or DEFAULT_MODELS["sonnet"],
        recursion_limit=options.recursion_limit,
        checkpointer=options.checkpointer,
    ), diags


def emit(project: ProjectIR, options: BuildOptions) -> Emitted:
    the_plan, diags = plan(project, options)
    if the_plan is None:
        return Emitted(files={}, diagnostics=tuple(diags))
    p = the_plan
    if any(d.code == "AGC507" for d in diags):  # no code is generated under a name that cannot import
        return Emitted(files={}, diagnostics=tuple(diags))
    team_json = jsontext.dumps(team_data(p, options), ensure_ascii=False) + "\n"
    prompts = {f"prompts/{n.prompt_file}": n.prompt for n in p.nodes}
    digest = _digest([team_json, *sorted(prompts), *prompts.values()])
    version = f"0.1.0+{digest[:10]}"  # changes with the team, never with the time of the build
    used = sorted({m.split(":", 1)[0] for m in [p.default_model, *(n.model for n in p.nodes if n.model),
                                                  *options.fallback_models.get(NAME, [])] if ":" in m})
    providers = [(u, *PROVIDERS[u]) for u in used if u in PROVIDERS]
    context = {"plan": p, "options": options, "providers": providers, "version": version,
               "serve": options.serve, "dependencies": DEPENDENCIES, "extras": EXTRAS, **_readme_tables(p)}
    root = f"{p.package}/"
    pkg = f"{root}{p.package}/"
    files: dict[str, FileText] = {pkg + name: text for name, text in static_modules(options.serve).items()}
    files[pkg + "team.json"] = team_json
    for rel, text in prompts.items():
        files[pkg + rel] = text
    files[root + "pyproject.toml"] = pyproject(p.package, version, providers, options)
    server = {"python_version": "3.11", "dependencies": ["."],
              "graphs": {p.package: f"{p.package}.graph:make_graph"}, "env": ".env"}
    files[root + "langgraph.json"] = json.dumps(server, indent=2) + "\n"
    files[root + ".env.example"] = render(NAME, "env.example.j2", **context)
    files[root + "README.md"] = render(NAME, "README.md.j2", **context)
    return Emitted(files=dict(sorted(files.items())), diagnostics=tuple(diags))


def _readme_tables(p: Plan) -> dict[str, list[str]]:
    """The rows of the README's agent and handoff tables, made here rather than by the template:
    at 1000 agents they are 16,000 rows, for each of which Jinja looked every attribute up on
    its slow path (the README: ~22 -> ~13 ms)."""
    agent_rows = [f"| `{n.key}`{' (placeholder)' if n.placeholder else ''} | `{n.node}` | "
                  f"{n.model or 'default: ' + p.default_model} | {'; '.join(f'`{h.tool}`' for h in n.handoffs)} |"
                  for n in p.nodes]
    handoff_rows = [f"| `{n.node}` | `{h.tool}` | {table_cell(h.description)} |" for n in p.nodes for h in n.handoffs]
    return {"agent_rows": agent_rows, "handoff_rows": handoff_rows}


def _digest(parts: list[FileText]) -> str:
    """sha256 of `"\0".join(parts)` in UTF-8, fed piece by piece: no 32 MB joined copy at 1000 agents."""
    h = hashlib.sha256()
    for i, part in enumerate(parts):
        if i:
            h.update(b"\0")
        for piece in pieces(part):
            h.update(piece)
    return h.hexdigest()


def team_data(p: Plan, options: BuildOptions) -> dict:
    """team.json: the team as data for the generated package's static modules."""
    return {
        "agents": [{"node": n.node, "key": n.key, "title": n.title, "prompt": n.prompt_file, "model": n.model,
                    "placeholder": n.placeholder,
                    "handoffs": [{"tool": h.tool, "target": h.target, "description": h.description} for h in n.handoffs]}
                   for n in p.nodes],
        "roots": list(p.roots),
        "return_node": p.return_node,
        "default_model": p.default_model,
        "settings": {
            "recursion_limit": p.recursion_limit,
            "checkpointer": p.checkpointer,
            "retries": options.retries,
            "timeout_s": options.timeout_s,
            "fallback_models": list(options.fallback_models.get(NAME, [])),
            "delegate_context": options.delegate_context,
            "model_factory": options.model_factory,
            "prices": {k: list(v) for k, v in sorted(options.prices.items())},
            "max_request_bytes": options.max_request_bytes,
        },
    }


def static_modules(serve: bool) -> dict[str, str]:
    """The package's modules: the same bytes for every team (already black-formatted, so black
    never runs on them); the shared runtime helpers come from targets/_shared/runtime."""
    return {**_static("langgraph", "static", LANGGRAPH_MODULES),
            **_static("_shared", "runtime", SHARED_MODULES + (("server.py",) if serve else ()))}


def _static(package: str, folder: str, names: tuple[str, ...]) -> dict[str, str]:
    return {name: shipped(package, folder, name) for name in names}


def pyproject(package: str, version: str, providers: list[tuple[str, str, str | None]], options: BuildOptions) -> str:
    """The project's pyproject.toml, built as data (TOML basic strings take JSON's escapes)."""
    q = json.dumps
    extras = {provider: [PROVIDER_BOUNDS.get(pkg, pkg)] for provider, pkg, _ in providers}
    extras.update(EXTRAS)
    deps = [*DEPENDENCIES, *EXTRAS.get(options.checkpointer, [])]
    if options.serve:
        deps += EXTRAS["serve"]
    lines = [
        "[build-system]",
        'requires = ["setuptools>=68"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f"name = {q(package.replace('_', '-'))}",
        f"version = {q(version)}",
        f"description = {q('A team of agents as a LangGraph graph, generated by agentc')}",
        'readme = "README.md"',
        'requires-python = ">=3.11"',
        "dependencies = [" + ", ".join(q(d) for d in deps) + "]",
        "",
        "[project.optional-dependencies]",
        *[f"{name} = [" + ", ".join(q(d) for d in reqs) + "]" for name, reqs in extras.items()],
        "",
        "[project.scripts]",
        f"{q(package.replace('_', '-'))} = {q(package + '.__main__:main')}",
        "",
        "[tool.setuptools]",
        f"packages = [{q(package)}]",
        "",
        "[tool.setuptools.package-data]",
        f'{package} = ["team.json", "prompts/*.md"]',
    ]
    return "\n".join(lines) + "\n"


def validate(files: dict[str, str]) -> list[Diagnostic]:
    """Every prompt file that team.json names is emitted, and nothing else sits in prompts/."""
    out = []
    for path, text in sorted(files.items()):
        if not path.endswith("/team.json"):
            continue
        folder = path.rsplit("/", 1)[0]
        named = {a["prompt"] for a in jsontext.loads(text)["agents"]}
        shipped = {p.rsplit("/", 1)[1] for p in files if p.startswith(f"{folder}/prompts/")}
        for missing in sorted(named ^ shipped):
            out.append(diag("AGC902", Span(file=path, line=1), f"prompt file '{missing}' is named in team.json "
                            "or shipped in prompts/ but not both", hint="this is a bug in agentc's langgraph target"))
    return out


TARGET = Target(
    name=NAME,
    summary="a Python package: LangGraph supervisor graph with handoff tools, prompts as files, a chat CLI",
    emit=emit,
    validate=validate,
    capabilities=frozenset({"delegation:handoff-tools", "model:map", "prompts:files", "checklists:prose"}),
)
