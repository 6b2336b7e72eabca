"""BuildOptions takes plain values as they are and sends the rest to pydantic: both ways must
give the same options, and the values pydantic refuses must still be refused."""

from __future__ import annotations

import pytest

from agentc.compiler import options
from agentc.compiler.options import BuildOptions

# (field, value) as a config file or the API gives them: each must come out as pydantic makes it.
TAKEN = [
    ("targets", ["claude", "crewai"]), ("sources", ("a", "b")), ("ignore", []),
    ("per_file_ignores", {"a.md": ["AGC301"], "b/*.md": []}), ("per_file_ignores", {"a.md": ("AGC1",)}),
    ("model_map", {"sonnet": {"langgraph": "x"}}), ("out_dirs", {"claude": "c"}),
    ("fallback_models", {"gpt": ["a", "b"]}), ("timeout_s", 30), ("timeout_s", 2.5), ("timeout_s", 1 << 53),
    ("svg_timeout_s", 3.0), ("max_rpm", None), ("max_rpm", 60), ("retries", 20), ("jobs", 0),
    ("timeout_s", float("inf")),
]
# Values pydantic coerces or refuses: they go to it, and come out as before.
OTHERS = [("timeout_s", True), ("timeout_s", "3"), ("timeout_s", (1 << 53) + 1), ("max_rpm", 0), ("retries", 21),
          ("per_file_ignores", {"a.md": "AGC301"}), ("per_file_ignores", {"a.md": [1]}), ("model_map", {"a": "b"}),
          ("out_dirs", {"claude": 1}), ("fallback_models", {"gpt": ("a",)}), ("timeout_s", float("nan")),
          ("timeout_s", 0), ("timeout_s", -1.0), ("targets", ["a", 1]), ("prices", {"m": [1, 2]})]


def _pydantic(name: str, value):
    try:
        return repr(options._validated({name: value})[name])
    except ValueError as exc:
        return type(exc).__name__


def _ours(name: str, value):
    try:
        return repr(getattr(BuildOptions(**{name: value}), name))
    except ValueError as exc:
        return type(exc).__name__


@pytest.mark.parametrize(("name", "value"), TAKEN + OTHERS, ids=lambda x: repr(x)[:40])
def test_options_come_out_as_pydantic_makes_them(name, value):
    assert _ours(name, value) == _pydantic(name, value)


@pytest.mark.parametrize(("name", "value"), TAKEN, ids=lambda x: repr(x)[:40])
def test_plain_values_need_no_pydantic(name, value, monkeypatch):
    monkeypatch.setattr(options, "_validated", lambda values: pytest.fail(f"pydantic asked for {values}"))
    BuildOptions(**{name: value})


def test_options_hold_their_own_tables():
    table = {"sonnet": {"langgraph": "x"}}
    made = BuildOptions(model_map=table)
    table["sonnet"]["langgraph"] = "y"
    assert made.model_map == {"sonnet": {"langgraph": "x"}}
    ignores = {"a.md": ("AGC301",)}
    made = BuildOptions(per_file_ignores=ignores)
    ignores["b.md"] = ()
    assert made.per_file_ignores == {"a.md": ("AGC301",)}
