"""The crew project's files from a CrewPlan: YAML and TOML dumped as data, Python rendered and black-formatted."""

from __future__ import annotations

import json
import re
import uuid

import yaml

from agentc.targets._shared.pyformat import format_python
from agentc.targets._shared.render import render
from agentc.targets.crewai.plan import CrewPlan, Member

# crewai extras that a model id's provider needs at crew construction time.
PROVIDER_EXTRAS = {"anthropic": "anthropic", "gemini": "google-genai", "bedrock": "bedrock", "azure": "azure-ai-inference"}
CREWAI_REQUIREMENT = "crewai{extras}>=1.15,<2"
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so prompts stay readable in the YAML."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: dict, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {type(value).__name__}")


def dump_toml(tables: dict[str, dict[str, object]]) -> str:
    """Flat tables of strings and lists of strings: all a crew's pyproject.toml needs."""
    out = []
    for name, table in tables.items():
        out.append(f"[{name}]")
        out += [f"{key if _BARE.match(key) else json.dumps(key)} = {_toml_value(v)}" for key, v in table.items()]
        out.append("")
    return "\n".join(out)


def _agent(m: Member, manager: bool) -> dict:
    data: dict = {"role": m.role, "goal": m.goal, "backstory": m.backstory}
    data["allow_delegation"] = manager or bool(m.delegates)
    if m.max_iter:
        data["max_iter"] = m.max_iter
    return data


def agents_yaml(plan: CrewPlan) -> str:
    data = {plan.manager.key: _agent(plan.manager, True)}
    data.update({w.key: _agent(w, False) for w in plan.workers})
    header = ("Agents of the crew, compiled by agentc. Keys are the methods of crew.py.\n"
              f"{plan.manager.key} is the hierarchical manager; the others are its coworkers, found by role.")
    return dump_yaml(data, header)


def tasks_yaml(plan: CrewPlan) -> str:
    data = {"request_task": {"description": plan.description, "expected_output": plan.expected_output}}
    header = ("One task per kickoff: the request ({request}). No `agent:`, the hierarchical manager owns it.")
    return dump_yaml(data, header)


def pyproject(plan: CrewPlan) -> str:
    providers = {m.model.split("/", 1)[0] for m in [plan.manager, *plan.workers] if m.model and "/" in m.model}
    extras = sorted(PROVIDER_EXTRAS[p] for p in providers if p in PROVIDER_EXTRAS)
    requirement = CREWAI_REQUIREMENT.format(extras=f"[{','.join(extras)}]" if extras else "")
    pkg = plan.package
    return dump_toml({
        "project": {"name": pkg, "version": "0.1.0", "description": f"The {plan.title} crew, compiled by agentc",
                    "requires-python": ">=3.10,<3.14", "dependencies": [requirement]},
        "project.scripts": {pkg: f"{pkg}.main:run", "run_crew": f"{pkg}.main:run", "train": f"{pkg}.main:train",
                            "replay": f"{pkg}.main:replay", "test": f"{pkg}.main:test"},
        "build-system": {"requires": ["hatchling"], "build-backend": "hatchling.build"},
        "tool.crewai": {"type": "crew", "project_id": project_id(plan)},
    })


def project_id(plan: CrewPlan) -> str:
    """`crewai run` writes a random project_id into a pyproject.toml that has none, which would
    make the generated file stale; a name-based UUID of the crew's members is stable instead."""
    members = sorted(m.ident for m in [plan.manager, *plan.workers])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "agentc:crewai:" + plan.package + ":" + ",".join(members)))


def _imports(plan: CrewPlan) -> list[str]:
    """Only what the rendered module uses, so it stays ruff-clean."""
    std, crew_names, deco = [], ["Agent", "BaseLLM", "Crew", "Process", "Task"], ["CrewBase", "crew", "task"]
    if plan.checklist:
        std.append("import re")
        crew_names.append("TaskOutput")
    if plan.checklist or plan.literals:
        std.append("from typing import Any")
    if plan.workers:
        deco.append("agent")
    if plan.literals:
        deco.append("before_kickoff")
    lines = std + ([""] if std else [])
    lines.append(f"from crewai import {', '.join(sorted(crew_names))}")
    lines.append(f"from crewai.project import {', '.join(sorted(deco, key=lambda n: (n[0].islower(), n)))}")
    return lines


def crew_py(plan: CrewPlan) -> str:
    models = {m.key: m.model for m in [plan.manager, *plan.workers]}
    source = render("crewai", "crew.py.j2", plan=plan, imports=_imports(plan), models=models,
                    literals=plan.literals, checklist=plan.checklist,
                    delegating=[w for w in plan.workers if w.delegates],
                    calls={w.key: ", ".join(f"self.{d}()" for d in w.delegates) for w in plan.workers})
    return format_python(source)


def main_py(plan: CrewPlan, example: str) -> str:
    return format_python(render("crewai", "main.py.j2", plan=plan, example=example))


def readme(plan: CrewPlan) -> str:
    role = {m.key: m.role for m in [plan.manager, *plan.workers]}
    providers = sorted({m.model.split("/", 1)[0] for m in [plan.manager, *plan.workers] if m.model and "/" in m.model})
    keys = [f"{p.upper()}_API_KEY" for p in providers]
    lines = [
        f"# {plan.title} crew",
        "",
        "A hierarchical [crewAI](https://docs.crewai.com) crew compiled by agentc from Claude Code agent files.",
        "Edit those and rebuild rather than editing these files.",
        "",
        f"- Manager: **{plan.manager.role}** (delegation allowed)",
        *[f"- Agent: **{w.role}**" + (" (a placeholder: not in the build)" if w.source is None else "")
          + (f", delegates to {', '.join(role[d] for d in w.delegates)}" if w.delegates else "") for w in plan.workers],
        "",
        "```bash",
        *[f"export {k}=...                  # for the models in MODELS" for k in keys],
        "crewai install",
        "crewai run                                  # the example request",
        f'python -m {plan.package}.main "your request"   # after `pip install -e .`',
        "```",
        "",
        "Models come from each agent's `model` through agentc's crewai model map (see `MODELS` in",
        f"`src/{plan.package}/crew.py`); `{plan.class_name}(llm=...)` runs every agent on one LLM instead.",
        "",
    ]
    return "\n".join(lines)
