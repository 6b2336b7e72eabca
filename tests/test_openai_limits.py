"""targets/openai/limits.py: the build's own check of an assistant body finds each kind of fault
(its fast paths skip work only where nothing can be wrong)."""

from __future__ import annotations

from agentc.targets.openai.limits import check_assistant


def _body(*names, **fn_extra):
    tools = [{"type": "function", "function": {"name": n, "description": "d", "parameters": {}, **fn_extra}} for n in names]
    return {"model": "gpt-4o", "name": "a", "instructions": "x", "metadata": {"agentc_id": "a"}, "tools": tools}


def test_a_good_body_has_no_problem():
    assert check_assistant(_body("delegate_to_a", "delegate_to_b"), sdk=False) == []


def test_each_fault_is_found():
    assert check_assistant({**_body("f"), "colour": "red"}, sdk=False) == [
        "key 'colour' is not an AssistantCreateParams field (the SDK would drop it silently)"]
    assert check_assistant(_body("f", "g", extra=1), sdk=False) == [
        "tools[0].function: unknown key 'extra'", "tools[1].function: unknown key 'extra'"]
    assert check_assistant(_body("f", "g", "f", "h", "g"), sdk=False) == ["function names used twice: f, g"]
    assert check_assistant(_body("f", "bad name"), sdk=False)[0].startswith("tools[1]: function name 'bad name' must match")


def test_names_that_are_no_strings_are_counted_too():
    problems = check_assistant(_body(["x"], ["x"], 1, "1"), sdk=False)
    assert "function names used twice: ['x']" in problems
    assert sum(p.startswith("tools[") for p in problems) == 3  # all but "1" are no valid name
