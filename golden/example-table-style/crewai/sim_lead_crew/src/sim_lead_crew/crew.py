"""A hierarchical crewAI crew compiled by agentc from Claude Code agent files.

Edit the agents' markdown and rebuild rather than this file. The agents' texts are in
config/agents.yaml, the request task in config/tasks.yaml.
"""

# No `from __future__ import annotations` here: crewai checks a guardrail's return annotation at
# runtime, and a postponed (string) annotation fails that check.
import re
from typing import Any

from crewai import Agent, BaseLLM, Crew, Process, Task, TaskOutput
from crewai.project import CrewBase, agent, crew, task

# crewAI model id per agent, from its `model` through agentc's crewai model map.
# None: crewai's default LLM (configured through its environment variables).
MODELS = {
    "sim_lead": "anthropic/claude-opus-4-1",
    "mesh_builder": "anthropic/claude-haiku-4-5",
    "solver_tuner": None,
    "sim_validator": "anthropic/claude-sonnet-4-5",
    "hpc_scheduler": None,
}

# The manager's completion checklist, enforced by completion_checklist().
CHECKLIST = (
    "Engineering question and acceptance criteria written down",
    "Mesh convergence shown on the quantities that will be reported",
    "Solver settings recorded with the reason for each non-default value",
    "Validation comparison completed with error bands",
    "Report states the remaining uncertainty and its main sources",
)
_CHECKBOX = re.compile(r"^\s*(?:[-*+]\s*)?\[[ xX]\]")


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def completion_checklist(output: TaskOutput) -> tuple[bool, Any]:
    """Function guardrail: the answer ends with every checklist item as a checkbox line.

    A miss names the missing items; crewai then runs the task again with that feedback.
    """
    answer = output.raw or ""
    if not answer.strip():
        return False, "The answer is empty."
    boxes = [_words(line) for line in answer.splitlines() if _CHECKBOX.match(line)]
    missing = [item for item in CHECKLIST if not any(_words(item) in box for box in boxes)]
    if missing:
        return False, (
            "End the answer with the completion checklist, each item word for word as "
            "'- [x] item' or '- [ ] item: why not'. Missing: " + "; ".join(missing)
        )
    return True, answer


@CrewBase
class SimLeadCrew:
    """The entry agent manages the crew; the agents it delegates to are the crew's agents."""

    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    def __init__(self, llm: BaseLLM | None = None) -> None:
        # One LLM for every agent, e.g. a scripted offline model in tests; None uses MODELS.
        self.injected_llm = llm

    def model_for(self, key: str) -> BaseLLM | str | None:
        return self.injected_llm if self.injected_llm is not None else MODELS[key]

    # The manager is not an @agent: every @agent joins the crew's agents, and a hierarchical
    # crew refuses a manager that is also one of its agents.
    def sim_lead(self) -> Agent:
        return Agent(
            config=self.agents_config["sim_lead"],
            llm=self.model_for("sim_lead"),
            verbose=False,
        )

    @agent
    def mesh_builder(self) -> Agent:
        return Agent(
            config=self.agents_config["mesh_builder"],
            llm=self.model_for("mesh_builder"),
            verbose=False,
        )

    @agent
    def solver_tuner(self) -> Agent:
        return Agent(
            config=self.agents_config["solver_tuner"],
            llm=self.model_for("solver_tuner"),
            verbose=False,
        )

    @agent
    def sim_validator(self) -> Agent:
        return Agent(
            config=self.agents_config["sim_validator"],
            llm=self.model_for("sim_validator"),
            verbose=False,
        )

    @agent
    def hpc_scheduler(self) -> Agent:
        return Agent(
            config=self.agents_config["hpc_scheduler"],
            llm=self.model_for("hpc_scheduler"),
            verbose=False,
        )

    @task
    def request_task(self) -> Task:
        return Task(
            config=self.tasks_config["request_task"],
            guardrail=completion_checklist,
            guardrail_max_retries=2,
        )

    @crew
    def crew(self) -> Crew:
        # In a hierarchical crew only the manager gets delegation tools from crewai; an agent
        # that delegates in its own prompt gets tools over exactly its own delegates.
        mesh_builder = self.mesh_builder()
        mesh_builder.tools = [
            *(mesh_builder.tools or []),
            *mesh_builder.get_delegation_tools([self.solver_tuner()]),
        ]
        sim_validator = self.sim_validator()
        sim_validator.tools = [
            *(sim_validator.tools or []),
            *sim_validator.get_delegation_tools([self.mesh_builder()]),
        ]
        return Crew(
            agents=self.agents,
            tasks=self.tasks,
            process=Process.hierarchical,
            manager_agent=self.sim_lead(),
            memory=False,  # memory needs an embedding provider, i.e. the network
            verbose=False,
        )
