"""Run the team once: `python -m sim_lead_team "your request"` (needs OPENAI_API_KEY)."""

from __future__ import annotations

import sys

from agents import Runner

from .team import entry_agent

MAX_TURNS = 10


def main() -> None:
    request = " ".join(sys.argv[1:]) or sys.stdin.read()
    result = Runner.run_sync(entry_agent(), request, max_turns=MAX_TURNS)
    print(result.final_output)


if __name__ == "__main__":
    main()
