"""The Agents SDK project's files: static modules from `package/`, the team as JSON, packaging.

The modules in `package/` are real Python in black's style (a test formats each emitted module
with black and expects no change) importing their own package as `teampkg`; emitting one is a
rename of that name, so nothing is formatted on the hot path. Only a package name long enough
to push a line past black's limit sends that module through black.
"""

from __future__ import annotations

import json

from agentc.compiler.ir import AgentIR
from agentc.compiler.options import BuildOptions
from agentc.targets import FileText
from agentc.targets._shared import jsontext
from agentc.targets._shared.shipped import shipped
from agentc.targets._shared.team import checklist_request, completion_checklist

PLACEHOLDER = "teampkg"
# Emitted module -> its source in package/ (no __init__.py there: that folder is not a package of agentc).
MODULES = {"__init__.py": "init.py", "__main__.py": "main.py", "team.py": "team.py", "run.py": "run.py"}
SERVER = "server.py"
# The runtime modules every code target shares (targets/_shared/runtime), copied byte for byte.
SHARED_MODULES = ("observe.py",)
LINE_LIMIT = 100  # black's line length in agentc's pinned mode
SDK_REQUIREMENT = "openai-agents>=0.24,<0.25"
SERVE_REQUIREMENTS = ["fastapi>=0.115,<1", "uvicorn>=0.30,<1"]
GUARDRAIL_RETRIES = 2


def _static(name: str) -> str:
    return shipped("openai_agents", "package", name)


def _shared(name: str) -> str:
    return shipped("_shared", "runtime", name)


def module(name: str, package: str) -> str:
    source = _static(name).replace(PLACEHOLDER, package)
    if any(len(line) > LINE_LIMIT for line in source.splitlines() if package in line):
        from agentc.targets._shared.pyformat import format_python

        source = format_python(source)
    return source


def team_spec(entry: AgentIR, entry_key: str, agents: list[dict], options: BuildOptions) -> dict:
    checklist = list(completion_checklist(entry))
    used = {a["model"] for a in agents}
    return {
        "entry": entry_key,
        "settings": {
            "delegation": options.delegation,
            "delegate_context": options.delegate_context,
            "retries": options.retries,
            "timeout_s": options.timeout_s,
            "max_turns": entry.max_turns or 10,
            "guardrail": options.guardrail if checklist else "off",
            "guardrail_retries": GUARDRAIL_RETRIES,
            "model_factory": options.model_factory,
            "max_request_bytes": options.max_request_bytes,
            "prices": {m: list(p) for m, p in sorted(options.prices.items()) if m in used},
            "fallback_models": list(options.fallback_models.get("openai-agents", [])),
        },
        "checklist": checklist,
        "checklist_note": "\n## Completion checklist\n\n" + checklist_request(tuple(checklist)) if checklist else "",
        "agents": agents,
    }


def files(package: str, spec: dict, prompts: dict[str, FileText], options: BuildOptions) -> dict[str, FileText]:
    src = f"{package}/src/{package}"
    out = {f"{package}/pyproject.toml": pyproject(package, options), f"{package}/README.md": readme(package, spec, options)}
    for name, source in {**MODULES, **({SERVER: SERVER} if options.serve else {})}.items():
        out[f"{src}/{name}"] = module(source, package)
    out.update({f"{src}/{name}": _shared(name) for name in SHARED_MODULES})
    out[f"{src}/team.json"] = jsontext.dumps(spec, ensure_ascii=False) + "\n"
    out.update({f"{src}/prompts/{f}": text for f, text in prompts.items()})
    return out


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def pyproject(package: str, options: BuildOptions) -> str:
    extras = f"serve = {_toml_list(SERVE_REQUIREMENTS)}\n" if options.serve else ""
    return (
        "[build-system]\n"
        'requires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n'
        "\n"
        "[project]\n"
        f"name = {json.dumps(package.replace('_', '-'))}\n"
        'version = "0.1.0"\n'
        f"description = {json.dumps(f'The {package} agent team (OpenAI Agents SDK), compiled by agentc')}\n"
        'requires-python = ">=3.10"\n'
        f"dependencies = {_toml_list([SDK_REQUIREMENT])}\n"
        "\n"
        "[project.optional-dependencies]\n"
        f"{extras}"
        f"test = {_toml_list(['pytest>=8', 'httpx>=0.27'])}\n"
        "\n"
        "[project.scripts]\n"
        f'{package} = "{package}.__main__:main"\n'
        "\n"
        "[tool.setuptools.packages.find]\n"
        'where = ["src"]\n'
        "\n"
        "[tool.setuptools.package-data]\n"
        f'{package} = ["team.json", "prompts/*.md"]\n'
    )


def readme(package: str, spec: dict, options: BuildOptions) -> str:
    s = spec["settings"]
    keys = ", ".join(f"`{a['key']}`" for a in spec["agents"])
    serve = (
        "\n## Serve over HTTP\n\n"
        "```bash\n"
        "pip install -e '.[serve]'\n"
        f"uvicorn {package}.server:app --host 127.0.0.1 --port 8000\n"
        "curl -s localhost:8000/runs -H 'content-type: application/json' "
        "-d '{\"input\": \"...\", \"thread_id\": \"t1\"}'\n"
        "```\n\n"
        "- `POST /runs`: `{\"input\", \"thread_id\"?, \"max_turns\"?}` → the result: `status` (ok | failed), "
        "`answer`, `error`, `usage` (`total` and per agent), `last_agent`, `thread_id`, `request_id` (HTTP 502 when the run "
        "failed).\n"
        "- `POST /runs/stream`: the same as Server-Sent Events: `delegation` (from, to) and `token` (delta) "
        "events, then `final` with the whole result.\n"
        "- `GET /healthz`: liveness.\n"
        f"- Bodies over {s['max_request_bytes']} bytes (`max_request_bytes`; env `AGENTC_MAX_BODY_BYTES`) get 413; "
        "malformed ones 422.\n"
        "- Threads: the Agents SDK's SQLite session store. Set `AGENTC_THREADS_DB=/path/threads.sqlite` "
        "so they survive restarts (and are shared by the workers of one machine); without it they live in "
        "the process's memory. Run several workers behind a process manager "
        f"(`gunicorn -k uvicorn.workers.UvicornWorker {package}.server:app`) with the file on local disk; "
        "beyond one machine, swap `session_for()` in `run.py` for a shared session store.\n"
    ) if options.serve else ""
    return (
        f"# {package}\n\n"
        f"The `{spec['entry']}` agent team for the OpenAI Agents SDK, compiled by agentc from Claude Code "
        "agent files. Edit those and rebuild rather than these files; what is specific to the team is "
        f"`src/{package}/team.json` and `src/{package}/prompts/`.\n\n"
        "## Install and run\n\n"
        "```bash\n"
        "pip install -e .\n"
        "export OPENAI_API_KEY=...\n"
        f"python -m {package} \"your request\"          # or: {package} \"your request\"\n"
        f"python -m {package} --help\n"
        f"python -m {package} --thread t1 \"first\"; python -m {package} --thread t1 \"and then?\"\n"
        "```\n\n"
        "The answer goes to stdout; token usage (per run and per agent) to stderr. A failure is one line "
        "on stderr and exit status 1.\n\n"
        "## Models\n\n"
        f"Agent keys: {keys}. Each agent's model is the id agentc mapped (`model` in `team.json`). To use "
        "any other provider, or a scripted model in tests, name a factory `module:function` in "
        "`AGENTC_MODEL_FACTORY` (or `--factory`): it is called as `factory(agent_key, mapped_id)` and returns "
        "an `agents.Model`, a model id, or None for the mapped id. In code: "
        f"`from {package} import build_agents, run_team`; `build_agents(model=..., models={{key: ...}})` "
        "(an unknown key raises `TeamError` listing the valid ones).\n\n"
        "## Production behaviour\n\n"
        f"- Delegation: `{s['delegation']}`. With `tools` each delegate is a tool of its caller "
        "(`delegate_to_<name>`, arguments `task` and `context`): the delegate sees only that brief, and "
        "its answer returns to the caller as the tool result; several delegations in one turn run "
        "concurrently. With `handoffs` (`--delegation handoffs`) the delegate takes over the conversation: "
        f"with `delegate_context` = `brief` (here: `{s['delegate_context']}`) the caller's tool calls are filtered "
        "out of the history it sees, with `history` it sees everything.\n"
        f"- Retries: {s['retries']} per model call on 408/409/429/5xx, network errors and timeouts, "
        f"exponential backoff with jitter; timeout {s['timeout_s']} s per call (the SDK's `ModelSettings`). "
        "A delegate that still fails returns `FAILED: ...` to its caller, which carries on; an entry agent "
        "that fails ends the run with `ok: false` and a one-line error.\n"
        f"- Completion checklist guardrail: `{s['guardrail']}` (`--guardrail enforce|warn|off`). With "
        f"`enforce` an answer that misses checklist items is sent back with the missing items, at most "
        f"{s['guardrail_retries']} times.\n"
        "- Usage: token counts per agent and per run in every result, printed by the CLI.\n"
        "- Logs: off by default; `AGENTC_LOG=1` (or `--log`) writes one JSON record per model call "
        "(agent, model, duration, tokens, outcome) and per delegation (agent, target, duration, "
        f"outcome), each with the run's `request` id (and `thread`), to stderr, from the `{package}` logger (`observe.py`).\n"
        "- OpenTelemetry: with `AGENTC_OTEL=1` and `opentelemetry-api` installed each record is also "
        "a span (a delegate's model calls inside its delegation's span).\n"
        "- The Agents SDK's own tracing: off; `AGENTC_TRACING=1` turns it on.\n"
        "- The request is always a user message, never part of an agent's instructions.\n"
        f"{serve}"
    )
