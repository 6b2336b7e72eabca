"""targets/_shared/coding.py's `schema_problems`, the build's own check of the coding targets'
files, against the real `jsonschema` on data made wrong in each way the schemas can tell."""

from __future__ import annotations

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.targets._shared.coding import schema_problems
from agentc.targets.codex import SCHEMA as CODEX
from agentc.targets.copilot import SCHEMA as COPILOT
from agentc.targets.gemini import SCHEMA as GEMINI

GOOD = {
    "copilot": (COPILOT, {"name": "a", "description": "d", "tools": ["read", "agent"], "model": "m", "agents": ["b"],
                          "handoffs": [{"label": "Hand off to b", "agent": "b", "prompt": "p", "send": False}]}),
    "codex": (CODEX, {"name": "a", "description": "d", "developer_instructions": "x\n", "sandbox_mode": "read-only"}),
    "gemini": (GEMINI, {"kind": "local", "name": "a", "description": "d", "model": "gemini-2.5-flash"}),
}
ODD_VALUES = st.sampled_from([None, True, 1, 1.5, "", " ", "read", "x\n", "İ", "😀", [], ["read"], [1], {}, {"a": 1},
                              [{"label": "", "agent": "b"}], [{"agent": "b", "extra": 1}]])


def _valid(data, schema) -> bool:
    return jsonschema.validators.validator_for(schema)(schema).is_valid(data)


def test_good_data_has_no_problem():
    for schema, data in GOOD.values():
        assert _valid(data, schema) and schema_problems(data, schema) == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(GOOD)), st.data())
def test_a_problem_is_found_exactly_when_jsonschema_finds_one(which, draw):
    schema, good = GOOD[which]
    data = dict(good)
    for _ in range(draw.draw(st.integers(1, 3))):
        key = draw.draw(st.sampled_from([*schema["properties"], "unknown", 1]))
        if draw.draw(st.booleans()) and key in data:
            del data[key]
        else:
            data[key] = draw.draw(ODD_VALUES)
    assert bool(schema_problems(data, schema)) == (not _valid(data, schema)), data


def test_messages_name_the_place():
    schema, good = GOOD["copilot"]
    bad = {**good, "name": "", "tools": ["read", "fly"], "handoffs": [{"agent": "b", "send": "no"}], 7: "x"}
    del bad["description"]
    assert schema_problems(bad, schema) == [
        "description: required", "name: must not be empty", "tools[1]: 'fly' is not one of agent, edit, execute, read, "
        "search, todo, web", "handoffs[0].label: required", "handoffs[0].send: expected boolean, got str",
        "7: not a documented key"]
    assert schema_problems(["a"], schema) == ["file: expected object, got list"]
    assert schema_problems({**GOOD["codex"][1], "developer_instructions": " \n"}, CODEX) == [
        "developer_instructions: ' \\n' does not match \\S"]
