"""An OpenAI Agents SDK team compiled by agentc. Do not edit: rebuild with `agentc build`.

This module is the same for every team; what varies is data: `team.json` (agents, delegation
edges, settings) and the prompt files in `prompts/`. Nothing here needs an API key until a run:
models are injected (`build_agents(model=..., models={...})`) or come from a model factory
named by the AGENTC_MODEL_FACTORY environment variable (or `model_factory` in the build).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from agents import (
    Agent,
    GuardrailFunctionOutput,
    Handoff,
    Model,
    ModelSettings,
    MultiProvider,
    RunContextWrapper,
    RunHooks,
    Tool,
    handoff,
    output_guardrail,
)
from agents.agent_tool_input import StructuredToolInputBuilderOptions
from agents.extensions import handoff_filters
from agents.items import ModelResponse
from agents.retry import ModelRetrySettings, retry_policies
from agents.tool_context import ToolContext
from pydantic import BaseModel, Field

PACKAGE = "database_designer_team"
FACTORY_ENV = "AGENTC_MODEL_FACTORY"
# HTTP statuses worth another attempt: timeouts, conflicts, rate limits, server errors.
TRANSIENT_STATUSES = (408, 409, 429, 500, 502, 503, 504)
ModelChoice = str | Model | None
Factory = Callable[[str, str | None], ModelChoice]
log = logging.getLogger(PACKAGE)


class TeamError(ValueError):
    """A problem with how the team is built or called, with a one-line message."""


@cache
def spec() -> dict[str, Any]:
    """The team as data: what agentc compiled from the agent files."""
    text = resources.files(PACKAGE).joinpath("team.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _prompt(file: str) -> str:
    return resources.files(PACKAGE).joinpath("prompts", file).read_text(encoding="utf-8")


ENTRY: str = spec()["entry"]
# Agent key -> OpenAI model id from agentc's model map; None leaves it to the SDK's default.
MODELS: dict[str, str | None] = {a["key"]: a["model"] for a in spec()["agents"]}
SETTINGS: dict[str, Any] = spec()["settings"]
CHECKLIST: list[str] = spec()["checklist"]
# Model ids tried in order after an agent's own mapped model fails (fallback_models).
FALLBACKS: list[str] = SETTINGS["fallback_models"]


@dataclass
class TeamContext:
    """Per-run state shared with every nested delegate run: usage, events, the guardrail mode."""

    guardrail: str = "enforce"
    usage: dict[str, dict[str, int]] = field(default_factory=dict)
    events: Callable[[dict[str, Any]], None] | None = None
    _started: dict[int, float] = field(default_factory=dict)

    def emit(self, event: dict[str, Any]) -> None:
        if self.events is not None:
            self.events(event)


class TeamHooks(RunHooks[Any]):
    """Usage per agent and one log record per model call and per delegation.

    Stateless: everything is kept in the run's TeamContext, so one instance serves every run.
    """

    async def on_llm_start(
        self,
        context: RunContextWrapper[Any],
        agent: Agent[Any],
        system_prompt: Any,
        input_items: Any,
    ) -> None:
        if isinstance(context.context, TeamContext):
            context.context._started[id(agent)] = time.monotonic()

    async def on_llm_end(
        self, context: RunContextWrapper[Any], agent: Agent[Any], response: ModelResponse
    ) -> None:
        ctx = context.context
        if not isinstance(ctx, TeamContext):
            return
        used = response.usage
        seen = ctx.usage.setdefault(agent.name, dict.fromkeys(USAGE_FIELDS, 0))
        for name in USAGE_FIELDS:
            seen[name] += int(getattr(used, name) or 0)
        started = ctx._started.pop(id(agent), time.monotonic())
        log.info(
            "model call",
            extra={
                "agent": agent.name,
                "duration_s": round(time.monotonic() - started, 3),
                "input_tokens": used.input_tokens,
                "output_tokens": used.output_tokens,
                "outcome": "ok",
            },
        )

    async def on_tool_start(
        self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Tool
    ) -> None:
        target = DELEGATE_TOOLS.get(tool.name)
        if target is not None and isinstance(context.context, TeamContext):
            context.context.emit({"event": "delegation", "from": agent.name, "to": target})
            log.info("delegation", extra={"agent": agent.name, "target": target})

    async def on_handoff(
        self, context: RunContextWrapper[Any], from_agent: Agent[Any], to_agent: Agent[Any]
    ) -> None:
        if isinstance(context.context, TeamContext):
            context.context.emit(
                {"event": "delegation", "from": from_agent.name, "to": to_agent.name}
            )
        log.info("handoff", extra={"agent": from_agent.name, "target": to_agent.name})


USAGE_FIELDS = ("requests", "input_tokens", "output_tokens", "total_tokens")
HOOKS = TeamHooks()
# Delegation tool name -> the delegate's name, for events and logs.
DELEGATE_TOOLS: dict[str, str] = {}


class Brief(BaseModel):
    """What a caller hands a delegate: the delegate sees this and nothing else."""

    task: str = Field(description="The task, self-contained: the delegate sees nothing else.")
    context: str = Field(description="Facts from the conversation the delegate needs, or ''.")


# The caller's conversation while a delegate tool with delegate_context = "history" runs.
_HISTORY: ContextVar[tuple[Any, ...]] = ContextVar("agentc_history", default=())


def _brief_text(options: StructuredToolInputBuilderOptions) -> str | list[Any]:
    params = options.get("params") or {}
    task, context = str(params.get("task", "")), str(params.get("context", ""))
    brief = task + (f"\n\nContext from the caller:\n{context}" if context.strip() else "")
    history = _HISTORY.get()
    return [*history, {"role": "user", "content": brief}] if history else brief


def _messages(items: list[Any]) -> list[Any]:
    """The conversation's messages without the caller's tool calls and results."""
    return [i for i in items if isinstance(i, dict) and i.get("role") in ("user", "assistant")]


def _failure(delegate: str) -> Callable[[RunContextWrapper[Any], Exception], str]:
    """The tool result a caller gets when its delegate fails: a clear failure, not a crash."""

    def message(context: RunContextWrapper[Any], error: Exception) -> str:
        log.warning("delegation failed", extra={"target": delegate, "outcome": "error"})
        return f"FAILED: {delegate} could not answer ({describe(error)}). Continue without it."

    return message


def describe(error: BaseException) -> str:
    """One line for an error: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    return type(error).__name__ + (f": {text[0][:300]}" if text else "")


def missing_items(answer: str, items: list[str]) -> list[str]:
    """Checklist items that do not appear as checkbox lines (`- [x] item` / `- [ ] item: why`)."""
    boxes = [_words(line) for line in answer.splitlines() if _CHECKBOX.match(line)]
    return [item for item in items if not any(_words(item) in box for box in boxes)]


_CHECKBOX = re.compile(r"^\s*(?:[-*+]\s*)?\[[ xX]\]")


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@output_guardrail(name="completion_checklist")
async def completion_checklist(
    context: RunContextWrapper[Any], agent: Agent[Any], output: Any
) -> GuardrailFunctionOutput:
    """The entry agent's completion checklist, checked on its final answer."""
    missing = missing_items(str(output), CHECKLIST)
    mode = context.context.guardrail if isinstance(context.context, TeamContext) else "enforce"
    if missing and mode == "warn":
        log.warning("checklist items missing", extra={"agent": agent.name, "missing": missing})
    return GuardrailFunctionOutput(
        output_info={"missing": missing}, tripwire_triggered=bool(missing) and mode == "enforce"
    )


class FallbackModel(Model):
    """The agent's model id, then the fallback ids in order: the next is tried when a call to
    one fails. The runner's retries (ModelSettings.retry) wrap the whole chain. Model ids are
    resolved on first use by the SDK's provider, so building the team needs no API key."""

    def __init__(self, names: list[str | Model]) -> None:
        self.names = names
        self._models: list[Model] = []

    def models(self) -> list[Model]:
        if not self._models:
            provider = MultiProvider()
            self._models = [
                provider.get_model(name) if isinstance(name, str) else name for name in self.names
            ]
        return self._models

    async def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        *first, last = self.models()
        for name, model in zip(self.names, first, strict=False):
            try:
                return await model.get_response(*args, **kwargs)
            except Exception as error:
                log.warning(
                    "model failed; trying the next",
                    extra={"model": str(name), "outcome": describe(error)},
                )
        return await last.get_response(*args, **kwargs)

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        models = self.models()
        for n, model in enumerate(models):
            started = False
            try:
                async for event in model.stream_response(*args, **kwargs):
                    started = True
                    yield event
                return
            except Exception as error:
                if started or n == len(models) - 1:
                    raise
                log.warning("model failed; trying the next", extra={"outcome": describe(error)})


def load_factory(name: str | None = None) -> Factory | None:
    """The model factory `module:function`: the argument, else AGENTC_MODEL_FACTORY, else the
    build's `model_factory`."""
    name = name or os.environ.get(FACTORY_ENV) or SETTINGS.get("model_factory")
    if not name:
        return None
    module, _, attr = name.partition(":")
    if not module or not attr:
        raise TeamError(f"model factory '{name}' is not 'module:function'")
    try:
        found: Factory = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as error:
        raise TeamError(f"model factory '{name}' cannot be loaded: {describe(error)}") from None
    return found


def model_settings(
    retries: int | None = None, timeout_s: float | None = None, backoff_s: float = 0.5
) -> ModelSettings:
    """Retries with exponential backoff and jitter on transient errors, and a per-call timeout."""
    retries = SETTINGS["retries"] if retries is None else retries
    retry = ModelRetrySettings(
        max_retries=retries,
        backoff={"initial_delay": backoff_s, "max_delay": 30.0, "multiplier": 2.0, "jitter": True},
        policy=retry_policies.any(
            retry_policies.provider_suggested(),
            retry_policies.network_error(),
            retry_policies.http_status(TRANSIENT_STATUSES),
        ),
    )
    return ModelSettings(
        retry=retry if retries else None,
        timeout=SETTINGS["timeout_s"] if timeout_s is None else timeout_s,
    )


def build_agents(
    model: ModelChoice = None,
    models: Mapping[str, ModelChoice] | None = None,
    *,
    delegation: Literal["tools", "handoffs"] | None = None,
    context: Literal["brief", "history"] | None = None,
    settings: ModelSettings | None = None,
    factory: Factory | None = None,
) -> dict[str, Agent[Any]]:
    """Every agent of the team with its delegates, keyed by agent key (see MODELS).

    An agent's model is `models[key]`, else `model`, else what the model factory returns for
    (key, mapped id), else the mapped id. `delegation="tools"` (the default unless the build
    chose otherwise) gives each agent its delegates as tools: the delegate gets a brief (task
    and context; with `context="history"` after the caller's conversation) and its answer
    returns to the caller as the tool result. `"handoffs"` hands the
    conversation over for good; with `context="brief"` (the default unless the build chose
    "history") the caller's tool calls are stripped from the history the delegate sees.
    """
    chosen = dict(models or {})
    unknown = sorted(set(chosen) - set(MODELS))
    if unknown:
        raise TeamError(
            f"unknown agent key(s) in models=: {', '.join(unknown)}; "
            f"valid keys: {', '.join(MODELS)}"
        )
    mode = delegation or SETTINGS["delegation"]
    if mode not in ("tools", "handoffs"):
        raise TeamError(f"delegation must be 'tools' or 'handoffs', not {mode!r}")
    make = factory if factory is not None else load_factory()
    base = settings or model_settings()

    def pick(key: str) -> ModelChoice:
        if key in chosen:
            return chosen[key]
        if model is not None:
            return model
        if make is not None:
            made = make(key, MODELS[key])
            if made is not None:
                return made
        mapped = MODELS[key]
        if mapped is not None and FALLBACKS:
            return FallbackModel([mapped, *FALLBACKS])
        return mapped

    team: dict[str, Agent[Any]] = {}
    for a in spec()["agents"]:
        guarded = a["key"] == ENTRY and CHECKLIST and SETTINGS["guardrail"] != "off"
        instructions = _prompt(a["prompt"]) + (spec()["checklist_note"] if guarded else "")
        team[a["key"]] = Agent(
            name=a["name"],
            instructions=instructions,
            handoff_description=a["description"],
            model=pick(a["key"]),
            model_settings=base,
            output_guardrails=[completion_checklist] if guarded else [],
        )
    # Delegates are attached once every agent exists, because delegation graphs have cycles.
    for a in spec()["agents"]:
        caller = team[a["key"]]
        seen = context or SETTINGS["delegate_context"]
        if mode == "tools":
            caller.tools = [_as_tool(team[d["key"]], d, seen) for d in a["delegates"]]
        else:
            caller.handoffs = [_handoff(team[d["key"]], d, seen) for d in a["delegates"]]
    return team


def _as_tool(delegate: Agent[Any], edge: dict[str, Any], context: str) -> Tool:
    name = "delegate_to_" + edge["tool"]
    DELEGATE_TOOLS[name] = delegate.name
    tool = delegate.as_tool(
        tool_name=name,
        tool_description=edge["description"],
        parameters=Brief,
        input_builder=_brief_text,
        hooks=HOOKS,
        max_turns=SETTINGS["max_turns"],
        failure_error_function=_failure(delegate.name),
    )
    if context == "history":  # the delegate reads the caller's conversation, then the brief
        invoke = tool.on_invoke_tool

        async def with_history(ctx: ToolContext[Any], arguments: str) -> Any:
            token = _HISTORY.set(tuple(_messages(list(ctx.turn_input))))
            try:
                return await invoke(ctx, arguments)
            finally:
                _HISTORY.reset(token)

        tool.on_invoke_tool = with_history
    return tool


def _handoff(delegate: Agent[Any], edge: dict[str, Any], context: str) -> Handoff[Any, Any]:
    return handoff(
        delegate,
        tool_name_override="transfer_to_" + edge["tool"],
        tool_description_override=edge["description"],
        input_filter=handoff_filters.remove_all_tools if context == "brief" else None,
    )


def entry_agent(
    model: ModelChoice = None, models: Mapping[str, ModelChoice] | None = None, **options: Any
) -> Agent[Any]:
    """The agent a run starts with: `build_agents(...)[ENTRY]`."""
    return build_agents(model=model, models=models, **options)[ENTRY]
