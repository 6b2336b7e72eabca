"""Talk to the team from a terminal.

    python -m <package> "Design a RAG service for support tickets"
    python -m <package>                  # one request per line until EOF, on one thread
    python -m <package> --graph          # print the graph as mermaid and exit

Models: team.json's ids through init_chat_model (set the provider's API key), `--model
provider:id` for every agent, or AGENTC_MODEL_FACTORY=module:function. Usage is printed on
stderr after each answer. A failure prints one `error:` line and exits 1; a delegate that
failed while its caller still answered prints one `warning:` line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from langchain_core.runnables import Runnable

from . import observe
from .factory import SetupError
from .models import from_id
from .runner import Team, open_team
from .team import AGENTS, CHECKPOINTER, ENTRY, KEYS, RECURSION_LIMIT
from .usage import summary

PROG = f"python -m {__package__}"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "request", nargs="?", help="one request; without it, one per line from stdin"
    )
    parser.add_argument(
        "--entry", default=AGENTS[ENTRY].key, choices=sorted(KEYS), help="agent that takes it"
    )
    parser.add_argument("--model", help="init_chat_model id for every agent, e.g. openai:gpt-5")
    parser.add_argument("--thread", help="conversation id to continue (default: a new one)")
    parser.add_argument(
        "--checkpointer", default=CHECKPOINTER, choices=("memory", "sqlite", "postgres", "none")
    )
    parser.add_argument(
        "--db", help="sqlite file, or a postgres URI (default $AGENTC_POSTGRES_URI)"
    )
    parser.add_argument(
        "--max-turns",
        "--recursion-limit",
        dest="max_turns",
        type=int,
        default=RECURSION_LIMIT,
        help=f"super-steps per request before the run stops (default {RECURSION_LIMIT})",
    )
    parser.add_argument("--stream", action="store_true", help="print delegations and tokens live")
    parser.add_argument("--json", action="store_true", help="print each result as JSON")
    parser.add_argument(
        "--log", action="store_true", help="structured logs on stderr (AGENTC_LOG=1)"
    )
    parser.add_argument("--graph", action="store_true", help="print the graph as mermaid and exit")
    return parser.parse_args(argv)


async def answer(team: Team, text: str, args: argparse.Namespace, thread: str) -> dict[str, Any]:
    """The result of one request; with --stream, the entry agent's tokens go to stdout as they
    come (so stdout holds the answer alone), each delegation and the delegates' tokens to
    stderr, a delegate's text after a `[agent]` label."""
    if not args.stream:
        return await team.run(text, thread_id=thread)
    result: dict[str, Any] = {}
    speaker = ""  # the delegate whose tokens stderr is showing

    def end_line() -> None:
        nonlocal speaker
        if speaker:
            print(file=sys.stderr)
            speaker = ""

    async for kind, data in team.stream(text, thread_id=thread):
        if kind == "delegation":
            end_line()
            print(f"[{data['from']} -> {data['to']}] {data['task']}", file=sys.stderr)
        elif kind == "token" and data["agent"] == team.node:
            print(data["text"], end="", flush=True)
        elif kind == "token":
            if data["agent"] != speaker:
                end_line()
                print(f"[{data['agent']}] ", end="", file=sys.stderr)
                speaker = data["agent"]
            print(data["text"], end="", file=sys.stderr, flush=True)
        else:
            result = data
    end_line()
    print()
    return result


async def chat(
    args: argparse.Namespace, model: Runnable | None, models: dict[str, Runnable] | None = None
) -> int:
    if model is None and args.model:
        model = from_id(args.model)
    async with open_team(
        model=model,
        models=models,
        checkpointer=args.checkpointer,
        db=args.db,
        entry=args.entry,
        recursion_limit=args.max_turns,
    ) as team:
        if args.graph:
            print(team.graph.get_graph().draw_mermaid())
            return 0
        thread = args.thread or None
        requests = [args.request] if args.request else (line.strip() for line in sys.stdin)
        status = 0
        for text in requests:
            if not text:
                continue
            result = await answer(team, text, args, thread or "")
            thread = result.get("thread_id", thread)
            if args.json:
                print(json.dumps(result, indent=2))
            elif result.get("status") == "ok" and not args.stream:
                print(result["answer"])
            if result.get("status") != "ok":
                print(f"error: {result.get('error', 'the run failed')}", file=sys.stderr)
                status = 1
            else:  # a delegate that failed for good: its caller carried on without it
                for failed in result.get("errors") or []:
                    print(
                        f"warning: {failed['agent']} failed: {failed['error']} (its caller went on)",
                        file=sys.stderr,
                    )
            print(summary(result.get("usage") or {}), file=sys.stderr)
        return status


def main(
    argv: list[str] | None = None,
    *,
    model: Runnable | None = None,
    models: dict[str, Runnable] | None = None,
) -> int:
    """The CLI; `model` / `models` (by agent key) inject chat models as build_graph() takes them."""
    args = parse(argv)
    observe.configure(True if args.log else None)
    try:
        return asyncio.run(chat(args, model, models))
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a one-line report, never a traceback
        print(f"error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
