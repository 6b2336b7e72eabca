"""The generated Agents SDK team as a production engineer would drive it (issues 14 and 15).

Real `openai-agents`, scripted offline models (tests/oa_scripted.py, plugged in through the
team's model factory hook or `models=`), sockets watched. Covers the scenario table of issue
14 (a 429 retried, two delegations in one turn, the answer back to the caller as a tool result,
the brief as the delegate's only input, usage per agent, strict `models=` keys, the checklist
guardrail, clean CLI failures) and issue 15's deployables (the FastAPI app over ASGI and over
uvicorn, threads, and `pip install` of the project into a fresh venv).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CASES, ROOT

from agentc import api, writer
from agentc.compiler.options import BuildOptions

os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
pytest.importorskip("agents.testing")
from oa_scripted import USAGE, ProviderError, RuleModel, seed_rule, ticked, tool_outputs, user_text  # noqa: E402

pytestmark = pytest.mark.runtime
TESTS = Path(__file__).resolve().parent
PKG = "ai_engineer_team"
CALL = sum(USAGE.values())  # tokens one scripted model call reports


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The seed team's generated project (OUT/openai-agents/ai_engineer_team)."""
    out = tmp_path_factory.mktemp("oa")
    result = api.build(BuildOptions(sources=("agents/seed-team",), targets=("openai-agents",)))
    assert result.ok
    writer.write(out, result.files, ["openai-agents"])
    return out / "openai-agents" / PKG


@pytest.fixture
def team(project, monkeypatch):
    """The generated package, imported fresh, with the scripted factory and no thread file."""
    import importlib

    monkeypatch.syspath_prepend(str(project / "src"))
    monkeypatch.setenv("AGENTC_MODEL_FACTORY", "oa_scripted:factory")
    monkeypatch.delenv("AGENTC_THREADS_DB", raising=False)
    for name in [m for m in sys.modules if m == PKG or m.startswith(f"{PKG}.")]:
        del sys.modules[name]
    return importlib.import_module(PKG)


def fast(team, **kw):
    """Agents with a zero backoff, so a retried call costs no wall time."""
    from ai_engineer_team.team import model_settings

    return team.build_agents(settings=model_settings(backoff_s=0.0), **kw)


def run(team, request="Build an eval harness", **kw):
    return asyncio.run(team.run_team(request, **kw))


KEYS = ["ai-engineer", "ml-engineer", "data-scientist", "prompt-engineer", "data-engineer", "security-auditor"]


def rule_models(rule, **kw) -> dict:
    return {k: RuleModel(k, rule, **kw) for k in KEYS}


def test_the_delegate_answer_returns_to_the_caller_as_a_tool_result(team):
    models = rule_models(seed_rule)
    result = run(team, agents=fast(team, models=models))
    assert result.ok and result.last_agent == "ai-engineer"  # the caller kept control
    lead_calls, (ml_call,) = models["ai-engineer"].seen, models["ml-engineer"].seen
    assert len(lead_calls) == 2
    (back,) = tool_outputs(lead_calls[1])
    assert back == "ml-engineer answers: Part for ml_engineer"  # the delegate's answer, as the tool result
    assert result.answer.startswith("DONE with: ml-engineer answers: Part for ml_engineer")
    # The delegate's input is the brief, not the caller's history (no request, no tool calls).
    assert ml_call.input == [{"role": "user", "content": "Part for ml_engineer"}] or ml_call.input == "Part for ml_engineer"
    assert "Build an eval harness" not in json.dumps(ml_call.input, default=str)
    assert {t.name for t in lead_calls[0].tools} >= {"delegate_to_ml_engineer", "delegate_to_data_engineer"}
    # The request travels as a user message, never inside the instructions.
    assert user_text(lead_calls[0]) == "Build an eval harness"
    assert "Build an eval harness" not in lead_calls[0].system_instructions


def test_two_delegations_in_one_turn_both_run_and_both_answers_come_back(team, monkeypatch):
    monkeypatch.setenv("AGENTC_SCRIPT_DELEGATES", "ml_engineer,data_engineer")
    models = rule_models(seed_rule, delay=0.3)
    result = run(team, agents=fast(team, models=models))
    assert result.ok
    outputs = tool_outputs(models["ai-engineer"].seen[1])
    assert sorted(outputs) == ["data-engineer answers: Part for data_engineer", "ml-engineer answers: Part for ml_engineer"]
    (ml,), (data,) = models["ml-engineer"].times, models["data-engineer"].times
    assert max(ml[0], data[0]) < min(ml[1], data[1])  # the two delegates ran at the same time


def test_a_429_once_is_retried_and_usage_adds_up(team):
    failures = []

    def flaky(key, call):
        if key == "ml-engineer" and not failures:
            failures.append(1)
            return ProviderError(429, "rate limited")
        return seed_rule(key, call)

    # distinct counts per agent and per call, so a call counted twice, lost or put on the wrong agent shows
    models = {k: RuleModel(k, flaky, tokens=(100 + 10 * n, 20 + n)) for n, k in enumerate(KEYS)}
    result = run(team, agents=fast(team, models=models))
    assert result.ok and failures == [1]
    assert len(models["ml-engineer"].seen) == 2  # the failed attempt and the retry
    (back,) = tool_outputs(models["ai-engineer"].seen[1])
    assert back == "ml-engineer answers: Part for ml_engineer"  # the retry's answer, not a failure
    # Usage per agent is exactly the sum of what its scripted model reported; every attempt is a
    # request (the SDK counts the failed one with no tokens).
    expected = {}
    for key, model in models.items():
        if model.seen:
            sums = {f: sum(getattr(u, f) for u in model.reported) for f in ("input_tokens", "output_tokens", "total_tokens")}
            expected[key] = {"requests": len(model.seen), **sums}
    assert result.usage["agents"] == expected and set(expected) == {"ai-engineer", "ml-engineer"}
    assert expected["ai-engineer"] == {"requests": 2, "input_tokens": 300, "output_tokens": 60, "total_tokens": 360}
    assert result.usage["total"] == {f: sum(u[f] for u in expected.values()) for f in expected["ai-engineer"]}


def test_a_slow_model_call_times_out_and_is_retried(team):
    from ai_engineer_team.team import model_settings

    class SlowOnce(RuleModel):
        """Its first call outlasts the timeout; the next answers at once."""

        started = 0

        async def get_response(self, *args, **kwargs):
            self.started += 1
            if self.started == 1:
                await asyncio.sleep(5)
            return await super().get_response(*args, **kwargs)

    models = rule_models(seed_rule)
    models["ml-engineer"] = slow = SlowOnce("ml-engineer", seed_rule)
    begun = time.monotonic()
    agents = team.build_agents(settings=model_settings(timeout_s=0.3, backoff_s=0.0), models=models)
    result = run(team, agents=agents)
    assert result.ok and slow.started == 2 and len(slow.seen) == 1  # the timed-out call, then the retry
    (back,) = tool_outputs(models["ai-engineer"].seen[1])
    assert back == "ml-engineer answers: Part for ml_engineer" and time.monotonic() - begun < 4


def test_a_delegate_that_always_fails_is_a_clear_failure_for_its_caller(team, monkeypatch):
    monkeypatch.setenv("AGENTC_SCRIPT_FAIL", "ml-engineer")
    models = rule_models(seed_rule)
    result = run(team, agents=fast(team, models=models))
    assert result.ok  # the run goes on
    (back,) = tool_outputs(models["ai-engineer"].seen[1])
    assert back.startswith("FAILED: ml-engineer could not answer (ProviderError: ml-engineer is down)")
    assert len(models["ml-engineer"].seen) == 3  # the first attempt and two retries (retries = 2)


def test_an_entry_that_always_fails_ends_the_run_with_an_error_result(team, monkeypatch):
    monkeypatch.setenv("AGENTC_SCRIPT_FAIL", "ai-engineer")
    result = run(team, agents=fast(team))
    assert not result.ok and result.answer is None
    assert result.error == "ProviderError: ai-engineer is down"


def test_unknown_models_key_raises_with_the_valid_keys(team):
    with pytest.raises(team.TeamError, match=r"unknown agent key\(s\) in models=: ml_engineer; valid keys: ai-engineer, "):
        team.build_agents(models={"ml_engineer": "gpt-5.4"})


def test_the_checklist_guardrail_retries_with_feedback(team):
    def sloppy(key, call):
        out = seed_rule(key, call)
        feedback = "misses these completion checklist items" in user_text(call)
        if key == "ai-engineer" and tool_outputs(call) and not feedback:
            return [type(out[0]).model_validate({**out[0].model_dump(), "content": [
                {**out[0].content[0].model_dump(), "text": "A plan without the checklist."}]})]
        return out

    models = rule_models(sloppy)
    result = run(team, agents=fast(team, models=models))
    assert result.ok and "- [x] Rollback path written down" in result.answer
    retry = models["ai-engineer"].seen[-1]
    assert "misses these completion checklist items" in user_text(retry)
    assert "Rollback path written down and tried at least once in staging" in user_text(retry)
    warned = run(team, agents=fast(team, models=rule_models(sloppy)), guardrail="warn")
    assert warned.ok and warned.answer == "A plan without the checklist."


def test_handoff_mode_passes_a_filtered_history(team):
    def handing(key, call):
        from agents.testing import assistant_message, function_call

        if key == "ai-engineer":
            return [function_call("transfer_to_ml_engineer", "{}", call_id="h1")]
        return [assistant_message(f"{key} took over" + ticked(call.system_instructions))]

    models = rule_models(handing)
    result = run(team, agents=fast(team, models=models, delegation="handoffs"), guardrail="off")
    assert result.ok and result.last_agent == "ml-engineer" and result.answer.startswith("ml-engineer took over")
    (seen,) = models["ml-engineer"].seen
    kinds = [i.get("type") for i in seen.input if isinstance(i, dict)]
    assert "function_call" not in kinds and "function_call_output" not in kinds  # input_filter removed the tool calls
    assert "Build an eval harness" in json.dumps(seen.input, default=str)


def test_a_thread_keeps_the_conversation(team):
    models = rule_models(seed_rule)
    agents = fast(team, models=models)
    first = run(team, "First question", agents=agents, thread_id="t1")
    second = run(team, "Second question", agents=agents, thread_id="t1")
    assert first.ok and second.ok and second.thread_id == "t1"
    history = json.dumps(models["ai-engineer"].seen[-1].input, default=str)
    assert "First question" in history and "Second question" in history


def cli(project: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if "OPENAI" not in k and not k.startswith("AGENTC_")}
    clean.update(PYTHONPATH=os.pathsep.join([str(project / "src"), str(TESTS)]), OPENAI_AGENTS_DISABLE_TRACING="1", **env)
    return subprocess.run([sys.executable, "-m", PKG, *args], cwd=project, env=clean, input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_help_needs_no_key_and_a_scripted_run_prints_usage(project):
    helped = cli(project, "--help")
    assert helped.returncode == 0 and "--thread" in helped.stdout and "AGENTC_MODEL_FACTORY" in helped.stdout
    done = cli(project, "Build an eval harness", AGENTC_MODEL_FACTORY="oa_scripted:factory")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("DONE with: ml-engineer answers")
    assert f"usage: 3 model calls, 300 input + 60 output = {3 * CALL} tokens" in done.stderr
    assert f"ml-engineer: 1 calls, {CALL} tokens" in done.stderr


def test_cli_failure_is_one_line_and_a_non_zero_exit(project):
    down = cli(project, "hi", AGENTC_MODEL_FACTORY="oa_scripted:factory", AGENTC_SCRIPT_FAIL="ai-engineer")
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert down.stderr.strip().splitlines()[-1].startswith("error: ProviderError: ai-engineer is down")
    bad = cli(project, "hi", "--factory", "nowhere:nothing")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip() == "error: model factory 'nowhere:nothing' cannot be loaded: ModuleNotFoundError: No module named 'nowhere'"
    empty = cli(project, stdin="")
    assert empty.returncode == 2 and "Traceback" not in empty.stderr and "no request" in empty.stderr


# ---- the HTTP app -------------------------------------------------------------------------------


def sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_the_app_over_asgi(team, monkeypatch):
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("fastapi")
    server = __import__(f"{PKG}.server", fromlist=["app"])
    monkeypatch.setattr(server, "MAX_BODY_BYTES", 2048)

    async def drive():
        transport = httpx.ASGITransport(app=server.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            health = await client.get("/healthz")
            one = await client.post("/runs", json={"input": "First question", "thread_id": "web-1"})
            two = await client.post("/runs", json={"input": "Second question", "thread_id": "web-1"})
            streamed = await client.post("/runs/stream", json={"input": "Stream it"})
            big = await client.post("/runs", content=b'{"input": "' + b"x" * 4096 + b'"}')
            bad = await client.post("/runs", content=b"{not json")
            extra = await client.post("/runs", json={"input": "hi", "prompt": "override"})
            blank = await client.post("/runs", json={"input": "   "})
            return health, one, two, streamed, big, bad, extra, blank

    health, one, two, streamed, big, bad, extra, blank = asyncio.run(drive())
    assert health.status_code == 200 and health.json()["entry"] == "ai-engineer"
    assert one.status_code == 200 and one.json()["ok"] and one.json()["usage"]["total"]["total_tokens"] == 3 * CALL
    assert two.json()["thread_id"] == "web-1" and two.json()["status"] == "ok"
    (lead,) = server.team()["ai-engineer"].model.choices  # the factory's model, in the team's TeamModel
    turn_two = [json.dumps(c.input, default=str) for c in lead.seen if "Second question" in json.dumps(c.input, default=str)]
    assert turn_two and all("First question" in seen for seen in turn_two)  # turn two saw turn one
    events = sse(streamed.text)
    names = [n for n, _ in events]
    assert names[0] == "delegation" and events[0][1] == {"from": "ai-engineer", "to": "ml-engineer"}
    assert "token" in names and names[-1] == "final" and names.index("delegation") < names.index("token")
    final = events[-1][1]
    assert final["status"] == "ok" and final["usage"]["agents"]["ml-engineer"]["total_tokens"] == CALL
    assert "".join(d["delta"] for n, d in events if n == "token") == final["answer"]
    assert big.status_code == 413
    assert bad.status_code == 422 and extra.status_code == 422 and blank.status_code == 422


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_app_under_uvicorn(project):
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if "OPENAI" not in k and not k.startswith("AGENTC_")}
    env.update(PYTHONPATH=os.pathsep.join([str(project / "src"), str(TESTS)]), OPENAI_AGENTS_DISABLE_TRACING="1",
               AGENTC_MODEL_FACTORY="oa_scripted:factory")
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", f"{PKG}.server:app", "--host", "127.0.0.1",
                               "--port", str(port)], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("uvicorn did not come up")
                time.sleep(0.3)
        answer = httpx.post(f"http://127.0.0.1:{port}/runs", json={"input": "Over the wire"}, timeout=60)
        assert answer.status_code == 200 and answer.json()["answer"].startswith("DONE with: ml-engineer answers")
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---- the project installs ------------------------------------------------------------------------


def test_the_project_installs_into_a_fresh_venv_and_runs(project, tmp_path):
    """pip install of the generated project into a new venv that sees this environment's
    packages through a .pth file (the dependencies, pip and setuptools; nothing downloaded)."""
    import site
    import sysconfig

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # site-packages folders a .pth file added count too (a venv that reuses another's packages)
    ours = [sysconfig.get_paths()["purelib"], *site.getsitepackages(),
            *(p for p in sys.path if p.endswith("site-packages"))]
    Path(purelib, "deps.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")
    copy = tmp_path / PKG
    subprocess.run(["cp", "-r", str(project), str(copy)], check=True)
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                                "--no-index", str(copy)], capture_output=True, text=True, timeout=300, check=False)
    assert installed.returncode == 0, installed.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if "OPENAI" not in k and not k.startswith(("AGENTC_", "PYTHON"))}
    env.update(OPENAI_AGENTS_DISABLE_TRACING="1")
    where = subprocess.run([str(python), "-c", f"import {PKG}; print({PKG}.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=False)
    assert where.returncode == 0 and where.stdout.startswith(purelib), where.stderr  # the installed copy
    helped = subprocess.run([str(python), "-m", PKG, "--help"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            check=False)
    assert helped.returncode == 0 and "usage: python -m ai_engineer_team" in helped.stdout
    env.update(PYTHONPATH=str(TESTS), AGENTC_MODEL_FACTORY="oa_scripted:factory")
    ran = subprocess.run([venv / "bin" / PKG, "Build it"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120, check=False)
    assert ran.returncode == 0 and ran.stdout.startswith("DONE with: ml-engineer answers"), ran.stderr[-2000:]


def test_prices_give_a_cost_estimate(tmp_path):
    result = api.build(BuildOptions(sources=("agents/seed-team",), targets=("openai-agents",),
                                    prices={"gpt-5.4": (2.0, 8.0), "unused-model": (1.0, 1.0)}))
    writer.write(tmp_path, result.files, ["openai-agents"])
    project = tmp_path / "openai-agents" / PKG
    spec = json.loads((project / "src" / PKG / "team.json").read_text())
    assert spec["settings"]["prices"] == {"gpt-5.4": [2.0, 8.0]}  # only the team's models
    done = cli(project, "--json", "Build it", AGENTC_MODEL_FACTORY="oa_scripted:factory")
    usage = json.loads(done.stdout)["usage"]
    # ai-engineer runs on gpt-5.4: 2 calls of 100 in + 20 out; ml-engineer's model has no price.
    assert usage["agents"]["ai-engineer"]["cost_usd"] == (200 * 2.0 + 40 * 8.0) / 1e6
    assert "cost_usd" not in usage["agents"]["ml-engineer"] and usage["total"]["cost_usd"] == 0.00072


def test_fallback_models_take_over_when_a_model_fails(team):
    from ai_engineer_team.team import TeamModel

    down = RuleModel("ml-engineer", lambda key, call: ProviderError(500, "primary down"))
    spare = RuleModel("ml-engineer", seed_rule)
    models = rule_models(seed_rule)
    models["ml-engineer"] = TeamModel("ml-engineer", [down, spare])
    result = run(team, agents=fast(team, models=models))
    assert result.ok and len(down.seen) >= 1 and len(spare.seen) == 1
    (back,) = tool_outputs(models["ai-engineer"].seen[1])
    assert back == "ml-engineer answers: Part for ml_engineer"


def test_fallback_ids_from_the_build_wrap_the_mapped_model(tmp_path):
    result = api.build(BuildOptions(sources=("agents/seed-team",), targets=("openai-agents",),
                                    fallback_models={"openai-agents": ["gpt-5.4-mini"]}))
    writer.write(tmp_path, result.files, ["openai-agents"])
    project = tmp_path / "openai-agents" / PKG
    code = ("from ai_engineer_team import build_agents; a = build_agents(); m = a['ai-engineer'].model; "
            "print(type(m).__name__, m.choices, a['data-scientist'].model.choices)")
    env = {k: v for k, v in os.environ.items() if "OPENAI" not in k and not k.startswith("AGENTC_")}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={**env, "PYTHONPATH": str(project / "src")},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr  # no key needed to build: ids resolve on first use
    assert done.stdout.split() == ["TeamModel", "['gpt-5.4',", "'gpt-5.4-mini']", "[None]"]


def records(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_logs_are_off_by_default_and_one_json_record_per_model_call_and_delegation(project):
    factory = {"AGENTC_MODEL_FACTORY": "oa_scripted:factory"}
    quiet = cli(project, "Build it", **factory)
    assert quiet.returncode == 0 and records(quiet.stderr) == []
    assert [line.split(":")[0] for line in quiet.stderr.splitlines()] == ["[ai-engineer -> ml-engineer]", "usage",
                                                                          "  ai-engineer", "  ml-engineer"]
    loud = cli(project, "Build it", "--log", **factory)
    by_env = cli(project, "Build it", AGENTC_LOG="1", **factory)
    assert loud.returncode == 0 and by_env.returncode == 0
    logged = records(loud.stderr)
    # a delegation's record ends after the delegate's own model calls
    assert [(r["event"], r["agent"], r.get("target")) for r in logged] == [
        ("model_call", "ai-engineer", None), ("model_call", "ml-engineer", None),
        ("delegation", "ai-engineer", "ml-engineer"), ("model_call", "ai-engineer", None)]
    assert [r["event"] for r in records(by_env.stderr)] == [r["event"] for r in logged]
    for r in logged:
        assert r["outcome"] == "ok" and isinstance(r["duration_ms"], float)
    calls = [r for r in logged if r["event"] == "model_call"]
    assert all(r["input_tokens"] == USAGE["input_tokens"] and r["output_tokens"] == USAGE["output_tokens"]
               and r["model"] == "RuleModel" for r in calls)
    # every record of one request carries its thread and request ids (the request id is new per request)
    threaded = cli(project, "Build it", "--log", "--json", "--thread", "t-7", **factory)
    result = json.loads(threaded.stdout)
    assert len(result["request_id"]) == 32 and result["thread_id"] == "t-7"
    assert {(r["thread"], r["request"]) for r in records(threaded.stderr)} == {("t-7", result["request_id"])}
    assert "thread" not in logged[0] and logged[0]["request"] != result["request_id"]


def test_failed_model_calls_and_delegations_are_logged_with_their_outcome(team, monkeypatch, caplog):
    import logging

    caplog.set_level(logging.INFO, logger=PKG)
    monkeypatch.setenv("AGENTC_SCRIPT_FAIL", "ml-engineer")
    assert run(team, agents=fast(team)).ok
    logged = [json.loads(r.getMessage()) for r in caplog.records if r.name == PKG]
    failed = [r for r in logged if r["agent"] == "ml-engineer"]
    assert [(r["event"], r["outcome"]) for r in failed] == [("model_call", "error: ProviderError")] * 3  # 1 + 2 retries
    (delegation,) = [r for r in logged if r["event"] == "delegation"]
    assert delegation["outcome"].startswith("error: ml-engineer could not answer (ProviderError: ml-engineer is down)")
    caplog.clear()
    monkeypatch.setenv("AGENTC_SCRIPT_FAIL", "ai-engineer")
    result = run(team, agents=fast(team))
    assert not result.ok
    logged = [json.loads(r.getMessage()) for r in caplog.records if r.name == PKG]
    assert [r["event"] for r in logged] == ["model_call"] * 3 + ["failure"]
    assert logged[-1] == {"event": "failure", "agent": "ai-engineer", "error": "ProviderError: ai-engineer is down",
                          "request": result.request_id}


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
from ai_engineer_team import run_team
assert asyncio.run(run_team("traced")).ok
spans = exporter.get_finished_spans()
names = {s.context.span_id: s.name for s in spans}
print(json.dumps([[s.name, dict(s.attributes), names.get(s.parent.span_id) if s.parent else None] for s in spans]))
"""


def test_opentelemetry_spans_only_when_switched_on(project):
    pytest.importorskip("opentelemetry.sdk")
    # test_crewai_runtime sets OTEL_SDK_DISABLED for this whole process: not for this child
    env = {k: v for k, v in os.environ.items() if "OPENAI" not in k and not k.startswith(("AGENTC_", "OTEL_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(project / "src"), str(TESTS)]), OPENAI_AGENTS_DISABLE_TRACING="1",
               AGENTC_MODEL_FACTORY="oa_scripted:factory")
    spans = {}
    for switch in ("0", "1"):
        done = subprocess.run([sys.executable, "-c", OTEL_SCRIPT], cwd=project, env={**env, "AGENTC_OTEL": switch},
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        spans[switch] = json.loads(done.stdout.splitlines()[-1])
    assert spans["0"] == []
    # the delegate's model call is inside the delegation's span
    assert [(name, a["agentc.agent"], parent) for name, a, parent in spans["1"]] == [
        ("model_call", "ai-engineer", None), ("model_call", "ml-engineer", "delegation"),
        ("delegation", "ai-engineer", None), ("model_call", "ai-engineer", None)]
    first, _, delegation, _ = (a for _, a, _ in spans["1"])
    assert first["agentc.input_tokens"] == USAGE["input_tokens"] and first["agentc.outcome"] == "ok"
    assert delegation["agentc.target"] == "ml-engineer" and delegation["agentc.outcome"] == "ok"


GOLDEN_PACKAGES = sorted(p.parent for p in (ROOT / "golden").glob("*/openai-agents/*/src/*/__init__.py"))


def test_golden_has_an_openai_agents_package_per_case():
    assert [p.parts[-5] for p in GOLDEN_PACKAGES] == CASES


def test_generated_package_is_ruff_clean(tmp_path):
    """Ruff's default rules (as shipped, no config) on the openai-agents package of every golden
    case, run from a folder of its own as a user would: here `agents/` (the cases) would make the
    Agents SDK's `agents` look first-party to the import-order rule."""
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", *map(str, GOLDEN_PACKAGES)],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "All checks passed!", done.stdout


def test_generated_package_is_mypy_clean(tmp_path):
    """mypy with the SDK and FastAPI installed, on the openai-agents package of every golden case
    (the goldens are what a build emits, test_golden checks that), in one run."""
    if importlib.util.find_spec("mypy") is None or importlib.util.find_spec("fastapi") is None:
        pytest.skip("mypy or fastapi is not installed (test and serve extras)")
    # every function fully annotated too (the seed's "type hints provided for all functions")
    done = subprocess.run([sys.executable, "-m", "mypy", "--python-executable", sys.executable, "--cache-dir", str(tmp_path / ".mypy"),
                           "--disallow-untyped-defs", "--disallow-incomplete-defs", *map(str, GOLDEN_PACKAGES)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-4000:]
    files = sum(1 for p in GOLDEN_PACKAGES for _ in p.glob("*.py"))
    assert files == 6 * len(CASES) and done.stdout.startswith(f"Success: no issues found in {files} source files")


def test_delegate_context_history_passes_the_conversation_before_the_brief(team):
    models = rule_models(seed_rule)
    result = run(team, agents=fast(team, models=models, context="history"))
    assert result.ok
    (ml_call,) = models["ml-engineer"].seen
    assert ml_call.input[0] == {"role": "user", "content": "Build an eval harness"}  # the caller's conversation
    assert ml_call.input[-1] == {"role": "user", "content": "Part for ml_engineer"}  # then the brief
    assert not [i for i in ml_call.input if isinstance(i, dict) and i.get("type") in ("function_call", "function_call_output")]
