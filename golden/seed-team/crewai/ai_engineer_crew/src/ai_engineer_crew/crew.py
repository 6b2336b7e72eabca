"""A hierarchical crewAI crew compiled by agentc from Claude Code agent files.

Edit the agents' markdown and rebuild rather than this file. The agents' texts are in
config/agents.yaml, the request task in config/tasks.yaml.
"""

# No `from __future__ import annotations` here: crewai checks a guardrail's return annotation at
# runtime, and a postponed (string) annotation fails that check.
import re
from typing import Any

from crewai import Agent, BaseLLM, Crew, Process, Task, TaskOutput
from crewai.project import CrewBase, agent, before_kickoff, crew, task

# crewAI model id per agent, from its `model` through agentc's crewai model map.
# None: crewai's default LLM (configured through its environment variables).
MODELS = {
    "ai_engineer": "anthropic/claude-sonnet-4-5",
    "ml_engineer": "anthropic/claude-haiku-4-5",
    "data_scientist": None,
    "prompt_engineer": "anthropic/claude-opus-4-1",
    "data_engineer": "anthropic/claude-haiku-4-5",
    "security_auditor": None,
}

# `{name}` texts in the prompts that are not crew inputs. Kickoff fills every `{name}` in the
# agents' texts and the task, and fails on a name it has no input for; mapping each of these
# to itself keeps the prompt text as written.
LITERAL_PLACEHOLDERS = ("answer", "braces", "question")

# The manager's completion checklist, enforced by completion_checklist().
CHECKLIST = (
    "Baseline and candidate scores reported side by side, per slice",
    "Dataset version, prompt hash and model id recorded with the results",
    "Agent budgets enforced in code and covered by a test",
    "Hand-offs to other specialists listed with the questions they should answer",
    "Rollback path written down and tried at least once in staging",
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
class AiEngineerCrew:
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
    def ai_engineer(self) -> Agent:
        return Agent(
            config=self.agents_config["ai_engineer"],
            llm=self.model_for("ai_engineer"),
            verbose=False,
        )

    @agent
    def ml_engineer(self) -> Agent:
        return Agent(
            config=self.agents_config["ml_engineer"],
            llm=self.model_for("ml_engineer"),
            verbose=False,
        )

    @agent
    def data_scientist(self) -> Agent:
        return Agent(
            config=self.agents_config["data_scientist"],
            llm=self.model_for("data_scientist"),
            verbose=False,
        )

    @agent
    def prompt_engineer(self) -> Agent:
        return Agent(
            config=self.agents_config["prompt_engineer"],
            llm=self.model_for("prompt_engineer"),
            verbose=False,
        )

    @agent
    def data_engineer(self) -> Agent:
        return Agent(
            config=self.agents_config["data_engineer"],
            llm=self.model_for("data_engineer"),
            verbose=False,
        )

    @agent
    def security_auditor(self) -> Agent:
        return Agent(
            config=self.agents_config["security_auditor"],
            llm=self.model_for("security_auditor"),
            verbose=False,
        )

    @task
    def request_task(self) -> Task:
        return Task(
            config=self.tasks_config["request_task"],
            guardrail=completion_checklist,
            guardrail_max_retries=2,
        )

    @before_kickoff
    def keep_literal_braces(self, inputs: dict[str, Any] | None) -> dict[str, Any]:
        return {**(inputs or {}), **{name: "{" + name + "}" for name in LITERAL_PLACEHOLDERS}}

    @crew
    def crew(self) -> Crew:
        # In a hierarchical crew only the manager gets delegation tools from crewai; an agent
        # that delegates in its own prompt gets tools over exactly its own delegates.
        ml_engineer = self.ml_engineer()
        ml_engineer.tools = [
            *(ml_engineer.tools or []),
            *ml_engineer.get_delegation_tools([self.data_engineer(), self.data_scientist()]),
        ]
        data_scientist = self.data_scientist()
        data_scientist.tools = [
            *(data_scientist.tools or []),
            *data_scientist.get_delegation_tools([self.data_engineer()]),
        ]
        prompt_engineer = self.prompt_engineer()
        prompt_engineer.tools = [
            *(prompt_engineer.tools or []),
            *prompt_engineer.get_delegation_tools([self.data_scientist(), self.ml_engineer()]),
        ]
        data_engineer = self.data_engineer()
        data_engineer.tools = [
            *(data_engineer.tools or []),
            *data_engineer.get_delegation_tools([self.data_scientist()]),
        ]
        return Crew(
            agents=self.agents,
            tasks=self.tasks,
            process=Process.hierarchical,
            manager_agent=self.ai_engineer(),
            memory=False,  # memory needs an embedding provider, i.e. the network
            verbose=False,
        )
