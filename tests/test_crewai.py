"""The crewai target without crewai: the project layout, YAML texts, braces, dangling modes, models."""

from __future__ import annotations

import importlib
import json
import os
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
        "ai_engineer_crew/pyproject.toml", "ai_engineer_crew/README.md", f"{PKG}/__init__.py", f"{PKG}/__main__.py",
        f"{PKG}/crew.py", f"{PKG}/main.py", f"{PKG}/support.py", f"{PKG}/observe.py", f"{PKG}/usage.py",
        f"{PKG}/config/agents.yaml", f"{PKG}/config/tasks.yaml", f"{PKG}/config/crew.json"])
    # observe.py and usage.py are the runtime modules every code target shares, byte for byte.
    shared = ROOT / "targets" / "_shared" / "runtime"
    assert files[f"{PKG}/observe.py"] == (shared / "observe.py").read_text(encoding="utf-8")
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
    # Resilience from the configuration: retries, a time bound on a worker's task, no rpm cap by default.
    assert manager["max_retry_limit"] == 2 and "max_execution_time" not in manager
    assert ml["max_retry_limit"] == 2 and ml["max_execution_time"] == 600 and "max_rpm" not in ml
    crew = files[f"{PKG}/crew.py"]
    assert "ml_engineer.get_delegation_tools([self.data_engineer(), self.data_scientist()])" in crew
    assert "\nfrom __future__ import" not in crew  # crewai checks the guardrail annotation at runtime
    assert "    @agent\n    def ai_engineer" not in crew and "    def ai_engineer(self)" in crew


def test_request_task_and_guardrail(seed):
    _, files = seed
    tasks = yaml.safe_load(files[f"{PKG}/config/tasks.yaml"])
    task = tasks["request_task"]
    assert "agent" not in task
    # The request is delimited and comes after the instructions, never pasted in as instructions.
    assert task["description"].endswith("\n<request>\n{request}\n</request>\n")
    assert task["description"].count("{request}") == 1 and task["description"].startswith("Answer the user's request")
    assert task["expected_output"].startswith("Response Structure\n\n### 1. Problem Framing")
    assert "- [ ] Rollback path written down and tried at least once in staging" in task["description"]
    crew = files[f"{PKG}/crew.py"]
    team = json.loads(files[f"{PKG}/config/crew.json"])
    assert len(team["checklist"]) == 5 and team["settings"]["guardrail"] == "enforce"
    assert "guardrail=completion_checklist if guarded else None" in crew


def load_support(files: dict[str, str], tmp_path: Path, pkg: str = PKG):
    """The generated package's support.py, imported with the real crewai (telemetry off)."""
    os.environ.update({"CREWAI_DISABLE_TELEMETRY": "true", "OTEL_SDK_DISABLED": "true",
                       "CREWAI_DISABLE_VERSION_CHECK": "true", "CREWAI_STORAGE_DIR": str(tmp_path / "storage")})
    pytest.importorskip("crewai")
    for rel, text in files.items():
        if rel.startswith(pkg + "/"):
            path = tmp_path / "src" / pkg.rsplit("/", 1)[-1] / rel[len(pkg) + 1:]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(tmp_path / "src"))
    try:
        return importlib.import_module(pkg.rsplit("/", 1)[-1] + ".support")
    finally:
        sys.path.remove(str(tmp_path / "src"))


@pytest.mark.crewai
def test_guardrail_function_judges_the_checklist(seed, tmp_path, monkeypatch):
    """The generated guardrail, run on its own with the real crewai."""
    _, files = seed
    support = load_support(files, tmp_path)
    check, items = support.completion_checklist, support.CHECKLIST

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
    monkeypatch.setitem(support.SETTINGS, "guardrail", "warn")
    assert check(Out("A plan.")) == (True, "A plan.")  # warn: logged, accepted
    with pytest.raises(support.CrewSetupError, match="valid keys: ai-engineer, ml-engineer, data-scientist"):
        support.check_models({"ml_engineer": "openai/gpt-5"})


@pytest.mark.crewai
def test_llms_from_model_ids_get_the_timeout_retries_and_fallbacks(tmp_path, monkeypatch):
    """An agent's mapped model id and the fallback ids become crewAI LLMs on first use, each with
    timeout = timeout_s and max_retries = retries (the provider SDK's backoff); nothing is called."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-offline-test")  # the OpenAI client wants one to be built
    monkeypatch.delenv("AGENTC_MODEL_FACTORY", raising=False)
    _, files = crewai_build(package="llm_settings", retries=4, timeout_s=30,
                            model_map={"crewai": {"haiku": "openai/gpt-4o-mini"}},
                            fallback_models={"crewai": ["openai/gpt-4.1-mini"]})
    support = load_support(files, tmp_path, "llm_settings/src/llm_settings")
    llm = support.team_llm("ml_engineer", meter=support.Meter())
    assert llm.agent == "ml-engineer" and llm.choices == ["openai/gpt-4o-mini", "openai/gpt-4.1-mini"]
    built = llm.llms()
    assert [(b.timeout, b.max_retries) for b in built] == [(30.0, 4), (30.0, 4)]
    assert llm.names() == ["openai/gpt-4o-mini", "openai/gpt-4.1-mini"]  # usage and prices keep the ids
    assert llm.supports_function_calling() == built[0].supports_function_calling()


def test_braces_in_prompts_are_kept_as_literals(tmp_path):
    (tmp_path / "lead.md").write_text("---\nname: lead\ndescription: Leads.\n---\n\nUse {{x}} and {ok-name}.\n"
                                      "- Lookups → Delegate to **helper**\n")
    (tmp_path / "helper.md").write_text("---\nname: helper\ndescription: Finds {user_id}.\n---\n\n"
                                        "Query `WHERE id = {user_id}`, JSON {\"a\": 1}, input {request}.\n")
    result, files = crewai_build([str(tmp_path)])
    assert result.ok
    team = json.loads(next(t for p, t in files.items() if p.endswith("crew.json")))
    assert team["literals"] == ["ok-name", "user_id", "x"]
    agents = yaml.safe_load(next(t for p, t in files.items() if p.endswith("agents.yaml")))
    assert "WHERE id = {user_id}" in agents["helper"]["backstory"]
    assert "input { request }." in agents["helper"]["backstory"]
    assert any(d.code == "AGC606" for d in result.diagnostics)
    assert validate(files) == []
    broken = {p: t.replace("WHERE id = {user_id}", "WHERE id = {tenant}") for p, t in files.items()}
    problems = validate(broken)
    assert problems and {d.code for d in problems} == {"AGC902"} and "tenant" in problems[0].message


def test_yaml_that_does_not_load_is_reported_once(seed):
    """crewai's validate loads its YAML itself (loads_itself), so the generic check skips it:
    a file that does not load is still reported, once."""
    from agentc.targets.crewai import TARGET
    from agentc.validate import validate_files

    _, files = seed
    assert validate_files("crewai", files, TARGET.validate, TARGET.loads_itself) == []
    broken = dict(files)
    broken[f"{PKG}/config/tasks.yaml"] += "oops: [unclosed\n"
    problems = validate_files("crewai", broken, TARGET.validate, TARGET.loads_itself)
    assert [(d.code, d.file) for d in problems] == [("AGC902", f"crewai/{PKG}/config/tasks.yaml")]
    assert "does not load" in problems[0].message


def test_agents_yaml_comes_in_pieces_that_load_alone(seed, tmp_path):
    """agents.yaml is emitted as Chunks, one piece per agent: each piece loads alone as that
    agent's mapping, so the file loads as their union; validate checks it piece by piece and the
    writer writes the pieces, the same bytes as the API's joined text."""
    from agentc import writer
    from agentc.targets import Chunks
    from agentc.targets.crewai import TARGET

    _, files = seed
    project = api.load_project(("agents/seed-team",))
    emitted = TARGET.emit(project, BuildOptions(sources=("agents/seed-team",), targets=("crewai",))).files
    chunks = emitted[f"{PKG}/config/agents.yaml"]
    assert isinstance(chunks, Chunks) and chunks.text() == files[f"{PKG}/config/agents.yaml"]
    whole = yaml.load(chunks.text(), Loader=yaml.SafeLoader)
    pieces = [yaml.load(part, Loader=yaml.SafeLoader) for part in chunks.parts]
    assert pieces[0] is None and [list(p) for p in pieces[1:]] == [[k] for k in whole]
    assert {k: v for p in pieces[1:] for k, v in p.items()} == whole
    assert validate(emitted) == []
    broken = dict(emitted)
    broken[f"{PKG}/config/agents.yaml"] = Chunks(chunks.parts[:2] + (chunks.parts[2].replace(b"You are", b"{tenant} is"),)
                                                   + chunks.parts[3:])
    assert "tenant" in validate(broken)[0].message
    writer.write(tmp_path, {f"crewai/{p}": t for p, t in emitted.items()}, ["crewai"])
    assert (tmp_path / "crewai" / PKG / "config/agents.yaml").read_text(encoding="utf-8") == chunks.text()
    assert writer.plan(tmp_path, {f"crewai/{p}": t for p, t in emitted.items()}, ["crewai"]).clean


def test_an_agents_yaml_piece_that_does_not_load_is_reported():
    """A piece read in C (yamltext.read_entry) or by libyaml: one that YAML refuses is AGC902,
    one that reads as a different agent is judged on what YAML reads."""
    from agentc.targets import Chunks
    from agentc.targets.crewai import TARGET

    project = api.load_project(("agents/seed-team",))
    emitted = TARGET.emit(project, BuildOptions(sources=("agents/seed-team",), targets=("crewai",))).files
    path = f"{PKG}/config/agents.yaml"
    parts = emitted[path].parts
    for bad in (parts[2] + b"  oops: [unclosed\n", parts[2].replace(b"\n    ", b"\n\t", 1), parts[2].replace(b"\n    ", b"\n    \x07", 1)):
        problems = validate({**emitted, path: Chunks(parts[:2] + (bad,) + parts[3:])})
        assert [(d.code, d.file) for d in problems] == [("AGC902", path)] and "does not load" in problems[0].message, bad[-80:]
    emptied = parts[2].replace(b"  role:", b"  rolle:", 1)
    problems = validate({**emitted, path: Chunks(parts[:2] + (emptied,) + parts[3:])})
    assert [d.code for d in problems] == ["AGC902"] and "lacks a role" in problems[0].message


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
    models = json.loads(files[f"{PKG}/config/crew.json"])["models"]
    assert models["ai-engineer"] == "openai/gpt-5" and models["ml-engineer"] is None
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
    packages = sorted({p.name for p in tmp_path.glob("*/*/src/*")})  # each crew's own package is first-party
    rules = ["--select", "E,F,W,I,B,UP,C4,SIM", "--ignore", "E501", "--config", f"lint.isort.known-first-party = {packages}"]
    done = subprocess.run([RUFF, "check", "--no-cache", "--isolated", *rules, str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_python_is_black_clean_without_running_black():
    """No formatter runs while building; black is the judge, on every module of every case."""
    from agentc.targets._shared.pyformat import format_python

    for case in sorted(p.name for p in (ROOT / "agents").iterdir() if p.is_dir()):
        for package in (None, "c" * 90):  # a long name pushes lines past 100: those modules go through black
            _, files = crewai_build([f"agents/{case}"], **({"package": package} if package else {}))
            for rel, text in files.items():
                if rel.endswith(".py"):
                    assert format_python(text) == text, (case, rel)


def test_options_reach_the_crew():
    _, files = crewai_build(retries=5, timeout_s=30, max_rpm=12, guardrail="off", model_factory="mod:make")
    agents = yaml.safe_load(files[f"{PKG}/config/agents.yaml"])
    assert all(a["max_retry_limit"] == 5 and a["max_rpm"] == 12 for a in agents.values())
    assert agents["ml_engineer"]["max_execution_time"] == 150
    settings = json.loads(files[f"{PKG}/config/crew.json"])["settings"]
    assert settings == {"guardrail": "off", "guardrail_retries": 2, "max_rpm": 12, "model_factory": "mod:make",
                        "retries": 5, "timeout_s": 30, "fallback_models": [], "prices": {}}
    _, files = crewai_build(fallback_models={"crewai": ["openai/gpt-5-mini"], "langgraph": ["x:y"]},
                            prices={"openai/gpt-5-mini": (0.25, 2.0), "anthropic/claude-haiku-4-5": (1, 5), "unused": (9, 9)})
    team = json.loads(files[f"{PKG}/config/crew.json"])
    assert team["settings"]["fallback_models"] == ["openai/gpt-5-mini"]  # this target's list only
    assert team["settings"]["prices"] == {"anthropic/claude-haiku-4-5": [1, 5], "openai/gpt-5-mini": [0.25, 2.0]}
    assert list(team["keys"].items())[:2] == [("ai_engineer", "ai-engineer"), ("ml_engineer", "ml-engineer")]


def test_yaml_is_written_directly_and_reads_back_exactly():
    """The hand-written YAML loads identically with PyYAML's pure and libyaml loaders, for any text."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentc.targets.crewai import yamltext

    loaders = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])

    @settings(max_examples=400, deadline=None)
    @given(st.text(), st.text(alphabet=" \n\ta#:-|>\x85\u2028\ufeff\x7f\"\\'é😀\r"), st.booleans(), st.integers())
    def round_trip(text, awkward, flag, number):
        data = {"k": {"v": text, "w": awkward, "yes": flag, "n": number, "none": None}}
        dumped = yamltext.dump(data, "header")
        for loader in loaders:
            assert yaml.load(dumped, Loader=loader) == data

    round_trip()
    _, files = crewai_build()
    agents = files[f"{PKG}/config/agents.yaml"]
    assert "  backstory: |\n    You are an AI engineer" in agents  # prompts stay readable as literal blocks


def test_yaml_pieces_each_load_as_their_entry():
    """entries (agents.yaml, made as UTF-8 pieces): the header piece loads as nothing and each
    other piece, on its own, as exactly its name and fields under both PyYAML loaders, on any
    text (empty, CRLF, emoji, controls, a lone surrogate, huge lines)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentc.targets.crewai import yamltext

    loaders = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])

    def loads_back(fields, loaders=loaders):
        data = [("agent_a", fields), ("yes", {"role": "r"}), ("b-c", {})]
        head, *pieces = yamltext.entries(data, "head\nline")
        assert head == b"# head\n# line\n"
        for loader in loaders:
            # a name without fields is written "b-c:" and reads back as None, as before
            assert [yaml.load(p, Loader=loader) for p in pieces] == [{name: f or None} for name, f in data]

    @settings(max_examples=400, deadline=None)
    @given(st.text(), st.text(alphabet=" \n\ta#:-|>\x85\u2028\ufeff\x7f\"\\'é😀\r"), st.booleans(), st.integers())
    def agree(text, awkward, flag, number):
        loads_back({"v": text, "w": awkward, "yes": flag, "n": number, "none": None, "f": 0.5})

    agree()
    for text in ("", "\n", "a\r\nb\n", "x\n" * 3, "→ 😀\n\n\n", "a\n\n  b\t\n", "l" * 300_000 + "\nend"):
        loads_back({"backstory": text})
    # A lone surrogate is written as the escape \uD800, which libyaml refuses; a prompt read from a
    # file never holds one (agentc decodes with errors="replace").
    loads_back({"backstory": "\ud800\nx"}, loaders=[yaml.SafeLoader])


def test_unsafe_class_is_the_complement_of_the_safe_ranges():
    """yamltext._UNSAFE spells out the escaped characters; it matches exactly the code points
    outside the safe ranges it was written as before."""
    import re

    from agentc.targets.crewai import yamltext

    safe = re.compile("[\x09\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
    assert [i for i in range(0x110000) if (yamltext._UNSAFE.match(chr(i)) is None) != bool(safe.match(chr(i)))] == []


def _literal_str(text: str, indent: str) -> str | None:
    """yamltext._literal's block (made as UTF-8) as text, for the str references below."""
    from agentc.targets.crewai import yamltext

    block = yamltext._literal(text, indent)
    return None if block is None else block.decode("utf-8")


def test_literal_blocks_are_chosen_as_before():
    """yamltext._literal looks for trailing blanks with substring searches when the text has no
    tab; it writes a literal block for exactly the texts the line-by-line test allowed."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentc.targets.crewai import yamltext

    def line_by_line(text: str) -> str | None:  # _literal as it was (main e37342b)
        if "\n" not in text or text[0] in " \n" or yamltext._UNSAFE.search(text) or "\r" in text:
            return None
        lines = text.split("\n")
        if any(line != line.rstrip(" \t") or line.startswith("\t") for line in lines):
            return None
        trailing = len(text) - len(text.rstrip("\n"))
        chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
        out = "".join(f"  {line}\n" if line else "\n" for line in lines[:len(lines) - trailing])
        return f"|{chomp}\n" + out + "\n" * max(trailing - 1, 0)

    @settings(max_examples=2000, deadline=None, derandomize=True)
    @given(st.text(alphabet="ab \t\n\r\x0b\xa0é", max_size=12))
    def same(text):
        assert _literal_str(text, "  ") == line_by_line(text)

    same()


def test_no_crewai_needed_to_build():
    code = ("import sys; from agentc import api; from agentc.compiler.options import BuildOptions; "
            "r = api.build(BuildOptions(sources=('agents/seed-team',), targets=('crewai',))); "
            "assert r.ok and r.files and 'crewai' not in sys.modules")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize("n", [2, 6, 12])
def test_long_delegation_lists_are_laid_out_as_black_would(n):
    """crew.py is not formatted while building, so a worker with many delegates must already
    be in black's layout (one line, the list on its own line, or one delegate per line)."""
    from agentc.targets._shared.pyformat import format_python
    from agentc.targets.crewai.files import delegation_tools

    lines = delegation_tools("lead_agent", tuple(f"specialist_number_{i}" for i in range(n)))
    body = "\n".join(f"            {line}" for line in lines)
    source = f"class Crew:\n    def crew(self):\n        lead_agent.tools = [\n{body}\n        ]\n"  # as in crew.py
    assert format_python(source) == source


def test_unsafe_search_on_utf8_is_the_regex():
    """yamltext._has_unsafe (UTF-8 lead bytes first, the regex only when one of them may begin an
    unsafe character) finds exactly what _UNSAFE.search finds: on every code point alone, every
    BMP one after an arrow (E2), a variation selector (EF), a degree sign (C2) or a Hangul syllable
    (ED), and hypothesis texts of such neighbours."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentc.targets.crewai import yamltext

    def same(text: str) -> bool:
        data = text.encode("utf-8", "surrogatepass")
        return yamltext._has_unsafe(text, data) == (yamltext._UNSAFE.search(text) is not None)

    assert [i for i in range(0x110000) if not same(chr(i))] == []
    neighbours = ("→{}", "a\ufe0f{}x", "°{}", "한{}\n")  # an E2, EF, C2 and ED lead byte before it
    assert [i for i in range(0x10000) if not all(same(n.format(chr(i))) for n in neighbours)] == []
    assert same("") and same("plain ascii\n\twith tab") and same("→ — ⚠️ 😀 é\n" * 3000)

    @settings(max_examples=1000, deadline=None)
    @given(st.text(alphabet="a \t\n→—\u2028\u2029\ufe0f\ufeff\ufffe\uffff\ufffd\x85\x9f\xa0°\x7f\x00\x1f\ud800\udfff\ud7ff한\ue000😀é"))
    def agree(text):
        assert same(text)

    agree()


def test_literal_blocks_on_utf8_as_on_str():
    """yamltext._literal works on the text's UTF-8; it writes what the str version wrote (main
    1c77a2b), for hostile texts (CRLF, blank and blank-looking lines, emoji, surrogates, long lines)."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentc.targets.crewai import yamltext

    def as_str(text: str, indent: str) -> str | None:
        if "\n" not in text or text[0] in " \n" or yamltext._UNSAFE.search(text) or "\r" in text:
            return None
        if " \n" in text or text.endswith(" ") or ("\t" in text and any(
                line != line.rstrip(" \t") or line.startswith("\t") for line in text.split("\n"))):
            return None
        trailing = len(text) - len(text.rstrip("\n"))
        chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
        out = indent + text[:len(text) - trailing].replace("\n", "\n" + indent) + "\n"
        out = re.sub("\n" + re.escape(indent) + "(?=\n)", "\n", out)
        return f"|{chomp}\n" + out + "\n" * max(trailing - 1, 0)

    @settings(max_examples=1000, deadline=None)
    @given(st.text(alphabet="ab \t\n\r→😀é\u2028\ufeff\ud800\x85", max_size=40), st.sampled_from(["  ", "    ", "\t"]))
    def same(text, indent):
        assert _literal_str(text, indent) == as_str(text, indent)

    same()
    for text in ("x\n" * 20000, "😀" * 40000 + "\n\n\n", "a\n\n\n\nb\n", "é\n \n", "→ go\n\n⚠️ stop\n", "\n"):
        assert _literal_str(text, "    ") == as_str(text, "    ")


def _many_workers() -> str:
    """crew.py of a lead and 12 workers, some delegating to 1-5 others: worker blocks and tools
    blocks in delegation_tools' three layouts (one line, the list on its own line, one per line)."""
    import agentc

    def worker(i: int, delegates: list[int]) -> str:
        lines = "\n".join(f"- For part {j} → Delegate to **worker-{j}**" for j in delegates)
        return f"---\nname: worker-{i}\ndescription: Worker {i}. Use for part {i}.\n---\n\nYou do part {i}.\n\n{lines}\n"

    sources = {"agents/lead.md": "---\nname: lead\ndescription: The lead.\n---\n\nYou lead.\n\n"
               + "\n".join(f"- Part {j} → Delegate to **worker-{j}**" for j in range(12)) + "\n"}
    for i in range(12):
        sources[f"agents/worker-{i}.md"] = worker(i, [(i + k) % 12 for k in range(1, 1 + i % 6)] if i % 4 else [])
    result = agentc.compile(sources, targets=["crewai"], entry="lead")
    assert result.ok, result.diagnostics
    return next(t for p, t in result.files.items() if p.endswith("/crew.py"))


def _whole_file_problem(text: str) -> str | None:
    """agentc's generic check of a .py file (validate._check): what the crewai check must say."""
    from agentc.validate import _check

    return _check("x/crew.py", text)


def test_crew_py_is_compiled_without_its_repeats():
    """crewcheck drops every worker and tools block but the first of each run (1000 agents: 1.1 MB
    -> 5 KB to compile), and the file compiles exactly when what is left does."""
    from agentc.targets.crewai import _compile_problem
    from agentc.targets.crewai.crewcheck import repeats_dropped

    crew = _many_workers()
    left = repeats_dropped(crew)
    assert len(left) < len(crew) * 0.6 and left.count("@agent\n") == 1 and left.count(".get_delegation_tools(") == 1
    compile(left, "crew.py", "exec")
    assert _compile_problem(crew, "x/crew.py") is None
    # Broken in a block that is dropped: still caught, with the whole file's message (its line).
    later = crew.rindex('    def worker_11(self)')
    for broken in (crew.replace("worker_11", "class"), crew.replace("worker_11", "__debug__"),
                   crew[:later] + crew[later:].replace("return TeamAgent(", "return TeamAgent", 1),
                   crew[:later] + crew[later:].replace('agent_key="worker-11"', 'agent_key="worker-11\\"', 1),
                   crew.replace("        return Crew(", "        global worker_11\n        return Crew("),
                   crew.replace("    @task", "    global worker_11\n\n    @task"),
                   crew.replace("self.worker_0(),", "self.worker_0()(,"), crew.replace("self.worker_4(),", "self.worker_4() self.x(),"),
                   crew.replace("worker_9.tools = [", "worker_9.tools = [[", 1)):
        problem = _whole_file_problem(broken)
        assert problem is not None and _compile_problem(broken, "x/crew.py") == problem


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")  # an edit's "\\e" and the like
def test_crew_py_check_says_what_compile_says():
    """Any edit of a crew.py, anywhere (in a dropped block too): the crewai check and compile()
    of the whole file agree, message included."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentc.targets.crewai import _compile_problem

    crew = _many_workers()
    snippets = ["", "(", ")", "[", "]", '"', "'", '"""', "\\", "\n", " ", "\t", ":", ",", "x", "class", "def ",
                "global x\n", "nonlocal y\n", "__debug__", "\\\n", "é", "😀", "\r\n", "\x00", "@", "#", "return ",
                "yield", "await x", "\ud800", "\n    @agent\n", "        )\n", "self.worker_3(),"]

    @settings(max_examples=600, deadline=None, database=None, derandomize=True)
    @given(st.integers(0, len(crew)), st.integers(0, 4), st.sampled_from(snippets))
    def agree(at, cut, snippet):
        text = crew[:at] + snippet + crew[at + cut:]
        assert _compile_problem(text, "x/crew.py") == _whole_file_problem(text)

    agree()


@pytest.mark.parametrize(("goal", "body", "backstory"), [
    ("Finds {req", "\n\nuest} for {user_id} 🙂", ""),  # a marker begun in the goal, ended by the prompt
    ("Finds {req", "uest} x\r\n", ""), ("Finds", "{request}", ""), ("Finds {re", "\nquest}\n\n", ""),
    ("G", "", "{request}"), ("G {", "", "request} {a}"), ("G", "\n\n\n", ""), ("G", "ends {req", "uest}"),
    ("G", "é" * 40000 + "{x-1}\n{request}", ""),
])
def test_protect_braces_reads_prompts_as_the_joined_story(goal, body, backstory):
    """`_protect_braces` searches a worker's prompt in its agent's body instead of a joined copy
    of its role, goal, prompt and backstory; it finds what the joined text has, even across joins."""
    from dataclasses import replace
    from types import SimpleNamespace

    from agentc.compiler.span import Span
    from agentc.targets._shared.team import prompt_text
    from agentc.targets.crewai.plan import INPUT, PLACEHOLDER, CrewPlan, Member, _protect_braces, no_input

    agent = SimpleNamespace(body=body)
    worker = Member("w", "w", "Role", goal, backstory, None, prompt_of=agent)  # type: ignore[arg-type]
    manager = Member("m", "m", "Boss", "Lead {req", "uest} now\n", None)  # the joined text of a prompt-less member
    plan = CrewPlan("p", "P", "t", manager, [worker], "out", "desc", ())
    where = Span(file="x.md", line=1)
    diags = _protect_braces(plan, where)
    prompt = prompt_text(agent)  # type: ignore[arg-type]
    here = "{request}" in worker.role + goal + prompt + backstory
    story = (no_input(prompt) if here else prompt) + backstory
    names = {n for t in ("desc", "out", "Boss", "Lead {req", "uest} now\n", "Role", goal, story) for n in PLACEHOLDER.findall(t)}
    assert plan.literals == tuple(sorted(names - {INPUT}))
    assert [d.code for d in diags] == ["AGC606"]  # the manager's always
    plan.manager = replace(manager, goal="Lead")
    plan.workers = [worker]
    assert bool(_protect_braces(plan, where)) == here


@pytest.mark.parametrize("body", ["\n\nPlain prompt {x}.\n", "\n\nAsk for {request} here.\n", "{request}\n", "\n"])
def test_story_searches_its_prompt_only_when_the_crew_holds_a_request(body):
    """With no `{request}` anywhere in the crew, `_protect_braces` tells each member so and
    `story` takes its prompt as it is; with one anywhere, every prompt is spaced out as before."""
    from types import SimpleNamespace

    from agentc.compiler.span import Span
    from agentc.targets._shared.team import prompt_text
    from agentc.targets.crewai.plan import CrewPlan, Member, _protect_braces, no_input

    agent = SimpleNamespace(body=body)
    other = SimpleNamespace(body="\nIts own {request} too.\n" if "{request}" in body else "\nIts own.\n")
    workers = [Member("w", "w", "Role", "Goal", "tail\n", None, prompt_of=agent),  # type: ignore[arg-type]
               Member("v", "v", "Role 2", "Goal", "", None, prompt_of=other)]  # type: ignore[arg-type]
    plan = CrewPlan("p", "P", "t", Member("m", "m", "Boss", "Lead", "Route.\n", None), workers, "out", "desc", ())
    diags = _protect_braces(plan, Span(file="x.md", line=1))
    held = "{request}" in body
    assert bool(diags) == held
    assert [w.request_in_prompt for w in plan.workers] == [held, held]
    for w, a in zip(plan.workers, (agent, other), strict=True):
        assert w.story() == no_input(prompt_text(a)) + w.backstory  # type: ignore[arg-type]
    assert ("{ request }" in plan.workers[0].story()) == held
