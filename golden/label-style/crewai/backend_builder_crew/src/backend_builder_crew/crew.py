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
    "backend_builder": "anthropic/claude-sonnet-4-5",
    "frontend_builder": None,
    "test_runner": "anthropic/claude-haiku-4-5",
    "release_manager": None,
    "docs_writer": None,
}

# The manager's completion checklist, enforced by completion_checklist().
CHECKLIST = (
    "Every handler validates its input before touching storage",
    "Errors map to documented status codes",
    "New queries have an index or a written reason for not needing one",
    "Unit tests cover the business rules, integration tests cover the wiring",
    "Timeouts are set on every outbound call",
    "Secrets come from the environment, never from source",
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
class BackendBuilderCrew:
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
    def backend_builder(self) -> Agent:
        return Agent(
            config=self.agents_config["backend_builder"],
            llm=self.model_for("backend_builder"),
            verbose=False,
        )

    @agent
    def frontend_builder(self) -> Agent:
        return Agent(
            config=self.agents_config["frontend_builder"],
            llm=self.model_for("frontend_builder"),
            verbose=False,
        )

    @agent
    def test_runner(self) -> Agent:
        return Agent(
            config=self.agents_config["test_runner"],
            llm=self.model_for("test_runner"),
            verbose=False,
        )

    @agent
    def release_manager(self) -> Agent:
        return Agent(
            config=self.agents_config["release_manager"],
            llm=self.model_for("release_manager"),
            verbose=False,
        )

    @agent
    def docs_writer(self) -> Agent:
        return Agent(
            config=self.agents_config["docs_writer"],
            llm=self.model_for("docs_writer"),
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
        frontend_builder = self.frontend_builder()
        frontend_builder.tools = [
            *(frontend_builder.tools or []),
            *frontend_builder.get_delegation_tools([self.test_runner()]),
        ]
        test_runner = self.test_runner()
        test_runner.tools = [
            *(test_runner.tools or []),
            *test_runner.get_delegation_tools([self.release_manager()]),
        ]
        release_manager = self.release_manager()
        release_manager.tools = [
            *(release_manager.tools or []),
            *release_manager.get_delegation_tools([self.docs_writer()]),
        ]
        return Crew(
            agents=self.agents,
            tasks=self.tasks,
            process=Process.hierarchical,
            manager_agent=self.backend_builder(),
            memory=False,  # memory needs an embedding provider, i.e. the network
            verbose=False,
        )
