"""Chat with the team from a terminal.

    python -m database_designer_team "Design a RAG service for support tickets"
    python -m database_designer_team                 # one request per line until EOF
    python -m database_designer_team --graph         # print the graph as mermaid and exit

Models come from team.py through init_chat_model (set the provider's API key), or from
`--model provider:model-id` for every agent.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from .graph import build_graph
from .team import AGENTS, CHECKPOINTER, ENTRY, RECURSION_LIMIT


def make_checkpointer(kind: str, path: str) -> Any:
    """The saver that keeps a thread's history between requests (None: keep nothing)."""
    if kind == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        return InMemorySaver()
    if kind == "sqlite":
        import sqlite3

        from langgraph.checkpoint.sqlite import (
            SqliteSaver,
        )  # pip install langgraph-checkpoint-sqlite

        return SqliteSaver(sqlite3.connect(path, check_same_thread=False))
    return None


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m database_designer_team", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "request", nargs="?", help="one request; without it, read one per line from stdin"
    )
    parser.add_argument(
        "--entry", default=ENTRY, choices=sorted(AGENTS), help="agent that takes the request"
    )
    parser.add_argument(
        "--model", help="init_chat_model id for every agent, e.g. anthropic:claude-sonnet-4-5"
    )
    parser.add_argument("--thread", default="main", help="conversation id for the checkpointer")
    parser.add_argument(
        "--checkpointer", default=CHECKPOINTER, choices=("memory", "sqlite", "none")
    )
    parser.add_argument(
        "--db",
        default="database_designer_team.sqlite",
        help="sqlite file for --checkpointer sqlite",
    )
    parser.add_argument("--recursion-limit", type=int, default=RECURSION_LIMIT)
    parser.add_argument("--graph", action="store_true", help="print the graph as mermaid and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, *, model: BaseChatModel | None = None) -> int:
    args = parse(argv)
    if model is None and args.model:
        from langchain.chat_models import init_chat_model

        model = init_chat_model(args.model)
    graph = build_graph(
        model,
        checkpointer=make_checkpointer(args.checkpointer, args.db),
        entry=args.entry,
        recursion_limit=args.recursion_limit,
    )
    if args.graph:
        print(graph.get_graph().draw_mermaid())
        return 0
    config = {"configurable": {"thread_id": args.thread}}
    requests = [args.request] if args.request else (line.strip() for line in sys.stdin)
    for text in requests:
        if text:
            state = graph.invoke({"messages": [HumanMessage(text)], "callers": []}, config)
            print(state["messages"][-1].text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
