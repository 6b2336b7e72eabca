"""The crew project's files from a CrewPlan: YAML, JSON and TOML written as data, Python rendered.

No formatter runs: the templates render in black's style (a test formats every emitted module
with black and expects no change), support.py is the same for every crew, and a module only goes
through black when a long name pushes one of its lines past black's limit.
"""

from __future__ import annotations

import json
import math
import re
import uuid

from agentc.compiler.options import BuildOptions
from agentc.targets import Chunks
from agentc.targets._shared import jsontext
from agentc.targets._shared.render import render
from agentc.targets._shared.shipped import shipped
from agentc.targets.crewai import yamltext
from agentc.targets.crewai.plan import CrewPlan, Member

# crewai extras that a model id's provider needs at crew construction time.
PROVIDER_EXTRAS = {"anthropic": "anthropic", "gemini": "google-genai", "bedrock": "bedrock", "azure": "azure-ai-inference"}
CREWAI_REQUIREMENT = "crewai{extras}>=1.15,<2"
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
PLACEHOLDER = "crewpkg"  # the package's own name in package/*.py
LINE_LIMIT = 100  # black's line length in agentc's pinned mode
GUARDRAIL_RETRIES = 2
# A worker's whole task (several model calls and its tool calls) may take this many per-call timeouts.
EXECUTION_CALLS = 5


def dump_yaml(data: dict, header: str) -> str:
    return yamltext.dump(data, header)


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


def _black_if_long(source: str) -> str:
    if any(len(line) > LINE_LIMIT for line in source.splitlines()):
        from agentc.targets._shared.pyformat import format_python

        return format_python(source)
    return source


def _static(name: str) -> str:
    return shipped("crewai", "package", name)


# The runtime modules every code target shares (targets/_shared/runtime), copied byte for byte.
SHARED_MODULES = ("observe.py", "usage.py")


def shared_modules() -> dict[str, str]:
    return {name: _shared(name) for name in SHARED_MODULES}


def _shared(name: str) -> str:
    return shipped("_shared", "runtime", name)


def static_module(name: str, plan: CrewPlan) -> str:
    """A module of package/ with the crew's package name; black only if the name made a line too long."""
    source = _static(name).replace(PLACEHOLDER, plan.package)
    return _black_if_long(source) if any(len(line) > LINE_LIMIT for line in source.splitlines()
                                         if plan.package in line) else source


def _agent(m: Member, manager: bool, options: BuildOptions) -> dict:
    data: dict = {"role": m.role, "goal": m.goal, "backstory": m.story()}
    data["allow_delegation"] = manager or bool(m.delegates)
    if m.max_iter:
        data["max_iter"] = m.max_iter
    # Resilience from [tool.agentc]: crewai re-runs a failed agent execution max_retry_limit
    # times; max_execution_time bounds a worker's whole task (the manager's spans the crew's).
    data["max_retry_limit"] = options.retries
    if not manager:
        data["max_execution_time"] = math.ceil(options.timeout_s * EXECUTION_CALLS)
    if options.max_rpm:
        data["max_rpm"] = options.max_rpm
    return data


def agents_yaml(plan: CrewPlan, options: BuildOptions) -> Chunks:
    """One piece per agent (and one for the header comment): 1000 agents make 38 MB of YAML,
    which the build checks and writes piece by piece (see Chunks)."""
    members = [(plan.manager, True)] + [(w, False) for w in plan.workers]
    data = ((m.key, _agent(m, manager, options)) for m, manager in members)  # one prompt at a time
    header = ("Agents of the crew, compiled by agentc. Keys are the methods of crew.py.\n"
              f"{plan.manager.key} is the hierarchical manager; the others are its coworkers, found by role.")
    return Chunks(tuple(yamltext.entries(data, header)))


def tasks_yaml(plan: CrewPlan) -> str:
    data = {"request_task": {"description": plan.description, "expected_output": plan.expected_output}}
    header = ("One task per kickoff: the request ({request}), between <request> tags after the instructions.\n"
              "No `agent:`, the hierarchical manager owns it.")
    return dump_yaml(data, header)


def crew_json(plan: CrewPlan, options: BuildOptions, example: str) -> str:
    members = [plan.manager, *plan.workers]
    fallbacks = list(options.fallback_models.get("crewai", []))
    used = {m.model for m in members if m.model} | set(fallbacks)
    data = {
        "models": {m.agent_key: m.model for m in members},
        # The method and YAML key of crew.py -> the agent key (as in every code target).
        "keys": {m.key: m.agent_key for m in members},
        "checklist": list(plan.checklist),
        "literals": list(plan.literals),
        "example_request": example,
        "settings": {
            "guardrail": options.guardrail if plan.checklist else "off",
            "guardrail_retries": GUARDRAIL_RETRIES,
            "max_rpm": options.max_rpm,
            "model_factory": options.model_factory,
            "retries": options.retries,
            "timeout_s": options.timeout_s,
            "fallback_models": fallbacks,
            "prices": {m: list(p) for m, p in sorted(options.prices.items()) if m in used},
        },
    }
    return jsontext.dumps(data, ensure_ascii=False) + "\n"


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


def delegation_tools(key: str, delegates: tuple[str, ...], indent: int = 12) -> list[str]:
    """`*key.get_delegation_tools([...]),` laid out as black lays it out at `indent`: one line,
    else the list on its own line, else one delegate per line (so black never has to run)."""
    calls = [f"self.{d}()" for d in delegates]
    one = f"*{key}.get_delegation_tools([{', '.join(calls)}]),"
    if indent + len(one) <= LINE_LIMIT:
        return [one]
    inner = f"[{', '.join(calls)}]"
    if indent + 4 + len(inner) <= LINE_LIMIT:
        return [f"*{key}.get_delegation_tools(", f"    {inner}", "),"]
    return [f"*{key}.get_delegation_tools(", "    [", *[f"        {c}," for c in calls], "    ]", "),"]


def crew_py(plan: CrewPlan) -> str:
    source = render("crewai", "crew.py.j2", plan=plan, delegating=[w for w in plan.workers if w.delegates],
                    calls={w.key: delegation_tools(w.key, w.delegates) for w in plan.workers})
    return _black_if_long(source)


def main_py(plan: CrewPlan) -> str:
    return _black_if_long(render("crewai", "main.py.j2", plan=plan))


def readme(plan: CrewPlan, options: BuildOptions) -> str:
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
        *[f"export {k}=...                  # for the models in config/crew.json" for k in keys],
        "crewai install",
        "crewai run                                  # the example request",
        "pip install -e .",
        f'python -m {plan.package} "your request"        # answer on stdout, token usage on stderr',
        f"python -m {plan.package} --help",
        "```",
        "",
        "Models come from each agent's `model` through agentc's crewai model map (`models` in",
        f"`src/{plan.package}/config/crew.json`). In code, `{plan.class_name}(models={{agent key: LLM or model id}})`",
        "sets some agents' models (an unknown key raises, listing the valid ones: "
        + ", ".join(f"`{m.agent_key}`" for m in [plan.manager, *plan.workers]) + "),",
        f"and `{plan.class_name}(llm=...)` runs every other agent on one LLM. `AGENTC_MODEL_FACTORY=module:function`",
        "names a factory called as `factory(agent_key, model_id)` that returns an LLM (a scripted one in",
        "tests), a model id, or None for the mapped id.",
        "",
        "## Production behaviour",
        "",
        "| feature | setting (agentc config) | here |",
        "|---|---|---|",
        f"| re-run a failed agent execution | `retries` → `max_retry_limit` | {options.retries} |",
        f"| retries of a model call on transient errors (408/409/429/5xx, connection), exponential backoff with "
        f"jitter, by the provider's SDK | `retries` → the LLM's `max_retries` | {options.retries} |",
        f"| time for one model call | `timeout_s` → the LLM's `timeout` | {options.timeout_s:g} s |",
        "| rate-limit retries around each call | crewai's own | 3 attempts, 1 s then 2 s, with jitter |",
        f"| time for a worker's whole task | `timeout_s` × {EXECUTION_CALLS} → `max_execution_time` | "
        f"{math.ceil(options.timeout_s * EXECUTION_CALLS)} s |",
        f"| requests per minute per agent and for the crew | `max_rpm` | {options.max_rpm or 'no limit'} |",
        f"| models tried in order after an agent's model fails | `fallback_models.crewai` | "
        f"{', '.join(f'`{m}`' for m in options.fallback_models.get('crewai', [])) or 'none'} |",
        "| cost estimate in the usage (USD per 1M input / output tokens) | `prices` | "
        + (", ".join(f"`{m}`" for m in sorted(options.prices)) or "none") + " |",
        "| completion checklist as a task guardrail: the miss is sent back with the missing items "
        f"(`enforce`, at most {GUARDRAIL_RETRIES} times), logged (`warn`) or `off` | `guardrail` | "
        + (f"`{options.guardrail}`" if plan.checklist else "none (the manager has no checklist)") + " |",
        "",
        "- A delegation (crewAI's `delegate_work_to_coworker`) gives the coworker a brief: the task and the",
        "  context the caller wrote, not the caller's conversation; its answer (or `Error executing task",
        "  with agent ...` when the coworker failed) returns to the caller as the tool's result. A model with",
        "  native function calling may delegate to several coworkers in one turn: crewAI runs them in parallel.",
        "- The request travels as the task's `{request}` input, between `<request>` tags after the instructions.",
        "- Usage: tokens per agent key and in total (and `cost_usd` with `prices`): the CLI prints them on",
        f"  stderr (`--json`: with the answer on stdout); in code, `{plan.class_name}().meter.report()`.",
        "- Logs: `AGENTC_LOG=1` (or `--log`) writes one JSON record per model call (agent, model, duration,",
        "  tokens, outcome) and per delegation (agent, target, duration, outcome) to stderr; off by default.",
        "- Traces: `AGENTC_OTEL=1` with `opentelemetry-api` installed makes each record a span (a delegate's",
        "  model calls inside its delegation's span). crewAI's own telemetry keeps its own switches",
        "  (`CREWAI_DISABLE_TELEMETRY`, `OTEL_SDK_DISABLED`).",
        "- A failed kickoff is one line on stderr and exit status 1 (2 for a setup problem).",
        "",
    ]
    return "\n".join(lines)
