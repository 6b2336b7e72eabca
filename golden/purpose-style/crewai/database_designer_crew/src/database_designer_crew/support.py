"""Helpers of a crewAI crew compiled by agentc: the same for every crew. Do not edit.

What is specific to the crew is data in config/: agents.yaml, tasks.yaml and crew.json (models,
the completion checklist, literal `{name}`s, settings).
"""

# No `from __future__ import annotations` here: crewai checks a guardrail's return annotation at
# runtime, and a postponed (string) annotation fails that check.
import asyncio
import importlib
import json
import logging
import os
import re
import threading
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from crewai import LLM, Agent, BaseLLM, TaskOutput
from crewai.llms.base_llm import call_stop_override
from crewai.utilities.llm_utils import create_llm
from pydantic import Field, PrivateAttr

from database_designer_crew import observe, usage

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
# Model ids tried in order after an agent's mapped model fails (fallback_models).
FALLBACKS: list[str] = SETTINGS["fallback_models"]
# USD per million input and output tokens by model id, for the cost estimate (prices).
PRICES: dict[str, tuple[float, float]] = {
    model: (float(p[0]), float(p[1])) for model, p in SETTINGS["prices"].items()
}
# The manager's completion checklist, enforced by completion_checklist().
CHECKLIST: list[str] = TEAM["checklist"]
# `{name}` texts in the prompts that are not crew inputs. Kickoff fills every `{name}` in the
# agents' texts and the task, and fails on a name it has no input for; mapping each of these
# to itself keeps the prompt text as written.
LITERAL_PLACEHOLDERS: list[str] = TEAM["literals"]
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
    """`models={agent key: LLM or model id}`; an unknown key is an error naming the valid ones."""
    chosen = dict(models or {})
    unknown = sorted(set(chosen) - set(MODELS))
    if unknown:
        raise CrewSetupError(
            f"unknown agent key(s) in models=: {', '.join(unknown)}; "
            f"valid keys: {', '.join(MODELS)}"
        )
    return chosen


class Meter:
    """Token usage of one crew, per agent key and per model id (for the cost estimate)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.agents: dict[str, dict[str, int]] = {}
        self.models: dict[str, dict[str, int]] = {}

    def add(self, agent: str, model: str, used: dict[str, int]) -> None:
        with self._lock:
            self.agents = usage.merge(self.agents, {agent: used})
            self.models = usage.merge(self.models, {model: used})

    def report(self) -> dict[str, Any]:
        """Per agent, the total and, when `prices` covers a model, `cost_usd`."""
        return usage.report(self.agents, self.models, PRICES)


_LOCKS: dict[int, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _lock(llm: BaseLLM) -> threading.Lock:
    """One lock per LLM object: its usage counters are read before and after each call, so
    agents sharing one object take turns on it (one LLM per agent never waits)."""
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(id(llm), threading.Lock())


def _counts(llm: BaseLLM) -> tuple[int, int, int]:
    summary = llm.get_token_usage_summary()
    return summary.prompt_tokens, summary.completion_tokens, summary.total_tokens


def _llm(choice: Any) -> BaseLLM:
    """An LLM as given, or one built from a model id with the build's per-call timeout and
    retries (the provider SDK's: transient errors, exponential backoff with jitter)."""
    if isinstance(choice, str):
        return LLM(model=choice, timeout=SETTINGS["timeout_s"], max_retries=SETTINGS["retries"])
    built: BaseLLM = create_llm(choice)
    return built


class TeamLLM(BaseLLM):
    """An agent's model as crewai sees it: the chosen LLM, then the fallback models in order.

    Each call is metered for its agent (the usage the LLM object reports for that call), logged
    as one `model_call` record and traced as one span when observe.py is switched on. LLMs
    given as model ids are built on first use, so building the crew needs no API key.
    """

    llm_type: str = "agentc-team"
    agent: str = Field(description="the agent key")
    choices: list[Any] = Field(description="LLMs or model ids, tried in order")
    meter: Any = Field(default=None, exclude=True)
    _built: list[BaseLLM] = PrivateAttr(default_factory=list)

    def llms(self) -> list[BaseLLM]:
        if not self._built:
            self._built = [_llm(choice) for choice in self.choices]
        return self._built

    def names(self) -> list[str]:
        """The model ids as configured (a provider may shorten its LLM's `model`): the keys of
        `prices` and of the usage per model."""
        return [
            choice if isinstance(choice, str) else str(llm.model)
            for choice, llm in zip(self.choices, self.llms(), strict=True)
        ]

    def call(
        self,
        messages: Any,
        tools: Any = None,
        callbacks: Any = None,
        available_functions: Any = None,
        from_task: Any = None,
        from_agent: Any = None,
        response_model: Any = None,
    ) -> Any:
        llms = self.llms()
        for n, (llm, name) in enumerate(zip(llms, self.names(), strict=True)):
            stop = list(dict.fromkeys([*llm.stop, *self.stop_sequences]))
            with observe.timed("model_call", agent=self.agent, model=name) as record:
                try:
                    with _lock(llm), call_stop_override(llm, stop):
                        before = _counts(llm)
                        try:
                            answer = llm.call(
                                messages,
                                tools=tools,
                                callbacks=callbacks,
                                available_functions=available_functions,
                                from_task=from_task,
                                from_agent=from_agent,
                                response_model=response_model,
                            )
                        except Exception:
                            self._meter(llm, name, before, record, answered=False)
                            raise
                        self._meter(llm, name, before, record, answered=True)
                        return answer
                except Exception as error:
                    if n == len(llms) - 1:
                        raise
                    record["outcome"] = f"error: {describe(error)}; trying the next model"
        raise RuntimeError("no model to call")  # unreachable: choices is never empty

    async def acall(self, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(self.call, *args, **kwargs)

    def _meter(
        self,
        llm: BaseLLM,
        name: str,
        before: tuple[int, int, int],
        record: dict[str, Any],
        answered: bool,
    ) -> None:
        """Add the tokens this call used; a call counts once it answered."""
        after = _counts(llm)
        used = usage.record(after[0] - before[0], after[1] - before[1], after[2] - before[2])
        used["calls"] = int(answered)
        record.update(input_tokens=used["input_tokens"], output_tokens=used["output_tokens"])
        self._track_token_usage_internal(
            {
                "prompt_tokens": used["input_tokens"],
                "completion_tokens": used["output_tokens"],
                "total_tokens": used["total_tokens"],
            }
        )
        if self.meter is not None:
            self.meter.add(self.agent, name, used)

    def supports_function_calling(self) -> bool:
        return self.llms()[0].supports_function_calling()

    def supports_stop_words(self) -> bool:
        return self.llms()[0].supports_stop_words()

    def get_context_window_size(self) -> int:
        return self.llms()[0].get_context_window_size()

    def supports_multimodal(self) -> bool:
        return self.llms()[0].supports_multimodal()


def team_llm(
    method: str,
    injected: BaseLLM | None = None,
    models: dict[str, Any] | None = None,
    meter: Meter | None = None,
) -> TeamLLM:
    """The agent's model: models[key], else the injected LLM, else the mapped id followed by
    the fallback ids, each through the model factory `factory(key, id)` when there is one."""
    key = KEYS[method]
    chosen: Any = (models or {}).get(key) or injected
    if chosen is not None:
        choices = [chosen]
    else:
        factory = load_factory()
        ids = [MODELS[key], *FALLBACKS]
        made = [factory(key, model_id) for model_id in ids] if factory is not None else ids
        choices = [m if m is not None else model_id for m, model_id in zip(made, ids, strict=True)]
    first = choices[0]
    name = first if isinstance(first, str) else getattr(first, "model", None)
    return TeamLLM(model=str(name or "default"), agent=key, choices=choices, meter=meter)


# The agent key whose task is running in this thread (crewai copies the context into the
# threads that run parallel tool calls, so a delegate sees its caller here).
_RUNNING: ContextVar[str | None] = ContextVar("agentc_running", default=None)


class TeamAgent(Agent):
    """A crewai Agent that knows its agent key: a task it runs for another agent (a
    delegation) is one `delegation` record and span, with the caller and the outcome."""

    agent_key: str = Field(default="", description="the agent key (see MODELS)")

    def execute_task(self, task: Any, context: str | None = None, tools: Any = None) -> Any:
        caller = _RUNNING.get()
        if caller == self.agent_key:  # crewai's max_retry_limit re-runs the same task
            return super().execute_task(task, context, tools)
        token = _RUNNING.set(self.agent_key)
        try:
            if caller is None:
                return super().execute_task(task, context, tools)
            with observe.timed("delegation", agent=caller, target=self.agent_key):
                return super().execute_task(task, context, tools)
        finally:
            _RUNNING.reset(token)


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


# A <request> or </request> tag in any case and spacing, e.g. `</ REQUEST >`.
REQUEST_TAG = re.compile(r"<(\s*/?\s*request\s*)>", re.IGNORECASE)


def fence_request(inputs: dict[str, Any] | None) -> dict[str, Any]:
    """The task gives the request between <request> tags: a tag inside the request would close
    them and make what follows read as instructions. Such tags become `&lt;/request&gt;`, which
    a model still reads as the text that was sent; everything else stays as it is."""
    inputs = dict(inputs or {})
    if isinstance(inputs.get("request"), str):
        inputs["request"] = REQUEST_TAG.sub(r"&lt;\1&gt;", inputs["request"])
    return inputs
