"""Target `crewai`: a crew project in the layout `crewai create crew` makes, so `crewai run` works.

The entry agent becomes the hierarchical manager, the agents it reaches by delegation become
the crew's agents, and one request task (`{request}`) carries the manager's output format as
`expected_output` and its completion checklist as a function guardrail. See plan.py for the
crewAI facts the layout relies on and files.py for how each file is written: per-crew data in
config/ (agents.yaml, tasks.yaml, crew.json), crew.py and main.py rendered in black's style,
support.py and __main__.py the same for every crew (package/ beside this file).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import yaml

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Emitted, FileText, Target, as_text, joined
from agentc.targets.crewai import files, yamltext
from agentc.targets.crewai.crewcheck import repeats_dropped
from agentc.targets.crewai.plan import INPUT, PLACEHOLDER, build_plan

DEFAULT_REQUEST = "Tell me what you can do for me and which of your coworkers you would bring in."

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where present: the YAML can be megabytes
CREW_PY = "/crew.py"  # compiled by `validate` itself, its repeated blocks once (crewcheck)


def parts(project: ProjectIR, options: BuildOptions) -> Iterator[Emitted]:
    """The project's code, then its config: crew.py (1.1 MB for 1000 agents) is compiled to check
    it before agents.yaml (38 MB) is made, so the two are never in memory together."""
    plan, diags = build_plan(project, options)
    if plan is None or any(d.severity == "error" for d in diags):
        yield Emitted(files={}, diagnostics=tuple(diags))
        return
    entry = next(a for a in project.agents if a.id == plan.manager.ident)
    example = entry.use_when[0].text if entry.use_when else DEFAULT_REQUEST
    root, src = plan.package, f"{plan.package}/src/{plan.package}"
    code = {
        f"{root}/pyproject.toml": files.pyproject(plan),
        f"{root}/README.md": files.readme(plan, options),
        f"{src}/__init__.py": "",
        f"{src}/__main__.py": files.static_module("dunder_main.py", plan),
        f"{src}/crew.py": files.crew_py(plan),
        f"{src}/main.py": files.main_py(plan),
        f"{src}/support.py": files.static_module("support.py", plan),
        **{f"{src}/{name}": text for name, text in files.shared_modules().items()},
    }
    for a in [entry] + [project.agent(w.ident) for w in plan.workers if w.source is not None]:
        if a.tools:
            diags.append(diag("AGC607", a.where("tools"), f"tools of '{a.name}' ({', '.join(a.tools)}) have no crewAI counterpart "
                              "and are left out", severity="info", hint="add crewAI tools in crew.py by hand"))
    yield Emitted(files=code, diagnostics=tuple(diags))
    yield Emitted(files={
        f"{src}/config/agents.yaml": files.agents_yaml(plan, options),
        f"{src}/config/tasks.yaml": files.tasks_yaml(plan),
        f"{src}/config/crew.json": files.crew_json(plan, options, example),
    })


emit = joined(parts)


def validate(emitted: dict[str, FileText]) -> list[Diagnostic]:
    """What kickoff would trip over, checked without crewai: the YAML shapes, unique roles,
    and no `{name}` in an interpolated text that is neither the input nor a kept literal.
    Every YAML file is loaded once and crew.py compiled (agentc's generic check skips them:
    `loads_itself`)."""
    out: list[Diagnostic] = []
    for path in sorted(p for p in emitted if p.endswith(CREW_PY)):
        problem = _compile_problem(as_text(emitted[path]), path)
        if problem:
            out.append(diag("AGC902", Span(file=path, line=1), f"generated file does not load: {problem}",
                            hint="this is a bug in agentc's target; please report it with the input"))
    configs = sorted(p.removesuffix("agents.yaml") for p in emitted if p.endswith("/config/agents.yaml"))
    checked = {config + name for config in configs for name in ("agents.yaml", "tasks.yaml")}
    for path in sorted(p for p in emitted if p.endswith((".yaml", ".yml")) and p not in checked):
        for _ in _mappings(emitted[path], path, out):  # only: does it load
            pass
    for config in configs:
        out += _crew_problems(emitted, config, out)
    return out


def _compile_problem(text: str, path: str) -> str | None:
    """What compile() says of crew.py, as agentc's generic check words it; None when it compiles.
    Its repeated blocks are compiled once (crewcheck); the whole file only for a message."""
    try:
        compile(repeats_dropped(text), path, "exec", dont_inherit=True)
        return None
    except Exception:  # whatever it was, the whole file's error is the message
        pass
    try:
        compile(text, path, "exec", dont_inherit=True)
    except Exception as exc:  # the message is the useful part, as in agentc's generic check
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def _crew_problems(emitted: dict[str, FileText], config: str, out: list[Diagnostic]) -> list[Diagnostic]:
    """One crew's checks, agent by agent as agents.yaml loads piece by piece; none when one of
    its YAML files does not load (`_mappings` reported that in `out`)."""
    literals = set(json.loads(as_text(emitted.get(config + "crew.json", "{}"))).get("literals", []))
    tasks: dict = {}
    loads = True
    for data in _mappings(emitted[config + "tasks.yaml"], config + "tasks.yaml", out):
        loads = loads and data is not None
        tasks.update(data or {})
    found: list[Diagnostic] = []
    roles: list[str] = []
    where = Span(file=config + "agents.yaml", line=1)
    for data in _mappings(emitted[config + "agents.yaml"], config + "agents.yaml", out):
        loads = loads and data is not None
        for key, agent in (data or {}).items():
            roles.append(str(agent.get("role", "")).lower())
            found += _placeholders(config + "agents.yaml", [agent.get(k) or "" for k in ("role", "goal", "backstory")], literals)
            if not all(agent.get(k) for k in ("role", "goal", "backstory")):
                found.append(diag("AGC902", where, f"agent '{key}' lacks a role, goal or backstory"))
    if not loads:
        return []
    if len(set(roles)) != len(roles):
        found.append(diag("AGC902", where, "two crew agents share a role; crewAI finds coworkers by role"))
    for task in tasks.values():
        found += _placeholders(config + "tasks.yaml", [task.get(k) or "" for k in ("description", "expected_output")], literals)
    return found


def _placeholders(rel: str, texts: list[str], literals: set[str]) -> list[Diagnostic]:
    out = []
    for text in texts:
        unknown = sorted(set(PLACEHOLDER.findall(text)) - literals - {INPUT})
        if unknown:
            out.append(diag("AGC902", Span(file=rel, line=1), f"kickoff would fail on placeholder(s) {unknown}"))
    return out


def _mappings(content: FileText, path: str, out: list[Diagnostic]) -> Iterator[dict | None]:
    """A YAML file's top-level mapping as crewAI loads it; a Chunks file (agents.yaml) piece by
    piece, so 38 MB of YAML is never parsed into one structure (each piece is one agent, see
    yamltext.entries; yamltext.read_entry reads such a piece, libyaml any other). A file that
    does not load: AGC902 in `out`, then None, then no more."""
    for part in (content,) if isinstance(content, str) else content.parts:
        data = yamltext.read_entry(part) if yamltext.read_entry is not None and isinstance(part, bytes) else None
        if data is not None:  # an agent's piece as entries writes it, read in C as YAML reads it
            yield data
            continue
        try:
            data = yaml.load(part, Loader=_LOADER) or {}
        except yaml.YAMLError as exc:
            out.append(diag("AGC902", Span(file=path, line=1), f"emitted crew YAML does not load: {exc}",
                            hint="this is a bug in agentc's crewai target; please report it with the input"))
            yield None
            return
        yield data


TARGET = Target(
    name="crewai",
    summary="crewAI crew project: pyproject.toml, src/<pkg>/crew.py, main.py, config/agents.yaml, config/tasks.yaml",
    emit=emit,
    emit_parts=parts,
    validate=validate,
    loads_itself=(".yaml", ".yml", CREW_PY),
    capabilities=frozenset({"delegation:hierarchical", "checklists:guardrail", "model:map"}),
)
