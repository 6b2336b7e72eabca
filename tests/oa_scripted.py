"""Scripted offline models for generated Agents SDK teams, and a model factory for them.

`factory(agent_key, model_id)` is what a generated team's AGENTC_MODEL_FACTORY names: the
tests point it at `oa_scripted:factory` (with this folder on PYTHONPATH) so a generated CLI,
an installed project or a server runs the seed team with no network and no API key. The rule:
the entry agent delegates to ml-engineer (or to the agents in AGENTC_SCRIPT_DELEGATES, all in
one turn), then answers with what came back plus its completion checklist ticked; every other
agent answers in one line. AGENTC_SCRIPT_FAIL names an agent whose model always raises a 503.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from typing import Any

from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call
from agents.usage import Usage

USAGE = {"input_tokens": 100, "output_tokens": 20}


class ProviderError(Exception):
    """What a provider SDK raises: the Agents SDK reads `status_code` to decide on a retry."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


class RuleModel(ScriptedModel):
    """A ScriptedModel whose every step comes from `rule(key, call)`: output items or an error.

    `seen` holds every call, `reported` the usage of each answered one; with `tokens=(i, o)` the
    n-th call reports n*i input and n*o output tokens (else USAGE); `delay` seconds before each
    answer, and `times` the (start, end) of each call, show whether calls overlap."""

    def __init__(self, key: str, rule, tokens: tuple[int, int] | None = None, delay: float = 0.0) -> None:
        super().__init__()
        self.key, self.rule, self.tokens, self.delay = key, rule, tokens, delay
        self.seen: list[Any] = []
        self.reported: list[Usage] = []
        self.times: list[tuple[float, float]] = []

    async def get_response(self, *args, **kwargs):
        start = time.monotonic()
        await asyncio.sleep(self.delay)
        self.enqueue(ModelStep.respond(self._respond))
        try:
            return await super().get_response(*args, **kwargs)
        finally:
            self.times.append((start, time.monotonic()))

    async def stream_response(self, *args, **kwargs):
        self.enqueue(ModelStep.respond(self._respond))
        async for event in super().stream_response(*args, **kwargs):
            yield event

    def _respond(self, call) -> ModelStep:
        self.seen.append(call)
        out = self.rule(self.key, call)
        if isinstance(out, Exception):
            return ModelStep(error=out)
        n = len(self.seen)
        i, o = (n * self.tokens[0], n * self.tokens[1]) if self.tokens else USAGE.values()
        used = Usage(requests=1, input_tokens=i, output_tokens=o, total_tokens=i + o)
        self.reported.append(used)
        return ModelStep(output=out, usage=used)


def tool_outputs(call) -> list[str]:
    items = call.input if isinstance(call.input, list) else []
    return [str(i.get("output")) for i in items if isinstance(i, dict) and i.get("type") == "function_call_output"]


def user_text(call) -> str:
    if isinstance(call.input, str):
        return call.input
    return "\n".join(str(i.get("content")) for i in call.input if isinstance(i, dict) and i.get("role") == "user")


def ticked(system: str | None) -> str:
    items = re.findall(r"^- \[ \] (.+)$", (system or "").split("## Completion checklist")[-1], re.M)
    return "\n\nCompletion checklist\n" + "\n".join(f"- [x] {i}" for i in items) if items else ""


def seed_rule(key: str, call):
    if key == os.environ.get("AGENTC_SCRIPT_FAIL"):
        return ProviderError(503, f"{key} is down")
    entry = os.environ.get("AGENTC_SCRIPT_ENTRY", "ai-engineer")
    if key != entry:
        return [assistant_message(f"{key} answers: {user_text(call).splitlines()[0]}")]
    back = tool_outputs(call)
    if not back:
        delegates = os.environ.get("AGENTC_SCRIPT_DELEGATES", "ml_engineer").split(",")
        return [function_call(f"delegate_to_{d}", json.dumps({"task": f"Part for {d}", "context": ""}),
                              call_id=f"call_{d}") for d in delegates]
    return [assistant_message("DONE with: " + " | ".join(back) + ticked(call.system_instructions))]


def factory(agent_key: str, model_id: str | None) -> RuleModel:
    return RuleModel(agent_key, seed_rule)
