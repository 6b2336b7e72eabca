"""The `claude-sdk` target against the real `claude-agent-sdk`: every AgentDefinition is built by
the SDK's own dataclass, the options carry every agent. No network, no CLI run (a session
would need both; constructing definitions and options needs neither)."""

from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path

import pytest
from conftest import CASES, SHARED

from agentc import api
from agentc.compiler.options import BuildOptions

sdk = pytest.importorskip("claude_agent_sdk", reason="claude-agent-sdk is in the test extra: pip install -e '.[test]'")
CORPUS = SHARED / "corpus" / "myclaude"


def load(sources: list[str], out: Path, **options) -> tuple[object, object]:
    """Build claude-sdk into `out`, import the package from there; (module, project)."""
    opts = BuildOptions(sources=tuple(sources), targets=("claude-sdk",), package="agentc_sdk_team", **options)
    result = api.build(opts)
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    for rel, text in result.files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    for name in [m for m in sys.modules if m == "agentc_sdk_team" or m.startswith("agentc_sdk_team.")]:
        del sys.modules[name]
    sys.path.insert(0, str(out / "claude-sdk"))
    try:
        return importlib.import_module("agentc_sdk_team"), result.project
    finally:
        sys.path.remove(str(out / "claude-sdk"))


def check(module, project) -> None:
    agents = module.AGENTS
    assert len(agents) == len(project.agents)
    names = [a.name for a in project.agents]
    for a in project.agents:
        key = a.name if names.count(a.name) == 1 else a.id
        d = agents[key]
        assert type(d) is sdk.AgentDefinition
        assert d.description == a.description
        assert d.prompt == a.body.strip("\n") + "\n"
        assert d.tools == (list(a.tools) if a.tools is not None else None)
        assert d.model == a.model
        assert d.maxTurns == a.max_turns
        # Every field the SDK declares is a field of the definition (nothing passed by a stale name).
        assert {f.name for f in dataclasses.fields(d)} >= {"description", "prompt", "tools", "model"}
    opts = module.options()
    assert isinstance(opts, sdk.ClaudeAgentOptions)
    assert opts.agents is agents and set(opts.agents) == set(agents)
    assert opts.system_prompt == agents[module.ENTRY].prompt
    assert module.options(max_turns=3).max_turns == 3  # overrides reach the SDK's options


@pytest.mark.parametrize("case", CASES)
def test_every_case_builds_real_agent_definitions(case, tmp_path):
    check(*load([f"agents/{case}"], tmp_path))


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared is not present on a fresh clone")
def test_corpus_builds_real_agent_definitions(tmp_path):
    module, project = load([str(CORPUS)], tmp_path)
    check(module, project)
    assert any(":" in key for key in module.AGENTS)  # plugin copies of one name keep plugin:name keys


def test_lead_gets_the_agent_tool_and_loss_report_names_what_is_dropped(tmp_path):
    src = tmp_path / "agents"
    src.mkdir()
    (src / "lead.md").write_text("---\nname: lead\ndescription: Leads.\ntools: Read\ncolor: blue\nhooks: {}\n"
                                 "effort: huge\n---\nDelegate to the `helper` agent for help.\n", encoding="utf-8")
    (src / "helper.md").write_text("---\nname: helper\ndescription: Helps.\nmemory: project\n---\nHelp.\n", encoding="utf-8")
    module, _ = load([str(src)], tmp_path / "out")
    assert module.options().tools == ["Read", "Agent"]
    assert module.AGENTS["helper"].memory == "project"
    loss = [d for d in api.build(BuildOptions(sources=(str(src),), targets=("claude-sdk",))).diagnostics if d.code == "AGC420"]
    assert len(loss) == 1 and "color 'blue'" in loss[0].message and "hooks" in loss[0].message
    assert "effort 'huge'" in loss[0].message and loss[0].severity == "info"


def test_modules_are_black_clean_without_black(tmp_path):
    """Speed (issue 12): agents.py is written in black's style by construction, so a build runs
    no formatter; long descriptions, quotes of both kinds and long tool lists included."""
    black = pytest.importorskip("black")
    from agentc.targets._shared.pyformat import _black, black_str

    mode = _black()[1]
    for text in ["plain", "it's", 'say "hi"', "both ' and \"", "two '' one \"", "one ' two \"\"", "back\\slash 'q'",
                 "\\'", "tab\tnew\nline", "é \u2028 \x00", ""]:
        assert black.format_str(f"x = {repr(text)}\n", mode=mode) == f"x = {black_str(text)}\n", text
        assert eval(black_str(text)) == text
    tricky = tmp_path / "agents"
    tricky.mkdir()
    long = "x" * 120
    (tricky / "lead.md").write_text(f"---\nname: lead\ndescription: 'Leads. It''s \"quoted\" {long}'\n"
                                    "tools: Read, Write, Edit, Grep, Glob, Bash, WebFetch, WebSearch, NotebookEdit, TodoWrite\n"
                                    "---\nYou lead. Delegate to the helper.\n", encoding="utf-8")
    (tricky / "helper.md").write_text("---\nname: helper\ndescription: Helps with \"things\" that aren't hard\n---\nYou help.\n",
                                      encoding="utf-8")
    for sources in (["agents/seed-team"], [str(tricky)], *[[f"agents/{c}"] for c in CASES]):
        result = api.build(BuildOptions(sources=tuple(sources), targets=("claude-sdk",)))
        modules = {p: t for p, t in result.files.items() if p.endswith(".py")}
        assert modules
        for path, text in modules.items():
            assert black.format_str(text, mode=mode) == text, path
