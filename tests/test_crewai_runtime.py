"""The generated crews with the real crewai: they load, and the seed team's crew kicks off offline.

Every crewai run happens in a fresh process (tests/crewai_harness.py) with telemetry switched
off before crewai is imported, HOME, TMPDIR and CREWAI_STORAGE_DIR inside a temporary sandbox,
and audit hooks that refuse any network attempt and record any write outside the sandbox.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

from agentc import api
from agentc.compiler.options import BuildOptions

QUIET = {
    "OTEL_SDK_DISABLED": "true",
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_DISABLE_TRACKING": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "CREWAI_TESTING": "true",
}
os.environ.update(QUIET)  # before importorskip imports crewai into this process
pytest.importorskip("crewai")

pytestmark = [pytest.mark.runtime, pytest.mark.crewai]
HARNESS = ROOT / "tests" / "crewai_harness.py"


def build(tmp: Path, sources: list[str], **options) -> Path:
    """Write the crewai target into tmp/build and return the crew project folder."""
    result = api.build(BuildOptions(sources=tuple(sources), targets=("crewai",), **options))
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    for rel, text in result.files.items():
        path = tmp / "build" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (project,) = (tmp / "build" / "crewai").iterdir()
    return project


def harness(tmp: Path, mode: str, projects: list[Path], python: str = sys.executable, **env: str) -> dict:
    """Run the harness in a sandbox under tmp; return its report (errors fail the test)."""
    sandbox = tmp / "sandbox"
    for sub in ("home", "storage", "cwd"):
        (sandbox / sub).mkdir(parents=True, exist_ok=True)
    copies = []
    for project in projects:  # the crew runs from inside the sandbox, like `crewai run`
        copies.append(sandbox / project.name)
        shutil.copytree(project, copies[-1], dirs_exist_ok=True)
    report = sandbox / "report.json"
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(sandbox / "home"),
        "TMPDIR": str(sandbox),
        "PYTHONDONTWRITEBYTECODE": "1",
        "CREWAI_STORAGE_DIR": str(sandbox / "storage"),
        "AGENTC_SANDBOX": str(sandbox),
        **QUIET,
        **env,
    }
    done = subprocess.run([str(python), str(HARNESS), mode, str(report), *map(str, copies)],
                          cwd=sandbox / "cwd", env=clean, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0 and report.exists(), done.stderr[-3000:]
    data = json.loads(report.read_text())
    assert not data["errors"], data["errors"][0]
    assert data["network"] == [], data["network"]  # zero network attempts
    assert data["writes_outside"] == [], data["writes_outside"]  # nothing written outside the sandbox
    assert not list((sandbox / "cwd").iterdir())
    return data


def test_every_case_crew_loads(tmp_path):
    projects = []
    for case in sorted(p.name for p in (ROOT / "agents").iterdir() if p.is_dir()):
        projects.append(build(tmp_path / case, [f"agents/{case}"]))
    report = harness(tmp_path, "load", projects)
    loaded = {Path(x["project"]).name: x for x in report["loaded"]}
    assert loaded["ai_engineer_crew"]["manager"] == "ai-engineer"
    assert sorted(loaded["ai_engineer_crew"]["agents"]) == sorted(
        ["ml-engineer", "data-scientist", "prompt-engineer", "data-engineer", "security-auditor"])
    assert all(x["tasks"] == 1 for x in loaded.values())


def test_seed_team_kicks_off_offline(tmp_path):
    project = build(tmp_path, ["agents/seed-team"], entry="ai-engineer")
    report = harness(tmp_path, "kickoff", [project], AGENTC_MANAGER="ai-engineer",
                     AGENTC_DELEGATE="ml-engineer", AGENTC_SUB_DELEGATE="data-engineer")
    roles = [c["role"] for c in report["calls"]]
    # The manager delegates to ml-engineer by role, which hands part of it to its own delegate.
    assert roles[:3] == ["ai-engineer", "ml-engineer", "data-engineer"]
    assert roles[-1] == "ai-engineer" and report["raw"].startswith("DONE by ml-engineer.")
    # The guardrail ran: the first answer lacked the checklist, the retry was told what was missing.
    retries = [c for c in report["calls"] if "Previous attempt failed validation" in c["prompt"]]
    assert retries and "Missing: Baseline and candidate scores reported side by side" in retries[0]["prompt"]
    assert "- [x] Rollback path written down and tried at least once in staging" in report["raw"]
    # Prompt text reaches the model as written, braces included.
    manager_system = next(c["system"] for c in report["calls"] if c["role"] == "ai-engineer")
    assert "literal {braces} inside answers stay untouched" in manager_system
    assert "**ml-engineer**: Training or fine-tuning models" in manager_system
    assert (tmp_path / "sandbox/storage/latest_kickoff_task_outputs.db").exists()  # crewai's db went to the storage dir


def test_braces_in_a_worker_prompt_survive_kickoff(tmp_path):
    """kickoff fills `{name}` in workers' texts and fails on unknown names; ours stay literal."""
    team = tmp_path / "team"
    team.mkdir()
    (team / "lead.md").write_text(
        "---\nname: lead\ndescription: Leads.\n---\n\nYou lead.\n\n- Lookups by user → Delegate to **helper**\n")
    (team / "helper.md").write_text(
        "---\nname: helper\ndescription: Helps with {user_id} lookups.\n---\n\n"
        "You help. Templates look like `SELECT * FROM t WHERE id = {user_id}` and `{request}`.\n")
    project = build(tmp_path, [str(team)])
    report = harness(tmp_path, "kickoff", [project], AGENTC_MANAGER="lead", AGENTC_DELEGATE="helper")
    helper = next(c for c in report["calls"] if c["role"] == "helper")
    assert "WHERE id = {user_id}" in helper["system"]
    assert "{ request }" in helper["system"]  # the one name that is a real input is spaced out
    assert report["raw"].startswith("DONE by helper.")


@pytest.mark.skipif(not (SHARED / "corpus" / "myclaude").exists(), reason="../shared is not present on a fresh clone")
def test_corpus_crews_load(tmp_path):
    corpus = str(SHARED / "corpus" / "myclaude")
    projects = [build(tmp_path / "corpus", [corpus], entry="ai-engineer"),
                build(tmp_path / "agents", ["agents"], entry="ai-engineer")]
    report = harness(tmp_path, "load", projects)
    corpus_crew = report["loaded"][0]
    assert corpus_crew["manager"] == "ai-engineer"
    assert {"ml-engineer", "prompt-engineer", "data-engineer"} <= set(corpus_crew["agents"])
    assert len(corpus_crew["agents"]) == len(set(corpus_crew["agents"]))


def test_cli_prints_the_answer_and_usage_per_agent(tmp_path):
    """`python -m <crew>`'s cli() with a scripted LLM per agent from the model factory hook."""
    project = build(tmp_path, ["agents/seed-team"], entry="ai-engineer")
    report = harness(tmp_path, "cli", [project], AGENTC_MANAGER="ai-engineer", AGENTC_DELEGATE="ml-engineer",
                     AGENTC_SUB_DELEGATE="data-engineer")
    assert report["exit"] == 0 and report["stdout"].startswith("DONE by ml-engineer.")
    calls: dict[str, int] = {}
    for call in report["calls"]:
        calls[call["role"]] = calls.get(call["role"], 0) + 1
    lines = report["stderr"].splitlines()
    total = sum(calls.values())
    assert lines[lines.index(next(x for x in lines if x.startswith("usage: ")))] == f"usage: {total} model calls, {100 * total} input + {20 * total} output = {120 * total} tokens"
    for role, n in calls.items():  # each agent's line equals what its scripted LLM reported
        assert f"  {role}: {n} calls, {120 * n} tokens ({100 * n} in, {20 * n} out)" in lines


def test_a_rate_limited_call_is_retried_and_a_dead_model_is_one_line(tmp_path):
    project = build(tmp_path, ["agents/seed-team"], entry="ai-engineer")
    once = harness(tmp_path / "once", "kickoff", [project], AGENTC_MANAGER="ai-engineer",
                   AGENTC_DELEGATE="ml-engineer", AGENTC_FAIL_ONCE="ml-engineer")
    assert once["failed"] == ["ml-engineer"] and once["raw"].startswith("DONE by ml-engineer.")
    assert [c["role"] for c in once["calls"]].count("ml-engineer") >= 2  # crewai ran it again (max_retry_limit)
    dead = harness(tmp_path / "dead", "cli", [project], AGENTC_MANAGER="ai-engineer", AGENTC_DELEGATE="ml-engineer",
                   AGENTC_FAIL_ALWAYS="ai-engineer")
    assert dead["exit"] == 1 and dead["stdout"] == ""
    # crewai logs its own retries to stderr; ours is the last line, and there is no traceback.
    assert dead["stderr"].splitlines()[-1] == "error: RuntimeError: 429 Too Many Requests: ai-engineer is rate limited"
    assert "Traceback" not in dead["stderr"]


def test_python_m_help_needs_no_key(tmp_path):
    project = build(tmp_path, ["agents/seed-team"], entry="ai-engineer")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(QUIET, HOME=str(tmp_path), CREWAI_STORAGE_DIR=str(tmp_path / "storage"), PYTHONPATH=str(project / "src"))
    done = subprocess.run([sys.executable, "-m", project.name, "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"usage: python -m {project.name} [-h] [--json] [request ...]")


def test_the_project_installs_into_a_fresh_venv_and_runs(tmp_path):
    """`pip install` of the generated crew project (not editable, built by its own backend) into a
    new venv whose dependencies come from this environment (a .pth file: no download); then
    `python -m <crew> --help` and a scripted run that imports the installed copy, not the build."""
    from importlib.metadata import version

    from packaging.requirements import Requirement

    project = build(tmp_path, ["agents/seed-team"], entry="ai-engineer")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_deps_from_test_env.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                           "--no-build-isolation", "--no-index", str(project)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    import tomllib

    for line in tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]:
        req = Requirement(line)
        assert req.specifier.contains(version(req.name), prereleases=True), f"{line} does not admit the tested {req.name}"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "PYTHONPATH"}
    env.update(QUIET, HOME=str(tmp_path), CREWAI_STORAGE_DIR=str(tmp_path / "storage"))
    helped = subprocess.run([str(python), "-m", project.name, "--help"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert helped.returncode == 0, helped.stderr[-2000:]
    assert helped.stdout.startswith(f"usage: python -m {project.name}")
    bare = tmp_path / "installed" / project.name  # no src/ here: the harness can only import the installed copy
    bare.mkdir(parents=True)
    report = harness(tmp_path / "run", "cli", [bare], python=str(python), AGENTC_MANAGER="ai-engineer",
                     AGENTC_DELEGATE="ml-engineer")
    assert report["module"].startswith(site), report["module"]
    assert report["exit"] == 0 and report["stdout"].startswith("DONE by ml-engineer.")
