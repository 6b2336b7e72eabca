"""Claude Agent SDK subagents compiled by agentc. Do not edit: rebuild with `agentc build`.

`AGENTS` holds one `AgentDefinition` per agent; the parent session picks a subagent by its
description through the Agent tool. Prompts are the files in `prompts/`, loaded as package
resources. `options()` returns the `ClaudeAgentOptions` of a session led by the entry agent.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from claude_agent_sdk import AgentDefinition, ClaudeAgentOptions

ENTRY = "ai-engineer"


def _prompt(file: str) -> str:
    return resources.files(__package__).joinpath("prompts", file).read_text(encoding="utf-8")


AGENTS: dict[str, AgentDefinition] = {
    "ai-engineer": AgentDefinition(
        description="Leads the design of LLM evaluation harnesses and internal agent platforms, from offline scoring suites to tool-using agent runtimes with budgets and guardrails. Use PROACTIVELY for evaluation pipelines, agent tool routing, regression gates on model upgrades, or any platform work that puts a language model in a production loop.",
        prompt=_prompt("ai_engineer.md"),
        tools=["Read", "Write", "Edit", "Bash", "Grep", "Glob"],
        model="sonnet",
    ),
    "data-engineer": AgentDefinition(
        description="Builds the pipelines that feed evaluation and training datasets, from transcript exports to versioned snapshots with lineage. Use PROACTIVELY for ingestion jobs, dataset versioning, deduplication or PII scrubbing.",
        prompt=_prompt("data_engineer.md"),
        tools=["Read", "Write", "Edit", "Bash", "Glob"],
        model="haiku",
    ),
    "data-scientist": AgentDefinition(
        description="Designs experiments and statistical analyses for model and prompt comparisons, including significance tests and sample size planning. Use PROACTIVELY for A/B analysis, metric design or any question about whether a difference is real.",
        prompt=_prompt("data_scientist.md"),
        tools=["Read", "Bash", "Grep", "Glob"],
        model="inherit",
    ),
    "ml-engineer": AgentDefinition(
        description="Trains, fine-tunes and serves models for the applied AI group, including small judge models and quantized inference endpoints. Use PROACTIVELY for training runs, fine-tuning jobs, GPU sizing or serving latency work.",
        prompt=_prompt("ml_engineer.md"),
        tools=["Read", "Write", "Edit", "Bash", "Grep"],
        model="haiku",
    ),
    "prompt-engineer": AgentDefinition(
        description="Designs, versions and compresses prompts and grader rubrics for the applied AI group. Use PROACTIVELY for system prompts, judge instructions, few-shot selection or prompt catalogue work.",
        prompt=_prompt("prompt_engineer.md"),
        tools=["Read", "Write", "Edit", "Grep"],
        model="opus",
    ),
}


def options(**overrides: Any) -> ClaudeAgentOptions:
    """Options for a session led by ENTRY: its prompt as the system prompt, every agent in
    `agents`. Keyword arguments override or add any ClaudeAgentOptions field."""
    entry = AGENTS[ENTRY]
    settings: dict[str, Any] = {
        "system_prompt": entry.prompt,
        "agents": AGENTS,
        "tools": ["Read", "Write", "Edit", "Bash", "Grep", "Glob", "Agent"],
        "model": "sonnet",
    }
    settings.update(overrides)
    return ClaudeAgentOptions(**settings)
