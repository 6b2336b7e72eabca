"""Running the team: a request in, a TeamResult out.

A failing model ends the run with `ok=False` and a one-line `error` rather than an exception,
so the CLI and the HTTP app can report it cleanly; retries happen before that, per model call.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from agents import Agent, RunConfig, Runner, Session, SQLiteSession
from agents.exceptions import OutputGuardrailTripwireTriggered
from openai.types.responses import ResponseTextDeltaEvent

from ai_engineer_team import (
    observe,
)
from ai_engineer_team.team import (
    ENTRY,
    HOOKS,
    MODELS,
    PACKAGE,
    RUN_IDS,
    SETTINGS,
    USAGE_FIELDS,
    TeamContext,
    TeamError,
    build_agents,
    describe,
    run_ids,
)

THREADS_ENV = "AGENTC_THREADS_DB"
TRACING_ENV = "AGENTC_TRACING"
MAX_REQUEST_CHARS = 100_000
_memory_sessions: dict[str, Session] = {}


@dataclass
class TeamResult:
    """What a run produced. `usage` holds `total` and `agents` (per agent name) token counts."""

    ok: bool
    answer: str | None
    error: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    last_agent: str | None = None
    thread_id: str | None = None
    request_id: str | None = None
    checklist_missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON, with `status` ok | failed as the other targets' apps answer."""
        return {"status": "ok" if self.ok else "failed", **asdict(self)}


def session_for(thread_id: str | None, threads_db: str | None = None) -> Session | None:
    """The Agents SDK session (its SQLite store) holding a thread's history.

    A file when `threads_db` or AGENTC_THREADS_DB names one (it survives restarts and is shared
    by processes on one machine), else one in-memory session per thread id in this process.
    """
    if not thread_id:
        return None
    path = threads_db or os.environ.get(THREADS_ENV)
    if path:
        return SQLiteSession(thread_id, path)
    if thread_id not in _memory_sessions:
        _memory_sessions[thread_id] = SQLiteSession(thread_id)
    return _memory_sessions[thread_id]


def usage_summary(per_agent: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Token counts per agent and in total, with a cost estimate where `prices` knows the model."""
    total: dict[str, Any] = {
        name: sum(u[name] for u in per_agent.values()) for name in USAGE_FIELDS
    }
    agents: dict[str, Any] = {name: dict(used) for name, used in per_agent.items()}
    prices = SETTINGS["prices"]
    costs = []
    for name, used in agents.items():
        price = prices.get(MODELS.get(name) or "")
        if price:
            cost = used["input_tokens"] * price[0] + used["output_tokens"] * price[1]
            used["cost_usd"] = round(cost / 1e6, 6)
            costs.append(used["cost_usd"])
    if costs:
        total["cost_usd"] = round(sum(costs), 6)
    return {"total": total, "agents": agents}


def check_request(request: str) -> str:
    if not request.strip():
        raise TeamError("the request is empty")
    if len(request) > MAX_REQUEST_CHARS:
        raise TeamError(f"the request is longer than {MAX_REQUEST_CHARS} characters")
    return request


async def run_team(
    request: str,
    *,
    agents: Mapping[str, Agent[Any]] | None = None,
    thread_id: str | None = None,
    threads_db: str | None = None,
    max_turns: int | None = None,
    guardrail: str | None = None,
    stream: bool = False,
    events: Callable[[dict[str, Any]], None] | None = None,
) -> TeamResult:
    """Run the entry agent on `request`; the request travels as a user message, apart from
    the instructions. With `stream`, `events` also receives each token chunk of the entry agent.
    """
    check_request(request)
    team = agents if agents is not None else build_agents()
    context = TeamContext(guardrail=guardrail or SETTINGS["guardrail"], events=events)
    session = session_for(thread_id, threads_db)
    config = RunConfig(tracing_disabled=os.environ.get(TRACING_ENV) != "1", workflow_name=PACKAGE)
    turns = max_turns or SETTINGS["max_turns"]
    attempts = SETTINGS["guardrail_retries"] + 1
    run_input: str | list[Any] = request
    request_id = uuid.uuid4().hex
    ids = RUN_IDS.set(
        tuple((k, v) for k, v in (("thread", thread_id), ("request", request_id)) if v)
    )
    answer: str | None = None
    missing: list[str] = []
    try:
        for attempt in range(1, attempts + 1):
            try:
                result = await _one_run(
                    team[ENTRY], run_input, context, session, config, turns, stream
                )
            except OutputGuardrailTripwireTriggered as tripped:
                answer = str(tripped.guardrail_result.agent_output)
                missing = list(tripped.guardrail_result.output.output_info["missing"])
                context.emit({"event": "guardrail", "attempt": attempt, "missing": missing})
                feedback = (
                    "Your answer misses these completion checklist items: "
                    + "; ".join(missing)
                    + ". Give the whole answer again, ending with the completion checklist."
                )
                run_input = _retry_input(run_input, answer, feedback, session)
                continue
            return TeamResult(
                ok=True,
                answer=str(result.final_output),
                usage=usage_summary(context.usage),
                last_agent=result.last_agent.name,
                thread_id=thread_id,
                request_id=request_id,
            )
    except Exception as error:  # noqa: BLE001 - the model failed for good: a result, no crash
        observe.event("failure", agent=ENTRY, error=describe(error), **run_ids())
        return TeamResult(
            ok=False,
            answer=None,
            error=describe(error),
            usage=usage_summary(context.usage),
            thread_id=thread_id,
            request_id=request_id,
        )
    finally:
        RUN_IDS.reset(ids)
    return TeamResult(
        ok=False,
        answer=answer,
        error=f"the answer still misses {len(missing)} checklist item(s) after {attempts} attempts",
        usage=usage_summary(context.usage),
        thread_id=thread_id,
        request_id=request_id,
        checklist_missing=missing,
    )


async def _one_run(
    entry: Agent[Any],
    run_input: str | list[Any],
    context: TeamContext,
    session: Session | None,
    config: RunConfig,
    turns: int,
    stream: bool,
) -> Any:
    options: dict[str, Any] = {
        "context": context,
        "max_turns": turns,
        "hooks": HOOKS,
        "run_config": config,
        "session": session,
    }
    if not stream:
        return await Runner.run(entry, run_input, **options)
    result = Runner.run_streamed(entry, run_input, **options)
    async for event in result.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            context.emit({"event": "token", "delta": event.data.delta})
    return result


def _retry_input(
    previous: str | list[Any], answer: str, feedback: str, session: Session | None
) -> str | list[Any]:
    """The next attempt's input: the rejected answer and the feedback after what came before.

    With a session the SDK already holds the request, so only the new messages are sent."""
    turn = [{"role": "assistant", "content": answer}, {"role": "user", "content": feedback}]
    if session is not None:
        return turn
    before = [{"role": "user", "content": previous}] if isinstance(previous, str) else previous
    return [*before, *turn]
