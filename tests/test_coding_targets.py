"""The coding-tool targets (codex, gemini, copilot, claude-sdk): every file re-parses, passes its
documented schema (with the real `jsonschema`), carries the IR's values, and the loss reports
are snapshot-tested. The tools' own validators run in tests/test_tool_validators.py."""

from __future__ import annotations

import tomllib

import jsonschema
import pytest
import yaml
from conftest import CASES, SHARED

from agentc import api
from agentc.compiler.diagnostics import format_text
from agentc.compiler.options import BuildOptions
from agentc.targets.codex import DEFAULT_MODELS as CODEX_MODELS
from agentc.targets.codex import SCHEMA as CODEX_SCHEMA
from agentc.targets.copilot import SCHEMA as COPILOT_SCHEMA
from agentc.targets.gemini import SCHEMA as GEMINI_SCHEMA
from agentc.targets.gemini import TOOLS as GEMINI_TOOLS

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


def test_codex_literal_check_refuses_exactly_what_toml_refuses():
    """TOML 1.0: a multi-line literal string takes any character but the control characters
    other than tab and newline (U+0000-U+0008, U+000B-U+001F, U+007F). The codex writer and its
    reader (`load`) test prompts with `literal_unsafe`; its control test is per character (no control
    byte occurs inside a longer UTF-8 sequence), so agreeing on every code point is agreeing on
    every text (its search for three quotes: tests/test_chars.py)."""
    from agentc.targets._shared.chars import literal_unsafe

    illegal = {*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F}
    assert all(literal_unsafe(chr(c)) == (c in illegal) for c in range(0x110000))


def test_codex_load_reads_exactly_what_tomllib_reads():
    """codex.load skips tomllib's walk through a literal prompt: for any file, written by dump or
    broken on purpose, it gives tomllib's table or raises where tomllib raises."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentc.targets.codex import dump, load

    def tomllib_result(text):
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return "error"

    def our_result(text):
        try:
            return load(text)
        except tomllib.TOMLDecodeError:
            return "error"

    pieces = ["a", " ", "'", "'''", '"', "\\", "\n", "\t", "\r", "\r\n", "\x00", "\x1f", "\x7f", "\x85", "é", "[", "=", "#"]
    awkward = st.lists(st.sampled_from(pieces), max_size=12).map("".join)
    heads = st.dictionaries(st.sampled_from(["name", "description", "model", "developer_instructions"]), awkward, max_size=3)
    edits = st.sampled_from(["", "cut", "dup", "table", "tail", "array"])

    @settings(max_examples=1000, deadline=None)
    @given(heads, awkward, edits, st.integers(min_value=0, max_value=200), st.booleans())
    def same(head, prompt, edit, at, raw):
        table = {**{k: v for k, v in head.items() if k != "developer_instructions"}, "developer_instructions": prompt}
        # raw: the prompt as a literal string whatever it holds (what a broken writer would do)
        text = dump(table) if not raw else dump({**table, "developer_instructions": "x"})[:-5] + prompt + "\'\'\'\n"
        text = {"": text, "cut": text[:at] + text[at + 1:], "dup": 'developer_instructions = "x"\n' + text,
                "table": "[t]\n" + text, "tail": text + "'\n", "array": 'a = [\n' + text}[edit]
        assert our_result(text) == tomllib_result(text)

    same()
    assert load("developer_instructions = '''\n'''\n") == {"developer_instructions": ""}
    assert our_result('name = "x"\nname = "x"\ndeveloper_instructions = \'\'\'\nhi\n\'\'\'\n') == "error"  # a key twice
    assert our_result("name = \"x\"\ndeveloper_instructions = '''\n") == "error"  # unterminated, not ""


def test_codex_plain_head_is_what_tomli_w_writes():
    """codex writes and reads a head of plain strings itself: the bytes tomli-w writes, and
    what tomllib reads back, for every table it takes (and it declines any other)."""
    import tomli_w
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentc.targets.codex import _plain_head, _read_head

    pieces = ["a", " ", "'", '"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "\x85", "é", "→", "=", " = \"", "#", "[", ""]
    text = st.lists(st.sampled_from(pieces), max_size=8).map("".join)
    keys = st.one_of(st.sampled_from(["name", "model", "sandbox_mode", "a-b_1"]), text)
    values = st.one_of(text, st.integers(), st.booleans())

    @settings(max_examples=1000, deadline=None)
    @given(st.dictionaries(keys, values, max_size=4))
    def same(head):
        written = _plain_head(head)
        if written is not None:
            assert written == tomli_w.dumps(head) and tomllib.loads(written) == head
            assert _read_head(written) == (tomllib.loads(written) if written else None)  # no head: tomllib's to read
        elif all(type(v) is str for v in head.values()) and head:
            assert any(not k or set(k) - set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
                       or set(v) & {'"', "\\", "\x7f", *map(chr, range(9)), *map(chr, range(10, 32))} for k, v in head.items())

    same()


# ---- gemini --------------------------------------------------------------------------------

def split(text: str) -> tuple[dict, str]:
    """Frontmatter and body the way Gemini CLI and Copilot split them: YAML between the first two `---` lines."""
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data, body


@pytest.mark.parametrize("source", SOURCES + [LOSSY])
def test_gemini_files_match_gemini_clis_schema_and_keep_the_prompt(source):
    from agentc.targets.gemini import slug

    result, files = build(source, "gemini")
    agents = {slug(n): a for n, a in by_file_name(result.project, None).items()}
    assert len(files) == len(result.project.agents) == len(agents)
    for path, text in files.items():
        data, body = split(text)
        jsonschema.validate(data, GEMINI_SCHEMA)
        a = agents[data["name"]]
        assert path == f".gemini/agents/{data['name']}.md" and data["kind"] == "local" and "color" not in data
        assert body == a.body and data["description"] == (a.description or a.name)
        if a.tools is None:
            assert "tools" not in data
        else:
            expected = list(dict.fromkeys(GEMINI_TOOLS[t] for t in a.tools if t in GEMINI_TOOLS))
            delegates = any(e.target_id for e in result.project.edges_from(a.id))
            assert data["tools"] == expected + (["invoke_agent"] if delegates and "invoke_agent" not in expected else [])


def test_gemini_maps_tools_models_and_slugs_names():
    _, files = build(LOSSY, "gemini")
    lead = split(files[".gemini/agents/lead.md"])[0]
    assert lead == {"kind": "local", "name": "lead", "description": "Leads the team: plans the work and hands parts to the specialists.",
                    "tools": ["read_file", "grep_search", "glob", "invoke_agent", "google_web_search", "write_todos"],
                    "model": "gemini-2.5-pro"}
    builder = split(files[".gemini/agents/builder.md"])[0]
    assert builder["mcp_servers"] == {"github": {"command": "gh-mcp"}} and "invoke_agent" in builder["tools"]
    assert builder["model"] == "gemini-2.5-flash"  # claude-sonnet-4-5 takes the sonnet mapping (AGC706)


# ---- copilot -------------------------------------------------------------------------------

@pytest.mark.parametrize("source", SOURCES + [LOSSY])
def test_copilot_agents_and_handoffs_equal_the_irs_resolved_edges(source):
    result, files = build(source, "copilot")
    project = result.project
    names = by_file_name(project, None)
    out_name = {a.id: n for n, a in names.items()}
    assert len(files) == len(project.agents)
    for path, text in files.items():
        data, body = split(text)
        jsonschema.validate(data, COPILOT_SCHEMA)
        a = names[data["name"]]
        assert path == f".github/agents/{data['name']}.agent.md" and body == a.body
        edges = [e for e in project.edges if e.source == a.id and e.target_id]
        targets = list(dict.fromkeys(e.target_id for e in edges))
        assert data.get("agents", []) == [out_name[t] for t in targets]
        expected = []
        for t in targets:
            conditions = list(dict.fromkeys(e.condition for e in edges if e.target_id == t and e.condition))
            prompt = "; ".join(conditions) or f"Hand the task to {project.agent(t).name}."
            expected.append({"label": f"Hand off to {out_name[t]}", "agent": out_name[t], "prompt": prompt, "send": False})
        assert data.get("handoffs", []) == expected
        if targets and "tools" in data:
            assert "agent" in data["tools"]


def test_copilot_check_catches_a_handoff_to_a_missing_agent():
    from agentc.targets.copilot import validate

    bad = {".github/agents/a.agent.md": "---\nname: a\ndescription: d\nagents: [ghost]\ntools: [read]\n---\nbody\n"}
    messages = [d.message for d in validate(bad)]
    assert any("'ghost' is not an agent" in m for m in messages) and any("agent tool" in m for m in messages)


def test_frontmatter_data_reads_a_file_in_pieces_as_its_text():
    """copilot and gemini write a file as two pieces (frontmatter_utf8); the checks read the
    first piece only: the same data, or the same failure, as the whole text, wherever it is cut."""
    from agentc.targets import Chunks
    from agentc.targets._shared.coding import frontmatter_data, read_frontmatter

    def result(content):
        try:
            return frontmatter_data(content)
        except Exception as exc:  # noqa: BLE001 - the failure is compared, whatever it is
            return type(exc).__name__

    def whole(text):
        try:
            return read_frontmatter(text)[0]
        except Exception as exc:  # noqa: BLE001
            return type(exc).__name__

    for text in ["---\nname: a\n---\nbody\n---\nx: 1\n---\n", "---\nname: a\n", "name: a\n---\n", "---\n- a\n---\n",
                 "---\nname: a\ndescription: é → d\n---\n", "---\n---\n---\n"]:
        data = text.encode("utf-8")
        for cut in range(len(data) + 1):
            assert result(Chunks((data[:cut], data[cut:]))) == whole(text), (text, cut)


# ---- loss reports ---------------------------------------------------------------------------

LOSS = {"claude-sdk": "AGC420", "codex": "AGC430", "gemini": "AGC440", "copilot": "AGC450"}


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


def test_link_hands_the_nesting_report_the_graph_it_walked(tmp_path):
    from dataclasses import replace

    from agentc.compiler import graph
    from agentc.compiler.nesting import nesting_report

    for a, b in (("ping", "pong"), ("pong", "ping"), ("lead", "ping")):
        (tmp_path / f"{a}.md").write_text(f"---\nname: {a}\ndescription: Loop.\n---\nDelegate to the `{b}` agent.\n",
                                          encoding="utf-8")
    project = api.load_project((str(tmp_path),))
    shape = graph.shape_of(project)
    assert shape is graph.shape_of(project)  # link's own, made once
    again = replace(project)  # another project of the same agents and edges: its shape made afresh
    assert graph.shape_of(again) is not shape and graph.shape_of(again) == shape
    assert shape[0] == {"lead": ["ping"], "ping": ["pong"], "pong": ["ping"]}
    assert nesting_report(project, 1, "claude") == nesting_report(again, 1, "claude") != []


def test_targets_list_their_capability_flags():
    from agentc.targets import TARGETS

    assert "nesting:5" in TARGETS["claude"].capabilities and "nesting:5" in TARGETS["claude-sdk"].capabilities
    assert "tools:sandbox-mode" in TARGETS["codex"].capabilities
    assert "delegation:static" in TARGETS["copilot"].capabilities and "tools:gemini" in TARGETS["gemini"].capabilities


def test_the_acceptance_build_is_byte_identical_across_runs_and_hash_seeds(tmp_path):
    import os
    import subprocess
    import sys

    source = str(CORPUS) if CORPUS.exists() else "agents/seed-team"
    outs = []
    for i, seed in enumerate(("0", "1")):  # two fresh runs, under two hash seeds
        out = tmp_path / f"OUT{i}"
        cmd = [sys.executable, "-m", "agentc", "build", source, "--no-cache", "--out", str(out),
               *[x for t in ("claude-sdk", "codex", "gemini", "copilot") for x in ("--target", t)]]
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr[-3000:]
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1]
    assert {p.split("/")[0] for p in outs[0] if "/" in p} >= {"claude-sdk", "codex", "gemini", "copilot"}


def test_a_big_loop_group_is_one_report_not_one_per_agent(tmp_path):
    ring = [f"hop-{i:02d}" for i in range(20)]
    for here, nxt in zip(ring, ring[1:] + ring[:1], strict=True):
        (tmp_path / f"{here}.md").write_text(f"---\nname: {here}\ndescription: Hop.\n---\nDelegate to the `{nxt}` agent.\n",
                                             encoding="utf-8")
    result = api.build(BuildOptions(sources=(str(tmp_path),), targets=("claude",)))
    loops = [d for d in result.diagnostics if d.code == "AGC308"]
    assert len(loops) == 1
    assert loops[0].message.startswith("'hop-00' and 19 more agents can reach themselves through each other: hop-00 -> hop-01")


ASCII_HOSTILE = ["", " lead", "trail ", "yes", "No", "null", "~", "1.0", "0x1F", "1e3", "---", "...", "- x", "a: b",
                 "x #y", "#c", "'q'", '"dq"', "@x", "`x`", "%x", "[x", "{x}", "*x", "&x", "!x", "|", ">", "?", ":x",
                 "a\\nb", "back\\\\slash", "2026-12-03", "=", "<example>", "x" * 300, "a, b, c", "!!str"]


@pytest.mark.skipif(getattr(yaml, "CSafeDumper", None) is None, reason="no libyaml")
def test_frontmatter_libyaml_path_matches_pyyaml():
    """`yaml_keys` uses libyaml only on printable ASCII, where it must write PyYAML's bytes."""
    from agentc.targets._shared.coding import yaml_keys

    for s in ASCII_HOSTILE:
        data = {"name": s, "description": s, "tools": [s, "Read"], "handoffs": [{"label": s, "agent": s, "send": False}],
                "n": 3, "none": None}
        expected = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100000)
        assert yaml_keys(data) == expected, s
