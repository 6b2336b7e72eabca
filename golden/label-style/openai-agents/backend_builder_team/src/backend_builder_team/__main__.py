"""The team's command line: `python -m backend_builder_team "your request"` (see --help).

Prints the answer on stdout and the token usage (per run and per agent) on stderr. A failure
is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from backend_builder_team import (
    observe,
)
from backend_builder_team.run import (
    THREADS_ENV,
    TeamResult,
    run_team,
)
from backend_builder_team.team import (
    ENTRY,
    FACTORY_ENV,
    MODELS,
    PACKAGE,
    SETTINGS,
    TeamError,
    build_agents,
    load_factory,
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=f"python -m {PACKAGE}",
        description=f"Run the {ENTRY} team (OpenAI Agents SDK) on one request.",
        epilog=(
            f"Models: OPENAI_API_KEY for OpenAI models, or a factory ({FACTORY_ENV}=module:function"
            f" returning a model per agent key). Agent keys: {', '.join(MODELS)}."
        ),
    )
    p.add_argument("request", nargs="*", help="the request (default: read from stdin)")
    p.add_argument(
        "--model", help="one model id for every agent (default: each agent's mapped model)"
    )
    p.add_argument(
        "--factory", metavar="MODULE:FUNCTION", help=f"model factory (else ${FACTORY_ENV})"
    )
    p.add_argument("--stream", action="store_true", help="print the answer as it is generated")
    p.add_argument("--thread", help="thread id: continue a conversation kept in --threads-db")
    p.add_argument(
        "--threads-db",
        metavar="PATH",
        help=f"SQLite file for threads (else ${THREADS_ENV}, else {PACKAGE}-threads.sqlite)",
    )
    p.add_argument("--max-turns", type=int, default=None, help=f"default {SETTINGS['max_turns']}")
    p.add_argument("--delegation", choices=("tools", "handoffs"), default=None)
    p.add_argument("--guardrail", choices=("enforce", "warn", "off"), default=None)
    p.add_argument("--json", action="store_true", help="print the whole result as JSON")
    p.add_argument(
        "--log",
        "-v",
        action="store_true",
        help="log one JSON record per model call and delegation on stderr (else $AGENTC_LOG)",
    )
    return p


def _usage_lines(result: TeamResult) -> list[str]:
    total = result.usage.get("total", {})
    lines = [
        f"usage: {total.get('requests', 0)} model calls, {total.get('input_tokens', 0)} input + "
        f"{total.get('output_tokens', 0)} output = {total.get('total_tokens', 0)} tokens"
        + (f", about ${total['cost_usd']:.4f}" if "cost_usd" in total else "")
    ]
    for agent, used in result.usage.get("agents", {}).items():
        lines.append(
            f"  {agent}: {used['requests']} calls, {used['total_tokens']} tokens"
            f" ({used['input_tokens']} in, {used['output_tokens']} out)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    observe.configure(True if args.log else None)
    request = " ".join(args.request) if args.request else ""
    if not request and not sys.stdin.isatty():
        request = sys.stdin.read()
    if not request.strip():
        print(
            "error: no request given (pass it as arguments or on stdin; see --help)",
            file=sys.stderr,
        )
        return 2
    printed: list[bool] = []

    def show(event: dict[str, Any]) -> None:
        if event["event"] == "token":
            printed.append(True)
            print(event["delta"], end="", flush=True)
        elif event["event"] == "delegation":
            print(f"[{event['from']} -> {event['to']}]", file=sys.stderr, flush=True)

    try:
        team = build_agents(
            model=args.model, delegation=args.delegation, factory=load_factory(args.factory)
        )
        threads_db = args.threads_db or (f"{PACKAGE}-threads.sqlite" if args.thread else None)
        result = asyncio.run(
            run_team(
                request,
                agents=team,
                thread_id=args.thread,
                threads_db=threads_db,
                max_turns=args.max_turns,
                guardrail=args.guardrail,
                stream=args.stream,
                events=show,
            )
        )
    except TeamError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif result.answer is not None and not printed:
        print(result.answer)
    elif printed:
        print()
    for line in _usage_lines(result):
        print(line, file=sys.stderr)
    if not result.ok:
        print(f"error: {result.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
