"""The coding-tool targets (codex, gemini, copilot, claude-sdk): every file re-parses, passes its
documented schema (with the real `jsonschema`), carries the IR's values, and the loss reports
are snapshot-tested. The tools' own validators run in tests/test_tool_validators.py."""

from __future__ import annotations

import tomllib

import jsonschema
import pytest
from conftest import CASES, SHARED

from agentc import api
from agentc.compiler.diagnostics import format_text
from agentc.compiler.options import BuildOptions
from agentc.targets.codex import DEFAULT_MODELS as CODEX_MODELS
from agentc.targets.codex import SCHEMA as CODEX_SCHEMA

CORPUS = SHARED / "corpus" / "myclaude"
LOSSY = "tests/fixtures/lossy"
SOURCES = [f"agents/{c}" for c in CASES] + ([str(CORPUS)] if CORPUS.exists() else [])


def build(source: str, target: str, **options):
    result = api.build(BuildOptions(sources=(source,), targets=(target,), **options))
    assert result.ok, [format_text(d) for d in result.diagnostics if d.severity == "error"]
    prefix = f"{target}/"
    return result, {p[len(prefix):]: t for p, t in result.files.items() if p.startswith(prefix)}


def by_file_name(project, names_from):
    """Agent of each emitted name (plugin copies of one name are `<plugin>-<name>`)."""
    counts = {}
    for a in project.agents:
        counts[a.name] = counts.get(a.name, 0) + 1
    return {(f"{a.scope}-{a.name}" if counts[a.name] > 1 and a.scope else a.name): a for a in project.agents}


# ---- codex ---------------------------------------------------------------------------------

@pytest.mark.parametrize("source", SOURCES)
def test_codex_files_are_toml_in_the_documented_shape_with_the_irs_values(source):
    result, files = build(source, "codex")
    agents = by_file_name(result.project, None)
    assert len(files) == len(result.project.agents)
    for path, text in files.items():
        data = tomllib.loads(text)
        jsonschema.validate(data, CODEX_SCHEMA)
        a = agents[data["name"]]
        assert path == f".codex/agents/{data['name']}.toml"
        assert data["description"] == a.description
        assert data["developer_instructions"] == a.body.strip("\n") + "\n"
        assert data.get("model") == (CODEX_MODELS.get(a.model) if a.model in CODEX_MODELS else data.get("model"))
        if a.model in (None, "inherit"):
            assert "model" not in data
        assert data.get("model_reasoning_effort") == a.effort
        if a.tools is None:
            assert "sandbox_mode" not in data
        else:
            writes = {"Write", "Edit", "MultiEdit", "NotebookEdit", "Bash"} & set(a.tools)
            assert data["sandbox_mode"] == ("workspace-write" if writes else "read-only")


def test_codex_maps_models_effort_and_sandbox():
    _, files = build(LOSSY, "codex")
    lead = tomllib.loads(files[".codex/agents/lead.toml"])
    builder = tomllib.loads(files[".codex/agents/builder.toml"])
    reviewer = tomllib.loads(files[".codex/agents/reviewer.toml"])
    assert (lead["model"], lead["model_reasoning_effort"], lead["sandbox_mode"]) == ("gpt-6.2-astra", "high", "read-only")
    assert (builder["model"], builder["model_reasoning_effort"], builder["sandbox_mode"]) == ("gpt-6.2-sol", "xhigh", "workspace-write")
    assert reviewer["model"] == "gpt-6-luna" and "sandbox_mode" not in reviewer and "model_reasoning_effort" not in reviewer
    _, mapped = build(LOSSY, "codex", model_map={"codex": {"opus": "gpt-5.5"}})
    assert tomllib.loads(mapped[".codex/agents/lead.toml"])["model"] == "gpt-5.5"


def test_codex_check_catches_a_file_outside_the_documented_shape():
    from agentc.targets.codex import validate

    bad = {".codex/agents/x.toml": 'name = "x"\ndescription = "d"\ndeveloper_instructions = "  "\ncolor = "red"\n'}
    messages = [d.message for d in validate(bad)]
    assert any("developer_instructions" in m for m in messages) and any("color" in m for m in messages)


# ---- loss reports ---------------------------------------------------------------------------

LOSS = {"claude-sdk": "AGC420", "codex": "AGC430"}


@pytest.mark.parametrize("target", sorted(LOSS))
def test_loss_report_snapshot(target, snapshot):
    result, _ = build(LOSSY, target)
    report = [format_text(d) for d in result.diagnostics if d.code in (LOSS[target], "AGC307", "AGC308")]
    assert len([r for r in report if LOSS[target] in r]) == 3  # one per agent: each loses something
    assert "\n\n".join(report) == snapshot


# ---- nesting depth --------------------------------------------------------------------------

def test_nesting_reports_chains_past_the_limit_and_loops_with_the_chain(tmp_path):
    chain = [f"step-{i}" for i in range(7)]
    for here, nxt in zip(chain, chain[1:] + [None], strict=True):
        line = f"Delegate to the `{nxt}` agent for the next step.\n" if nxt else "Done.\n"
        (tmp_path / f"{here}.md").write_text(f"---\nname: {here}\ndescription: Step.\n---\n{line}", encoding="utf-8")
    for a, b in (("ping", "pong"), ("pong", "ping")):
        (tmp_path / f"{a}.md").write_text(f"---\nname: {a}\ndescription: Loop.\n---\nDelegate to the `{b}` agent.\n",
                                          encoding="utf-8")
    for target in ("claude", "claude-sdk"):
        result = api.build(BuildOptions(sources=(str(tmp_path),), targets=(target,)))
        deep = [d for d in result.diagnostics if d.code == "AGC307"]
        assert len(deep) == 1 and deep[0].severity == "warning"  # reported where the chain starts, once
        assert " -> ".join(chain) in deep[0].message and "'step-5' cannot be spawned at level 6" in deep[0].message
        assert deep[0].file.endswith("step-0.md") and deep[0].line == 5
        loops = sorted(d.message.split(":")[0] for d in result.diagnostics if d.code == "AGC308")
        assert loops == ["'ping' can reach itself", "'pong' can reach itself"]
        assert any("ping -> pong -> ping" in d.message for d in result.diagnostics if d.code == "AGC308")
    quiet = api.build(BuildOptions(sources=(str(tmp_path),), targets=("codex",)))
    assert not [d for d in quiet.diagnostics if d.code in ("AGC307", "AGC308")]  # codex declares no limit


def test_targets_list_their_capability_flags():
    from agentc.targets import TARGETS

    assert "nesting:5" in TARGETS["claude"].capabilities and "nesting:5" in TARGETS["claude-sdk"].capabilities
    assert "tools:sandbox-mode" in TARGETS["codex"].capabilities
