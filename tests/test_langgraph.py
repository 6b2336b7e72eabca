"""Target `langgraph`: the generated package imports, draws the IR's edges, and runs offline.

The runtime tests use the real LangGraph with scripted chat models (no network: sockets are
blocked and tracing variables cleared); they skip when the `langgraph` extra is not installed.
"""

from __future__ import annotations

import ast
import importlib
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
from conftest import SHARED

from agentc import api
from agentc.compiler.options import BuildOptions
from agentc.targets._shared.naming import snake
from agentc.targets._shared.team import handoffs, prompt_text, reachable

CORPUS = SHARED / "corpus" / "myclaude"
TRACING = ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY",
           "ANTHROPIC_API_KEY", "OPENAI_API_KEY")
EDGE = re.compile(r"^\s*(\S+) (?:-\.->|-->) (\S+);$")
_packages = count()


def build(sources: list[str], **options) -> api.Result:
    return api.build(BuildOptions(sources=tuple(sources), targets=("langgraph",), **options))


def codes(result: api.Result) -> list[str]:
    return [d.code for d in result.diagnostics]


# --- build-time behaviour (no framework needed) ---------------------------------------------

def test_seed_team_package_layout():
    result = build(["agents/seed-team"])
    assert result.ok, result.diagnostics
    files = sorted(result.files)
    assert "langgraph/ai_engineer_team/graph.py" in files
    assert "langgraph/ai_engineer_team/prompts/ai_engineer.md" in files
    assert {"__init__.py", "__main__.py", "team.py", "README.md"} <= {Path(f).name for f in files}
    prompt = result.files["langgraph/ai_engineer_team/prompts/ai_engineer.md"]
    assert prompt == prompt_text(result.project.agent("ai-engineer"))  # the body, untouched
    team = result.files["langgraph/ai_engineer_team/team.py"]
    assert 'tool="transfer_to_ml_engineer"' in team and "placeholder=True" in team
    assert "AGC501" in codes(result)  # security-auditor is a placeholder, with a warning


def test_prompt_text_never_reaches_code(tmp_path):
    hostile = '"""; import os; os.system("x") {braces} \\ \'quote\'\n'
    (tmp_path / "lead.md").write_text("---\nname: lead\ndescription: Leads.\n---\n" + hostile
                                      + "- Security work → Delegate to **helper**\n")
    (tmp_path / "helper.md").write_text('---\nname: helper\ndescription: Helps.\n---\nHelp with """ and {x}.\n')
    result = build([str(tmp_path)])
    assert result.ok, result.diagnostics
    code = "".join(t for p, t in result.files.items() if p.endswith(".py"))
    assert "os.system" not in code and "{x}" not in code
    assert result.files["langgraph/lead_team/prompts/lead.md"].startswith(hostile)


@pytest.mark.parametrize(("policy", "code", "ok"), [("stub", "AGC501", True), ("drop", "AGC502", True),
                                                     ("error", "AGC503", False)])
def test_dangling_policy(policy, code, ok):
    result = build(["agents/seed-team"], dangling=policy)
    assert code in codes(result) and result.ok is ok
    placeholder = "langgraph/ai_engineer_team/prompts/security_auditor.md"
    assert (placeholder in result.files) is (policy == "stub")
    if policy == "drop":
        assert "transfer_to_security_auditor" not in result.files["langgraph/ai_engineer_team/team.py"]
    diag = next(d for d in result.diagnostics if d.code == code)
    assert diag.file == "agents/seed-team/ai-engineer.md" and diag.line > 1


def test_entry_and_package_options():
    assert codes(build(["agents/seed-team"], entry="ml-engineer")).count("AGC506") == 1  # ai/prompt left out
    assert "langgraph/ml_engineer_team/team.py" in build(["agents/seed-team"], entry="ml-engineer").files
    assert "langgraph/mine/team.py" in build(["agents/seed-team"], package="mine").files
    bad = build(["agents/seed-team"], package="langgraph")
    assert "AGC507" in codes(bad) and not bad.ok
    missing = build(["agents/seed-team"], entry="ml-enginer")
    assert not missing.ok and any("did you mean 'ml-engineer'" in d.message for d in missing.diagnostics)


def test_several_roots_warn_and_share_one_package():
    result = build(["agents"])
    assert result.ok and "AGC805" in codes(result)
    team = next(t for p, t in result.files.items() if p.endswith("/team.py"))
    tree = ast.parse(team)
    roots = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.AnnAssign) and n.target.id == "ROOTS")
    # one entry per team: integration-style has no lead (everyone is delegated to) and still gets one
    assert roots == ("ai-engineer", "backend-builder", "database-designer", "sim-lead", "architect")
    assert "AGC506" not in codes(result)  # nobody is left out


def test_model_map_from_config():
    result = build(["agents/seed-team"], model_map={"langgraph": {"opus": "openai:gpt-5", "default": "openai:gpt-5-mini"}})
    team = result.files["langgraph/ai_engineer_team/team.py"]
    assert 'model="openai:gpt-5"' in team and 'DEFAULT_MODEL = "openai:gpt-5-mini"' in team
    assert "langchain-openai" in result.files["langgraph/ai_engineer_team/README.md"]


def test_generated_code_is_ruff_clean(tmp_path):
    ruff = shutil.which("ruff") or (Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it comes with the test extra)")
    for sources in (["agents/seed-team"], ["agents"]):
        out = write(build(sources), tmp_path / str(len(sources[0])))
        done = subprocess.run([str(ruff), "check", "--isolated", "--extend-select", "I,B,UP,W,C4,SIM",
                               "--line-length", "100", str(out)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout


def write(result: api.Result, folder: Path) -> Path:
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    for rel, text in result.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder / "langgraph"


# --- runtime: the real langgraph, scripted models, no network -------------------------------

@pytest.fixture
def offline(monkeypatch):
    """Any network attempt fails the test; tracing and API keys are gone."""
    for var in TRACING:
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
        monkeypatch.syspath_prepend(str(out))
        module = importlib.import_module(package)
        return module, importlib.import_module(f"{package}.team")

    yield _load
    for name in [m for m in sys.modules if m.startswith("lg_pkg_")]:
        del sys.modules[name]


def scripted(rule: Callable[[list], object], bound: dict | None = None, who: str = ""):
    """A chat model that answers by rule from the conversation, and records the tools it gets."""
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
            return ChatResult(generations=[ChatGeneration(message=rule(messages))])

    return RuleChatModel()


def never(messages):
    raise AssertionError("this agent should not have been called")


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


@pytest.mark.runtime
def test_seed_team_round_trip(load, offline):
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    package, team = load(["agents/seed-team"])
    project = api.load_project(["agents/seed-team"])
    prompts = {a.name: prompt_text(a) for a in project.agents}

    def lead(messages):
        if any(isinstance(m, AIMessage) and m.name == "ml-engineer" for m in messages):
            return AIMessage("FINAL: fine-tune a small judge with LoRA, as ml-engineer advised.")
        call = {"name": "transfer_to_ml_engineer", "args": {"task": "Plan the judge fine-tune"}, "id": "call_1"}
        return AIMessage("", tool_calls=[call])

    def ml(messages):
        assert messages[0].type == "system" and messages[0].content == prompts["ml-engineer"]
        assert isinstance(messages[-1], ToolMessage) and "Plan the judge fine-tune" in messages[-1].content
        return AIMessage("LoRA on a 3B model, 2 epochs.")

    bound: dict = {}
    graph = package.build_graph(scripted(never), models={
        "ai-engineer": scripted(lead, bound, "ai-engineer"), "ml-engineer": scripted(ml, bound, "ml-engineer")})
    assert graph.config["recursion_limit"] == team.RECURSION_LIMIT == 50  # explicit, not 10007
    steps = list(graph.stream({"messages": [HumanMessage("Build an eval judge")], "callers": []}, stream_mode="updates"))
    assert [next(iter(s)) for s in steps] == ["ai-engineer", "ml-engineer", "return_to_caller", "ai-engineer", "return_to_caller"]
    messages = [m for s in steps for update in s.values() if update for m in update.get("messages", [])]
    assert messages[-1].content.startswith("FINAL") and messages[-1].name == "ai-engineer"
    calls = {c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    answers = [m.tool_call_id for m in messages if isinstance(m, ToolMessage)]
    assert answers == ["call_1", "return_to_caller_4"] and set(answers) == calls  # no orphan either way
    assert [m.type for m in messages[-3:]] == ["ai", "tool", "ai"]  # the lead's model saw a tool result last
    tools = {t["function"]["name"]: t["function"]["description"] for t in bound["ai-engineer"]}
    ir = {h.name: h.description for h in handoffs(project, "ai-engineer")}
    assert tools == {f"transfer_to_{snake(name)}": text for name, text in ir.items()}


@pytest.mark.runtime
def test_several_or_unknown_tool_calls_are_all_answered(load, offline):
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    package, _ = load(["agents/seed-team"])
    turns = iter([
        AIMessage("", tool_calls=[{"name": "transfer_to_nobody", "args": {}, "id": "u1"}]),
        AIMessage("", tool_calls=[{"name": "transfer_to_security_auditor", "args": {"task": "audit"}, "id": "h1"},
                                  {"name": "transfer_to_ml_engineer", "args": {}, "id": "h2"}]),
        AIMessage("done"),
    ])
    graph = package.build_graph(scripted(never), models={
        "ai-engineer": scripted(lambda messages: next(turns)),
        "security-auditor": scripted(lambda messages: AIMessage("stand-in audit"))})
    state = graph.invoke({"messages": [HumanMessage("audit it")], "callers": []})
    results = {m.tool_call_id: m.content for m in state["messages"] if isinstance(m, ToolMessage)}
    assert results["u1"].startswith("Unknown tool 'transfer_to_nobody'")  # told, and asked again
    assert results["h1"] == "Transferred to security-auditor. Task: audit"  # the placeholder node ran
    assert results["h2"].startswith("Not transferred")
    assert [m.content for m in state["messages"] if m.type == "ai" and m.content] == ["stand-in audit", "done"]


@pytest.mark.runtime
def test_recursion_limit_stops_a_delegation_cycle(load, offline):
    from langchain_core.messages import AIMessage, HumanMessage
    from langgraph.errors import GraphRecursionError

    package, _ = load(["agents/seed-team"], entry="data-engineer")
    ids = count()

    def bounce(tool):
        return lambda messages: AIMessage("", tool_calls=[{"name": tool, "args": {}, "id": f"c{next(ids)}"}])

    graph = package.build_graph(models={"data-engineer": scripted(bounce("transfer_to_data_scientist")),
                                        "data-scientist": scripted(bounce("transfer_to_data_engineer"))},
                                recursion_limit=9)
    with pytest.raises(GraphRecursionError, match="Recursion limit of 9"):
        graph.invoke({"messages": [HumanMessage("loop")], "callers": []})


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
def test_cli_entry_point(load, offline, capsys, tmp_path):
    from langchain_core.messages import AIMessage

    pytest.importorskip("langgraph.checkpoint.sqlite")
    package, _ = load(["agents/seed-team"])
    cli = importlib.import_module(f"{package.__name__}.__main__")
    model = scripted(lambda messages: AIMessage(f"answer {sum(m.type == 'human' for m in messages)}"))
    db = str(tmp_path / "chat.sqlite")
    assert cli.main(["first", "--checkpointer", "sqlite", "--db", db], model=model) == 0
    assert cli.main(["second", "--checkpointer", "sqlite", "--db", db], model=model) == 0
    assert capsys.readouterr().out.split() == ["answer", "1", "answer", "2"]  # the thread was kept
    assert cli.main(["--graph"]) == 0 and "ai-engineer -.-> ml-engineer;" in capsys.readouterr().out


@pytest.mark.runtime
def test_imports_without_api_keys_in_a_fresh_process(tmp_path):
    pytest.importorskip("langgraph")
    out = write(build(["agents/seed-team"]), tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in TRACING}
    code = "import ai_engineer_team as p; print(len(p.build_graph().get_graph().nodes))"
    done = subprocess.run([sys.executable, "-c", code], cwd=out, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "9"  # 6 agents + return_to_caller + start + end


@pytest.mark.runtime
@pytest.mark.skipif(not CORPUS.exists(), reason="../shared is not present on a fresh clone")
def test_corpus_ai_engineer(tmp_path, offline):
    pytest.importorskip("langgraph")
    from langchain_core.messages import AIMessage, HumanMessage

    out = tmp_path / "OUT"
    done = subprocess.run([sys.executable, "-m", "agentc", "build", str(CORPUS), "--target", "langgraph",
                           "--entry", "ai-engineer", "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    sys.path.insert(0, str(out / "langgraph"))
    try:
        package = importlib.import_module("ai_engineer_team")
        team = importlib.import_module("ai_engineer_team.team")
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
            if any(getattr(m, "name", None) == "ml-engineer" and m.type == "ai" for m in messages):
                return AIMessage("FINAL")
            return AIMessage("", tool_calls=[{"name": "transfer_to_ml_engineer", "args": {}, "id": "k1"}])

        run = package.build_graph(scripted(never), models={"ai-engineer": scripted(lead),
                                                           "ml-engineer": scripted(lambda m: AIMessage("ok"))})
        final = run.invoke({"messages": [HumanMessage("fine-tune?")], "callers": []})
        assert final["messages"][-1].content == "FINAL" and final["callers"] == []
    finally:
        sys.path.remove(str(out / "langgraph"))
        for name in [m for m in sys.modules if m.startswith("ai_engineer_team")]:
            del sys.modules[name]


def test_full_claude_ids_pass_through_unless_mapped():
    """purpose-style's cloud-planner says `model: claude-sonnet-4-5`: unmapped it is used as an
    Anthropic id, and an explicit mapping of that exact id wins over the pass-through."""
    plain = build(["agents/purpose-style"], entry="cloud-planner")
    team = next(t for p, t in plain.files.items() if p.endswith("/team.py"))
    assert 'node="cloud-planner",\n            prompt="cloud_planner.md",\n            model="anthropic:claude-sonnet-4-5"' in team
    mapped = build(["agents/purpose-style"], entry="cloud-planner",
                   model_map={"langgraph": {"claude-sonnet-4-5": "openai:gpt-5"}})
    team = next(t for p, t in mapped.files.items() if p.endswith("/team.py"))
    assert 'node="cloud-planner",\n            prompt="cloud_planner.md",\n            model="openai:gpt-5"' in team
