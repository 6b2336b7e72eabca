"""Entry points of the crew: `crewai run` calls run().

The request is the command line (`python -m ai_engineer_crew.main "..."`), else the
AGENTC_REQUEST environment variable, else an example request.
"""

import os
import sys

from ai_engineer_crew.crew import AiEngineerCrew

EXAMPLE_REQUEST = "Standing up an offline evaluation suite for a chat, search or extraction feature"


def _inputs(args: list[str]) -> dict[str, str]:
    return {"request": " ".join(args) or os.environ.get("AGENTC_REQUEST") or EXAMPLE_REQUEST}


def run() -> None:
    """Kick the crew off and print its answer."""
    result = AiEngineerCrew().crew().kickoff(inputs=_inputs(sys.argv[1:]))
    print(result.raw)


def train() -> None:
    """`crewai train -n N -f FILE`: N iterations with human feedback, saved to FILE."""
    AiEngineerCrew().crew().train(
        n_iterations=int(sys.argv[1]), filename=sys.argv[2], inputs=_inputs(sys.argv[3:])
    )


def replay() -> None:
    """`crewai replay -t TASK_ID`: run again from a task of the last kickoff."""
    AiEngineerCrew().crew().replay(task_id=sys.argv[1])


def test() -> None:
    """`crewai test -n N -m MODEL`: N runs scored by MODEL."""
    AiEngineerCrew().crew().test(
        n_iterations=int(sys.argv[1]), eval_llm=sys.argv[2], inputs=_inputs(sys.argv[3:])
    )


if __name__ == "__main__":
    run()
