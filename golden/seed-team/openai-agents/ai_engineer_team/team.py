"""An OpenAI Agents SDK team compiled by agentc. Do not edit: rebuild with `agentc build`.

One `Agent` per agent file; delegation edges are handoffs with snake_case tool names. The
instructions are the prompt files in `prompts/`, loaded as package resources. Nothing here
needs an API key until a run: inject models with `build_agents(model=..., models={...})`.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from agents import Agent, Model, handoff

ENTRY = "ai-engineer"

# Agent id -> OpenAI model id from agentc's model map; None leaves it to the SDK's default.
MODELS: dict[str, str | None] = {
    "ai-engineer": "gpt-5.4",
    "ml-engineer": "gpt-5.4-mini",
    "data-scientist": None,
    "prompt-engineer": "gpt-5.5",
    "data-engineer": "gpt-5.4-mini",
    "security-auditor": None,
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

    ai_engineer = Agent(
        name="ai-engineer",
        instructions=_prompt("ai_engineer.md"),
        handoff_description="Leads the design of LLM evaluation harnesses and internal agent platforms, from offline scoring suites to tool-using agent runtimes with budgets and guardrails. Use PROACTIVELY for evaluation pipelines, agent tool routing, regression gates on model upgrades, or any platform work that puts a language model in a production loop.",
        model=pick("ai-engineer"),
    )
    ml_engineer = Agent(
        name="ml-engineer",
        instructions=_prompt("ml_engineer.md"),
        handoff_description="Training or fine-tuning models; GPU capacity planning or inference server tuning; Fine-tuning a smaller judge model on collected human labels; Quantization and batching choices for self-hosted inference; Serving latency budgets that depend on hardware selection; The prompt cannot fix the behaviour and the model needs training",
        model=pick("ml-engineer"),
    )
    data_scientist = Agent(
        name="data-scientist",
        instructions=_prompt("data_scientist.md"),
        handoff_description="Training or fine-tuning models; Deciding whether a metric change is statistically meaningful; The question is whether one model is significantly better than another; A variant comparison needs significance testing or power analysis; Choosing which records to sample so the snapshot represents every segment; Judging whether a shift in the data distribution needs a new baseline",
        model=pick("data-scientist"),
    )
    prompt_engineer = Agent(
        name="prompt-engineer",
        instructions=_prompt("prompt_engineer.md"),
        handoff_description="Writing or restructuring system prompts and prompt libraries; Rewriting grader instructions once the rubric itself is settled; Building a versioned prompt catalogue with diffable templates; Reducing prompt length without losing rubric coverage",
        model=pick("prompt-engineer"),
    )
    data_engineer = Agent(
        name="data-engineer",
        instructions=_prompt("data_engineer.md"),
        handoff_description="Building ingestion or labelling pipelines for evaluation datasets; Scheduled exports of production transcripts into the eval store; Deduplication and PII scrubbing of candidate test cases; Versioned dataset snapshots with lineage back to the source tables; Raw training data still needs extraction, joins or deduplication; The needed table does not exist yet or must be rebuilt from raw logs",
        model=pick("data-engineer"),
    )
    security_auditor = Agent(
        name="security-auditor",
        instructions=_prompt("security_auditor.md"),
        handoff_description="Penetration tests or compliance reviews of the agent platform",
        model=pick("security-auditor"),
    )
    # Handoffs are attached once every agent exists, because delegation graphs have cycles.
    ai_engineer.handoffs = [
        handoff(
            ml_engineer,
            tool_name_override="transfer_to_ml_engineer",
            tool_description_override="Training or fine-tuning models; GPU capacity planning or inference server tuning; Fine-tuning a smaller judge model on collected human labels; Quantization and batching choices for self-hosted inference; Serving latency budgets that depend on hardware selection",
        ),
        handoff(
            data_scientist,
            tool_name_override="transfer_to_data_scientist",
            tool_description_override="Training or fine-tuning models; Deciding whether a metric change is statistically meaningful",
        ),
        handoff(
            prompt_engineer,
            tool_name_override="transfer_to_prompt_engineer",
            tool_description_override="Writing or restructuring system prompts and prompt libraries; Rewriting grader instructions once the rubric itself is settled; Building a versioned prompt catalogue with diffable templates; Reducing prompt length without losing rubric coverage",
        ),
        handoff(
            data_engineer,
            tool_name_override="transfer_to_data_engineer",
            tool_description_override="Building ingestion or labelling pipelines for evaluation datasets; Scheduled exports of production transcripts into the eval store; Deduplication and PII scrubbing of candidate test cases; Versioned dataset snapshots with lineage back to the source tables",
        ),
        handoff(
            security_auditor,
            tool_name_override="transfer_to_security_auditor",
            tool_description_override="Penetration tests or compliance reviews of the agent platform",
        ),
    ]
    ml_engineer.handoffs = [
        handoff(
            data_engineer,
            tool_name_override="transfer_to_data_engineer",
            tool_description_override="Raw training data still needs extraction, joins or deduplication",
        ),
        handoff(
            data_scientist,
            tool_name_override="transfer_to_data_scientist",
            tool_description_override="The question is whether one model is significantly better than another",
        ),
    ]
    data_scientist.handoffs = [
        handoff(
            data_engineer,
            tool_name_override="transfer_to_data_engineer",
            tool_description_override="The needed table does not exist yet or must be rebuilt from raw logs",
        ),
    ]
    prompt_engineer.handoffs = [
        handoff(
            data_scientist,
            tool_name_override="transfer_to_data_scientist",
            tool_description_override="A variant comparison needs significance testing or power analysis",
        ),
        handoff(
            ml_engineer,
            tool_name_override="transfer_to_ml_engineer",
            tool_description_override="The prompt cannot fix the behaviour and the model needs training",
        ),
    ]
    data_engineer.handoffs = [
        handoff(
            data_scientist,
            tool_name_override="transfer_to_data_scientist",
            tool_description_override="Choosing which records to sample so the snapshot represents every segment; Judging whether a shift in the data distribution needs a new baseline",
        ),
    ]
    return {
        "ai-engineer": ai_engineer,
        "ml-engineer": ml_engineer,
        "data-scientist": data_scientist,
        "prompt-engineer": prompt_engineer,
        "data-engineer": data_engineer,
        "security-auditor": security_auditor,
    }


def entry_agent(
    model: str | Model | None = None, models: Mapping[str, str | Model] | None = None
) -> Agent:
    """The agent a run starts with: `build_agents(...)[ENTRY]`."""
    return build_agents(model=model, models=models)[ENTRY]
