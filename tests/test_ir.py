"""The IR: what agentc reads out of each style of agent file, checked against known answers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CASES, ROOT, SHARED
from syrupy.extensions.json import JSONSnapshotExtension

from agentc import api
from agentc.compiler import ir

SEED = SHARED / "seed" / "ai-engineer.md"


def agents_of(source: str) -> dict:
    project = api.load_project([source])
    return {a.name: a for a in project.agents}, project


@pytest.mark.parametrize("case", CASES)
def test_ir_snapshot(case, snapshot):
    project = api.load_project([f"agents/{case}"])
    data = ir.dump(project, exclude={"diagnostics": {"__all__": {"excerpt"}}})
    assert data == snapshot(extension_class=JSONSnapshotExtension)


@pytest.mark.skipif(not SEED.exists(), reason="../shared is not present on a fresh clone")
def test_seed_acceptance_via_cli():
    out = subprocess.run([sys.executable, "-m", "agentc", "ir", str(SEED), "--json"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    (agent,) = data["agents"]
    assert agent["name"] == "ai-engineer"
    targets = list(dict.fromkeys(d["target"] for d in agent["delegations"]))
    assert sorted(targets) == sorted([
        "ml-engineer", "neural-architecture-engineer", "data-scientist", "mlops-engineer", "backend-architect",
        "frontend-developer", "database-optimizer", "kubernetes-architect", "jax-pro", "prompt-engineer",
        "security-auditor", "data-engineer"])
    ml = [d for d in agent["delegations"] if d["target"] == "ml-engineer"]
    conditions = [d["condition"] for d in ml]
    assert "Training or fine-tuning neural networks" in conditions
    assert any("Model training and fine-tuning" in c and "Model serving infrastructure" in c for c in conditions)
    assert all(d["span"]["line"] > 0 and d["kind"] == "delegate" for d in agent["delegations"])
    assert {d["span"]["line"] for d in ml} == {64, 87}
    assert len(agent["checklists"]) == 7
    assert sum(len(c["items"]) for c in agent["checklists"]) == 36
    assert agent["checklists"][-1]["title"] == "Task Completion Checklist"
    assert all(item["text"] and item["checked"] is False for c in agent["checklists"] for item in c["items"])
    assert [e["title"] for e in agent["examples"]] == [
        "Production RAG System", "Multi-Agent Customer Service", "Cost-Optimized LLM Pipeline"]
    assert all(e["code"] and e["code"][0]["language"] == "python" and e["request"] for e in agent["examples"])
    assert len(agent["failure_modes"]) == 8
    assert all(f["prevention"] and f["recovery"] for f in agent["failure_modes"])
    assert agent["failure_modes"][0]["mode"] == "Rate Limiting"
    assert [g["title"] for g in agent["mission"]["goals"]] == [
        "Maximize reliability", "Optimize costs", "Ensure security", "Enable observability",
        "Scale appropriately", "Prioritize safety"]
    assert agent["metadata"]["version"] == "v2.0.0"
    assert len(agent["principles"]) == 8 and agent["output_format"]["steps"]
    assert agent["changelog"][0]["version"] == "v2.0.0" and agent["changelog"][0]["date"] == "2025-12-03"
    assert {"code", "severity", "file", "line", "col", "message"} <= set(data["diagnostics"][0])


def test_seed_team_lead():
    agents, project = agents_of("agents/seed-team")
    lead = agents["ai-engineer"]
    assert "fake-agent-in-fence" not in lead.delegate_targets  # text in code fences is not structure
    assert set(lead.delegate_targets) == {"ml-engineer", "data-scientist", "prompt-engineer", "data-engineer", "security-auditor"}
    assert {d.pattern for d in lead.delegations} >= {"D1 arrow", "D2 delegate block"}
    assert lead.mission and len(lead.mission.goals) == 5
    assert len(lead.checklists) == 4 and lead.failure_modes and len(lead.examples) == 2
    assert lead.examples[0].code and "{" in lead.examples[0].code[0].code
    assert lead.metadata == {"version": "v1.2.0", "maturity": "60% → 90%"}
    assert lead.tools == ("Read", "Write", "Edit", "Bash", "Grep", "Glob")
    assert any(i.checked for c in agents["prompt-engineer"].checklists for i in c.items)
    dangling = [e for e in project.edges if e.target_id is None]
    assert {e.target for e in dangling} == {"security-auditor"}
    codes = {d.code for d in project.diagnostics}
    assert {"AGC301", "AGC305"} <= codes


def test_purpose_style_workflow_position():
    agents, _ = agents_of("agents/purpose-style")
    kinds = {(d.target, d.kind) for d in agents["database-designer"].delegations}
    assert {("api-designer", "before"), ("performance-tuner", "after"), ("cloud-planner", "complements"),
            ("security-reviewer", "complements"), ("security-reviewer", "consult")} <= kinds
    assert any(e.kind == "interaction" for e in agents["database-designer"].examples)
    assert agents["database-designer"].mission is not None


def test_label_style_sections_and_collaboration():
    agents, _ = agents_of("agents/label-style")
    lead = agents["backend-builder"]
    assert {(d.target, d.kind) for d in lead.delegations} >= {
        ("frontend-builder", "collaborate"), ("test-runner", "collaborate"), ("release-manager", "collaborate"),
        ("docs-writer", "collaborate")}
    collab = next(d for d in lead.delegations if d.target == "frontend-builder")
    assert collab.condition  # the text after "on"
    assert any(s.kind == "label" for s in lead.sections)
    assert any(c.items and all(i.checked is None for i in c.items) for c in lead.checklists)  # plain-bullet checklist


def test_integration_style_with_bullets_and_lenient_yaml():
    agents, project = agents_of("agents/integration-style")
    assert {d.target for d in agents["tech-lead"].delegations} == {"architect", "qa-engineer", "devops-engineer"}
    assert "PROACTIVELY for:" in agents["architect"].description  # recovered by the lenient reader
    (warn,) = [d for d in project.diagnostics if d.code == "AGC101"]
    assert warn.file.endswith("architect.md") and warn.line == 3


def test_example_table_style():
    agents, _ = agents_of("agents/example-table-style")
    lead = agents["sim-lead"]
    patterns = {d.pattern for d in lead.delegations}
    assert {"D3 table", "D9 parallel table", "D7 use-the-agent"} <= patterns
    assert {d.target for d in lead.delegations if d.kind == "parallel"} == {"mesh-builder", "solver-tuner"}
    dialogues = [e for e in lead.examples if e.kind == "dialogue"]
    assert dialogues and all({"user", "assistant"} <= {t.role for t in e.turns} for e in dialogues)
    assert agents["sim-validator"].max_turns == 20 and agents["sim-validator"].effort == "high"
    assert lead.metadata.get("category") == "science"


def test_schema_is_json_schema():
    out = subprocess.run([sys.executable, "-m", "agentc", "schema"], capture_output=True, text=True, check=True)
    schema = json.loads(out.stdout)
    assert "AgentIR" in schema["$defs"] and "Delegation" in schema["$defs"]
    assert schema["properties"]["ir_version"]["default"]


def test_a_delegation_points_at_the_name_standing_alone_as_the_regex_would():
    """graph._whole_name_at replaces `(?<![\\w-])name(?![\\w-])`: same first match, any text."""
    import random
    import re

    from agentc.compiler.graph import _whole_name_at

    def regex(text: str, name: str) -> int:
        m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)
        return m.start() if m else -1

    cases = [("Delegate to **ml-engineer** now", "ml-engineer"), ("xml-engineer then ml-engineer", "ml-engineer"),
             ("ml-engineer-lead, ml-engineer_2", "ml-engineer"), ("café-bot or bot", "bot"), ("²bot bot", "bot"), ("", "x")]
    rng = random.Random(7)
    cases += [("".join(rng.choice("ab-_ 1é²٣.→") for _ in range(rng.randint(0, 12))),
               "".join(rng.choice("ab-_ 1é") for _ in range(rng.randint(1, 3)))) for _ in range(5000)]
    for text, name in cases:
        assert _whole_name_at(text, name) == regex(text, name), (text, name)


def test_edges_from_gives_each_agents_edges_in_order_wherever_they_stand():
    """One run per agent as link makes them, or scattered: the same index either way."""
    from agentc.compiler.ir import Edge, ProjectIR
    from agentc.compiler.span import Span

    edges = tuple(Edge(source=s, target=f"t{i}", target_id=None, condition="", kind="delegate", span=Span(file=f"{s}.md", line=i))
                  for i, s in enumerate("aabacbb"))
    project = ProjectIR(agents=(), edges=edges)
    for source in "abc":
        assert project.edges_from(source) == tuple(e for e in edges if e.source == source)
    assert [e.target for e in project.edges_from("a")] == ["t0", "t1", "t3"] and project.edges_from("z") == ()


def test_an_agent_holds_its_body_as_the_files_utf8_and_reads_it_as_text():
    """`AgentIR.body` from a file is held as its well-formed UTF-8 (ir.held_body) until it is first
    read, and reads as the same str everywhere: equality, repr, pickling, dataclasses.replace,
    pydantic's JSON."""
    import dataclasses
    import pickle

    from agentc.compiler.lower import lower
    from agentc.compiler.source import read_source

    data = "---\nname: a\ndescription: d\n---\n# A → b\n\nİıſ\u212a 😀 text\n".encode()
    agent, _ = lower(read_source("a.md", data))
    text = "# A → b\n\nİıſ\u212a 😀 text\n"
    assert (ir.held_body(agent), agent.body) == (text.encode(), text)
    assert ir.held_body(agent) is agent.body  # decoded once, then held as text
    agent, _ = lower(read_source("a.md", data))
    as_str = dataclasses.replace(agent, body=agent.body)
    assert ir.held_body(as_str) is as_str.body
    assert agent == as_str and repr(agent) == repr(as_str)
    assert pickle.loads(pickle.dumps(agent)) == agent
    assert ir.dump(agent) == ir.dump(as_str) and ir.dump(agent)["body"] == text
    assert type(vars(ir.AgentIR)["body"]) is ir._Body and "body" in ir.AgentIR.__dataclass_fields__
    with pytest.raises(dataclasses.FrozenInstanceError):
        agent.body = "x"
    assert ir._utf8_text_py(text.encode()) == text == ir._utf8_text(text.encode())


def test_a_body_that_is_not_well_formed_or_holds_u_fffd_is_held_as_text():
    """...and AGC002 still names a bad byte (an error: no agent)."""
    from agentc.compiler.lower import lower
    from agentc.compiler.source import read_source

    for body, codes in ((b"bad \xff byte\n", ["AGC002"]), ("a \ufffd\n".encode(), []), (b"a\r\nb\n", [])):
        src = read_source("a.md", b"---\nname: a\ndescription: d\n---\n" + body)
        assert src.body == body.decode("utf-8", "replace").replace("\r\n", "\n")
        agent, diags = lower(src)
        assert ("AGC002" in [d.code for d in diags]) == (agent is None) == bool(codes)
        assert agent is None or ir.held_body(agent) is src.body

def test_link_gives_edges_from_the_index_grouping_would_give():
    """graph.link hands ProjectIR the index of each agent's edges it made in runs: the index
    `edges_from` would group from the edges itself, for a build and for an incremental link."""
    from agentc.compiler import graph
    from agentc.compiler.ir import ProjectIR

    found, _ = api.discover([str(ROOT / "agents")])
    agents, _, _ = api.read_agents(found)
    project = graph.link(agents, [])
    grouped = ProjectIR._edges_by_source.func(project)
    assert grouped and project._edges_by_source == grouped and list(project._edges_by_source) == list(grouped)
    kept = {a.file: project.edges_from(a.id) for a in project.agents[1:]}  # all but the first linked from before
    again = graph.link(agents, [], kept)
    assert again.edges == project.edges and again._edges_by_source == ProjectIR._edges_by_source.func(again) == grouped
