"""An OpenAI Agents SDK team compiled by agentc. Do not edit: rebuild with `agentc build`.

One `Agent` per agent file; delegation edges are handoffs with snake_case tool names. The
instructions are the prompt files in `prompts/`, loaded as package resources. Nothing here
needs an API key until a run: inject models with `build_agents(model=..., models={...})`.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from agents import Agent, Model, handoff

ENTRY = "database-designer"

# Agent id -> OpenAI model id from agentc's model map; None leaves it to the SDK's default.
MODELS: dict[str, str | None] = {
    "database-designer": "gpt-5.5",
    "api-designer": "gpt-5.4",
    "performance-tuner": None,
    "cloud-planner": "gpt-5.4",
    "security-reviewer": None,
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

    database_designer = Agent(
        name="database-designer",
        instructions=_prompt("database_designer.md"),
        handoff_description="Relational and document schema designer for transactional services. Shapes tables, keys, indexes and migration plans around real access patterns. Use PROACTIVELY when a new service needs a data model or an existing schema blocks a feature.",
        model=pick("database-designer"),
    )
    api_designer = Agent(
        name="api-designer",
        instructions=_prompt("api_designer.md"),
        handoff_description="contract informs the schema; defers public contract decisions to api-designer",
        model=pick("api-designer"),
    )
    performance_tuner = Agent(
        name="performance-tuner",
        instructions=_prompt("performance_tuner.md"),
        handoff_description="query plans and index tuning once real traffic exists",
        model=pick("performance-tuner"),
    )
    cloud_planner = Agent(
        name="cloud-planner",
        instructions=_prompt("cloud_planner.md"),
        handoff_description="infrastructure; capacity headroom",
        model=pick("cloud-planner"),
    )
    security_reviewer = Agent(
        name="security-reviewer",
        instructions=_prompt("security_reviewer.md"),
        handoff_description="threat model; When a table will hold credentials, payment details or health records",
        model=pick("security-reviewer"),
    )
    # Handoffs are attached once every agent exists, because delegation graphs have cycles.
    database_designer.handoffs = [
        handoff(
            api_designer,
            tool_name_override="transfer_to_api_designer",
            tool_description_override="contract informs the schema; defers public contract decisions to api-designer",
        ),
        handoff(
            performance_tuner,
            tool_name_override="transfer_to_performance_tuner",
            tool_description_override="query plans and index tuning once real traffic exists",
        ),
        handoff(
            cloud_planner,
            tool_name_override="transfer_to_cloud_planner",
            tool_description_override="infrastructure",
        ),
        handoff(
            security_reviewer,
            tool_name_override="transfer_to_security_reviewer",
            tool_description_override="threat model; When a table will hold credentials, payment details or health records",
        ),
    ]
    performance_tuner.handoffs = [
        handoff(
            cloud_planner,
            tool_name_override="transfer_to_cloud_planner",
            tool_description_override="capacity headroom",
        ),
    ]
    return {
        "database-designer": database_designer,
        "api-designer": api_designer,
        "performance-tuner": performance_tuner,
        "cloud-planner": cloud_planner,
        "security-reviewer": security_reviewer,
    }


def entry_agent(
    model: str | Model | None = None, models: Mapping[str, str | Model] | None = None
) -> Agent:
    """The agent a run starts with: `build_agents(...)[ENTRY]`."""
    return build_agents(model=model, models=models)[ENTRY]
