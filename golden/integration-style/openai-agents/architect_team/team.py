"""An OpenAI Agents SDK team compiled by agentc. Do not edit: rebuild with `agentc build`.

One `Agent` per agent file; delegation edges are handoffs with snake_case tool names. The
instructions are the prompt files in `prompts/`, loaded as package resources. Nothing here
needs an API key until a run: inject models with `build_agents(model=..., models={...})`.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from agents import Agent, Model, handoff

ENTRY = "architect"

# Agent id -> OpenAI model id from agentc's model map; None leaves it to the SDK's default.
MODELS: dict[str, str | None] = {
    "architect": "gpt-5.4",
    "tech-lead": "gpt-5.5",
    "devops-engineer": None,
    "qa-engineer": "gpt-5.4-mini",
}


def _prompt(file: str) -> str:
    return resources.files(__package__).joinpath("prompts", file).read_text(encoding="utf-8")


def build_agents(
    model: str | Model | None = None, models: Mapping[str, str | Model] | None = None
) -> dict[str, Agent]:
    """Every agent of the team with its handoffs, keyed by agent id.

    An agent's model is `models[id]` if given, else `model`, else its entry in MODELS.
    """
    chosen = dict(models or {})

    def pick(agent_id: str) -> str | Model | None:
        if agent_id in chosen:
            return chosen[agent_id]
        return model if model is not None else MODELS[agent_id]

    architect = Agent(
        name="architect",
        instructions=_prompt("architect.md"),
        handoff_description="Verify implementation follows the agreed component boundaries and decision records",
        model=pick("architect"),
    )
    tech_lead = Agent(
        name="tech-lead",
        instructions=_prompt("tech_lead.md"),
        handoff_description="Report design risks that affect the plan and agree on which slices need a design review",
        model=pick("tech-lead"),
    )
    devops_engineer = Agent(
        name="devops-engineer",
        instructions=_prompt("devops_engineer.md"),
        handoff_description="Confirm the deployment topology is something the pipelines and environments can support; Plan environments, pipelines and rollout windows for the release; Wire the suites into the pipeline and publish results on every build",
        model=pick("devops-engineer"),
    )
    qa_engineer = Agent(
        name="qa-engineer",
        instructions=_prompt("qa_engineer.md"),
        handoff_description="Agree on the test strategy and the release quality bar for each slice",
        model=pick("qa-engineer"),
    )
    # Handoffs are attached once every agent exists, because delegation graphs have cycles.
    architect.handoffs = [
        handoff(
            tech_lead,
            tool_name_override="transfer_to_tech_lead",
            tool_description_override="Report design risks that affect the plan and agree on which slices need a design review",
        ),
        handoff(
            devops_engineer,
            tool_name_override="transfer_to_devops_engineer",
            tool_description_override="Confirm the deployment topology is something the pipelines and environments can support",
        ),
    ]
    tech_lead.handoffs = [
        handoff(
            architect,
            tool_name_override="transfer_to_architect",
            tool_description_override="Verify implementation follows the agreed component boundaries and decision records",
        ),
        handoff(
            qa_engineer,
            tool_name_override="transfer_to_qa_engineer",
            tool_description_override="Agree on the test strategy and the release quality bar for each slice",
        ),
        handoff(
            devops_engineer,
            tool_name_override="transfer_to_devops_engineer",
            tool_description_override="Plan environments, pipelines and rollout windows for the release",
        ),
    ]
    qa_engineer.handoffs = [
        handoff(
            devops_engineer,
            tool_name_override="transfer_to_devops_engineer",
            tool_description_override="Wire the suites into the pipeline and publish results on every build",
        ),
    ]
    return {
        "architect": architect,
        "tech-lead": tech_lead,
        "devops-engineer": devops_engineer,
        "qa-engineer": qa_engineer,
    }


def entry_agent(
    model: str | Model | None = None, models: Mapping[str, str | Model] | None = None
) -> Agent:
    """The agent a run starts with: `build_agents(...)[ENTRY]`."""
    return build_agents(model=model, models=models)[ENTRY]
