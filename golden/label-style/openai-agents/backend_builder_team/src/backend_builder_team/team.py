"""An OpenAI Agents SDK team compiled by agentc. Do not edit: rebuild with `agentc build`.

This module is the same for every team; what varies is data: `team.json` (agents, delegation
edges, settings) and the prompt files in `prompts/`. Nothing here needs an API key until a run:
models are injected (`build_agents(model=..., models={...})`) or come from a model factory
named by the AGENTC_MODEL_FACTORY environment variable (or `model_factory` in the build).
"""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import suppress
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
from agents.retry import (
    ModelRetryAdvice,
    ModelRetryAdviceRequest,
    ModelRetrySettings,
    retry_policies,
)
from agents.tool_context import ToolContext
from pydantic import BaseModel, Field

from backend_builder_team import (
    observe,
)

PACKAGE = "backend_builder_team"
FACTORY_ENV = "AGENTC_MODEL_FACTORY"
# HTTP statuses worth another attempt: timeouts, conflicts, rate limits, server errors.
TRANSIENT_STATUSES = (408, 409, 429, 500, 502, 503, 504)
ModelChoice = str | Model | None
Factory = Callable[[str, str | None], ModelChoice]


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

    def emit(self, event: dict[str, Any]) -> None:
        if self.events is not None:
            self.events(event)


class TeamHooks(RunHooks[Any]):
    """Usage per agent (the runner's usage of each model call, retries included), and the
    delegation events the CLI and the app show. The log records and spans come from TeamModel
    (model calls) and the delegation tools (see observe.py).

    Stateless: everything is kept in the run's TeamContext, so one instance serves every run.
    """

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

    async def on_tool_start(
        self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Tool
    ) -> None:
        target = DELEGATE_TOOLS.get(tool.name)
        if target is not None and isinstance(context.context, TeamContext):
            context.context.emit({"event": "delegation", "from": agent.name, "to": target})

    async def on_handoff(
        self, context: RunContextWrapper[Any], from_agent: Agent[Any], to_agent: Agent[Any]
    ) -> None:
        if isinstance(context.context, TeamContext):
            context.context.emit(
                {"event": "delegation", "from": from_agent.name, "to": to_agent.name}
            )
        observe.event(
            "delegation",
            agent=from_agent.name,
            target=to_agent.name,
            mode="handoff",
            **run_ids(),
        )


USAGE_FIELDS = ("requests", "input_tokens", "output_tokens", "total_tokens")
HOOKS = TeamHooks()
# Delegation tool name -> the delegate's name, for events and logs.
DELEGATE_TOOLS: dict[str, str] = {}


class Brief(BaseModel):
    """What a caller hands a delegate: the delegate sees this and nothing else."""

    task: str = Field(description="The task, self-contained: the delegate sees nothing else.")
    context: str = Field(description="Facts from the conversation the delegate needs, or ''.")


# The thread and request ids of the current run (set by run_team), in its log records and spans.
RUN_IDS: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("agentc_run_ids", default=())


def run_ids() -> dict[str, str]:
    return dict(RUN_IDS.get())


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


FAILED = "FAILED: "


def _failure(delegate: str) -> Callable[[RunContextWrapper[Any], Exception], str]:
    """The tool result a caller gets when its delegate fails: a clear failure, not a crash."""

    def message(context: RunContextWrapper[Any], error: Exception) -> str:
        return f"{FAILED}{delegate} could not answer ({describe(error)}). Continue without it."

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
        observe.event("guardrail", agent=agent.name, missing=missing, outcome="warned", **run_ids())
    return GuardrailFunctionOutput(
        output_info={"missing": missing}, tripwire_triggered=bool(missing) and mode == "enforce"
    )


class TeamModel(Model):
    """An agent's model as the runner sees it: the chosen model, then the fallback ids in order
    (the next is tried when a call to one fails; the runner's retries, ModelSettings.retry,
    wrap the whole chain). Each call is one `model_call` record (agent, model, duration, tokens,
    outcome) and one span when observe.py is switched on. Model ids (and None, the SDK's
    default) are resolved on first use by the SDK's provider, so building needs no API key."""

    def __init__(self, agent: str, choices: list[ModelChoice]) -> None:
        self.agent = agent
        self.choices = choices
        self._models: list[Model] = []

    def models(self) -> list[Model]:
        if not self._models:
            provider = MultiProvider()
            self._models = [
                c if isinstance(c, Model) else provider.get_model(c) for c in self.choices
            ]
        return self._models

    def names(self) -> list[str]:
        """The model ids as configured (the keys of `prices`), else the model's class name."""
        return [
            c if isinstance(c, str) else str(getattr(c, "model", "") or type(c).__name__)
            for c in self.choices
        ]

    async def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        *first, last = zip(self.models(), self.names(), strict=True)
        for model, name in first:
            with suppress(Exception):  # its record says which error; the next model takes over
                return await self._call(model, name, args, kwargs)
        return await self._call(*last, args, kwargs)

    async def _call(
        self, model: Model, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> ModelResponse:
        with observe.timed("model_call", agent=self.agent, model=name, **run_ids()) as record:
            response = await model.get_response(*args, **kwargs)
            record.update(
                input_tokens=response.usage.input_tokens,
                output_tokens=response.usage.output_tokens,
            )
            return response

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        pairs = list(zip(self.models(), self.names(), strict=True))
        for n, (model, name) in enumerate(pairs):
            started = False
            try:
                with observe.timed(
                    "model_call", agent=self.agent, model=name, **run_ids()
                ) as record:
                    async for event in model.stream_response(*args, **kwargs):
                        started = True
                        used = getattr(getattr(event, "response", None), "usage", None)
                        if event.type == "response.completed" and used is not None:
                            record.update(
                                input_tokens=used.input_tokens, output_tokens=used.output_tokens
                            )
                        yield event
                return
            except Exception:
                if started or n == len(pairs) - 1:
                    raise

    def get_retry_advice(self, request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
        """The provider's advice on the error that ended the chain (the last model's)."""
        return self.models()[-1].get_retry_advice(request)

    async def close(self) -> None:
        for model in self._models:
            await model.close()


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

    An agent's model is a TeamModel over `models[key]`, else `model`, else what the model
    factory returns for (key, mapped id), else the mapped id and the `fallback_models`. `delegation="tools"` (the default unless the build
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

    def pick(key: str) -> TeamModel:
        choice = chosen.get(key, model)
        if choice is None and make is not None:
            choice = make(key, MODELS[key])
        if isinstance(choice, TeamModel):
            return choice
        if choice is not None:
            return TeamModel(key, [choice])
        mapped = MODELS[key]
        return TeamModel(key, [mapped, *FALLBACKS] if mapped is not None else [None])

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
    invoke = tool.on_invoke_tool

    async def observed(ctx: ToolContext[Any], arguments: str) -> Any:
        """One `delegation` record and span around the delegate's run; with "history" the
        delegate reads the caller's conversation before the brief."""
        messages = tuple(_messages(list(ctx.turn_input))) if context == "history" else ()
        token = _HISTORY.set(messages)
        caller = ctx.agent.name if ctx.agent is not None else None
        try:
            with observe.timed(
                "delegation", agent=caller, target=delegate.name, **run_ids()
            ) as record:
                answer = await invoke(ctx, arguments)
                if isinstance(answer, str) and answer.startswith(FAILED):
                    record["outcome"] = "error: " + answer.splitlines()[0][len(FAILED) :]
                return answer
        finally:
            _HISTORY.reset(token)

    tool.on_invoke_tool = observed
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
