"""Issue 14, strict inputs: every code target takes an agent by the same key (its name, or
`plugin:name` only when two agents share the name), in `models=`, in the model factory's first
argument, and in the error an unknown key raises.

The case is tests/fixtures/shared-names: two plugins that each have a `reviewer` (alpha's lead
delegates to its own reviewer and to beta's security-lead, which delegates to beta's reviewer)
and a delegation to `docs-writer`, which is not in the build (a placeholder). It is a fixture,
not a golden case: a plugin layout under agents/ would make `agentc build agents` read only the
plugin folders.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from agentc import api
from agentc.compiler.options import BuildOptions

CASE = "tests/fixtures/shared-names"
KEYS = {"lead", "alpha:reviewer", "security-lead", "beta:reviewer", "docs-writer"}
VALID = re.compile(r"unknown agent key\(s\) in models=: nobody; valid keys: (.+)$")


def build(tmp: Path, target: str) -> Path:
    """The target's project for the case, written under tmp (the project folder)."""
    result = api.build(BuildOptions(sources=(CASE,), targets=(target,)))
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    for rel, text in result.files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (project,) = (tmp / target).iterdir()
    return project


def data_keys(target: str) -> list[str]:
    """The keys the target's generated data file gives its agents."""
    files = api.build(BuildOptions(sources=(CASE,), targets=(target,))).files
    if target == "crewai":
        return list(json.loads(next(t for p, t in files.items() if p.endswith("/crew.json")))["models"])
    team = json.loads(next(t for p, t in files.items() if p.endswith("/team.json")))
    return [a["key"] for a in team["agents"]]


def valid_keys(error: BaseException) -> set[str]:
    match = VALID.search(str(error))
    assert match, str(error)
    return set(match.group(1).split(", "))


def test_the_case_has_a_name_two_plugins_share():
    project = api.load_project([CASE])
    assert sorted(a.id for a in project.agents if a.name == "reviewer") == ["alpha:reviewer", "beta:reviewer"]


@pytest.mark.parametrize("target", ["langgraph", "openai-agents", "crewai"])
def test_every_code_target_keys_its_agents_alike(target):
    keys = data_keys(target)
    assert len(keys) == len(set(keys)) and set(keys) == KEYS


@pytest.mark.runtime
def test_langgraph_takes_models_and_calls_the_factory_by_key(tmp_path, monkeypatch):
    """Each agent answers with the model given for its key: the lead and security-lead delegate
    through every handoff tool they are given, and every answer names the key of its model."""
    pytest.importorskip("langgraph")
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    project = build(tmp_path, "langgraph")
    monkeypatch.syspath_prepend(str(project))
    monkeypatch.delenv("AGENTC_MODEL_FACTORY", raising=False)
    package = importlib.import_module(project.name)
    try:
        class Keyed(BaseChatModel):
            key: str
            tools: list = []

            @property
            def _llm_type(self) -> str:
                return "keyed"

            def bind_tools(self, tools, **kwargs):
                return self.model_copy(update={"tools": [t["function"]["name"] for t in tools]})

            def _generate(self, messages, stop=None, run_manager=None, **kwargs):
                results = [m.text for m in messages if m.type == "tool"]
                if self.tools and not results:
                    calls = [{"name": t, "args": {"task": "review"}, "id": f"{self.key}-{t}"} for t in self.tools]
                    reply = AIMessage("", tool_calls=calls)
                else:
                    reply = AIMessage(" | ".join([self.key, *sorted(results)]))
                return ChatResult(generations=[ChatGeneration(message=reply)])

        graph = package.build_graph(models={k: Keyed(key=k) for k in KEYS})
        final = asyncio.run(package.Team(graph).run("change the login flow"))
        assert final["status"] == "ok", final
        assert final["answer"] == "lead | alpha:reviewer | docs-writer | security-lead | beta:reviewer"
        assert set(final["usage"]["agents"]) == KEYS  # usage per agent is keyed alike

        asked: list[str] = []

        def factory(key, model_id):
            asked.append(key)
            return Keyed(key=key)

        done = asyncio.run(package.Team(package.build_graph(model_factory=factory)).run("again"))
        assert done["status"] == "ok" and set(asked) == KEYS
        with pytest.raises(ValueError) as error:
            package.build_graph(models={"nobody": Keyed(key="nobody")})
        assert valid_keys(error.value) == KEYS
    finally:
        for name in [m for m in sys.modules if m == project.name or m.startswith(f"{project.name}.")]:
            del sys.modules[name]


@pytest.mark.runtime
def test_openai_agents_takes_models_by_key(tmp_path, monkeypatch):
    pytest.importorskip("agents")
    project = build(tmp_path, "openai-agents")
    monkeypatch.syspath_prepend(str(project / "src"))
    monkeypatch.delenv("AGENTC_MODEL_FACTORY", raising=False)
    package = importlib.import_module(project.name)
    try:
        agents = package.build_agents(models={k: f"model-of-{k}" for k in KEYS})
        assert {k: a.model.choices for k, a in agents.items()} == {k: [f"model-of-{k}"] for k in KEYS}
        asked: list[str] = []
        package.build_agents(factory=lambda key, model_id: asked.append(key) or f"made-{key}")
        assert set(asked) == KEYS
        with pytest.raises(ValueError) as error:
            package.build_agents(models={"nobody": "x"})
        assert valid_keys(error.value) == KEYS
    finally:
        for name in [m for m in sys.modules if m == project.name or m.startswith(f"{project.name}.")]:
            del sys.modules[name]


CREW_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import crewai_harness as h  # its audit hooks refuse the network
cls = h.crew_class(sys.argv[2])
keys = json.loads(sys.argv[3])
llms = {k: h.scripted_llm_for_load() for k in keys}
crew = cls(models=llms).crew()
members = [crew.manager_agent, *crew.agents]
# each agent's LLM is the generated TeamLLM around the chosen one (usage, fallbacks, logs)
picked = {a.role: next(k for k, m in llms.items() if a.llm.choices[0] is m) for a in members}
try:
    cls(models={"nobody": llms[keys[0]]})
    error = ""
except ValueError as exc:
    error = str(exc)
print(json.dumps({"picked": picked, "error": error, "network": h.REPORT["network"]}))
"""


@pytest.mark.runtime
@pytest.mark.crewai
def test_crewai_takes_models_by_key(tmp_path):
    for name, value in {"OTEL_SDK_DISABLED": "true", "CREWAI_DISABLE_TELEMETRY": "true",
                        "CREWAI_DISABLE_TRACKING": "true", "CREWAI_TESTING": "true"}.items():
        os.environ.setdefault(name, value)
    pytest.importorskip("crewai")
    project = build(tmp_path / "build", "crewai")
    sandbox = tmp_path / "sandbox"
    (sandbox / "home").mkdir(parents=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(sandbox / "home"), "TMPDIR": str(sandbox),
           "CREWAI_STORAGE_DIR": str(sandbox), "AGENTC_SANDBOX": str(sandbox), "PYTHONDONTWRITEBYTECODE": "1",
           "OTEL_SDK_DISABLED": "true", "CREWAI_DISABLE_TELEMETRY": "true", "CREWAI_DISABLE_TRACKING": "true",
           "CREWAI_TRACING_ENABLED": "false", "CREWAI_DISABLE_VERSION_CHECK": "true", "CREWAI_TESTING": "true",
           "AGENTC_MANAGER": "", "AGENTC_DELEGATE": ""}
    done = subprocess.run([sys.executable, "-c", CREW_SCRIPT, str(ROOT / "tests"), str(project), json.dumps(sorted(KEYS))],
                          cwd=sandbox, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["network"] == []
    # a crew agent's role is its key (crewai matches delegations by role)
    assert report["picked"] == {k: k for k in KEYS}
    assert valid_keys(RuntimeError(report["error"])) == KEYS
