"""The crewai target without crewai: the project layout, YAML texts, braces, dangling modes, models."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SHARED

from agentc import api
from agentc.compiler.options import BuildOptions
from agentc.targets.crewai import validate

PKG = "ai_engineer_crew/src/ai_engineer_crew"


def crewai_build(sources=("agents/seed-team",), **options):
    result = api.build(BuildOptions(sources=tuple(sources), targets=("crewai",), **options))
    files = {p.removeprefix("crewai/"): t for p, t in result.files.items()}
    return result, files


@pytest.fixture(scope="module")
def seed():
    result, files = crewai_build()
    assert result.ok, result.diagnostics
    return result, files


def test_layout_is_what_crewai_create_crew_makes(seed):
    _, files = seed
    assert sorted(files) == sorted([
        "ai_engineer_crew/pyproject.toml", "ai_engineer_crew/README.md", f"{PKG}/__init__.py", f"{PKG}/crew.py",
        f"{PKG}/main.py", f"{PKG}/config/agents.yaml", f"{PKG}/config/tasks.yaml"])
    toml = tomllib.loads(files["ai_engineer_crew/pyproject.toml"])
    assert toml["tool"]["crewai"]["type"] == "crew"
    assert len(toml["tool"]["crewai"]["project_id"]) == 36  # else `crewai run` writes a random one into it
    assert toml["project"]["scripts"]["run_crew"] == "ai_engineer_crew.main:run"
    # sonnet/haiku/opus map to anthropic ids, which crewai builds only with its anthropic extra
    assert toml["project"]["dependencies"] == ["crewai[anthropic]>=1.15,<2"]


def test_manager_and_delegates(seed):
    _, files = seed
    agents = yaml.safe_load(files[f"{PKG}/config/agents.yaml"])
    body = (ROOT / "agents/seed-team/ai-engineer.md").read_text().split("---\n", 2)[2]
    assert list(agents) == ["ai_engineer", "ml_engineer", "data_scientist", "prompt_engineer", "data_engineer",
                            "security_auditor"]
    manager = agents["ai_engineer"]
    assert manager["role"] == "ai-engineer" and manager["allow_delegation"] is True
    assert manager["backstory"].startswith(body.strip("\n"))  # the body, byte for byte, then the routing list
    assert "- **ml-engineer**: Training or fine-tuning models; GPU capacity planning" in manager["backstory"]
    ml = agents["ml_engineer"]
    assert ml["goal"].startswith("Training a model is the easy part")  # the mission
    assert "GPU capacity planning or inference server tuning" in ml["goal"]  # when the manager picks it
    assert ml["allow_delegation"] is True  # it delegates in its own prompt
    assert agents["security_auditor"]["allow_delegation"] is False
    crew = files[f"{PKG}/crew.py"]
    assert "ml_engineer.get_delegation_tools([self.data_engineer(), self.data_scientist()])" in crew
    assert "\nfrom __future__ import" not in crew  # crewai checks the guardrail annotation at runtime
    assert "    @agent\n    def ai_engineer" not in crew and "    def ai_engineer(self)" in crew


def test_request_task_and_guardrail(seed):
    _, files = seed
    tasks = yaml.safe_load(files[f"{PKG}/config/tasks.yaml"])
    task = tasks["request_task"]
    assert task["description"].startswith("{request}\n") and "agent" not in task
    assert task["expected_output"].startswith("Response Structure\n\n### 1. Problem Framing")
    assert "- [ ] Rollback path written down and tried at least once in staging" in task["description"]
    crew = files[f"{PKG}/crew.py"]
    tree = ast.parse(crew)
    checklist = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "CHECKLIST")
    assert len(ast.literal_eval(checklist.value)) == 5
    assert "guardrail=completion_checklist" in crew


def test_guardrail_function_judges_the_checklist(seed):
    """The generated guardrail, run on its own (TaskOutput replaced by a stand-in)."""
    _, files = seed
    source = files[f"{PKG}/crew.py"]
    head = source[: source.index("@CrewBase")]
    namespace: dict = {}
    exec(compile(head.replace("from crewai", "# from crewai"), "crew.py", "exec"), namespace)
    check, items = namespace["completion_checklist"], namespace["CHECKLIST"]

    class Out:
        def __init__(self, raw):
            self.raw = raw

    ok, feedback = check(Out("A plan."))
    assert not ok and all(i in feedback for i in items)
    ticked = "Plan.\n\nCompletion checklist\n" + "\n".join(f"- [x] {i}" for i in items[:-1])
    ok, feedback = check(Out(ticked + f"\n- [ ] {items[-1].upper()}: no staging yet"))
    assert ok
    ok, feedback = check(Out(ticked))
    assert not ok and feedback.endswith(items[-1])
    assert check(Out("  ")) == (False, "The answer is empty.")


def test_braces_in_prompts_are_kept_as_literals(tmp_path):
    (tmp_path / "lead.md").write_text("---\nname: lead\ndescription: Leads.\n---\n\nUse {{x}} and {ok-name}.\n"
                                      "- Lookups → Delegate to **helper**\n")
    (tmp_path / "helper.md").write_text("---\nname: helper\ndescription: Finds {user_id}.\n---\n\n"
                                        "Query `WHERE id = {user_id}`, JSON {\"a\": 1}, input {request}.\n")
    result, files = crewai_build([str(tmp_path)])
    assert result.ok
    crew = next(t for p, t in files.items() if p.endswith("crew.py"))
    assert "LITERAL_PLACEHOLDERS = (\"ok-name\", \"user_id\", \"x\")" in crew
    agents = yaml.safe_load(next(t for p, t in files.items() if p.endswith("agents.yaml")))
    assert "WHERE id = {user_id}" in agents["helper"]["backstory"]
    assert "input { request }." in agents["helper"]["backstory"]
    assert any(d.code == "AGC606" for d in result.diagnostics)
    assert validate(files) == []
    broken = {p: t.replace("WHERE id = {user_id}", "WHERE id = {tenant}") for p, t in files.items()}
    problems = validate(broken)
    assert problems and {d.code for d in problems} == {"AGC902"} and "tenant" in problems[0].message


@pytest.mark.parametrize("mode, code, stubbed", [("stub", "AGC601", True), ("drop", "AGC602", False), ("error", "AGC603", False)])
def test_dangling_modes(mode, code, stubbed):
    result, files = crewai_build(dangling=mode)
    hits = [d for d in result.diagnostics if d.code == code]
    assert hits and hits[0].file == "agents/seed-team/ai-engineer.md" and hits[0].line == 41
    if mode == "error":
        assert not result.ok and files == {}
        return
    agents = yaml.safe_load(files[f"{PKG}/config/agents.yaml"])
    assert ("security_auditor" in agents) is stubbed
    assert ("- **security-auditor**: " in agents["ai_engineer"]["backstory"]) is stubbed


def test_entry_default_and_unknown_entry():
    result, files = crewai_build(["agents"])
    assert result.ok and any(d.code == "AGC805" for d in result.diagnostics)
    assert any(d.code == "AGC604" for d in result.diagnostics)  # the other teams are not in this crew
    assert len({p.split("/")[0] for p in files}) == 1
    result, files = crewai_build(entry="ai-enginer")
    assert not result.ok and any(d.code == "AGC804" and "ai-engineer" in d.message for d in result.diagnostics)


def test_package_option():
    result, files = crewai_build(package="eval_crew")
    assert result.ok and "eval_crew/src/eval_crew/crew.py" in files
    assert "class EvalCrew:" in files["eval_crew/src/eval_crew/crew.py"]
    result, files = crewai_build(package="crewai")  # would shadow crewai itself
    assert not result.ok and files == {} and any(d.code == "AGC507" for d in result.diagnostics)


def test_model_map_from_config():
    result, files = crewai_build(model_map={"crewai": {"sonnet": "openai/gpt-5", "haiku": ""}})
    crew = files[f"{PKG}/crew.py"]
    assert '"ai_engineer": "openai/gpt-5"' in crew and '"ml_engineer": None' in crew
    toml = tomllib.loads(files["ai_engineer_crew/pyproject.toml"])
    assert toml["project"]["dependencies"] == ["crewai[anthropic]>=1.15,<2"]  # prompt-engineer is still opus


def test_link_kinds_are_worded_in_the_routing_list():
    _, files = crewai_build(["agents/purpose-style"])
    agents = yaml.safe_load(next(t for p, t in files.items() if p.endswith("agents.yaml")))
    backstory = agents["database_designer"]["backstory"]
    assert "- **api-designer**: needed first: contract informs the schema" in backstory
    assert "- **performance-tuner**: follow-up: query plans" in backstory
    assert "(asked by database-designer)" in agents["api_designer"]["goal"]


def test_every_case_is_valid_python_and_yaml():
    for case in sorted(p.name for p in (ROOT / "agents").iterdir() if p.is_dir()):
        result, files = crewai_build([f"agents/{case}"])
        assert result.ok, (case, [d for d in result.diagnostics if d.severity == "error"])
        assert not [d for d in result.diagnostics if d.code == "AGC902"]


RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
CORPUS = SHARED / "corpus" / "myclaude"


@pytest.mark.skipif(RUFF is None, reason="ruff not installed (it is in the test extra)")
def test_generated_python_is_ruff_clean(tmp_path):
    """black lays the code out (line length 100); prompt strings are never split, hence no E501."""
    builds = [[f"agents/{case}"] for case in sorted(p.name for p in (ROOT / "agents").iterdir() if p.is_dir())]
    if CORPUS.exists():
        builds.append([str(CORPUS)])
    for n, sources in enumerate(builds):
        _, files = crewai_build(sources, entry="ai-engineer" if sources == [str(CORPUS)] else None)
        assert files, sources
        for rel, text in files.items():
            if rel.endswith(".py"):
                path = tmp_path / str(n) / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    rules = ["--select", "E,F,W,I,B,UP,C4,SIM", "--ignore", "E501"]
    done = subprocess.run([RUFF, "check", "--no-cache", "--isolated", *rules, str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_crewai_needed_to_build():
    code = ("import sys; from agentc import api; from agentc.compiler.options import BuildOptions; "
            "r = api.build(BuildOptions(sources=('agents/seed-team',), targets=('crewai',))); "
            "assert r.ok and r.files and 'crewai' not in sys.modules")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
