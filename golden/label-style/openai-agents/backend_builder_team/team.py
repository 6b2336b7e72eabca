"""An OpenAI Agents SDK team compiled by agentc. Do not edit: rebuild with `agentc build`.

One `Agent` per agent file; delegation edges are handoffs with snake_case tool names. The
instructions are the prompt files in `prompts/`, loaded as package resources. Nothing here
needs an API key until a run: inject models with `build_agents(model=..., models={...})`.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from agents import Agent, Model, handoff

ENTRY = "backend-builder"

# Agent id -> OpenAI model id from agentc's model map; None leaves it to the SDK's default.
MODELS: dict[str, str | None] = {
    "backend-builder": "gpt-5.4",
    "frontend-builder": None,
    "test-runner": "gpt-5.4-mini",
    "release-manager": None,
    "docs-writer": None,
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

    backend_builder = Agent(
        name="backend-builder",
        instructions=_prompt("backend_builder.md"),
        handoff_description="Senior backend builder for service endpoints, background jobs and data access layers. Drives server-side features from contract to production-ready code with tests.",
        model=pick("backend-builder"),
    )
    frontend_builder = Agent(
        name="frontend-builder",
        instructions=_prompt("frontend_builder.md"),
        handoff_description="component contracts",
        model=pick("frontend-builder"),
    )
    test_runner = Agent(
        name="test-runner",
        instructions=_prompt("test_runner.md"),
        handoff_description="coverage goals; visual regression baselines",
        model=pick("test-runner"),
    )
    release_manager = Agent(
        name="release-manager",
        instructions=_prompt("release_manager.md"),
        handoff_description="rollout timing; release gates",
        model=pick("release-manager"),
    )
    docs_writer = Agent(
        name="docs-writer",
        instructions=_prompt("docs_writer.md"),
        handoff_description="API examples; release notes",
        model=pick("docs-writer"),
    )
    # Handoffs are attached once every agent exists, because delegation graphs have cycles.
    backend_builder.handoffs = [
        handoff(
            frontend_builder,
            tool_name_override="transfer_to_frontend_builder",
            tool_description_override="component contracts",
        ),
        handoff(
            test_runner,
            tool_name_override="transfer_to_test_runner",
            tool_description_override="coverage goals",
        ),
        handoff(
            release_manager,
            tool_name_override="transfer_to_release_manager",
            tool_description_override="rollout timing",
        ),
        handoff(
            docs_writer,
            tool_name_override="transfer_to_docs_writer",
            tool_description_override="API examples",
        ),
    ]
    frontend_builder.handoffs = [
        handoff(
            test_runner,
            tool_name_override="transfer_to_test_runner",
            tool_description_override="visual regression baselines",
        ),
    ]
    test_runner.handoffs = [
        handoff(
            release_manager,
            tool_name_override="transfer_to_release_manager",
            tool_description_override="release gates",
        ),
    ]
    release_manager.handoffs = [
        handoff(
            docs_writer,
            tool_name_override="transfer_to_docs_writer",
            tool_description_override="release notes",
        ),
    ]
    return {
        "backend-builder": backend_builder,
        "frontend-builder": frontend_builder,
        "test-runner": test_runner,
        "release-manager": release_manager,
        "docs-writer": docs_writer,
    }


def entry_agent(
    model: str | Model | None = None, models: Mapping[str, str | Model] | None = None
) -> Agent:
    """The agent a run starts with: `build_agents(...)[ENTRY]`."""
    return build_agents(model=model, models=models)[ENTRY]
