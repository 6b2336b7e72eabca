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

from architect_crew import observe
from architect_crew.support import (
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
class ArchitectCrew:
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
    def architect(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["architect"],
            llm=self.model_for("architect"),
            agent_key="architect",
            verbose=False,
        )

    @agent
    def tech_lead(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["tech_lead"],
            llm=self.model_for("tech_lead"),
            agent_key="tech-lead",
            verbose=False,
        )

    @agent
    def devops_engineer(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["devops_engineer"],
            llm=self.model_for("devops_engineer"),
            agent_key="devops-engineer",
            verbose=False,
        )

    @agent
    def qa_engineer(self) -> TeamAgent:
        return TeamAgent(
            config=self.agents_config["qa_engineer"],
            llm=self.model_for("qa_engineer"),
            agent_key="qa-engineer",
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
        tech_lead = self.tech_lead()
        tech_lead.tools = [
            *(tech_lead.tools or []),
            *tech_lead.get_delegation_tools([self.qa_engineer(), self.devops_engineer()]),
        ]
        qa_engineer = self.qa_engineer()
        qa_engineer.tools = [
            *(qa_engineer.tools or []),
            *qa_engineer.get_delegation_tools([self.devops_engineer()]),
        ]
        return Crew(
            agents=self.agents,
            tasks=self.tasks,
            process=Process.hierarchical,
            manager_agent=self.architect(),
            max_rpm=SETTINGS["max_rpm"],
            memory=False,  # memory needs an embedding provider, i.e. the network
            verbose=False,
        )
