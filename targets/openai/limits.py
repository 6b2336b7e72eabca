"""Checks of an Assistants API create body: the documented limits, and the SDK's own types.

The limits are written only in the docstrings of the openai package's TypedDicts, so agentc
checks them itself, always. When `openai` is installed, the body is also validated with
`AssistantCreateParams` and the tool union; two traps there (both verified): `tools` is an
`Iterable` that pydantic validates lazily, so it is checked as a list; and a TypedDict drops
unknown keys silently, so keys are compared against the declared ones.

A build checks the limits only (`sdk=False`): the SDK's types judge the shape of agentc's own
output, which no input changes, and importing `openai` and building its TypeAdapters costs
1.5 s per build. The tests run the SDK check on every body of every case.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from agentc.targets._shared.openai import TOOL_NAME

LIMITS = {
    "name": 256, "description": 512, "instructions": 256_000, "tools": 128,
    "metadata_pairs": 16, "metadata_key": 64, "metadata_value": 512,
}
# AssistantCreateParams' keys (openai 2.x and 3.x agree), for when the package is absent.
KNOWN_KEYS = frozenset({
    "model", "name", "description", "instructions", "metadata", "reasoning_effort", "response_format",
    "temperature", "tool_resources", "tools", "top_p",
})
FUNCTION_KEYS = frozenset({"name", "description", "parameters", "strict"})


@lru_cache(maxsize=1)
def _sdk() -> tuple[Any, Any, frozenset[str]] | None:
    """TypeAdapters for the body and its tools, or None when openai is not installed."""
    try:
        from openai.types.beta.assistant_create_params import AssistantCreateParams
        from openai.types.beta.assistant_tool_param import AssistantToolParam
        from pydantic import TypeAdapter
    except ImportError:
        return None
    keys = frozenset(AssistantCreateParams.__required_keys__ | AssistantCreateParams.__optional_keys__)
    return TypeAdapter(AssistantCreateParams), TypeAdapter(list[AssistantToolParam]), keys


def sdk_available() -> bool:
    return _sdk() is not None


def check_assistant(body: Any, *, sdk: bool = True) -> list[str]:
    """Every problem with `body` as an assistant create request; [] when it is valid.
    `sdk`: also validate with the openai package's types, when it is installed."""
    if not isinstance(body, dict):
        return ["an assistant config must be a JSON object"]
    problems = _limits(body)
    types = _sdk() if sdk else None
    if types is not None:
        params, tools, keys = types
        from pydantic import ValidationError

        problems += [f"key '{k}' is not an AssistantCreateParams field (the SDK would drop it silently)"
                     for k in sorted((set(body) & KNOWN_KEYS) - keys)]  # the rest is reported above
        for adapter, value, where in ((params, body, ""), (tools, body.get("tools", []), "tools.")):
            try:
                adapter.validate_python(value)
            except ValidationError as exc:
                problems += [f"openai SDK: {where}{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return problems


def _limits(body: dict[str, Any]) -> list[str]:
    out = [] if body.keys() <= KNOWN_KEYS else [
        f"key '{k}' is not an AssistantCreateParams field (the SDK would drop it silently)" for k in sorted(set(body) - KNOWN_KEYS)]
    if not isinstance(body.get("model"), str) or not body["model"]:
        out.append("'model' is required and must be a model id")
    for key in ("name", "description", "instructions"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            out.append(f"'{key}' must be a string")
        elif isinstance(value, str) and len(value) > LIMITS[key]:
            out.append(f"'{key}' has {len(value):,} characters; the limit is {LIMITS[key]:,}")
    out += _metadata(body.get("metadata"))
    out += _tools(body.get("tools", []))
    return out


def _metadata(meta: Any) -> list[str]:
    if meta is None:
        return []
    if not isinstance(meta, dict):
        return ["'metadata' must be an object of strings"]
    out = []
    if len(meta) > LIMITS["metadata_pairs"]:
        out.append(f"'metadata' has {len(meta)} pairs; the limit is {LIMITS['metadata_pairs']}")
    for key, value in meta.items():
        if len(key) > LIMITS["metadata_key"]:
            out.append(f"metadata key '{key[:20]}…' is longer than {LIMITS['metadata_key']} characters")
        if not isinstance(value, str) or len(value) > LIMITS["metadata_value"]:
            out.append(f"metadata['{key[:20]}'] must be a string of at most {LIMITS['metadata_value']} characters")
    return out


def _tools(tools: Any) -> list[str]:
    if not isinstance(tools, list):
        return ["'tools' must be a list"]
    out = []
    if len(tools) > LIMITS["tools"]:
        out.append(f"{len(tools)} tools; an assistant holds at most {LIMITS['tools']}")
    names = []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        fn = tool.get("function")
        if not isinstance(fn, dict):
            out.append(f"tools[{i}]: 'function' must be an object")
            continue
        if not fn.keys() <= FUNCTION_KEYS:
            out += [f"tools[{i}].function: unknown key '{k}'" for k in sorted(set(fn) - FUNCTION_KEYS)]
        name = fn.get("name")
        if not isinstance(name, str) or not TOOL_NAME.match(name):
            out.append(f"tools[{i}]: function name {name!r} must match {TOOL_NAME.pattern}")
        names.append(name)
    # Counted only when two names may be the same: the count is quadratic (15 tools per seed
    # assistant: half of `_tools`' time); a name that is no str may be unhashable.
    if len(set(map(str, names))) < len(names):
        dupes = sorted({str(n) for n in names if names.count(n) > 1})
        if dupes:
            out.append("function names used twice: " + ", ".join(dupes))
    return out
