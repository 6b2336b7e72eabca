"""A hierarchical crewAI crew compiled by agentc from Claude Code agent files.

Edit the agents' markdown and rebuild rather than this file. The agents' texts are in
config/agents.yaml, the request task in config/tasks.yaml, models and settings in
config/crew.json; support.py holds the helpers, the same for every crew.
"""

# No `from __future__ import annotations` here: crewai checks a guardrail's return annotation at
# runtime, and a postponed (string) annotation fails that check.
from typing import Any

from crewai import BaseLLM, Crew, Process, Task
from crewai.project import CrewBase, agent, before_kickoff, crew, task

from backend_builder_crew import observe
from backend_builder_crew.support import (
    CHECKLIST,
    SETTINGS,
    Meter,
    TeamAgent,
    TeamLLM,
    check_models,
    completion_checklist,
    fence_request,
    keep_literal_braces,
    team_llm,
)


@CrewBase
class BackendBuilderCrew:
    """The entry agent manages the crew; the agents it delegates to are the crew's agents."""

    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    def __init__(
        self, llm: BaseLLM | None = None, models: dict[str, BaseLLM | str] | None = None
    ) -> None:
        # `models`: an LLM (or model id) per agent key (the agent's name, or plugin:name when two
        # share it; an unknown key raises). `llm`: one LLM for every other agent, e.g. a scripted
        # offline model in tests. Else the model factory (AGENTC_MODEL_FACTORY), else the models
        # in config/crew.json.
        self.models = check_models(models)
        self.injected_llm = llm
        self.meter = Meter()  # token usage per agent: self.meter.report()
        observe.configure()  # AGENTC_LOG=1: one JSON record per model call and delegation

    def model_for(self, method: str) -> TeamLLM:
        return team_llm(method, self.injected_llm, self.models, self.meter)

    # The manager is not an @agent: every @agent joins the crew's agents, and a hierarchical
    # crew refuses a manager that is also one of its agents.
    def backend_builder(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["backend_builder"],
            llm=self.model_for("backend_builder"),
            agent_key="backend-builder",
            verbose=False,
        )

    @agent
    def frontend_builder(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["frontend_builder"],
            llm=self.model_for("frontend_builder"),
            agent_key="frontend-builder",
            verbose=False,
        )

    @agent
    def test_runner(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["test_runner"],
            llm=self.model_for("test_runner"),
            agent_key="test-runner",
            verbose=False,
        )

    @agent
    def release_manager(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["release_manager"],
            llm=self.model_for("release_manager"),
            agent_key="release-manager",
            verbose=False,
        )

    @agent
    def docs_writer(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["docs_writer"],
            llm=self.model_for("docs_writer"),
            agent_key="docs-writer",
            verbose=False,
        )

    @task
    def request_task(self) -> Task:
        guarded = bool(CHECKLIST) and SETTINGS["guardrail"] != "off"
        return Task(
            config=self.tasks_config["request_task"],
            guardrail=completion_checklist if guarded else None,
            guardrail_max_retries=SETTINGS["guardrail_retries"],
        )

    @before_kickoff
    def keep_literal_braces(self, inputs: dict[str, Any] | None) -> dict[str, Any]:
        return keep_literal_braces(inputs)

    @before_kickoff
    def fence_request(self, inputs: dict[str, Any] | None) -> dict[str, Any]:
        # Tags inside the request that would close its <request> delimiter are escaped.
        return fence_request(inputs)

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
            max_rpm=SETTINGS["max_rpm"],
            memory=False,  # memory needs an embedding provider, i.e. the network
            verbose=False,
        )
