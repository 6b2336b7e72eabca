"""Target `langgraph`, deployed (issue 15): the generated project installs into a fresh venv and
runs there, its FastAPI app answers over ASGI and under uvicorn, LangGraph's own dev server
loads `langgraph.json`, and threads survive in PostgreSQL.

Models are scripted and offline, plugged in through the factory hook
(AGENTC_MODEL_FACTORY=lg_scripted:make, see tests/lg_scripted.py); servers listen on 127.0.0.1
only and are stopped by the test that started them.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from agentc import api
from agentc.compiler.options import BuildOptions

pytestmark = pytest.mark.runtime
TESTS = Path(__file__).resolve().parent
FACTORY = "lg_scripted:make"
CLEAN = ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY",
         "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "AGENTC_MODEL_FACTORY", "SCRIPTED_FAIL", "SCRIPTED_LOOP", "AGENTC_POSTGRES_URI")
ANSWER = "FINAL ({n} requests so far): ml-engineer says: Task from ai-engineer: advise on: {text}"


def build_project(folder: Path, package: str, **options) -> Path:
    """Write the seed team's langgraph project into `folder`; return the project folder."""
    result = api.build(BuildOptions(sources=("agents/seed-team",), targets=("langgraph",), package=package, **options))
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    for rel, text in result.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder / "langgraph" / package


def env(**extra: str) -> dict[str, str]:
    """A child environment: no keys, no tracing, the scripted factory importable."""
    base = {k: v for k, v in os.environ.items() if k not in CLEAN}
    base["PYTHONPATH"] = os.pathsep.join([str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])])
    return {**base, "AGENTC_MODEL_FACTORY": FACTORY, "LANGGRAPH_CLI_NO_ANALYTICS": "1", **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(command: list[str], cwd: Path, ready: str, environ: dict[str, str], timeout: float = 120):
    """Start a server, wait until GET `ready` answers 200, stop it (its process group) after."""
    httpx = pytest.importorskip("httpx")
    log = cwd / f"server-{uuid.uuid4().hex[:6]}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{command[0]} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(ready, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{command[0]} not ready after {timeout} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


# --- an installed project -------------------------------------------------------------------

def test_pip_install_into_a_fresh_venv_then_help_and_a_scripted_run(tmp_path):
    """`pip install` of the generated project (not editable) into a new venv whose dependencies
    come from this environment's site-packages (a .pth file: no download, seconds not minutes);
    the declared requirements must be met by those versions. Then `python -m pkg --help` and a
    scripted run, from a folder where only the installed copy can be imported."""
    pytest.importorskip("langgraph")
    from importlib.metadata import PackageNotFoundError, version

    from packaging.requirements import Requirement

    project = build_project(tmp_path / "out", "ai_engineer_team")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    here = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "_deps_from_test_env.pth").write_text("\n".join(here) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                           "--no-build-isolation", "--no-index", str(project)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    import tomllib

    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    wanted = [*meta["dependencies"], *meta["optional-dependencies"]["postgres"], *meta["optional-dependencies"]["dev"]]
    for line in wanted:
        req = Requirement(line)
        try:
            have = version(req.name)
        except PackageNotFoundError:
            pytest.fail(f"{req.name} (required by the generated project) is not installed here")
        assert req.specifier.contains(have, prereleases=True), f"{line} does not admit the tested {req.name} {have}"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import ai_engineer_team as p; print(p.__file__)"], cwd=elsewhere,
                           env=env(), capture_output=True, text=True)
    assert where.stdout.startswith(site), where.stdout + where.stderr  # the installed copy, not the build folder
    helped = subprocess.run([str(python), "-m", "ai_engineer_team", "--help"], cwd=elsewhere,
                            env={k: v for k, v in env().items() if k != "AGENTC_MODEL_FACTORY"},
                            capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and helped.stdout.startswith("usage: python -m ai_engineer_team"), helped.stderr
    ran = subprocess.run([str(venv / "bin" / "ai-engineer-team"), "Build a judge"], cwd=elsewhere, env=env(),
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == ANSWER.format(n=1, text="Build a judge")
    assert ran.stderr.strip() == ("usage: 3 model calls, 30 in / 15 out tokens "
                                  "(ai-engineer 2 calls 20/10, ml-engineer 1 call 10/5)")
    failed = subprocess.run([str(python), "-m", "ai_engineer_team", "x"], cwd=elsewhere, env=env(SCRIPTED_FAIL="ai-engineer"),
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert failed.stderr.startswith("error: ai-engineer failed: RuntimeError: scripted failure of ai-engineer\n")


# --- the HTTP app ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_package(tmp_path_factory):
    """The seed team's package with a 2 KiB request limit, imported in this process."""
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    project = build_project(tmp_path_factory.mktemp("app"), "lg_app_team", max_request_bytes=2048)
    sys.path.insert(0, str(project))
    saved = {k: os.environ.get(k) for k in ("AGENTC_MODEL_FACTORY", "SCRIPTED_FAIL", "SCRIPTED_LOOP")}
    os.environ["AGENTC_MODEL_FACTORY"] = FACTORY
    os.environ.pop("SCRIPTED_FAIL", None)
    os.environ.pop("SCRIPTED_LOOP", None)
    try:
        yield importlib.import_module("lg_app_team.server")
    finally:
        sys.path.remove(str(project))
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        for name in [m for m in sys.modules if m.startswith("lg_app_team")]:
            del sys.modules[name]


def asgi(server, calls):
    """Run `calls(client)` against the ASGI app in one event loop."""
    import httpx

    async def go():
        transport = httpx.ASGITransport(app=server.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return await calls(client)

    return asyncio.run(go())


def sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_app_runs_threads_and_health(app_package):
    async def calls(client):
        health = await client.get("/healthz")
        first = await client.post("/runs", json={"input": "Build a judge"})
        thread = first.json()["thread_id"]
        second = await client.post("/runs", json={"input": "And the data?", "thread_id": thread})
        other = await client.post("/runs", json={"input": "Fresh start", "entry": "ai-engineer"})
        return health, first, second, other

    health, first, second, other = asgi(app_package, calls)
    assert health.status_code == 200 and health.json() == {
        "status": "ok", "entry": "ai-engineer", "checkpointer": "memory",
        "agents": health.json()["agents"]}
    assert sorted(health.json()["agents"]) == ["ai-engineer", "data-engineer", "data-scientist", "ml-engineer",
                                               "prompt-engineer", "security-auditor"]
    body = first.json()
    assert first.status_code == 200 and body["status"] == "ok"
    assert body["answer"] == ANSWER.format(n=1, text="Build a judge")
    assert body["usage"]["total"] == {"calls": 3, "input_tokens": 30, "output_tokens": 15, "total_tokens": 45}
    assert body["usage"]["agents"]["ml-engineer"] == {"calls": 1, "input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
    assert second.json()["answer"] == ANSWER.format(n=2, text="And the data?")  # the thread was kept
    assert second.json()["usage"]["total"]["calls"] == 3  # usage is per run, not per thread
    assert other.json()["answer"] == ANSWER.format(n=1, text="Fresh start") and other.json()["thread_id"] != body["thread_id"]


def test_app_streams_delegations_tokens_then_the_answer(app_package):
    async def calls(client):
        return await client.post("/runs/stream", json={"input": "Stream it"})

    response = asgi(app_package, calls)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = sse(response.text)
    kinds = [k for k, _ in events]
    assert kinds[0] == "delegation" and kinds[-1] == "final" and set(kinds[1:-1]) == {"token"}
    assert events[0][1] == {"from": "ai-engineer", "to": "ml-engineer", "task": "advise on: Stream it"}
    tokens = [(d["agent"], d["text"]) for k, d in events if k == "token"]
    assert tokens == [("ml-engineer", "ml-engineer says: Task from ai-engineer: advise on: Stream it"),
                      ("ai-engineer", ANSWER.format(n=1, text="Stream it"))]
    final = events[-1][1]
    assert final["answer"] == ANSWER.format(n=1, text="Stream it") and final["usage"]["total"]["calls"] == 3


def test_app_refuses_oversized_and_malformed_requests(app_package):
    async def calls(client):
        return [
            await client.post("/runs", json={"input": "x" * 4000}),
            await client.post("/runs/stream", json={"input": "x" * 4000}),
            await client.post("/runs", content=b"{not json", headers={"content-type": "application/json"}),
            await client.post("/runs", json={"inptu": "typo"}),
            await client.post("/runs", json={"input": ""}),
            await client.post("/runs", json={"input": "hi", "entry": "nobody"}),
            await client.post("/runs", json={"input": "hi", "thread_id": "../../etc"}),
        ]

    big, big_stream, broken, typo, empty, entry, thread = asgi(app_package, calls)
    assert big.status_code == big_stream.status_code == 413 and "over 2048 bytes" in big.json()["detail"]
    assert broken.status_code == typo.status_code == empty.status_code == thread.status_code == 422
    assert {e["loc"][0] for e in typo.json()["detail"]} == {"input", "inptu"}
    assert entry.status_code == 422 and entry.json()["detail"].startswith("unknown entry agent 'nobody'")


def test_app_reports_a_failed_run(app_package, monkeypatch):
    monkeypatch.setenv("SCRIPTED_FAIL", "ai-engineer")

    async def calls(client):
        return await client.post("/runs", json={"input": "x"}), await client.post("/runs/stream", json={"input": "x"})

    plain, streamed = asgi(app_package, calls)
    assert plain.status_code == 502 and plain.json()["status"] == "failed"
    assert plain.json()["error"] == "ai-engineer failed: RuntimeError: scripted failure of ai-engineer"
    assert sse(streamed.text)[-1][0] == "error"


def test_app_answers_json_when_the_graph_itself_fails(app_package, monkeypatch):
    """A run that hits the recursion limit is a JSON 500 / a final `error` event, not a trace."""
    monkeypatch.setenv("SCRIPTED_LOOP", "1")

    async def calls(client):
        return await client.post("/runs", json={"input": "x"}), await client.post("/runs/stream", json={"input": "x"})

    plain, streamed = asgi(app_package, calls)
    assert plain.status_code == 500 and plain.json()["error"].startswith("GraphRecursionError: Recursion limit of 50")
    kind, data = sse(streamed.text)[-1]
    assert kind == "error" and data["error"].startswith("GraphRecursionError")


def test_app_under_uvicorn(tmp_path):
    pytest.importorskip("uvicorn")
    import httpx

    project = build_project(tmp_path, "ai_engineer_team")
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "ai_engineer_team.server:app", "--host", "127.0.0.1", "--port", str(port)]
    with serving(command, project, f"http://127.0.0.1:{port}/healthz", env()):
        answer = httpx.post(f"http://127.0.0.1:{port}/runs", json={"input": "Over HTTP"}, timeout=60)
        with httpx.stream("POST", f"http://127.0.0.1:{port}/runs/stream", json={"input": "Streamed"}, timeout=60) as r:
            events = sse(r.read().decode())
    assert answer.status_code == 200 and answer.json()["answer"] == ANSWER.format(n=1, text="Over HTTP")
    assert [k for k, _ in events][-1] == "final" and events[-1][1]["answer"] == ANSWER.format(n=1, text="Streamed")


# --- LangGraph's server ---------------------------------------------------------------------

def test_langgraph_dev_serves_the_project(tmp_path):
    """`langgraph dev` (langgraph-cli[inmem]) loads langgraph.json as generated: thread, run,
    the scripted answer; the `updates` and `messages` stream modes work through it."""
    cli = shutil.which("langgraph") or str(Path(sys.executable).parent / "langgraph")
    if not Path(cli).exists() or importlib.util.find_spec("langgraph_api") is None:
        pytest.skip("langgraph-cli[inmem] is not installed (the serve extra)")
    import httpx

    project = build_project(tmp_path, "ai_engineer_team")
    shutil.copy(project / ".env.example", project / ".env")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [cli, "dev", "--host", "127.0.0.1", "--port", str(port), "--no-browser", "--no-reload"]
    with serving(command, project, f"{base}/ok", env(), timeout=180):
        thread = httpx.post(f"{base}/threads", json={}, timeout=30).json()["thread_id"]
        run = {"assistant_id": "ai_engineer_team", "input": {"messages": [{"role": "user", "content": "Served"}]}}
        state = httpx.post(f"{base}/threads/{thread}/runs/wait", json=run, timeout=120).json()
        streamed = httpx.post(f"{base}/threads/{thread}/runs/stream", timeout=120,
                              json={**run, "stream_mode": ["updates", "messages-tuple"]}).text
        after = httpx.get(f"{base}/threads/{thread}/state", timeout=30).json()["values"]
    assert state["messages"][-1]["content"] == ANSWER.format(n=1, text="Served")
    assert [m["type"] for m in state["messages"]] == ["human", "ai", "tool", "ai"]
    assert state["usage"]["ml-engineer"]["calls"] == 1
    kinds = {line.split(": ", 1)[1] for line in streamed.splitlines() if line.startswith("event: ")}
    assert {"updates", "messages"} <= kinds
    assert len(after["messages"]) == 8 and after["messages"][-1]["content"] == ANSWER.format(n=2, text="Served")
    assert after["usage"]["ml-engineer"]["calls"] == 1  # usage is per run there too, not per thread


# --- PostgreSQL -----------------------------------------------------------------------------

def test_postgres_threads_survive_a_rebuild(tmp_path, pg_dsn):
    """Two turns on one thread, each in its own process (the graph is built anew and the
    process ends), then the history read back from PostgreSQL by a third graph."""
    pytest.importorskip("langgraph.checkpoint.postgres")
    project = build_project(tmp_path, "lg_pg_team", checkpointer="postgres")
    thread = f"t-{uuid.uuid4().hex}"
    for n, text in enumerate(["First turn", "Second turn"], 1):
        done = subprocess.run([sys.executable, "-m", "lg_pg_team", "--thread", thread, text], cwd=project,
                              env=env(AGENTC_POSTGRES_URI=pg_dsn), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == ANSWER.format(n=n, text=text)
    sys.path.insert(0, str(project))
    try:
        runner = importlib.import_module("lg_pg_team.runner")

        async def read_back():
            async with runner.open_team(checkpointer="postgres", db=pg_dsn) as team:
                return await team.history(thread)

        history = asyncio.run(read_back())
    finally:
        sys.path.remove(str(project))
        for name in [m for m in sys.modules if m.startswith("lg_pg_team")]:
            del sys.modules[name]
    assert [m["role"] for m in history] == ["human", "ai", "tool", "ai"] * 2
    assert [m["text"] for m in history if m["role"] == "human"] == ["First turn", "Second turn"]
    assert history[-1] == {"role": "ai", "name": "ai-engineer", "text": ANSWER.format(n=2, text="Second turn")}
