"""Entry points of the crew: `crewai run` calls run(); `python -m database_designer_crew --help`.

The request is the command line, else the AGENTC_REQUEST environment variable, else the
example request in config/crew.json. It reaches the crew as the task's `{request}` input,
between <request> tags after the task's instructions.
"""

import argparse
import json
import os
import sys

from database_designer_crew import observe
from database_designer_crew.crew import DatabaseDesignerCrew
from database_designer_crew.support import (
    FACTORY_ENV,
    MODELS,
    TEAM,
    CrewSetupError,
    describe,
)
from database_designer_crew.usage import summary

PROG = "python -m database_designer_crew"


def _request(args: list[str]) -> str:
    return " ".join(args) or os.environ.get("AGENTC_REQUEST") or TEAM["example_request"]


def cli(argv: list[str] | None = None) -> int:
    """Run the crew once: the answer on stdout, token usage on stderr, failures in one line."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Kick off the database-designer crew (crewAI) on one request.",
        epilog=f"Models: config/crew.json, or a factory in ${FACTORY_ENV} (module:function).",
    )
    parser.add_argument("request", nargs="*", help="the request (default: an example)")
    parser.add_argument("--model", metavar="ID", help="one crewAI model id for every agent")
    parser.add_argument("--json", action="store_true", help="print answer and usage as JSON")
    parser.add_argument(
        "--log", action="store_true", help="one JSON record per model call and delegation"
    )
    args = parser.parse_args(argv)
    observe.configure(args.log or None)
    try:
        team = DatabaseDesignerCrew(
            models=dict.fromkeys(MODELS, args.model) if args.model else None
        )
        result = team.crew().kickoff(inputs={"request": _request(args.request)})
    except CrewSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a failed kickoff is one line, never a traceback
        print(f"error: {describe(error)}", file=sys.stderr)
        return 1
    usage = team.meter.report()
    if args.json:
        print(json.dumps({"answer": result.raw, "usage": usage}, indent=2, ensure_ascii=False))
    else:
        print(result.raw)
    print(summary(usage), file=sys.stderr)
    return 0


def run() -> None:
    """`crewai run` and the `run_crew` script: the command line's request, else the example."""
    sys.exit(cli())


def train() -> None:
    """`crewai train -n N -f FILE`: N iterations with human feedback, saved to FILE."""
    DatabaseDesignerCrew().crew().train(
        n_iterations=int(sys.argv[1]),
        filename=sys.argv[2],
        inputs={"request": _request(sys.argv[3:])},
    )


def replay() -> None:
    """`crewai replay -t TASK_ID`: run again from a task of the last kickoff."""
    DatabaseDesignerCrew().crew().replay(task_id=sys.argv[1])


def test() -> None:
    """`crewai test -n N -m MODEL`: N runs scored by MODEL."""
    DatabaseDesignerCrew().crew().test(
        n_iterations=int(sys.argv[1]),
        eval_llm=sys.argv[2],
        inputs={"request": _request(sys.argv[3:])},
    )


if __name__ == "__main__":
    run()
