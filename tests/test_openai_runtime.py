"""The OpenAI outputs against the real packages, offline.

Assistants configs: validated with the SDK's own types and posted through the real `openai`
client over a mock transport. Agents SDK code: imported and run with a scripted `Model`,
tracing disabled, and an audit hook that fails the test on any socket use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import CASES, ROOT, SHARED

from agentc import api, writer
from agentc.compiler.options import BuildOptions

os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"  # `agents` is imported later, inside the tests

pytestmark = pytest.mark.runtime
CORPUS = SHARED / "corpus" / "myclaude"
SEED = "agents/seed-team"
NET_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto", "socket.bind"}
_net: list[tuple[str, tuple]] = []
_watching: list[bool] = []


def _audit(event: str, args: tuple) -> None:
    if _watching and event in NET_EVENTS:
        _net.append((event, args))


sys.addaudithook(_audit)  # hooks cannot be removed: it only records while a test watches


@pytest.fixture
def no_network():
    _net.clear()
    _watching.append(True)
    yield _net
    _watching.clear()
    assert _net == [], f"network attempted: {_net}"


def emitted(*sources: str, **options) -> dict[str, str]:
    result = api.build(BuildOptions(sources=sources, targets=("openai", "openai-agents"), **{"package": "agentc_team", **options}))
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    return result.files


def bodies(files: dict[str, str]) -> dict[str, dict]:
    return {p: json.loads(t) for p, t in files.items() if p.startswith("openai/assistants/")}


# ---- Assistants --------------------------------------------------------------------------


def sdk_check(body: dict) -> None:
    """The SDK's own validation, done the careful way (see agentc.targets.openai.limits)."""
    from openai.types.beta.assistant_create_params import AssistantCreateParams
    from openai.types.beta.assistant_tool_param import AssistantToolParam
    from pydantic import TypeAdapter

    assert set(body) <= AssistantCreateParams.__required_keys__ | AssistantCreateParams.__optional_keys__
    TypeAdapter(AssistantCreateParams).validate_python(body)
    TypeAdapter(list[AssistantToolParam]).validate_python(body.get("tools", []))


def post_offline(body: dict) -> tuple[dict, dict]:
    """`client.beta.assistants.create(**body)` through the real client; the request it sent."""
    pytest.importorskip("openai")
    httpx2 = pytest.importorskip("httpx2")
    from openai import OpenAI

    sent: dict = {}

    def handler(request):
        sent.update(method=request.method, url=str(request.url), beta=request.headers.get("OpenAI-Beta"),
                    body=json.loads(request.content))
        reply = {"id": "asst_offline", "object": "assistant", "created_at": 0, "description": None,
                 "tools": [], "metadata": {}, **{k: v for k, v in body.items() if k in ("model", "name", "instructions")}}
        return httpx2.Response(200, json=reply)

    client = OpenAI(api_key="sk-offline", base_url="http://offline.invalid/v1", max_retries=0,
                    http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the Assistants resource is deprecated
        created = client.beta.assistants.create(**body)
    assert created.id == "asst_offline"
    return sent, sent["body"]


def test_every_assistant_passes_the_sdk_and_posts_byte_for_byte(no_network):
    pytest.importorskip("openai")
    from agentc.targets.openai.limits import check_assistant, sdk_available

    files = emitted(SEED)
    assert sdk_available()
    found = bodies(files)
    assert len(found) == 6
    for path, body in found.items():
        sdk_check(body)
        assert check_assistant(body) == [], path
        sent, posted = post_offline(body)
        assert sent["method"] == "POST" and sent["url"] == "http://offline.invalid/v1/assistants"
        assert sent["beta"] == "assistants=v2"
        assert posted == json.loads(files[path]), path  # what the SDK sends is the file


def test_every_case_passes_the_sdk_types():
    """A build checks the limits only (speed, issue 12); the SDK's types judge every body here."""
    pytest.importorskip("openai")
    from agentc.targets.openai.limits import check_assistant

    for case in CASES:
        found = bodies(emitted(str(ROOT / "agents" / case)))
        assert found, case
        for path, body in found.items():
            assert check_assistant(body) == [], (case, path)


def test_sdk_validation_catches_a_bad_tool_that_iterable_would_let_through():
    pytest.importorskip("openai")
    from agentc.targets.openai.limits import check_assistant

    body = {"model": "gpt-5.4", "tools": [{"type": "nope"}]}
    assert any(p.startswith("openai SDK: tools.") for p in check_assistant(body))


# ---- Agents SDK ----------------------------------------------------------------------------


def need_agents_sdk() -> None:
    """Skip without openai-agents. Not `importorskip("agents")`: the repository's own `agents/`
    case folder imports as a namespace package of that name when the SDK is absent."""
    pytest.importorskip("agents.models.interface")


def load_team(folder: Path, package: str = "agentc_team"):
    """Import the generated package from `folder` (OUT/openai-agents), fresh (the tests name
    their builds agentc_team); it sits in `<package>/src/` of the generated project."""
    import importlib

    for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
        del sys.modules[name]
    folder = folder / package / "src"
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(folder))


def scripted(rule):
    """An `agents.Model` that answers by a rule over what it is shown, never over the network."""
    from agents.items import ModelResponse
    from agents.models.interface import Model
    from agents.usage import Usage

    class Scripted(Model):
        def __init__(self):
            self.seen: list[dict] = []

        async def get_response(self, system_instructions, input, model_settings, tools, output_schema, handoffs,
                               tracing, *, previous_response_id=None, conversation_id=None, prompt=None):
            view = {"system": system_instructions, "handoffs": [h.tool_name for h in handoffs],
                    "descriptions": {h.tool_name: h.tool_description for h in handoffs}, "input": input}
            self.seen.append(view)
            return ModelResponse(output=rule(view), usage=Usage(), response_id=None)

        async def stream_response(self, *args, **kwargs):  # Runner.run never streams
            raise NotImplementedError
            yield

    return Scripted()


def say(text: str):
    from openai.types.responses import ResponseOutputMessage, ResponseOutputText

    return [ResponseOutputMessage(id="msg_1", type="message", role="assistant", status="completed",
                                  content=[ResponseOutputText(type="output_text", text=text, annotations=[])])]


def call(tool: str):
    from openai.types.responses import ResponseFunctionToolCall

    return [ResponseFunctionToolCall(id="fc_1", call_id="call_1", type="function_call", name=tool, arguments="{}")]


def run_handoff(team, entry_key: str, target_key: str, request: str):
    """Entry hands off to the target, which answers; every other agent must stay silent."""
    from agents import RunConfig, Runner, set_tracing_disabled

    set_tracing_disabled(True)
    lead = scripted(lambda v: call("transfer_to_ml_engineer") if "transfer_to_ml_engineer" in v["handoffs"] else say("?"))
    worker = scripted(lambda v: say("ml-engineer: a fine-tuning plan with a held-out judge set"))
    idle = scripted(lambda v: pytest.fail(f"an agent that should not run was called: {v['system'][:60]}"))
    agents = team.build_agents(model=idle, models={entry_key: lead, target_key: worker}, delegation="handoffs")
    result = Runner.run_sync(agents[entry_key], request, max_turns=4, run_config=RunConfig(tracing_disabled=True))
    return agents, lead, worker, result


def test_generated_team_hands_off_to_ml_engineer(tmp_path, no_network):
    need_agents_sdk()
    files = emitted(SEED)
    writer.write(tmp_path, files, ["openai", "openai-agents"])
    team = load_team(tmp_path / "openai-agents")
    assert team.ENTRY == "ai-engineer"
    agents, lead, worker, result = run_handoff(team, "ai-engineer", "ml-engineer", "Fine-tune a judge model")
    assert result.last_agent is agents["ml-engineer"]
    assert result.final_output.startswith("ml-engineer:")
    (shown,) = lead.seen
    assert shown["handoffs"] == ["transfer_to_ml_engineer", "transfer_to_data_scientist", "transfer_to_prompt_engineer",
                                 "transfer_to_data_engineer", "transfer_to_security_auditor"]
    assert "GPU capacity planning" in shown["descriptions"]["transfer_to_ml_engineer"]
    prompt = files["openai-agents/agentc_team/src/agentc_team/prompts/ai_engineer.md"]
    assert shown["system"].startswith(prompt)  # instructions = the prompt file, then the checklist request
    assert shown["system"][len(prompt):].startswith("\n## Completion checklist")
    assert worker.seen[0]["handoffs"] == ["transfer_to_data_engineer", "transfer_to_data_scientist"]
    assert agents["ml-engineer"].handoff_description.startswith("Training or fine-tuning models")
    assert agents["security-auditor"].instructions.startswith("You stand in for the 'security-auditor' agent")


def test_generated_team_imports_without_a_key_and_maps_models(tmp_path):
    need_agents_sdk()
    writer.write(tmp_path, emitted(SEED), ["openai", "openai-agents"])
    env = {k: v for k, v in os.environ.items() if "OPENAI" not in k}
    code = ("import agentc_team as t; a = t.build_agents(); "
            "print(*(a[k].model.choices[0] for k in ('ai-engineer', 'ml-engineer', 'data-scientist')), t.entry_agent().name)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / "openai-agents/agentc_team/src", env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["gpt-5.4", "gpt-5.4-mini", "None", "ai-engineer"]


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared is not present on a fresh clone")
def test_corpus_builds_validates_and_runs(tmp_path, no_network):
    need_agents_sdk()
    pytest.importorskip("openai")
    out = tmp_path / "OUT"
    cmd = [sys.executable, "-m", "agentc", "build", str(CORPUS), "--target", "openai",
           "--target", "openai-agents", "--entry", "ai-engineer", "--out", str(out)]
    _watching.clear()  # the subprocess is its own process; watch only this one
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    _watching.append(True)
    assert done.returncode == 0, done.stderr[-2000:]
    found = sorted((out / "openai/assistants").glob("*.json"))
    assert len(found) >= 74
    for path in found:
        body = json.loads(path.read_text(encoding="utf-8"))
        sdk_check(body)
        assert post_offline(body)[1] == body, path.name
    team = load_team(out / "openai-agents", "ai_engineer_team")  # the CLI names it after the entry
    entry = team.ENTRY
    assert entry == "ai-engineer"  # agent keys are names; plugin:name only where two agents share one
    target = next(k for k in team.MODELS if k.endswith("ml-engineer"))
    agents, _, _, result = run_handoff(team, entry, target, "Fine-tune a judge model")
    assert result.last_agent is agents[target]
