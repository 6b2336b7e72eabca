"""Entry points of the crew: `crewai run` calls run().

The request is the command line (`python -m architect_crew.main "..."`), else the
AGENTC_REQUEST environment variable, else an example request.
"""

import os
import sys

from architect_crew.crew import ArchitectCrew

EXAMPLE_REQUEST = "Tell me what you can do for me and which of your coworkers you would bring in."


def _inputs(args: list[str]) -> dict[str, str]:
    return {"request": " ".join(args) or os.environ.get("AGENTC_REQUEST") or EXAMPLE_REQUEST}


def run() -> None:
    """Kick the crew off and print its answer."""
    result = ArchitectCrew().crew().kickoff(inputs=_inputs(sys.argv[1:]))
    print(result.raw)


def train() -> None:
    """`crewai train -n N -f FILE`: N iterations with human feedback, saved to FILE."""
    ArchitectCrew().crew().train(
        n_iterations=int(sys.argv[1]), filename=sys.argv[2], inputs=_inputs(sys.argv[3:])
    )


def replay() -> None:
    """`crewai replay -t TASK_ID`: run again from a task of the last kickoff."""
    ArchitectCrew().crew().replay(task_id=sys.argv[1])


def test() -> None:
    """`crewai test -n N -m MODEL`: N runs scored by MODEL."""
    ArchitectCrew().crew().test(
        n_iterations=int(sys.argv[1]), eval_llm=sys.argv[2], inputs=_inputs(sys.argv[3:])
    )


if __name__ == "__main__":
    run()
