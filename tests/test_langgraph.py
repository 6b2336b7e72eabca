"""Target `langgraph`: the generated project imports, draws the IR's edges, and runs offline
with the production behaviour of issue 14 (retries, timeouts, failure results, supervision,
parallel delegation, usage, wrapped models, strict inputs, a usable CLI).

The runtime tests use the real LangGraph with scripted chat models (no network: sockets are
blocked and tracing variables cleared); they skip when the `langgraph` extra is not installed.
The deployable side (installed project, HTTP app, LangGraph's server, Postgres) is in
test_langgraph_deploy.py.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from itertools import count
from pathlib import Path

import pytest
from conftest import CASES, ROOT, SHARED

from agentc import api
from agentc.compiler.options import BuildOptions
from agentc.targets._shared.naming import snake
from agentc.targets._shared.team import handoffs, prompt_text, prompt_utf8, reachable

CORPUS = SHARED / "corpus" / "myclaude"
TRACING = ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY",
           "ANTHROPIC_API_KEY", "OPENAI_API_KEY")
EDGE = re.compile(r"^\s*(\S+) (?:-\.->|-->) (\S+);$")
_packages = count()


def build(sources: list[str], **options) -> api.Result:
    return api.build(BuildOptions(sources=tuple(sources), targets=("langgraph",), **options))


def codes(result: api.Result) -> list[str]:
    return [d.code for d in result.diagnostics]


def pkg_file(result: api.Result, name: str, package: str = "ai_engineer_team") -> str:
    """A file of the generated package (the project folder holds the package folder)."""
    return result.files[f"langgraph/{package}/{package}/{name}"]


def team_json(result: api.Result, package: str | None = None) -> dict:
    path = next(p for p in result.files if p.endswith("/team.json") and (package is None or f"/{package}/" in p))
    return json.loads(result.files[path])


# --- build-time behaviour (no framework needed) ---------------------------------------------

def test_seed_team_project_layout():
    result = build(["agents/seed-team"])
    assert result.ok, result.diagnostics
    files = set(result.files)
    root = "langgraph/ai_engineer_team/"
    assert {root + f for f in ("pyproject.toml", "README.md", "langgraph.json", ".env.example")} <= files
    modules = {"__init__.py", "__main__.py", "graph.py", "team.py", "models.py", "runner.py", "server.py",
               "factory.py", "observe.py", "usage.py", "team.json"}
    assert {f"{root}ai_engineer_team/{m}" for m in modules} <= files
    prompt = pkg_file(result, "prompts/ai_engineer.md")
    assert prompt == prompt_text(result.project.agent("ai-engineer"))  # the body, untouched
    team = team_json(result)
    lead = next(a for a in team["agents"] if a["node"] == "ai-engineer")
    assert {h["tool"] for h in lead["handoffs"]} >= {"transfer_to_ml_engineer", "transfer_to_security_auditor"}
    assert any(a["placeholder"] for a in team["agents"])
    assert team["settings"] == {"recursion_limit": 50, "checkpointer": "memory", "retries": 2, "timeout_s": 120.0,
                                "fallback_models": [], "delegate_context": "brief", "model_factory": None,
                                "prices": {}, "max_request_bytes": 65536}
    assert "AGC501" in codes(result)  # security-auditor is a placeholder, with a warning
    server = json.loads(result.files[root + "langgraph.json"])
    assert server["graphs"] == {"ai_engineer_team": "ai_engineer_team.graph:make_graph"} and server["dependencies"] == ["."]


def test_modules_are_the_same_for_every_team_and_black_clean():
    """Speed (issue 12): the Python is static and already in black's style, so a build never
    runs black; what differs between teams is data (team.json, prompts)."""
    black = pytest.importorskip("black")
    from agentc.targets._shared.pyformat import _black

    seed = build(["agents/seed-team"])
    everything = build(["agents"], package="ai_engineer_team")
    modules = [p for p in seed.files if p.endswith(".py")]
    assert len(modules) == 10
    for path in modules:
        assert seed.files[path] == everything.files[path], path
        assert black.format_str(seed.files[path], mode=_black()[1]) == seed.files[path], path
    assert not any(p.endswith(".py") for p in set(everything.files) - set(seed.files))
    no_server = build(["agents/seed-team"], serve=False)
    assert not any(p.endswith("/server.py") for p in no_server.files)
    assert '"fastapi' not in no_server.files["langgraph/ai_engineer_team/pyproject.toml"].split("[project.optional")[0]


def test_a_langgraph_build_never_imports_black():
    """Speed (issue 12): in a fresh process, a langgraph build of every case loads no formatter."""
    code = ("import sys; from agentc import api; from agentc.compiler.options import BuildOptions as B; "
            "r = api.build(B(sources=('agents',), targets=('langgraph',))); "
            "print(r.ok, 'black' in sys.modules, 'libcst' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "False", "False"], done.stderr


def test_prompt_text_and_utf8_on_odd_bodies():
    """prompt_text slices the body rather than strip it and append the newline: the same text
    as that, on odd bodies too; prompt_utf8 (the prompt files of langgraph, openai-agents and
    claude-sdk) is its UTF-8."""
    from dataclasses import replace

    from agentc.targets import utf8

    agent = api.load_project(("agents/seed-team",)).agents[0]
    bodies = ["", "\n", "\n\n\n", "x", "\nx\n\n", "\nx", "x\n", "\n\nx\ny\n", "\r", "\n\r\n\r", "é → 😀\n", "a\r\nb\r\n", "\r\n\n", " \n a \n ",
              "\t\n\x00\x85\u2028\ufeff", "y" * 200_000 + "\n" + "😀" * 50_000, agent.body]
    for body in bodies:
        a = replace(agent, body=body)
        assert prompt_text(a) == body.strip("\n") + "\n", repr(body[:40])
        assert prompt_utf8(a) == utf8(prompt_text(a)), repr(body[:40])


def test_prompt_text_never_reaches_code(tmp_path):
    hostile = '"""; import os; os.system("x") {braces} \\ \'quote\'\n'
    (tmp_path / "lead.md").write_text("---\nname: lead\ndescription: Leads.\n---\n" + hostile
                                      + "- Security work → Delegate to **helper**\n")
    (tmp_path / "helper.md").write_text('---\nname: helper\ndescription: Helps.\n---\nHelp with """ and {x}.\n')
    result = build([str(tmp_path)])
    assert result.ok, result.diagnostics
    code = "".join(t for p, t in result.files.items() if p.endswith((".py", ".toml")))
    assert "os.system" not in code and "{x}" not in code
    assert pkg_file(result, "prompts/lead.md", "lead_team").startswith(hostile)


@pytest.mark.parametrize(("policy", "code", "ok"), [("stub", "AGC501", True), ("drop", "AGC502", True),
                                                     ("error", "AGC503", False)])
def test_dangling_policy(policy, code, ok):
    result = build(["agents/seed-team"], dangling=policy)
    assert code in codes(result) and result.ok is ok
    placeholder = "langgraph/ai_engineer_team/ai_engineer_team/prompts/security_auditor.md"
    assert (placeholder in result.files) is (policy == "stub")
    if policy == "drop":
        assert "transfer_to_security_auditor" not in pkg_file(result, "team.json")
    diag = next(d for d in result.diagnostics if d.code == code)
    assert diag.file == "agents/seed-team/ai-engineer.md" and diag.line > 1


def test_entry_and_package_options():
    assert codes(build(["agents/seed-team"], entry="ml-engineer")).count("AGC506") == 1  # ai/prompt left out
    assert "langgraph/ml_engineer_team/ml_engineer_team/team.json" in build(["agents/seed-team"], entry="ml-engineer").files
    assert "langgraph/mine/mine/team.json" in build(["agents/seed-team"], package="mine").files
    bad = build(["agents/seed-team"], package="langgraph")
    assert "AGC507" in codes(bad) and not bad.ok
    missing = build(["agents/seed-team"], entry="ml-enginer")
    assert not missing.ok and any("did you mean 'ml-engineer'" in d.message for d in missing.diagnostics)


def test_several_roots_warn_and_share_one_package():
    result = build(["agents"])
    assert result.ok and "AGC805" in codes(result)
    # one entry per team: integration-style has no lead (everyone is delegated to) and still gets one
    assert team_json(result)["roots"] == ["ai-engineer", "backend-builder", "database-designer", "sim-lead", "architect"]
    assert "AGC506" not in codes(result)  # nobody is left out


def test_model_map_and_production_settings_from_config():
    result = build(["agents/seed-team"], model_map={"langgraph": {"opus": "openai:gpt-5", "default": "openai:gpt-5-mini"}},
                   retries=5, timeout_s=30, fallback_models={"langgraph": ["openai:gpt-5-mini"]}, checkpointer="postgres",
                   delegate_context="history", prices={"openai:gpt-5": (1.25, 10.0)}, model_factory="mymod:make")
    team = team_json(result)
    assert {a["model"] for a in team["agents"]} >= {"openai:gpt-5"} and team["default_model"] == "openai:gpt-5-mini"
    assert team["settings"] | {} == {"recursion_limit": 50, "checkpointer": "postgres", "retries": 5, "timeout_s": 30.0,
                                     "fallback_models": ["openai:gpt-5-mini"], "delegate_context": "history",
                                     "model_factory": "mymod:make", "prices": {"openai:gpt-5": [1.25, 10.0]},
                                     "max_request_bytes": 65536}
    project = result.files["langgraph/ai_engineer_team/pyproject.toml"]
    assert 'openai = ["langchain-openai>=1.0,<2"]' in project
    assert '"langgraph-checkpoint-postgres>=3.0,<4"' in project.split("[project.optional")[0]  # the default needs it
    assert "langchain-openai" in result.files["langgraph/ai_engineer_team/README.md"]


GOLDEN_PACKAGES = sorted(p.parent for p in (ROOT / "golden").glob("*/langgraph/*/*/__init__.py"))


def test_golden_has_a_langgraph_package_per_case():
    assert [p.parts[-4] for p in GOLDEN_PACKAGES] == CASES


def test_generated_code_is_ruff_clean(tmp_path):
    """Ruff's default rules (as shipped, no config) on the langgraph package of every golden
    case, and a wider rule set on a build of every case at once."""
    ruff = shutil.which("ruff") or (Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it comes with the test extra)")
    done = subprocess.run([str(ruff), "check", "--isolated", "--no-cache", *map(str, GOLDEN_PACKAGES)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    out = write(build(["agents"]), tmp_path)
    done = subprocess.run([str(ruff), "check", "--isolated", "--no-cache", "--extend-select", "I,B,UP,W,C4,SIM",
                           "--line-length", "100", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@pytest.mark.runtime
def test_generated_package_is_mypy_clean(tmp_path):
    """mypy with the frameworks installed, on the langgraph package of every golden case (the
    goldens are what a build emits, test_golden checks that), in one run."""
    mypy = Path(sys.executable).parent / "mypy"
    if not mypy.exists() or importlib.util.find_spec("langgraph") is None or importlib.util.find_spec("fastapi") is None:
        pytest.skip("mypy, langgraph or fastapi is not installed (test, langgraph and serve extras)")
    # every function fully annotated too (the seed's "type hints provided for all functions")
    done = subprocess.run([str(mypy), "--python-executable", sys.executable, "--cache-dir", str(tmp_path / ".mypy"),
                           "--disallow-untyped-defs", "--disallow-incomplete-defs", *map(str, GOLDEN_PACKAGES)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:]
    files = sum(1 for p in GOLDEN_PACKAGES for _ in p.glob("*.py"))
    assert files == 10 * len(CASES) and done.stdout.startswith(f"Success: no issues found in {files} source files")


def write(result: api.Result, folder: Path) -> Path:
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    for rel, text in result.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder / "langgraph"


def test_secrets_come_only_from_the_environment():
    """No key or password is written into a generated project: .env.example names the variables
    with empty values (or commented examples), and no module holds a key-like literal."""
    for package in GOLDEN_PACKAGES:
        env = (package.parent / ".env.example").read_text()
        assigned = [line.split("=", 1) for line in env.splitlines() if line and not line.startswith("#")]
        assert assigned and all(value == "" for _, value in assigned), env
        code = "".join(p.read_text() for p in package.glob("*.py"))
        assert not re.search(r"sk-[A-Za-z0-9]{8,}|(?:api_key|password)\s*=\s*['\"][^'\"]+['\"]", code, re.I)


# --- runtime: the real langgraph, scripted models, no network -------------------------------

@pytest.fixture
def offline(monkeypatch):
    """Any network attempt fails the test; tracing and API keys are gone."""
    for var in (*TRACING, "AGENTC_MODEL_FACTORY"):
        monkeypatch.delenv(var, raising=False)
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield attempts
    assert attempts == [], f"network attempts: {attempts}"


@pytest.fixture
def load(tmp_path, monkeypatch):
    """Build sources into tmp_path and import the package under a fresh name."""
    pytest.importorskip("langgraph")

    def _load(sources: list[str], **options):
        package = f"lg_pkg_{next(_packages)}"
        out = write(build(sources, package=package, **options), tmp_path)
        monkeypatch.syspath_prepend(str(out / package))
        module = importlib.import_module(package)
        return module, importlib.import_module(f"{package}.team")

    yield _load
    for name in [m for m in sys.modules if m.startswith("lg_pkg_")]:
        del sys.modules[name]


class RateLimitError(Exception):
    """What a provider raises on HTTP 429 (the status is what makes it transient)."""

    status_code = 429


def scripted(rule: Callable[[list], object], bound: dict | None = None, who: str = "", usage: dict | None = None,
             seen: list | None = None):
    """A chat model that answers by rule from the conversation (a rule may raise), records the
    tools it gets and the messages it reads, and reports `usage` on every answer."""
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.outputs import ChatGeneration, ChatResult

    class RuleChatModel(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "rule-fake"

        def bind_tools(self, tools, **kwargs):
            if bound is not None:
                bound[who] = tools
            return self

        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            if seen is not None:
                seen.append(list(messages))
            reply = rule(messages)
            if usage:
                reply = reply.model_copy(update={"usage_metadata": dict(usage)})
            return ChatResult(generations=[ChatGeneration(message=reply)])

    return RuleChatModel()


def never(messages):
    raise AssertionError("this agent should not have been called")


def run(graph, text: str, config: dict | None = None) -> dict:
    """One request through the async graph (what the package's `new_run(text)` builds)."""
    from langchain_core.messages import HumanMessage

    inputs = {"messages": [HumanMessage(text)], "frames": None, "usage": None, "usage_by_model": None, "errors": None}
    return asyncio.run(graph.ainvoke(inputs, config or {}))


def mermaid_edges(graph, ignore: set[str]) -> set[tuple[str, str]]:
    lines = graph.get_graph().draw_mermaid().splitlines()
    found = {m.groups() for m in map(EDGE.match, lines) if m}
    return {(a, b) for a, b in found if a not in ignore and b not in ignore}


def ir_edges(project, entry_id: str, node: Callable[[str], str], dangling: Callable[[str], str]) -> set[tuple[str, str]]:
    """The IR's delegation edges among the agents reachable from the entry, as node pairs."""
    out = set()
    for agent in reachable(project, [entry_id]):
        for e in project.edges_from(agent.id):
            if e.target_id != agent.id:
                out.add((node(agent.id), node(e.target_id) if e.target_id else dangling(e.target)))
    return out


def ask(tool: str, task: str, call_id: str, context: str = "") -> dict:
    args = {"task": task, **({"context": context} if context else {})}
    return {"name": tool, "args": args, "id": call_id}


@pytest.mark.runtime
def test_delegate_answer_is_the_tool_result_and_the_delegate_reads_a_brief(load, offline):
    """Supervision: ai-engineer -> ml-engineer -> data-engineer -> back up; each delegate reads
    only its brief (task + context), and each answer is the result of the call that delegated."""
    from langchain_core.messages import AIMessage, ToolMessage

    package, team = load(["agents/seed-team"])
    project = api.load_project(["agents/seed-team"])
    prompts = {a.name: prompt_text(a) for a in project.agents}
    seen: dict[str, list] = {"ml-engineer": [], "data-engineer": []}

    def lead(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"FINAL: {messages[-1].content}")
        return AIMessage("thinking out loud", tool_calls=[ask("transfer_to_ml_engineer", "Plan the judge fine-tune", "call_1",
                                                             context="support tickets, 2k labels")])

    def ml(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"LoRA on a 3B model; data: {messages[-1].content}")
        return AIMessage("", tool_calls=[ask("transfer_to_data_engineer", "Where do the labels live?", "call_2")])

    bound: dict = {}
    graph = package.build_graph(scripted(never), models={
        "ai-engineer": scripted(lead, bound, "ai-engineer"), "ml-engineer": scripted(ml, seen=seen["ml-engineer"]),
        "data-engineer": scripted(lambda m: AIMessage("in the warehouse"), seen=seen["data-engineer"])})
    assert graph.config["recursion_limit"] == team.RECURSION_LIMIT == 50  # explicit, not 10007
    state = run(graph, "Build an eval judge")
    messages = state["messages"]
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"]
    assert messages[2].tool_call_id == "call_1" and messages[2].content == "LoRA on a 3B model; data: in the warehouse"
    assert messages[-1].content == "FINAL: LoRA on a 3B model; data: in the warehouse" and messages[-1].name == "ai-engineer"
    first = seen["ml-engineer"][0]
    assert first[0].type == "system" and first[0].content == prompts["ml-engineer"]
    assert [m.type for m in first[1:]] == ["human"]  # the brief only: no caller tool calls, no user message
    assert first[1].content == ("Task from ai-engineer: Plan the judge fine-tune\n\n"
                                "Context from ai-engineer:\nsupport tickets, 2k labels")
    resumed = seen["ml-engineer"][1]
    assert [m.type for m in resumed[1:]] == ["human", "ai", "tool"] and resumed[-1].tool_call_id == "call_2"
    assert [m.content for m in seen["data-engineer"][0][1:]] == ["Task from ml-engineer: Where do the labels live?"]
    tools = {t["function"]["name"]: t["function"]["description"] for t in bound["ai-engineer"]}
    ir = {h.name: h.description for h in handoffs(project, "ai-engineer")}
    assert tools == {f"transfer_to_{snake(name)}": text for name, text in ir.items()}
    assert state["frames"]["root"]["pending"] == [] and set(state["frames"]) == {"root"}  # nothing left running


@pytest.mark.runtime
def test_history_option_passes_the_conversation(load, offline):
    from langchain_core.messages import AIMessage, ToolMessage

    package, _ = load(["agents/seed-team"], delegate_context="history")
    seen: list = []

    def lead(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage("done")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "fine-tune", "h1")])

    def delegate_reads(package, **options) -> list[tuple[str, str]]:
        seen.clear()
        graph = package.build_graph(models={"ai-engineer": scripted(lead),
                                            "ml-engineer": scripted(lambda m: AIMessage("ok"), seen=seen)}, **options)
        run(graph, "the user's words")
        return [(m.type, m.content) for m in seen[0][1:]]

    both = [("human", "the user's words"), ("human", "Task from ai-engineer: fine-tune")]
    assert delegate_reads(package) == both  # the build's setting
    assert delegate_reads(package, delegate_context="brief") == both[1:]  # overridden in code
    default, _ = load(["agents/seed-team"])
    assert delegate_reads(default) == both[1:] and delegate_reads(default, delegate_context="history") == both
    with pytest.raises(ValueError, match="delegate_context must be 'brief' or 'history', not 'all'"):
        default.build_graph(delegate_context="all")


@pytest.mark.runtime
def test_two_delegations_in_one_turn_both_run_and_both_answer(load, offline):
    from langchain_core.messages import AIMessage, ToolMessage

    package, _ = load(["agents/seed-team"])

    def lead(messages):
        if isinstance(messages[-1], ToolMessage):
            results = {m.tool_call_id: m.content for m in messages if isinstance(m, ToolMessage)}
            return AIMessage(f"FINAL {results['p1']} + {results['p2']}")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "model", "p1"),
                                         ask("transfer_to_prompt_engineer", "prompt", "p2"),
                                         {"name": "transfer_to_nobody", "args": {}, "id": "u1"}])

    graph = package.build_graph(scripted(never), models={
        "ai-engineer": scripted(lead), "ml-engineer": scripted(lambda m: AIMessage("ML answer")),
        "prompt-engineer": scripted(lambda m: AIMessage("PE answer"))})
    state = run(graph, "both please")
    results = {m.tool_call_id: m.content for m in state["messages"] if isinstance(m, ToolMessage)}
    assert results == {"p1": "ML answer", "p2": "PE answer",
                       "u1": results["u1"]} and results["u1"].startswith("Unknown tool 'transfer_to_nobody'")
    assert state["messages"][-1].content == "FINAL ML answer + PE answer"
    # both delegates ran in the same super-step (LangGraph Send fan-out)
    steps = asyncio.run(_steps(graph, package.new_run("both please")))
    assert {"ml-engineer", "prompt-engineer"} in steps


async def _steps(graph, inputs) -> list[set[str]]:
    """The agent nodes that ran in each super-step."""
    steps: dict[int, set[str]] = {}
    async for event in graph.astream(inputs, stream_mode="debug"):
        if event["type"] == "task":
            steps.setdefault(event["step"], set()).add(event["payload"]["name"])
    return [steps[k] for k in sorted(steps)]


@pytest.mark.runtime
def test_a_model_that_fails_once_succeeds_on_retry(load, offline):
    from langchain_core.messages import AIMessage, ToolMessage

    package, _ = load(["agents/seed-team"])
    calls = count(1)

    def flaky(messages):
        if next(calls) == 1:
            raise RateLimitError("429 Too Many Requests")
        return AIMessage("ML answer after a retry")

    def lead(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"FINAL {messages[-1].content}")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "x", "r1")])

    graph = package.build_graph(models={"ai-engineer": scripted(lead), "ml-engineer": scripted(flaky)})
    state = run(graph, "go")
    assert state["messages"][-1].content == "FINAL ML answer after a retry" and state["errors"] == []
    assert next(calls) == 3  # one failure, one success
    node = graph.builder.nodes["ml-engineer"]  # LangGraph's own node policies, from the build's settings
    policy = node.retry_policy
    assert (policy.max_attempts, policy.initial_interval, policy.backoff_factor, policy.jitter) == (3, 0.5, 2.0, True)
    assert node.timeout.run_timeout == 120.0 and node.error_handler_node == "__error_handler__ml-engineer"


@pytest.mark.runtime
def test_a_delegate_that_always_fails_is_a_failure_result_for_its_caller(load, offline):
    from langchain_core.messages import AIMessage, ToolMessage

    package, _ = load(["agents/seed-team"])
    attempts = count(1)

    def down(messages):
        next(attempts)
        raise RateLimitError("429 Too Many Requests")

    def lead(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"FINAL without ml: {messages[-1].content}")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "x", "f1")])

    graph = package.build_graph(models={"ai-engineer": scripted(lead), "ml-engineer": scripted(down)}, retries=1)
    state = run(graph, "go")
    result = next(m for m in state["messages"] if isinstance(m, ToolMessage))
    assert result.tool_call_id == "f1" and result.content.startswith("FAILED: ml-engineer could not answer (RateLimitError")
    assert state["messages"][-1].content.startswith("FINAL without ml: FAILED")
    assert state["errors"] == [{"agent": "ml-engineer", "error": "RateLimitError: 429 Too Many Requests"}]
    assert next(attempts) == 3  # retries=1: two attempts
    # a bad request is not transient: no retry
    bad = count(1)

    def invalid(messages):
        next(bad)
        raise ValueError("400 invalid request")

    graph = package.build_graph(models={"ai-engineer": scripted(lead), "ml-engineer": scripted(invalid)}, retries=3)
    assert run(graph, "go")["errors"][0]["error"] == "ValueError: 400 invalid request" and next(bad) == 2


@pytest.mark.runtime
def test_a_slow_model_call_times_out_and_is_retried(load, offline):
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, ToolMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    package, _ = load(["agents/seed-team"])
    started = count(1)

    class Slow(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "slow"

        def bind_tools(self, tools, **kwargs):
            return self

        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            raise AssertionError("async only")

        async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
            if next(started) == 1:
                await asyncio.sleep(30)
            return ChatResult(generations=[ChatGeneration(message=AIMessage("in time"))])

    def lead(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"FINAL {messages[-1].content}")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "x", "t1")])

    graph = package.build_graph(models={"ai-engineer": scripted(lead), "ml-engineer": Slow()}, timeout_s=0.5)
    state = run(graph, "go")
    assert state["messages"][-1].content == "FINAL in time" and next(started) == 3


@pytest.mark.runtime
def test_with_retry_wrapped_models_and_fallbacks_work(load, offline):
    from langchain_core.messages import AIMessage, ToolMessage

    package, _ = load(["agents/seed-team"])
    bound: dict = {}
    calls = count(1)

    def lead(messages):
        # The first call fails with an error the graph's own RetryPolicy does not retry (not
        # transient): only the with_retry() wrapper, kept around the tool-bound model, saves it.
        if next(calls) == 1:
            raise ValueError("flaky client bug")
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"FINAL {messages[-1].content}")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "x", "w1")])

    def broken(messages):
        raise RuntimeError("primary down")

    wrapped = scripted(lead, bound, "ai-engineer").with_retry(stop_after_attempt=2, wait_exponential_jitter=False,
                                                              retry_if_exception_type=(ValueError,))
    backup = scripted(broken).with_fallbacks([scripted(lambda m: AIMessage("from the fallback"), bound, "fallback")])
    graph = package.build_graph(models={"ai-engineer": wrapped, "ml-engineer": backup})
    state = run(graph, "go")
    assert state["messages"][-1].content == "FINAL from the fallback" and state["errors"] == []
    assert next(calls) == 4  # the failed call, its retry by the wrapper, the call after the delegation
    assert {t["function"]["name"] for t in bound["ai-engineer"]} >= {"transfer_to_ml_engineer"}  # bound inside the wrapper
    assert "fallback" in bound


@pytest.mark.runtime
def test_fallback_models_from_config_take_over_a_failing_model(load, offline):
    """`fallback_models` in [tool.agentc]: each id is made by the factory (or init_chat_model)
    and tried behind the agent's own model when that one fails for good."""
    from langchain_core.messages import AIMessage, ToolMessage

    package, _ = load(["agents/seed-team"], fallback_models={"langgraph": ["test:backup"]})
    made: list[tuple[str, str]] = []

    def lead(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"FINAL {messages[-1].content}")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "x", "b1")])

    def down(messages):
        raise ValueError("400 the primary refuses")

    def factory(key, model_id):
        made.append((key, model_id))
        if model_id == "test:backup":
            return scripted(lambda m: AIMessage(f"backup of {key}"))
        return scripted(lead if key == "ai-engineer" else down)

    state = run(package.build_graph(model_factory=factory), "go")
    assert state["messages"][-1].content == "FINAL backup of ml-engineer" and state["errors"] == []
    assert ("ml-engineer", "test:backup") in made and ("ml-engineer", "anthropic:claude-haiku-4-5") in made


@pytest.mark.runtime
def test_usage_is_summed_per_agent_and_per_run(load, offline):
    from langchain_core.messages import AIMessage, ToolMessage

    package, _ = load(["agents/seed-team"], prices={"scripted-model": (2.0, 10.0)})
    runner = importlib.import_module(f"{package.__name__}.runner")

    def lead(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage("FINAL", response_metadata={"model_name": "scripted-model"})
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "x", "u1")], response_metadata={"model_name": "scripted-model"})

    lead_usage = {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}
    ml_usage = {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10}
    seen: dict[str, list] = {"ai-engineer": [], "ml-engineer": []}  # one entry per model call
    graph = package.build_graph(models={"ai-engineer": scripted(lead, usage=lead_usage, seen=seen["ai-engineer"]),
                                        "ml-engineer": scripted(lambda m: AIMessage("ok"), usage=ml_usage,
                                                                seen=seen["ml-engineer"])})
    team = runner.Team(graph)
    result = asyncio.run(team.run("go"))
    assert result["status"] == "ok" and result["answer"] == "FINAL"
    reported = {"ai-engineer": lead_usage, "ml-engineer": ml_usage}

    def summed(agents):
        out = {"calls": sum(len(seen[a]) for a in agents)}
        for field in ("input_tokens", "output_tokens", "total_tokens"):
            out[field] = sum(len(seen[a]) * reported[a][field] for a in agents)
        return out

    assert [len(seen[a]) for a in reported] == [2, 1]  # delegate, then answer; answer
    assert result["usage"]["agents"] == {a: summed([a]) for a in reported}
    assert result["usage"]["total"] == summed(list(reported))
    lead_calls = len(seen["ai-engineer"])  # only the lead's model reports the priced model name
    assert result["usage"]["cost_usd"] == pytest.approx(lead_calls * (100 * 2.0 + 20 * 10.0) / 1e6)


@pytest.mark.runtime
def test_unknown_models_key_raises_listing_the_agents(load, offline):
    package, team = load(["agents/seed-team"])
    with pytest.raises(ValueError, match=r"^unknown agent key\(s\) in models=: ml-enginer; valid keys: ") as error:
        package.build_graph(models={"ml-enginer": scripted(never)})
    listed = str(error.value).split("valid keys: ")[1].split(", ")
    assert listed == [a["key"] for a in json.loads((Path(team.__file__).parent / "team.json").read_text())["agents"]]
    assert "ml-engineer" in listed and "security-auditor" in listed  # the placeholder is an agent too


@pytest.mark.runtime
def test_recursion_limit_stops_a_delegation_cycle(load, offline):
    from langchain_core.messages import AIMessage
    from langgraph.errors import GraphRecursionError

    package, _ = load(["agents/seed-team"], entry="data-engineer")
    ids = count()

    def bounce(tool):
        return lambda messages: AIMessage("", tool_calls=[{"name": tool, "args": {"task": "loop"}, "id": f"c{next(ids)}"}])

    graph = package.build_graph(models={"data-engineer": scripted(bounce("transfer_to_data_scientist")),
                                        "data-scientist": scripted(bounce("transfer_to_data_engineer"))},
                                recursion_limit=9)
    with pytest.raises(GraphRecursionError, match="Recursion limit of 9"):
        run(graph, "loop")


@pytest.mark.runtime
def test_mermaid_has_exactly_the_ir_edges(load, offline):
    package, team = load(["agents/seed-team"])
    project = api.load_project(["agents/seed-team"])
    graph = package.build_graph()  # no model, no key: models are created on first use only
    expected = ir_edges(project, "ai-engineer", lambda i: project.agent(i).name, lambda name: name)
    assert mermaid_edges(graph, {"__start__", "__end__", team.RETURN_NODE}) == expected
    assert ("data-engineer", "data-scientist") in expected and ("data-scientist", "data-engineer") in expected


@pytest.mark.runtime
def test_every_root_of_all_cases_is_an_entry(load, offline):
    package, team = load(["agents"])
    project = api.load_project(["agents"])
    assert len(team.ROOTS) >= 5 and package.ENTRY == team.ROOTS[0]
    for root in team.ROOTS:
        graph = package.build_graph(entry=root)
        expected = ir_edges(project, root, lambda i: project.agent(i).name, lambda name: name)
        assert mermaid_edges(graph, {"__start__", "__end__", team.RETURN_NODE}) == expected


@pytest.mark.runtime
def test_cli_keeps_a_thread_prints_usage_and_fails_in_one_line(load, offline, capsys, tmp_path):
    from langchain_core.messages import AIMessage, ToolMessage

    pytest.importorskip("langgraph.checkpoint.sqlite")
    package, _ = load(["agents/seed-team"])
    cli = importlib.import_module(f"{package.__name__}.__main__")
    model = scripted(lambda messages: AIMessage(f"answer {sum(m.type == 'human' for m in messages)}"),
                     usage={"input_tokens": 3, "output_tokens": 2, "total_tokens": 5})
    db = str(tmp_path / "chat.sqlite")
    assert cli.main(["first", "--checkpointer", "sqlite", "--db", db, "--thread", "t1"], model=model) == 0
    assert cli.main(["second", "--checkpointer", "sqlite", "--db", db, "--thread", "t1"], model=model) == 0
    out = capsys.readouterr()
    assert out.out.split() == ["answer", "1", "answer", "2"]  # the thread was kept
    assert out.err.splitlines() == ["usage: 1 model call, 3 in / 2 out tokens (ai-engineer 1 call 3/2)"] * 2
    assert cli.main(["--graph"]) == 0 and "ai-engineer -.-> ml-engineer;" in capsys.readouterr().out

    def down(messages):
        raise RateLimitError("429 Too Many Requests")

    assert cli.main(["go", "--checkpointer", "none"], model=scripted(down)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ai-engineer failed: RateLimitError: 429 Too Many Requests\n") and "Traceback" not in err

    def lead(messages):  # a delegate that always fails: the lead still answers, the CLI warns
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"FINAL without it: {messages[-1].content}")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "x", "d1")])

    def broken(messages):
        raise ValueError("400 invalid request")

    assert cli.main(["go", "--checkpointer", "none"], model=scripted(never),
                    models={"ai-engineer": scripted(lead), "ml-engineer": scripted(broken)}) == 0
    out = capsys.readouterr()
    assert out.out.startswith("FINAL without it: FAILED: ml-engineer could not answer (ValueError: 400 invalid request)")
    assert out.err.splitlines()[0] == "warning: ml-engineer failed: ValueError: 400 invalid request (its caller went on)"
    assert out.err.splitlines()[1].startswith("usage: 2 model calls") and len(out.err.splitlines()) == 2


@pytest.mark.runtime
def test_cli_model_stream_and_max_turns(load, offline, capsys, monkeypatch):
    """--model reaches init_chat_model for every agent; --stream prints each delegation and the
    tokens, then usage; --max-turns bounds a run that never ends, with a one-line error."""
    from langchain_core.messages import AIMessage, ToolMessage

    package, _ = load(["agents/seed-team"])
    cli = importlib.import_module(f"{package.__name__}.__main__")
    usage = {"input_tokens": 2, "output_tokens": 1, "total_tokens": 3}

    def rule(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(f"FINAL after {messages[-1].content}")
        if messages[-1].content.startswith("Task from"):
            return AIMessage("sub-answer")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "size the GPU", "s1")])

    asked: list[str] = []
    monkeypatch.setattr(cli, "from_id", lambda model_id: asked.append(model_id) or scripted(rule, usage=usage))
    assert cli.main(["go", "--model", "openai:gpt-5", "--stream", "--checkpointer", "none"]) == 0
    out = capsys.readouterr()
    assert asked == ["openai:gpt-5"]  # one model, built once, for every agent
    assert out.out == "FINAL after sub-answer\n"  # the entry agent's tokens: the answer alone
    assert out.err.splitlines() == ["[ai-engineer -> ml-engineer] size the GPU", "[ml-engineer] sub-answer",
                                    "usage: 3 model calls, 6 in / 3 out tokens (ai-engineer 2 calls 4/2, ml-engineer 1 call 2/1)"]
    ids = count()

    def forever(messages):
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "again", f"m{next(ids)}")])

    assert cli.main(["loop", "--max-turns", "5", "--checkpointer", "none"], model=scripted(forever)) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: GraphRecursionError: Recursion limit of 5 reached")


@pytest.mark.runtime
def test_structured_logs_are_off_by_default_and_one_record_per_call(load, offline, capsys, monkeypatch):
    from langchain_core.messages import AIMessage, ToolMessage

    monkeypatch.delenv("AGENTC_LOG", raising=False)
    package, _ = load(["agents/seed-team"])
    cli = importlib.import_module(f"{package.__name__}.__main__")

    def rule(messages):
        if isinstance(messages[-1], ToolMessage):
            return AIMessage("FINAL")
        if messages[-1].content.startswith("Task from"):
            return AIMessage("sub-answer")
        return AIMessage("", tool_calls=[ask("transfer_to_ml_engineer", "x", "l1")])

    usage = {"input_tokens": 4, "output_tokens": 1, "total_tokens": 5}
    assert cli.main(["quiet", "--checkpointer", "none"], model=scripted(rule, usage=usage)) == 0
    assert [line.split(":")[0] for line in capsys.readouterr().err.splitlines()] == ["usage"]  # nothing else
    assert cli.main(["loud", "--checkpointer", "none", "--log"], model=scripted(rule, usage=usage)) == 0
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert [(r["event"], r.get("agent")) for r in records] == [
        ("model_call", "ai-engineer"), ("delegation", "ai-engineer"), ("model_call", "ml-engineer"),
        ("model_call", "ai-engineer")]
    call = records[0]
    assert call["outcome"] == "ok" and call["input_tokens"] == 4 and call["output_tokens"] == 1
    assert isinstance(call["duration_ms"], float) and call["frame"] == "root"
    assert records[1]["target"] == "ml-engineer" and records[2]["frame"] == "root/l1"
    # every record of one request carries its thread and request ids (the request id is new per request)
    assert cli.main(["again", "--checkpointer", "none", "--log", "--json", "--thread", "t-7"],
                    model=scripted(rule, usage=usage)) == 0
    out = capsys.readouterr()
    records = [json.loads(line) for line in out.err.splitlines() if line.startswith("{")]
    result = json.loads(out.out)
    assert len(records) == 4 and {(r["thread"], r["request"]) for r in records} == {("t-7", result["request_id"])}
    assert len(result["request_id"]) == 32 and result["thread_id"] == "t-7"


OTEL_SCRIPT = """
import asyncio, json
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
from ai_engineer_team import Team, build_graph
asyncio.run(Team(build_graph()).run("traced"))
print(json.dumps([[s.name, dict(s.attributes)] for s in exporter.get_finished_spans()]))
"""


@pytest.mark.runtime
def test_opentelemetry_spans_only_when_switched_on(tmp_path):
    pytest.importorskip("opentelemetry.sdk")
    out = write(build(["agents/seed-team"]), tmp_path) / "ai_engineer_team"
    # test_crewai_runtime sets OTEL_SDK_DISABLED for this whole process: not for this child
    env = {k: v for k, v in os.environ.items() if k not in TRACING and not k.startswith(("AGENTC_", "OTEL_"))}
    env.update(AGENTC_MODEL_FACTORY="lg_scripted:make",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")]))
    spans = {}
    for switch in ("0", "1"):
        done = subprocess.run([sys.executable, "-c", OTEL_SCRIPT], cwd=out, env={**env, "AGENTC_OTEL": switch},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        spans[switch] = json.loads(done.stdout.splitlines()[-1])
    assert spans["0"] == []
    assert [(name, a["agentc.agent"]) for name, a in spans["1"]] == [
        ("model_call", "ai-engineer"), ("model_call", "ml-engineer"), ("model_call", "ai-engineer")]
    first = spans["1"][0][1]
    assert first["agentc.input_tokens"] == 10 and first["agentc.outcome"] == "ok" and first["agentc.frame"] == "root"


@pytest.mark.runtime
def test_cli_help_and_errors_need_no_api_key_and_print_no_traceback(tmp_path):
    pytest.importorskip("langgraph")
    out = write(build(["agents/seed-team"]), tmp_path) / "ai_engineer_team"
    env = {k: v for k, v in os.environ.items() if k not in (*TRACING, "AGENTC_MODEL_FACTORY")}

    def cli(*args, **extra):
        return subprocess.run([sys.executable, "-m", "ai_engineer_team", *args], cwd=out, env={**env, **extra},
                              capture_output=True, text=True, timeout=120)

    done = cli("--help")
    assert done.returncode == 0 and done.stderr == ""
    assert all(f"{option} " in done.stdout for option in ("--help", "--model", "--stream", "--thread", "--max-turns"))
    code = ("import ai_engineer_team as p; nodes = p.build_graph().get_graph().nodes; "
            "print(sum(not n.startswith('__error_handler__') for n in nodes))")
    done = subprocess.run([sys.executable, "-c", code], cwd=out, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "9", done.stderr  # 6 agents + return_to_caller + start + end (+ error handlers)
    missing = importlib.util.find_spec("langchain_anthropic") is None
    done = cli("hello")  # the default model is anthropic:...; without its package or key: one line
    assert done.stdout == "" and "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert done.returncode != 0 and done.stderr.startswith("error: ")
    if missing:
        assert done.stderr.strip() == ("error: model 'anthropic:claude-sonnet-4-5' needs langchain-anthropic: "
                                       "pip install langchain-anthropic")
    done = cli("hello", AGENTC_MODEL_FACTORY="no_such_module:make")
    assert done.returncode == 2 and done.stderr.startswith("error: model factory 'no_such_module:make': cannot import")


@pytest.mark.runtime
@pytest.mark.skipif(not CORPUS.exists(), reason="../shared is not present on a fresh clone")
def test_corpus_ai_engineer(tmp_path, offline):
    pytest.importorskip("langgraph")
    from langchain_core.messages import AIMessage, ToolMessage

    out = tmp_path / "OUT"
    done = subprocess.run([sys.executable, "-m", "agentc", "build", str(CORPUS), "--target", "langgraph",
                           "--entry", "ai-engineer", "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    project_dir = out / "langgraph" / "ai_engineer_team"
    sys.path.insert(0, str(project_dir))
    try:
        package = importlib.import_module("ai_engineer_team")
        team = importlib.import_module("ai_engineer_team.team")
        graph_module = importlib.import_module("ai_engineer_team.graph")
        project = api.load_project([str(CORPUS)])
        agents = reachable(project, ["llm-application-dev:ai-engineer"])
        clash = {a.name for a in agents if sum(b.name == a.name for b in agents) > 1}
        node = lambda i: f"{project.agent(i).scope}__{project.agent(i).name}" if project.agent(i).name in clash else project.agent(i).name  # noqa: E731
        stubs = {a.node for a in team.AGENTS.values() if a.placeholder}
        expected = ir_edges(project, "llm-application-dev:ai-engineer", node, lambda name: name)
        assert {b for _, b in expected} - set(team.AGENTS) == set()  # every target is a node
        graph = package.build_graph()
        assert mermaid_edges(graph, {"__start__", "__end__", team.RETURN_NODE}) == expected
        assert stubs and all(team.AGENTS[s].handoffs == () for s in stubs)

        def lead(messages):
            if isinstance(messages[-1], ToolMessage):
                return AIMessage("FINAL")
            return AIMessage("", tool_calls=[{"name": "transfer_to_ml_engineer", "args": {"task": "t"}, "id": "k1"}])

        run_graph = package.build_graph(scripted(never), models={"ai-engineer": scripted(lead),
                                                                 "ml-engineer": scripted(lambda m: AIMessage("ok"))})
        final = asyncio.run(run_graph.ainvoke(graph_module.new_run("fine-tune?")))
        assert final["messages"][-1].content == "FINAL" and final["errors"] == []
    finally:
        sys.path.remove(str(project_dir))
        for name in [m for m in sys.modules if m.startswith("ai_engineer_team")]:
            del sys.modules[name]


def test_full_claude_ids_pass_through_unless_mapped():
    """purpose-style's cloud-planner says `model: claude-sonnet-4-5`: unmapped it is used as an
    Anthropic id, and an explicit mapping of that exact id wins over the pass-through."""
    def model_of(result):
        return next(a["model"] for a in team_json(result)["agents"] if a["node"] == "cloud-planner")

    assert model_of(build(["agents/purpose-style"], entry="cloud-planner")) == "anthropic:claude-sonnet-4-5"
    mapped = build(["agents/purpose-style"], entry="cloud-planner", model_map={"langgraph": {"claude-sonnet-4-5": "openai:gpt-5"}})
    assert model_of(mapped) == "openai:gpt-5"


def test_handoffs_are_remembered_per_project_while_it_lives():
    """Six targets ask for every agent's handoffs in one build: computed once per project, never
    shared between projects, and forgotten with the project."""
    import gc
    import weakref

    project = api.load_project(["agents/seed-team"])
    agent = project.agents[0].id
    first = handoffs(project, agent)
    assert first and handoffs(project, agent) is first
    other = api.load_project(["agents/seed-team"])
    assert handoffs(other, agent) == first and handoffs(other, agent) is not first
    alive = weakref.ref(project)
    del project
    gc.collect()
    assert alive() is None  # nothing outside the project holds on to it (its handoffs go with it)
