"""Helpers of a crewAI crew compiled by agentc: the same for every crew. Do not edit.

What is specific to the crew is data in config/: agents.yaml, tasks.yaml and crew.json (models,
the completion checklist, literal `{name}`s, settings).
"""

# No `from __future__ import annotations` here: crewai checks a guardrail's return annotation at
# runtime, and a postponed (string) annotation fails that check.
import importlib
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from crewai import BaseLLM, Crew, TaskOutput

FACTORY_ENV = "AGENTC_MODEL_FACTORY"
TEAM: dict[str, Any] = json.loads(
    Path(__file__).with_name("config").joinpath("crew.json").read_text(encoding="utf-8")
)
# crewAI model id per agent key (the agent's name, or `plugin:name` when two agents share a
# name: the keys of every agentc target), from its `model` through agentc's crewai model map.
# None: crewai's default LLM (configured through its environment variables).
MODELS: dict[str, str | None] = TEAM["models"]
# The crew's method (and YAML) key of an agent -> its agent key.
KEYS: dict[str, str] = TEAM["keys"]
SETTINGS: dict[str, Any] = TEAM["settings"]
# The manager's completion checklist, enforced by completion_checklist().
CHECKLIST: list[str] = TEAM["checklist"]
# `{name}` texts in the prompts that are not crew inputs. Kickoff fills every `{name}` in the
# agents' texts and the task, and fails on a name it has no input for; mapping each of these
# to itself keeps the prompt text as written.
LITERAL_PLACEHOLDERS: list[str] = TEAM["literals"]
USAGE_FIELDS = ("successful_requests", "prompt_tokens", "completion_tokens", "total_tokens")
log = logging.getLogger(__name__.rsplit(".", 1)[0])
_CHECKBOX = re.compile(r"^\s*(?:[-*+]\s*)?\[[ xX]\]")


class CrewSetupError(ValueError):
    """A problem with how the crew is configured, with a one-line message."""


def describe(error: BaseException) -> str:
    """One line for an error: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    return type(error).__name__ + (f": {text[0][:300]}" if text else "")


def load_factory(name: str | None = None) -> Any:
    """The model factory `module:function` (else AGENTC_MODEL_FACTORY, else the build's), or None.

    It is called as `factory(agent_key, model_id)` and returns an LLM, a model id, or None.
    """
    name = name or os.environ.get(FACTORY_ENV) or SETTINGS.get("model_factory")
    if not name:
        return None
    module, _, attr = name.partition(":")
    if not module or not attr:
        raise CrewSetupError(f"model factory '{name}' is not 'module:function'")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as error:
        raise CrewSetupError(
            f"model factory '{name}' cannot be loaded: {describe(error)}"
        ) from None


def check_models(models: dict[str, Any] | None) -> dict[str, Any]:
    """`models=` as given, or CrewSetupError naming the unknown keys and the valid ones."""
    unknown = sorted(set(models or {}) - set(MODELS))
    if unknown:
        raise CrewSetupError(
            f"unknown agent key(s) in models=: {', '.join(unknown)}; "
            f"valid keys: {', '.join(MODELS)}"
        )
    return dict(models or {})


def model_for(
    method: str, injected: BaseLLM | None = None, models: dict[str, Any] | None = None
) -> BaseLLM | str | None:
    """The agent's LLM from `models=`, else the injected LLM, else what the factory returns
    for (agent key, model id), else the mapped model id."""
    key = KEYS[method]
    if models and key in models:
        chosen: BaseLLM | str = models[key]
        return chosen
    if injected is not None:
        return injected
    factory = load_factory()
    made = factory(key, MODELS[key]) if factory is not None else None
    return made if made is not None else MODELS[key]


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def missing_items(answer: str) -> list[str]:
    boxes = [_words(line) for line in answer.splitlines() if _CHECKBOX.match(line)]
    return [item for item in CHECKLIST if not any(_words(item) in box for box in boxes)]


def completion_checklist(output: TaskOutput) -> tuple[bool, Any]:
    """Function guardrail: the answer ends with every checklist item as a checkbox line.

    A miss names the missing items; crewai then runs the task again with that feedback. With
    guardrail = "warn" in crew.json a miss is only logged.
    """
    answer = output.raw or ""
    if not answer.strip():
        return False, "The answer is empty."
    missing = missing_items(answer)
    if missing and SETTINGS["guardrail"] == "warn":
        log.warning("completion checklist items missing: %s", "; ".join(missing))
    elif missing:
        return False, (
            "End the answer with the completion checklist, each item word for word as "
            "'- [x] item' or '- [ ] item: why not'. Missing: " + "; ".join(missing)
        )
    return True, answer


def keep_literal_braces(inputs: dict[str, Any] | None) -> dict[str, Any]:
    return {**(inputs or {}), **{name: "{" + name + "}" for name in LITERAL_PLACEHOLDERS}}


def crew_usage(crew: Crew) -> dict[str, Any]:
    """Token usage of a kickoff: per LLM object (per agent unless agents share one) and total.

    crewai's own crew.usage_metrics adds a shared LLM once per agent using it; this counts it once.
    """
    members = [crew.manager_agent, *crew.agents] if crew.manager_agent else list(crew.agents)
    groups: dict[int, tuple[Any, list[str]]] = {}
    for member in members:
        if member is not None and isinstance(member.llm, BaseLLM):
            groups.setdefault(id(member.llm), (member.llm, []))[1].append(member.role)
    agents: dict[str, dict[str, int]] = {}
    for llm, roles in groups.values():
        summary = llm.get_token_usage_summary()
        agents[" + ".join(roles)] = {name: int(getattr(summary, name)) for name in USAGE_FIELDS}
    total = {name: sum(used[name] for used in agents.values()) for name in USAGE_FIELDS}
    return {"total": total, "agents": agents}


def usage_lines(usage: dict[str, Any]) -> list[str]:
    total = usage["total"]
    lines = [
        f"usage: {total['successful_requests']} model calls, {total['prompt_tokens']} input + "
        f"{total['completion_tokens']} output = {total['total_tokens']} tokens"
    ]
    for agent, used in usage["agents"].items():
        lines.append(
            f"  {agent}: {used['successful_requests']} calls, {used['total_tokens']} tokens"
            f" ({used['prompt_tokens']} in, {used['completion_tokens']} out)"
        )
    return lines
