"""A hierarchical crewAI crew compiled by agentc from Claude Code agent files.

Edit the agents' markdown and rebuild rather than this file. The agents' texts are in
config/agents.yaml, the request task in config/tasks.yaml.
"""

# No `from __future__ import annotations` here: crewai checks a guardrail's return annotation at
# runtime, and a postponed (string) annotation fails that check.
from crewai import Agent, BaseLLM, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task

# crewAI model id per agent, from its `model` through agentc's crewai model map.
# None: crewai's default LLM (configured through its environment variables).
MODELS = {
    "architect": "anthropic/claude-sonnet-4-5",
    "tech_lead": "anthropic/claude-opus-4-1",
    "devops_engineer": None,
    "qa_engineer": "anthropic/claude-haiku-4-5",
}


@CrewBase
class ArchitectCrew:
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
    def architect(self) -> Agent:
        return Agent(
            config=self.agents_config["architect"],
            llm=self.model_for("architect"),
            verbose=False,
        )

    @agent
    def tech_lead(self) -> Agent:
        return Agent(
            config=self.agents_config["tech_lead"],
            llm=self.model_for("tech_lead"),
            verbose=False,
        )

    @agent
    def devops_engineer(self) -> Agent:
        return Agent(
            config=self.agents_config["devops_engineer"],
            llm=self.model_for("devops_engineer"),
            verbose=False,
        )

    @agent
    def qa_engineer(self) -> Agent:
        return Agent(
            config=self.agents_config["qa_engineer"],
            llm=self.model_for("qa_engineer"),
            verbose=False,
        )

    @task
    def request_task(self) -> Task:
        return Task(
            config=self.tasks_config["request_task"],
        )

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
            memory=False,  # memory needs an embedding provider, i.e. the network
            verbose=False,
        )
