"""The crew project's files from a CrewPlan: YAML, JSON and TOML written as data, Python as text.

No formatter runs: crew.py and main.py are written in black's style by plain Python (a test
formats every emitted module with black and expects no change; no template engine, whose import
and compiling cost an every-target build ~40 ms), support.py is the same for every crew, and a
module only goes through black when a long name pushes one of its lines past black's limit.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from functools import cache
from importlib import resources

from agentc.compiler.options import BuildOptions
from agentc.targets import Chunks
from agentc.targets._shared import jsontext
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


@cache
def _static(name: str) -> str:
    return resources.files("agentc.targets.crewai").joinpath("package", name).read_text(encoding="utf-8")


# The runtime modules every code target shares (targets/_shared/runtime), copied byte for byte.
SHARED_MODULES = ("observe.py", "usage.py")


def shared_modules() -> dict[str, str]:
    return {name: _shared(name) for name in SHARED_MODULES}


@cache
def _shared(name: str) -> str:
    return resources.files("agentc.targets").joinpath("_shared", "runtime", name).read_text(encoding="utf-8")


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
    return Chunks(tuple(piece.encode("utf-8") for piece in yamltext.entries(data, header)))


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
    manager = plan.manager
    workers = "".join(f"\n    @agent\n{_agent_method(w)}" for w in plan.workers)
    head = CREW_HEAD.format(agent="agent, " if plan.workers else "", package=plan.package, class_name=plan.class_name)
    return _black_if_long(head + _agent_method(manager) + workers + CREW_TASKS + _crew_method(plan))


def _agent_method(m: Member) -> str:
    return (f"    def {m.key}(self) -> TeamAgent:\n"
            "        return TeamAgent(\n"
            f'            config=self.agents_config["{m.key}"],\n'
            f'            llm=self.model_for("{m.key}"),\n'
            f"            agent_key={_pystr(m.agent_key)},\n"
            "            verbose=False,\n"
            "        )\n")


def _crew_method(plan: CrewPlan) -> str:
    """crew(): the tools of each delegating worker, then the hierarchical Crew."""
    lines = ["    @crew", "    def crew(self) -> Crew:"]
    delegating = [w for w in plan.workers if w.delegates]
    if delegating:
        lines += ["        # In a hierarchical crew only the manager gets delegation tools from crewai; an agent",
                  "        # that delegates in its own prompt gets tools over exactly its own delegates."]
    for w in delegating:
        lines += [f"        {w.key} = self.{w.key}()",
                  f"        {w.key}.tools = [",
                  f"            *({w.key}.tools or []),",
                  *[f"            {line}" for line in delegation_tools(w.key, w.delegates)],
                  "        ]"]
    lines += ["        return Crew(",
              "            agents=self.agents,",
              "            tasks=self.tasks,",
              "            process=Process.hierarchical,",
              f"            manager_agent=self.{plan.manager.key}(),",
              '            max_rpm=SETTINGS["max_rpm"],',
              "            memory=False,  # memory needs an embedding provider, i.e. the network",
              "            verbose=False,",
              "        )"]
    return "\n".join(lines) + "\n"


def _pystr(text: str) -> str:
    """A double-quoted Python string (JSON's escapes are Python's), the quotes black would choose."""
    return json.dumps(str(text), ensure_ascii=False)


# crew.py up to the manager's method; str.format fills {agent}, {package} and {class_name}.
CREW_HEAD = '''"""A hierarchical crewAI crew compiled by agentc from Claude Code agent files.

Edit the agents' markdown and rebuild rather than this file. The agents' texts are in
config/agents.yaml, the request task in config/tasks.yaml, models and settings in
config/crew.json; support.py holds the helpers, the same for every crew.
"""

# No `from __future__ import annotations` here: crewai checks a guardrail's return annotation at
# runtime, and a postponed (string) annotation fails that check.
from typing import Any

from crewai import BaseLLM, Crew, Process, Task
from crewai.project import CrewBase, {agent}before_kickoff, crew, task

from {package} import observe
from {package}.support import (
    CHECKLIST,
    SETTINGS,
    Meter,
    TeamAgent,
    TeamLLM,
    check_models,
    completion_checklist,
    fence_request,
    keep_literal_braces,
    team_llm,
)


@CrewBase
class {class_name}:
    """The entry agent manages the crew; the agents it delegates to are the crew's agents."""

    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    def __init__(
        self, llm: BaseLLM | None = None, models: dict[str, BaseLLM | str] | None = None
    ) -> None:
        # `models`: an LLM (or model id) per agent key (the agent's name, or plugin:name when two
        # share it; an unknown key raises). `llm`: one LLM for every other agent, e.g. a scripted
        # offline model in tests. Else the model factory (AGENTC_MODEL_FACTORY), else the models
        # in config/crew.json.
        self.models = check_models(models)
        self.injected_llm = llm
        self.meter = Meter()  # token usage per agent: self.meter.report()
        observe.configure()  # AGENTC_LOG=1: one JSON record per model call and delegation

    def model_for(self, method: str) -> TeamLLM:
        return team_llm(method, self.injected_llm, self.models, self.meter)

    # The manager is not an @agent: every @agent joins the crew's agents, and a hierarchical
    # crew refuses a manager that is also one of its agents.
'''

# crew.py between the agents' methods and crew().
CREW_TASKS = '''
    @task
    def request_task(self) -> Task:
        guarded = bool(CHECKLIST) and SETTINGS["guardrail"] != "off"
        return Task(
            config=self.tasks_config["request_task"],
            guardrail=completion_checklist if guarded else None,
            guardrail_max_retries=SETTINGS["guardrail_retries"],
        )

    @before_kickoff
    def keep_literal_braces(self, inputs: dict[str, Any] | None) -> dict[str, Any]:
        return keep_literal_braces(inputs)

    @before_kickoff
    def fence_request(self, inputs: dict[str, Any] | None) -> dict[str, Any]:
        # Tags inside the request that would close its <request> delimiter are escaped.
        return fence_request(inputs)

'''


def main_py(plan: CrewPlan) -> str:
    description = _pystr(f"Kick off the {plan.title} crew (crewAI) on one request.")
    return _black_if_long(MAIN_PY.replace("crewpkg", plan.package).replace("CrewClass", plan.class_name)
                          .replace("DESCRIPTION", description))


# main.py with the placeholders crewpkg (the package), CrewClass and DESCRIPTION (a literal).
MAIN_PY = '''"""Entry points of the crew: `crewai run` calls run(); `python -m crewpkg --help`.

The request is the command line, else the AGENTC_REQUEST environment variable, else the
example request in config/crew.json. It reaches the crew as the task's `{request}` input,
between <request> tags after the task's instructions.
"""

import argparse
import json
import os
import sys

from crewpkg import observe
from crewpkg.crew import CrewClass
from crewpkg.support import (
    FACTORY_ENV,
    MODELS,
    TEAM,
    CrewSetupError,
    describe,
)
from crewpkg.usage import summary

PROG = "python -m crewpkg"


def _request(args: list[str]) -> str:
    return " ".join(args) or os.environ.get("AGENTC_REQUEST") or TEAM["example_request"]


def cli(argv: list[str] | None = None) -> int:
    """Run the crew once: the answer on stdout, token usage on stderr, failures in one line."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=f"Models: config/crew.json, or a factory in ${FACTORY_ENV} (module:function).",
    )
    parser.add_argument("request", nargs="*", help="the request (default: an example)")
    parser.add_argument("--model", metavar="ID", help="one crewAI model id for every agent")
    parser.add_argument("--json", action="store_true", help="print answer and usage as JSON")
    parser.add_argument(
        "--log", action="store_true", help="one JSON record per model call and delegation"
    )
    args = parser.parse_args(argv)
    observe.configure(args.log or None)
    try:
        team = CrewClass(models=dict.fromkeys(MODELS, args.model) if args.model else None)
        result = team.crew().kickoff(inputs={"request": _request(args.request)})
    except CrewSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a failed kickoff is one line, never a traceback
        print(f"error: {describe(error)}", file=sys.stderr)
        return 1
    usage = team.meter.report()
    if args.json:
        print(json.dumps({"answer": result.raw, "usage": usage}, indent=2, ensure_ascii=False))
    else:
        print(result.raw)
    print(summary(usage), file=sys.stderr)
    return 0


def run() -> None:
    """`crewai run` and the `run_crew` script: the command line's request, else the example."""
    sys.exit(cli())


def train() -> None:
    """`crewai train -n N -f FILE`: N iterations with human feedback, saved to FILE."""
    CrewClass().crew().train(
        n_iterations=int(sys.argv[1]),
        filename=sys.argv[2],
        inputs={"request": _request(sys.argv[3:])},
    )


def replay() -> None:
    """`crewai replay -t TASK_ID`: run again from a task of the last kickoff."""
    CrewClass().crew().replay(task_id=sys.argv[1])


def test() -> None:
    """`crewai test -n N -m MODEL`: N runs scored by MODEL."""
    CrewClass().crew().test(
        n_iterations=int(sys.argv[1]),
        eval_llm=sys.argv[2],
        inputs={"request": _request(sys.argv[3:])},
    )


if __name__ == "__main__":
    run()
'''


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
