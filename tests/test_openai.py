"""Targets `openai` (Assistants configs) and `openai-agents` (Agents SDK code), without the SDKs.

What runs the real openai / openai-agents packages is in test_openai_runtime.py.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CASES, ROOT

from agentc import api, writer
from agentc.compiler.options import BuildOptions
from agentc.targets._shared.openai import TOOL_NAME, tool_name, truncate_words
from agentc.targets.openai.limits import _limits

SEED = "agents/seed-team"
LONG_NAME = "very-long-" + "n" * 90  # 100 characters
SRC = "openai-agents/agentc_team/src/agentc_team"  # the package inside the generated project


def build(*sources: str, **options) -> api.Result:
    options.setdefault("targets", ("openai", "openai-agents"))
    return api.build(BuildOptions(sources=sources, **{"package": "agentc_team", **options}))


def assistants(result: api.Result) -> dict[str, dict]:
    return {p.removeprefix("openai/assistants/"): json.loads(t) for p, t in result.files.items()
            if p.startswith("openai/assistants/")}


def codes(result: api.Result) -> list[str]:
    return [d.code for d in result.diagnostics]


def write_agent(folder: Path, stem: str, frontmatter: str, body: str = "You help.\n") -> None:
    (folder / f"{stem}.md").write_text(f"---\n{frontmatter.strip()}\n---\n\n{body}", encoding="utf-8")


@pytest.fixture
def bad_team(tmp_path) -> Path:
    """One lead with a 2,000-character description and 30 metadata keys, delegating to an
    agent with a 100-character name; and an agent whose name has a space."""
    tmp_path = tmp_path / "team"
    tmp_path.mkdir()
    desc = " ".join(f"word{i}" for i in range(400))[:2000]
    meta = "\n".join(f"key{i:02d}: value {i}" for i in range(30))
    write_agent(tmp_path, "lead", f"name: lead\ndescription: {desc}\nmodel: claude-opus-4-5\n{meta}",
                f"You lead.\n\n## Delegation\n- Long work → Delegate to **{LONG_NAME}**\n")
    write_agent(tmp_path, "long", f"name: {LONG_NAME}\ndescription: Has a long name.")
    write_agent(tmp_path, "wrangler", "name: Data Wrangler\ndescription: Wrangles data.")
    return tmp_path


def test_seed_assistants_fit_every_documented_limit():
    result = build(SEED)
    assert result.ok, result.diagnostics
    bodies = assistants(result)
    assert sorted(bodies) == ["ai-engineer.json", "data-engineer.json", "data-scientist.json", "ml-engineer.json",
                              "prompt-engineer.json", "security-auditor.json"]
    for name, body in bodies.items():
        assert _limits(body) == [], name
    lead = bodies["ai-engineer.json"]
    assert lead["model"] == "gpt-5.4"  # sonnet through the default map
    assert lead["instructions"] == (ROOT / SEED / "ai-engineer.md").read_text().split("---\n", 2)[2].strip("\n") + "\n"
    assert lead["metadata"] == {"agentc_id": "ai-engineer", "maturity": "60% → 90%", "version": "v1.2.0"}
    tools = {t["function"]["name"]: t["function"] for t in lead["tools"]}
    assert list(tools) == ["delegate_to_ml_engineer", "delegate_to_data_scientist", "delegate_to_prompt_engineer",
                           "delegate_to_data_engineer", "delegate_to_security_auditor"]
    assert "GPU capacity planning" in tools["delegate_to_ml_engineer"]["description"]
    assert tools["delegate_to_ml_engineer"]["parameters"]["required"] == ["task", "context"]
    assert "AGC700" in codes(result)  # says which target is which
    dropped = [d.message for d in result.diagnostics if d.code == "AGC707"]
    assert len(dropped) == 2 and all("tools (5 agents)" in m for m in dropped)  # nothing dropped silently


def test_index_routes_every_function_call_to_an_assistant():
    result = build(SEED)
    index = json.loads(result.files["openai/index.json"])
    assert index["entry"] == "ai-engineer"
    entries = index["assistants"]
    for agent_id, entry in entries.items():
        body = json.loads(result.files["openai/" + entry["file"]])
        assert body["name"] == entry["name"] and body["model"] == entry["model"]
        assert sorted(entry["routes"]) == sorted(t["function"]["name"] for t in body.get("tools", []))
        assert all(target in entries for target in entry["routes"].values()), agent_id
    assert entries["ai-engineer"]["routes"]["delegate_to_ml_engineer"] == "ml-engineer"
    assert entries["security-auditor"]["stub"] is True


def test_bad_inputs_are_fitted_with_diagnostics(bad_team):
    result = build(str(bad_team), entry="lead")
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    bodies = assistants(result)
    lead = bodies["lead.json"]
    # 2,000 characters -> at most 512, cut after a whole word
    assert len(lead["description"]) <= 512 and lead["description"].endswith("…")
    assert lead["description"][:-1].split()[-1] in {f"word{i}" for i in range(400)}
    # 30 metadata keys -> 16 pairs, agentc_id included, the rest named in a warning
    assert len(lead["metadata"]) == 16 and lead["metadata"]["key00"] == "value 0"
    warning = next(d for d in result.diagnostics if d.code == "AGC703")
    assert "key29" in warning.message and warning.severity == "warning"
    # a full Claude id takes its family's mapping
    assert lead["model"] == "gpt-5.5" and "AGC706" in codes(result)
    # a 100-character name: the assistant keeps it, the tool name is cut to 64 and still unique
    assert bodies[f"{LONG_NAME}.json"]["name"] == LONG_NAME
    (tool,) = lead["tools"]
    assert TOOL_NAME.match(tool["function"]["name"]) and len(tool["function"]["name"]) == 64
    assert sum(d.code == "AGC704" for d in result.diagnostics) == 2  # one per target
    # a name with a space: a safe file name, the name itself kept
    assert bodies["Data-Wrangler.json"]["name"] == "Data Wrangler"
    for body in bodies.values():
        assert _limits(body) == []
    spaced = build(str(bad_team), entry="Data Wrangler", targets=("openai-agents",))
    spec = json.loads(spaced.files[f"{SRC}/team.json"])
    assert [a["name"] for a in spec["agents"]][0] == "Data Wrangler"
    assert f"{SRC}/prompts/data_wrangler.md" in spaced.files


def test_tool_names_are_valid_snake_case_and_unique():
    taken: set[str] = set()
    assert tool_name("delegate_to_", "Data Wrangler", taken) == ("delegate_to_data_wrangler", None)
    again, why = tool_name("delegate_to_", "data-wrangler", taken)
    assert again == "delegate_to_data_wrangler_2" and "already used" in why
    long, why = tool_name("transfer_to_", "x" * 200, taken)
    assert len(long) == 64 and TOOL_NAME.match(long) and "shortened" in why


def test_tools_written_from_their_texts_are_what_json_dumps_writes():
    """The assistants' tools are written once per build and spliced in (`_with_tools`): the
    same text as the whole body through json.dumps, hostile strings included."""
    from agentc.targets.openai import _function, _tool_text, _with_tools

    body = {"model": "gpt-5", "name": "a", "instructions": "x\n\"y\" \u2028 \\ é\n", "metadata": {"agentc_id": "a"}}
    tools = [_function("delegate_to_b", "b", "when\nb\t\"quoted\" \u2029 ü"), _function("delegate_to_c", "c", "")]
    expected = json.dumps({**body, "tools": tools}, indent=2, ensure_ascii=False) + "\n"
    assert _with_tools(body, [_tool_text(t) for t in tools]) == expected
    assert _with_tools(body, []) == json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def test_truncate_words_cuts_at_a_boundary():
    assert truncate_words("short", 10) == "short"
    cut = truncate_words("alpha beta gamma delta", 15)
    assert cut == "alpha beta…" and len(cut) <= 15


def test_a_prompt_over_the_instructions_limit_is_an_error(tmp_path):
    write_agent(tmp_path, "huge", "name: huge\ndescription: Too much to say.", "word " * 52_000)
    result = build(str(tmp_path), targets=("openai",))
    assert not result.ok and result.files == {}
    (err,) = [d for d in result.diagnostics if d.severity == "error"]
    assert err.code == "AGC702" and err.file.endswith("huge.md") and "256,000" in err.message


def test_validation_rejects_what_the_sdk_would_drop_silently():
    from agentc.targets.openai import validate

    body = {"model": "gpt-5.4", "name": "x", "instructions": "hi", "toolz": [],
            "tools": [{"type": "function", "function": {"name": "bad name!", "parameters": {}}}]}
    found = validate({"assistants/x.json": json.dumps(body), "index.json": json.dumps({"assistants": {}})})
    messages = [d.message for d in found]
    assert all(d.code == "AGC790" and d.severity == "error" for d in found)
    assert any("'toolz'" in m for m in messages)
    assert any("bad name!" in m for m in messages)


def test_json_that_does_not_load_is_reported_once():
    """validate loads the JSON itself (loads_itself, so the generic check skips it), index included."""
    from agentc.targets.openai import TARGET
    from agentc.validate import validate_files

    body = {"model": "gpt-5.4", "name": "x", "instructions": "hi"}
    files = {"assistants/x.json": json.dumps(body), "index.json": json.dumps({"assistants": {}})}
    assert validate_files("openai", files, TARGET.validate, TARGET.loads_itself) == []
    for path in files:
        found = validate_files("openai", {**files, path: files[path][:-1]}, TARGET.validate, TARGET.loads_itself)
        assert [(d.code, d.file) for d in found] == [("AGC790", f"openai/{path}")] and "not JSON" in found[0].message


@pytest.mark.parametrize("policy,code", [("drop", "AGC711"), ("error", "AGC712"), ("stub", "AGC710")])
def test_dangling_policy_applies_to_both_targets(policy, code):
    result = build(SEED, dangling=policy)
    found = [d for d in result.diagnostics if d.code == code]
    assert found and all(d.file.endswith("ai-engineer.md") for d in found)
    if policy == "error":
        assert not result.ok
        return
    team = result.files[f"{SRC}/team.json"]
    index = json.loads(result.files["openai/index.json"])
    stubbed = policy == "stub"
    assert ("security-auditor" in index["assistants"]) is stubbed
    assert ("openai/assistants/security-auditor.json" in result.files) is stubbed
    assert ('"tool": "security_auditor"' in team) is stubbed


def test_model_map_in_options_overrides_the_defaults():
    result = build(SEED, model_map={"openai": {"sonnet": "gpt-4.1", "inherit": "gpt-4.1-mini"},
                                    "openai-agents": {"haiku": "gpt-5-nano"}})
    bodies = assistants(result)
    assert bodies["ai-engineer.json"]["model"] == "gpt-4.1"
    assert bodies["data-scientist.json"]["model"] == "gpt-4.1-mini"  # model: inherit
    models = {a["key"]: a["model"] for a in json.loads(result.files[f"{SRC}/team.json"])["agents"]}
    assert models["ml-engineer"] == "gpt-5-nano" and models["data-scientist"] is None


@pytest.mark.parametrize("case", CASES)
def test_generated_python_is_black_clean_and_free_of_prompt_text(case):
    """No formatter runs while building: the modules are written in black's style (and are the
    same for every team but for the package name); black is the judge here."""
    from agentc.targets._shared.pyformat import format_python

    result = build(f"agents/{case}", targets=("openai-agents",))
    modules = {p: t for p, t in result.files.items() if p.endswith(".py")}
    assert {p.rsplit("/", 1)[1] for p in modules} == {"__init__.py", "__main__.py", "team.py", "run.py", "server.py",
                                                         "observe.py"}
    for path, text in modules.items():
        assert format_python(text) == text, path
        assert "You are" not in text  # prompts stay in prompts/*.md, the team in team.json
    long_name = build(f"agents/{case}", targets=("openai-agents",), package="p" * 90)
    for path, text in long_name.files.items():
        if path.endswith(".py"):
            assert format_python(text) == text, path  # a long package name goes through black


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed")
def test_generated_python_passes_ruff(tmp_path, bad_team):
    for i, source in enumerate([SEED, str(bad_team)]):
        result = build(source, targets=("openai-agents",), entry="lead" if i else None)
        assert result.ok
        writer.write(tmp_path / "out" / str(i), result.files, ["openai-agents"])
    # The project's own package is first-party for isort, as ruff infers from its src/ layout.
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E4,E7,E9,F,I,W,B,UP",
                           "--config", "lint.isort.known-first-party = ['agentc_team']", "out"],
                          capture_output=True, text=True, check=False, cwd=tmp_path)  # not at ROOT: agents/ is a folder there
    assert done.returncode == 0, done.stdout


def test_serve_false_leaves_the_app_out():
    files = build(SEED, targets=("openai-agents",), serve=False).files
    assert f"{SRC}/server.py" not in files and f"{SRC}/team.py" in files
    pyproject = files["openai-agents/agentc_team/pyproject.toml"]
    assert "serve = " not in pyproject and "fastapi" not in pyproject
    assert "uvicorn" not in files["openai-agents/agentc_team/README.md"]
    served = build(SEED, targets=("openai-agents",)).files
    assert 'serve = ["fastapi>=0.115,<1", "uvicorn>=0.30,<1"]' in served["openai-agents/agentc_team/pyproject.toml"]


def test_assistant_file_splices_the_instructions_as_utf8():
    """_assistant_file escapes long instructions as UTF-8 and splices them into the layout: the
    same bytes as the str way (utf8(_with_tools)), and the str way for what it does not take
    (short, control characters, a lone surrogate, another value that is the slot)."""
    from agentc.targets import pieces, utf8
    from agentc.targets.openai import _SLOT, _assistant_file, _tool_text, _with_tools

    tools = [_tool_text({"type": "function", "function": {"name": "transfer_to_b", "description": "é \"q\" 😀"}})]
    long = "x" * 2000
    texts = ["", "short", long + "é → 😀\n\t\"quoted\" \\ back\\slash\n", long + "\r\n", long + "\x00\x1f",
             "😀" * 5000, "\n" * 3000, "l" * 300_000, _SLOT, long + _SLOT]
    for text in texts:
        for extra in ({}, {"description": _SLOT}):
            body = {"model": "gpt-4o", "name": "a", **extra, "instructions": text, "metadata": {"k": "v"}}
            for t in ([], tools):
                assert pieces(_assistant_file(body, t)) == pieces(utf8(_with_tools(body, t))), repr(text[:20])
    body = {"model": "m", "instructions": long + "\ud800"}
    with pytest.raises(UnicodeEncodeError):  # as the str way: a lone surrogate is not UTF-8
        _assistant_file(body, [])
