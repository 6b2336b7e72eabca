"""The team over HTTP: `uvicorn ai_engineer_team.server:app` (needs the `serve` extra).

POST /runs          {"input": "...", "thread_id": "t1"} -> the TeamResult as JSON (usage included)
POST /runs/stream   the same, as Server-Sent Events: `delegation` and `token` events, then `final`
GET  /healthz       liveness and the team's entry agent

Threads live in the Agents SDK's SQLite session store: AGENTC_THREADS_DB names a file that
survives restarts; without it they are kept in this process's memory. Bodies over
AGENTC_MAX_BODY_BYTES (default: `max_request_bytes` of the build) get 413, malformed ones 422.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from functools import cache
from typing import Any

from agents import Agent
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ai_engineer_team import (
    observe,
)
from ai_engineer_team.run import (
    MAX_REQUEST_CHARS,
    TeamResult,
    check_request,
    run_team,
)
from ai_engineer_team.team import (
    ENTRY,
    MODELS,
    PACKAGE,
    SETTINGS,
    TeamError,
    build_agents,
    describe,
)

MAX_BODY_BYTES = int(os.environ.get("AGENTC_MAX_BODY_BYTES", SETTINGS["max_request_bytes"]))


class RunRequest(BaseModel):
    """A run: the user's request (a user message, never part of the instructions)."""

    model_config = ConfigDict(extra="forbid")
    input: str = Field(min_length=1, max_length=MAX_REQUEST_CHARS)
    thread_id: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:-]+$")
    max_turns: int | None = Field(None, ge=1, le=200)


app = FastAPI(title=f"{PACKAGE}: the {ENTRY} team", version="1")
observe.configure()  # AGENTC_LOG=1: the JSON records on stderr


@cache
def team() -> dict[str, Agent[Any]]:
    """The agents, built once per process on the first run (models from the factory or map)."""
    return build_agents()


async def _parse(request: Request) -> RunRequest | JSONResponse:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return JSONResponse({"detail": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
    try:
        parsed = RunRequest.model_validate_json(body)
        check_request(parsed.input)
    except TeamError as error:
        return JSONResponse({"detail": [{"loc": ["input"], "msg": str(error)}]}, status_code=422)
    except ValidationError as error:
        detail = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)
    return parsed


def _status(result: TeamResult) -> int:
    return 200 if result.ok else 502


@app.get("/healthz")
async def healthz() -> dict[str, Any]:
    return {"status": "ok", "entry": ENTRY, "agents": list(MODELS)}


@app.post("/runs")
async def runs(request: Request) -> JSONResponse:
    parsed = await _parse(request)
    if isinstance(parsed, JSONResponse):
        return parsed
    result = await run_team(
        parsed.input, agents=team(), thread_id=parsed.thread_id, max_turns=parsed.max_turns
    )
    return JSONResponse(result.to_dict(), status_code=_status(result))


@app.post("/runs/stream", response_model=None)
async def runs_stream(request: Request) -> StreamingResponse | JSONResponse:
    parsed = await _parse(request)
    if isinstance(parsed, JSONResponse):
        return parsed
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    async def work() -> None:
        try:
            result = await run_team(
                parsed.input,
                agents=team(),
                thread_id=parsed.thread_id,
                max_turns=parsed.max_turns,
                stream=True,
                events=queue.put_nowait,
            )
            queue.put_nowait({"event": "final", **result.to_dict()})
        except Exception as error:  # noqa: BLE001 - never leave the client waiting
            queue.put_nowait(
                {"event": "final", "ok": False, "answer": None, "error": describe(error)}
            )
        finally:
            queue.put_nowait(None)

    async def events() -> AsyncIterator[str]:
        task = asyncio.create_task(work())
        try:
            while (event := await queue.get()) is not None:
                name = event.pop("event")
                yield f"event: {name}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
        finally:
            if not task.done():
                task.cancel()

    return StreamingResponse(events(), media_type="text/event-stream")
